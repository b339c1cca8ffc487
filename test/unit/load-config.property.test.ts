// Property tests of loadConfig over arbitrary environments: junk, blanks, whitespace, huge numbers,
// unicode and control characters in every variable. It never throws; it returns either a config
// whose every value lies within the documented bounds, or problems that each name a real setting
// and say how to fix it. Valid values, written back the way `check` shows them, round-trip.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config.ts';
import { checkRules } from '../../src/config/config-rules.ts';
import { formatProblems, loadConfig, SETTING_TABLE, SETTINGS } from '../../src/config/load-config.ts';

const NAMES = SETTINGS.map((s) => s.name);

/**
 * The bounds of every numeric setting, in the Config's units, derived from the table itself: its
 * declared range, read through the setting's own parser (seconds become milliseconds). Adding a
 * numeric setting adds it here.
 */
const NUMERIC_BOUNDS: Partial<Record<keyof Config, [number, number]>> = Object.fromEntries(
  SETTINGS.filter((s) => s.range !== undefined).map((s) => {
    const setting = SETTING_TABLE[s.key] as { parse(raw: string | undefined, earlier: Partial<Config>): { ok: boolean; value?: unknown } };
    const bound = (n: number): number => {
      const parsed = setting.parse(String(n), {});
      if (!parsed.ok || typeof parsed.value !== 'number') throw new Error(`${s.name}: its own bound ${n} does not parse`);
      return parsed.value;
    };
    return [s.key, [bound(s.range!.min), bound(s.range!.max)]];
  }),
);

const junk: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom('', ' ', '\t\n', '0', '-1', '1e3', '0x10', 'Infinity', 'NaN', '99999999999999999999', '1.5', '.5', '5.', '3600.0000001', 'http://', 'https://x', 'ftp://x/'),
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.integer().map(String),
  fc.double().map(String),
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.array(fc.webUrl(), { maxLength: 20 }).map((urls) => urls.join(',')),
  fc.string({ maxLength: 5_000 }).map((s) => `\u0000${s}\u001b[31m`),
);

const arbEnv = fc.dictionary(fc.oneof(fc.constantFrom(...NAMES), fc.string({ maxLength: 12 })), junk, { maxKeys: 40 });

function isHttpUrl(value: string): boolean {
  return URL.canParse(value) && ['http:', 'https:'].includes(new URL(value).protocol);
}

describe('loadConfig over arbitrary environments (fast-check)', () => {
  it('never throws; a valid config lies within the documented bounds, problems name real settings with a fix', () => {
    const seen = { ok: 0, problems: 0 };
    fc.assert(
      fc.property(arbEnv, fc.option(fc.webUrl(), { nil: undefined }), (env, primary) => {
        const input = primary === undefined ? env : { ...env, PRIMARY_URL: primary };
        const result = loadConfig(input);
        seen[result.ok ? 'ok' : 'problems']++;
        if (result.ok) {
          const { config } = result;
          for (const [key, [min, max]] of Object.entries(NUMERIC_BOUNDS)) {
            const value = config[key as keyof Config] as number;
            expect(Number.isFinite(value), key).toBe(true);
            expect(value, key).toBeGreaterThanOrEqual(min);
            expect(value, key).toBeLessThanOrEqual(max);
          }
          // No contradiction between settings survives into a config.
          expect(checkRules(config, 'error')).toEqual([]);
          expect(config.checkTimeoutMs).toBeLessThanOrEqual(config.checkIntervalMs);
          expect(config.flapHoldDownMaxMs).toBeGreaterThanOrEqual(config.flapHoldDownMs);
          expect(isHttpUrl(config.primaryUrl)).toBe(true);
          expect(isHttpUrl(config.gatewayReadyUrl)).toBe(true);
          expect(config.witnessUrls.every(isHttpUrl)).toBe(true);
          expect(config.witnessUrls.length).toBeLessThanOrEqual(16);
          expect(config.workspaceDir.startsWith('/') && config.stateDir.startsWith('/')).toBe(true);
          expect(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).toContain(config.logLevel);
          expect(['json', 'pretty']).toContain(config.logFormat);
        } else {
          expect(result.problems.length).toBeGreaterThan(0);
          const names = result.problems.map((p) => p.name);
          // One problem per bad setting; contradictions come after them.
          const valueNames = result.problems.filter((p) => p.conflict === undefined).map((p) => p.name);
          expect(new Set(valueNames).size).toBe(valueNames.length);
          for (const problem of result.problems) {
            expect(NAMES).toContain(problem.name);
            expect(problem.expected.trim().length).toBeGreaterThan(0);
          }
          // The printed block names every setting next to its fix.
          const printed = formatProblems(result.problems);
          for (const name of names) expect(printed).toContain(`  - ${name}`);
        }
      }),
      { numRuns: 500 },
    );
    console.log(`[loadConfig property] ${seen.ok} valid configs, ${seen.problems} problem lists`);
    // Both branches were exercised, not just the problem list.
    expect(seen.ok).toBeGreaterThan(10);
    expect(seen.problems).toBeGreaterThan(10);
  });

  it('values within bounds round-trip: written as `check` shows them, read back to the same config', () => {
    const range = (name: string): { min: number; max: number } => SETTINGS.find((s) => s.name === name)!.range!;
    const seconds = (name: string) => fc.integer({ min: range(name).min * 1000, max: range(name).max * 1000 }).map((ms) => String(ms / 1000));
    const whole = (name: string) => fc.integer(range(name)).map(String);
    // Pairs drawn so the rules between them hold (config-rules.ts): CHECK_TIMEOUT ≤ CHECK_INTERVAL,
    // FLAP_HOLD_DOWN ≤ FLAP_HOLD_DOWN_MAX.
    const ordered = (low: string, high: string) =>
      fc.tuple(seconds(low), seconds(high)).map(([a, b]) => (Number(a) <= Number(b) ? [a, b] : [String(Math.max(Number(b), range(low).min)), b]));
    const arbValid = fc.record({
      PRIMARY_URL: fc.webUrl({ validSchemes: ['http', 'https'] }).filter((u) => !u.includes('#') && new URL(u).hostname !== ''),
      check: ordered('CHECK_TIMEOUT', 'CHECK_INTERVAL'),
      flap: ordered('FLAP_HOLD_DOWN', 'FLAP_HOLD_DOWN_MAX'),
      FAIL_THRESHOLD: whole('FAIL_THRESHOLD'),
      STATUS_PORT: whole('STATUS_PORT'),
      MIN_PROMOTED: seconds('MIN_PROMOTED'),
      FLAP_WINDOW: seconds('FLAP_WINDOW'),
      WITNESS_URLS: fc.array(fc.webUrl({ validSchemes: ['http', 'https'] }).filter((u) => !u.includes('#') && !u.includes(',') && new URL(u).hostname !== ''), { minLength: 1, maxLength: 16 }).map((urls) => urls.join(',')),
      LOG_LEVEL: fc.constantFrom('trace', 'debug', 'info', 'warn', 'error', 'fatal', 'INFO', 'Warn'),
    });
    fc.assert(
      fc.property(arbValid, ({ check, flap, ...rest }) => {
        const env = { ...rest, CHECK_TIMEOUT: check[0], CHECK_INTERVAL: check[1], FLAP_HOLD_DOWN: flap[0], FLAP_HOLD_DOWN_MAX: flap[1] };
        const first = loadConfig(env);
        expect(first.ok, JSON.stringify(first)).toBe(true);
        if (!first.ok) return;
        const written: Record<string, string> = {};
        for (const key of Object.keys(SETTING_TABLE) as (keyof Config)[]) {
          const setting = SETTING_TABLE[key] as { name: string; show(value: unknown): string | number | undefined };
          const shown = setting.show(first.config[key]);
          if (shown !== undefined && key !== 'witnessUrls') written[setting.name] = String(shown);
        }
        written.WITNESS_URLS = first.config.witnessUrls.join(',');
        expect(loadConfig(written)).toEqual(first);
      }),
      { numRuns: 300 },
    );
  });
});

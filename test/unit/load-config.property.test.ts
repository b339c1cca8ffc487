// Property tests of loadConfig over arbitrary environments: junk, blanks, whitespace, huge numbers,
// unicode and control characters in every variable. It never throws; it returns either a config
// whose every value lies within the documented bounds, or problems that each name a real setting
// and say how to fix it. Valid values, written back the way `check` shows them, round-trip.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config.ts';
import { formatProblems, loadConfig, SETTING_TABLE, SETTINGS } from '../../src/config/load-config.ts';

const NAMES = SETTINGS.map((s) => s.name);

/** The documented bounds (README settings table), in the Config's units. */
const NUMERIC_BOUNDS: Partial<Record<keyof Config, [number, number]>> = {
  checkIntervalMs: [200, 3_600_000],
  checkTimeoutMs: [100, 600_000],
  failThreshold: [1, 1_000],
  recoverThreshold: [1, 1_000],
  promoteReadyTimeoutMs: [1_000, 3_600_000],
  stopTimeoutMs: [0, 600_000],
  gitTimeoutMs: [1_000, 600_000],
  statusPort: [1, 65_535],
  witnessTimeoutMs: [100, 60_000],
  minPromotedMs: [0, 3_600_000],
  flapWindowMs: [0, 86_400_000],
  flapHoldDownMs: [1_000, 3_600_000],
  flapHoldDownMaxMs: [1_000, 86_400_000],
};

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
          expect(new Set(names).size).toBe(names.length);
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
    const seconds = (min: number, max: number) => fc.integer({ min: min * 1000, max: max * 1000 }).map((ms) => String(ms / 1000));
    const arbValid = fc.record({
      PRIMARY_URL: fc.webUrl({ validSchemes: ['http', 'https'] }).filter((u) => !u.includes('#') && new URL(u).hostname !== ''),
      CHECK_INTERVAL: seconds(0.2, 3600),
      CHECK_TIMEOUT: seconds(0.1, 600),
      FAIL_THRESHOLD: fc.integer({ min: 1, max: 1_000 }).map(String),
      STATUS_PORT: fc.integer({ min: 1, max: 65_535 }).map(String),
      MIN_PROMOTED: seconds(0, 3600),
      FLAP_WINDOW: seconds(0, 86_400),
      FLAP_HOLD_DOWN: seconds(1, 3600),
      WITNESS_URLS: fc.array(fc.webUrl({ validSchemes: ['http', 'https'] }).filter((u) => !u.includes('#') && !u.includes(',') && new URL(u).hostname !== ''), { minLength: 1, maxLength: 16 }).map((urls) => urls.join(',')),
      LOG_LEVEL: fc.constantFrom('trace', 'debug', 'info', 'warn', 'error', 'fatal', 'INFO', 'Warn'),
    });
    fc.assert(
      fc.property(arbValid, (env) => {
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

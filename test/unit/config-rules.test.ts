// Rules between settings (src/config/config-rules.ts): contradictions are configuration problems,
// reported with every other problem at once (exit 2 from `check` and `run`); doubtful combinations
// are warnings. Every rule in the list must have a case here that fires it.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Config, ConfigProblem } from '../../src/config/config.ts';
import { checkRules, CONFIG_RULES, configWarnings } from '../../src/config/config-rules.ts';
import { formatProblems, loadConfig, SETTING_TABLE } from '../../src/config/load-config.ts';

const PRIMARY_URL = 'http://100.101.102.103:18789/healthz';

function configOf(env: Record<string, string>): Config {
  const result = loadConfig({ PRIMARY_URL, ...env });
  if (!result.ok) throw new Error(`unexpected problems: ${formatProblems(result.problems)}`);
  return result.config;
}

function problemsOf(env: Record<string, string>): ConfigProblem[] {
  const result = loadConfig({ PRIMARY_URL, ...env });
  if (result.ok) throw new Error(`expected problems for ${JSON.stringify(env)}`);
  return result.problems;
}

/** For each rule: an environment that breaks it and nothing else. */
const BREAKS: Record<string, Record<string, string>> = {
  'check-timeout-within-interval': { CHECK_INTERVAL: '3', CHECK_TIMEOUT: '5' },
  'flap-hold-down-cap': { FLAP_HOLD_DOWN: '900', FLAP_HOLD_DOWN_MAX: '600' },
  'primary-health-path': { PRIMARY_URL: 'http://10.0.0.2:18789/' },
  'primary-not-loopback': { PRIMARY_URL: 'http://127.0.0.1:18789/healthz' },
  'hedge-spacing': { CHECK_TIMEOUT: '0.2', CHECK_ATTEMPTS: '3' },
  'ready-timeout-covers-boot': { PROMOTE_READY_TIMEOUT: '10' },
  'flap-cap-within-window': { FLAP_WINDOW: '300' },
  'flap-settings-need-window': { FLAP_WINDOW: '0', FLAP_HOLD_DOWN: '60' },
  'hook-timeout-needs-hook': { HOOK_TIMEOUT: '60' },
  'witness-timeout-needs-witnesses': { WITNESS_TIMEOUT: '5' },
  'notify-settings-need-target': { NOTIFY_RETRIES: '5' },
  'heartbeat-interval-needs-url': { HEARTBEAT_INTERVAL: '30' },
  'container-needs-ready-url': { GATEWAY_CONTAINER: 'my-gateway' },
  'hot-standby-token': { STANDBY_MODE: 'hot' },
  'etcd-renew-twice-before-deadline': { LEADER_ELECTION: 'etcd', ETCD_ENDPOINTS: 'http://a:2379', ETCD_RENEW_INTERVAL: '5' },
  'etcd-margin-exceeds-stop': { LEADER_ELECTION: 'etcd', ETCD_ENDPOINTS: 'http://a:2379', ETCD_SAFETY_MARGIN: '1' },
  'etcd-grace-exceeds-stop': { LEADER_ELECTION: 'etcd', ETCD_ENDPOINTS: 'http://a:2379', ETCD_TAKEOVER_GRACE: '0.5' },
  'etcd-request-timeout-fits': { LEADER_ELECTION: 'etcd', ETCD_ENDPOINTS: 'http://a:2379', ETCD_REQUEST_TIMEOUT: '5' },
};

function firedBy(env: Record<string, string>): string[] {
  const result = loadConfig({ PRIMARY_URL, ...env });
  const values = result.ok ? result.config : undefined;
  const errors = result.ok ? [] : result.problems.filter((p) => p.conflict !== undefined);
  const errorIds = CONFIG_RULES.filter((r) => r.level === 'error' && errors.some((p) => p.conflict?.startsWith(SETTING_TABLE[r.settings[0]!].name))).map((r) => r.id);
  const warningIds = values === undefined ? [] : checkRules(values, 'warning').map(({ rule }) => rule.id);
  return [...errorIds, ...warningIds];
}

describe('the rule list', () => {
  it('has unique ids, names real settings, and every rule has a case here', () => {
    const ids = CONFIG_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of CONFIG_RULES) for (const key of r.settings) expect(Object.keys(SETTING_TABLE)).toContain(key);
    expect(Object.keys(BREAKS).sort()).toEqual([...ids].sort());
  });

  it.each(Object.entries(BREAKS))('%s fires for its case, and only it', (id, env) => {
    expect(firedBy(env)).toEqual([id]);
  });

  it('is quiet for the defaults', () => {
    expect(firedBy({})).toEqual([]);
    expect(configWarnings(configOf({}))).toEqual([]);
  });
});

describe('contradictions are errors, reported with every other problem', () => {
  it('CHECK_TIMEOUT longer than CHECK_INTERVAL names both settings and the fix', () => {
    expect(problemsOf({ CHECK_INTERVAL: '3', CHECK_TIMEOUT: '5' })).toEqual([
      {
        name: 'CHECK_TIMEOUT',
        value: '5',
        conflict: 'CHECK_TIMEOUT=5 is longer than CHECK_INTERVAL=3',
        expected:
          'a check must be over before the next one is due, or a hung primary is detected only after FAIL_THRESHOLD × CHECK_TIMEOUT instead of FAIL_THRESHOLD × CHECK_INTERVAL: set CHECK_TIMEOUT to at most 3, or CHECK_INTERVAL to at least 5',
      },
    ]);
  });

  it('FLAP_HOLD_DOWN_MAX below FLAP_HOLD_DOWN is an error (no longer corrected silently at run time)', () => {
    const problems = problemsOf({ FLAP_HOLD_DOWN: '900', FLAP_HOLD_DOWN_MAX: '600' });
    expect(formatProblems(problems)).toBe(
      [
        'openclaw-failover: 1 configuration problem (nothing was started):',
        '  - FLAP_HOLD_DOWN_MAX=600 is shorter than FLAP_HOLD_DOWN=900: the cap of the flap hold-down cannot be below the hold-down it caps: set FLAP_HOLD_DOWN_MAX to at least 900, or FLAP_HOLD_DOWN to at most 600',
      ].join('\n'),
    );
  });

  it('marks a default in the contradiction, so the fix is clear', () => {
    expect(problemsOf({ CHECK_TIMEOUT: '5' })[0]?.conflict).toBe('CHECK_TIMEOUT=5 is longer than CHECK_INTERVAL=1 (default)');
  });

  it('reports contradictions together with bad values, after them', () => {
    const problems = problemsOf({ CHECK_INTERVAL: '3', CHECK_TIMEOUT: '5', FAIL_THRESHOLD: '0', FLAP_HOLD_DOWN: '900', FLAP_HOLD_DOWN_MAX: '60', LOG_LEVEL: 'loud' });
    expect(problems.map((p) => [p.name, p.conflict !== undefined])).toEqual([
      ['FAIL_THRESHOLD', false],
      ['LOG_LEVEL', false],
      ['CHECK_TIMEOUT', true],
      ['FLAP_HOLD_DOWN_MAX', true],
    ]);
  });

  it('does not judge a rule whose settings are not valid themselves', () => {
    expect(problemsOf({ CHECK_INTERVAL: 'soon', CHECK_TIMEOUT: '5' }).map((p) => p.name)).toEqual(['CHECK_INTERVAL']);
  });

  it('setting one side alone moves the other default instead of contradicting it', () => {
    expect(configOf({ CHECK_INTERVAL: '0.5' })).toMatchObject({ checkIntervalMs: 500, checkTimeoutMs: 500 });
    expect(configOf({ CHECK_INTERVAL: '5' })).toMatchObject({ checkIntervalMs: 5_000, checkTimeoutMs: 1_000 });
    expect(configOf({ FLAP_HOLD_DOWN: '900' })).toMatchObject({ flapHoldDownMs: 900_000, flapHoldDownMaxMs: 900_000 });
    expect(configOf({ FLAP_HOLD_DOWN: '5' })).toMatchObject({ flapHoldDownMs: 5_000, flapHoldDownMaxMs: 600_000 });
    // Equal is no contradiction.
    expect(configOf({ CHECK_INTERVAL: '3', CHECK_TIMEOUT: '3', FLAP_HOLD_DOWN: '40', FLAP_HOLD_DOWN_MAX: '40' })).toMatchObject({ checkTimeoutMs: 3_000, flapHoldDownMaxMs: 40_000 });
  });
});

describe('warnings say what is odd and what to do', () => {
  it('names the settings, marking defaults, and the fix', () => {
    expect(configWarnings(configOf({ FLAP_WINDOW: '300' }))).toEqual([
      'FLAP_HOLD_DOWN_MAX=600 (default) is longer than FLAP_WINDOW=300: the cycles that cause a hold-down leave the window after FLAP_WINDOW, so no hold-down lasts longer than 300s: lower FLAP_HOLD_DOWN_MAX to at most 300, or raise FLAP_WINDOW',
    ]);
    expect(configWarnings(configOf({ CHECK_TIMEOUT: '0.1', CHECK_ATTEMPTS: '10' }))).toEqual([
      expect.stringMatching(/^CHECK_ATTEMPTS=10 within CHECK_TIMEOUT=0\.1 start an attempt every 5\.6 ms: .*lower CHECK_ATTEMPTS or raise CHECK_TIMEOUT$/) as string,
    ]);
  });

  it('settings without effect are named together', () => {
    expect(configWarnings(configOf({ FLAP_WINDOW: '0', FLAP_HOLD_DOWN: '60', FLAP_HOLD_DOWN_MAX: '120' }))).toEqual([
      'FLAP_HOLD_DOWN=60 and FLAP_HOLD_DOWN_MAX=120 have no effect: FLAP_WINDOW=0 turns flap damping off: set what they apply to, or remove them',
    ]);
    // NOTIFY_TIMEOUT also bounds the heartbeat.
    expect(configWarnings(configOf({ NOTIFY_TIMEOUT: '3', HEARTBEAT_URL: 'https://hc-ping.com/x' }))).toEqual([]);
    expect(configWarnings(configOf({ NOTIFY_RETRIES: '5', NOTIFY_NTFY_URL: 'https://ntfy.sh/topic' }))).toEqual([]);
  });

  it('never shows a secret value', () => {
    const text = configWarnings(configOf({ NOTIFY_RETRIES: '5', HEARTBEAT_URL: 'https://hc-ping.com/secret-uuid-123' })).join('\n');
    expect(text).toContain('NOTIFY_RETRIES=5');
    expect(text).not.toContain('secret-uuid-123');
  });
});

describe('openclaw-failover check with a contradiction', () => {
  it('exits 2 and prints it with the other problems', async () => {
    const cli = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
    const env = { PATH: process.env.PATH ?? '', PRIMARY_URL, CHECK_INTERVAL: '3', CHECK_TIMEOUT: '5', LOG_FORMAT: 'xml' };
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [cli, 'check'], { env, timeout: 15_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
      );
    });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('2 configuration problems');
    expect(r.stderr).toContain('  - LOG_FORMAT="xml": expected');
    expect(r.stderr).toContain('  - CHECK_TIMEOUT=5 is longer than CHECK_INTERVAL=3: ');
  });
});

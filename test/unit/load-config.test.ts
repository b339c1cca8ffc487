import { describe, expect, it } from 'vitest';
import type { Config, ConfigProblem } from '../../src/config/config.ts';
import { describeConfig, SETTINGS } from '../../src/config/describe-config.ts';
import { configWarnings, formatProblems, loadConfig } from '../../src/config/load-config.ts';
import { SECRET_ENV_NAMES } from '../../src/config/redact.ts';

const PRIMARY_URL = 'http://100.101.102.103:18789/healthz';

function configOf(env: Record<string, string | undefined>): Config {
  const result = loadConfig({ PRIMARY_URL, ...env });
  if (!result.ok) throw new Error(`unexpected problems: ${formatProblems(result.problems)}`);
  return result.config;
}

function problemsOf(env: Record<string, string | undefined>): ConfigProblem[] {
  const result = loadConfig({ PRIMARY_URL, ...env });
  if (result.ok) throw new Error(`expected problems for ${JSON.stringify(env)}`);
  return result.problems;
}

describe('loadConfig defaults', () => {
  it('fills every other setting from its default when only PRIMARY_URL is set', () => {
    expect(loadConfig({ PRIMARY_URL })).toEqual({
      ok: true,
      config: {
        primaryUrl: PRIMARY_URL,
        checkIntervalMs: 1000,
        checkTimeoutMs: 1000,
        checkAttempts: 3,
        failThreshold: 3,
        recoverThreshold: 3,
        gatewayService: 'openclaw-standby',
        gatewayContainer: undefined,
        gatewayReadyUrl: 'http://openclaw-standby:18789/readyz',
        promoteReadyTimeoutMs: 90_000,
        stopTimeoutMs: 10_000,
        gatewayToken: undefined,
        channelLiveTimeoutMs: 60_000,
        standbyPrepareReport: undefined,
        workspaceDir: '/workspace',
        workspaceRemote: undefined,
        workspaceBranch: undefined,
        gitTimeoutMs: 15_000,
        workspaceIgnore: [],
        witnessUrls: [],
        witnessTimeoutMs: 2_000,
        minPromotedMs: 60_000,
        flapWindowMs: 600_000,
        flapHoldDownMs: 30_000,
        flapHoldDownMaxMs: 600_000,
        onPromote: undefined,
        onDemote: undefined,
        hookTimeoutMs: 30_000,
        statusPort: 8080,
        stateDir: '/var/lib/openclaw-failover',
        controlSocket: '/tmp/openclaw-failover/control.sock',
        logLevel: 'info',
        logFormat: 'json',
        notifyWebhookUrl: undefined,
        notifySlackUrl: undefined,
        notifyDiscordUrl: undefined,
        notifyNtfyUrl: undefined,
        notifyTimeoutMs: 5_000,
        notifyRetries: 3,
        heartbeatUrl: undefined,
        heartbeatIntervalMs: 60_000,
        standbyMode: 'cold',
        leaderElection: 'two-node',
        etcdEndpoints: [],
        nodeName: undefined,
        etcdLeaseTtlMs: 10_000,
        etcdRenewIntervalMs: 3_300,
        etcdSafetyMarginMs: 2_000,
        etcdTakeoverGraceMs: 2_000,
        etcdPollIntervalMs: 1_000,
        etcdRequestTimeoutMs: 2_000,
        etcdLeaderKey: '/openclaw-failover/leader',
        gatewayWorstCaseStopMs: 1_000,
        gatewayStatusUrl: undefined,
        gatewayUnreachableAfterMs: 3_000,
        gatewayNotReadyAfterMs: 120_000,
        gatewayResignCooldownMs: 15_000,
        leaseFile: '/var/lib/openclaw-failover/lease.json',
      } satisfies Config,
    });
  });

  it('treats empty and whitespace-only values as unset (compose passes VAR= for unset interpolations)', () => {
    const blank = Object.fromEntries(SETTINGS.filter((s) => s.name !== 'PRIMARY_URL').map((s, i) => [s.name, i % 2 ? '' : '  \t ']));
    expect(loadConfig({ PRIMARY_URL, ...blank })).toEqual(loadConfig({ PRIMARY_URL }));
  });

  it('a GATEWAY_SERVICE that makes no valid host (found by the property test) asks for GATEWAY_READY_URL', () => {
    const [problem, ...rest] = problemsOf({ GATEWAY_SERVICE: '3600.0000001' });
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ name: 'GATEWAY_READY_URL', value: undefined });
    expect(problem?.expected).toContain('set GATEWAY_READY_URL explicitly');
    expect(configOf({ GATEWAY_SERVICE: '3600.0000001', GATEWAY_READY_URL: 'http://10.0.0.9:18789/readyz' }).gatewayReadyUrl).toBe('http://10.0.0.9:18789/readyz');
  });

  it('derives the default GATEWAY_READY_URL from GATEWAY_SERVICE', () => {
    expect(configOf({ GATEWAY_SERVICE: 'standby_2' }).gatewayReadyUrl).toBe('http://standby_2:18789/readyz');
  });

  it('trims values', () => {
    const config = configOf({ PRIMARY_URL: `  ${PRIMARY_URL}\n`, CHECK_INTERVAL: ' 5 ', LOG_LEVEL: ' warn ' });
    expect(config).toMatchObject({ primaryUrl: PRIMARY_URL, checkIntervalMs: 5000, logLevel: 'warn' });
  });
});

describe('PRIMARY_URL', () => {
  it.each([undefined, '', '   '])('is required, never defaulted (%j)', (value) => {
    const result = loadConfig({ PRIMARY_URL: value });
    expect(result).toEqual({
      ok: false,
      problems: [
        {
          name: 'PRIMARY_URL',
          value: undefined,
          expected: expect.stringContaining(
            "set PRIMARY_URL to the primary gateway's health URL over your private network, e.g. http://100.101.102.103:18789/healthz",
          ) as string,
        },
      ],
    });
  });

  it.each([
    'http://100.101.102.103:18789/healthz',
    'https://primary.tailnet.ts.net/readyz',
    'HTTP://10.0.0.2/health',
    'http://[fd7a:115c::1]:18789/healthz',
    'http://user:pass@10.0.0.2:18789/healthz?token=abc',
  ])('accepts %s', (url) => {
    expect(configOf({ PRIMARY_URL: url }).primaryUrl).toBe(url);
  });

  it.each([
    'ftp://10.0.0.2/healthz',
    'file:///etc/passwd',
    'ws://10.0.0.2:18789/',
    'http://',
    'http:10.0.0.2/healthz',
    '10.0.0.2:18789/healthz',
    '/healthz',
    'http://10.0.0.2:18789/healthz#top',
    'http://10.0.0.2:99999/healthz',
    'http://10.0.0.2/health z',
    'not a url',
  ])('rejects %s', (url) => {
    const [problem] = problemsOf({ PRIMARY_URL: url });
    expect(problem).toMatchObject({ name: 'PRIMARY_URL', value: url });
    expect(problem?.expected).toContain('http://100.101.102.103:18789/healthz');
  });

  it('does not echo a password from a rejected URL', () => {
    const problems = problemsOf({ PRIMARY_URL: 'ftp://admin:s3cr3t-pw@10.0.0.2/healthz?token=tok-123' });
    expect(problems).toHaveLength(1);
    expect(JSON.stringify(problems)).not.toMatch(/s3cr3t-pw|tok-123|admin/);
    expect(formatProblems(problems)).not.toMatch(/s3cr3t-pw|tok-123/);
    expect(problems[0]?.value).toBe('ftp://***:***@10.0.0.2/healthz?token=***');
  });

  it('does not echo a password from an unparseable URL', () => {
    const [problem] = problemsOf({ PRIMARY_URL: 'admin:s3cr3t-pw@10.0.0.2 /healthz' });
    expect(problem?.value).not.toContain('s3cr3t-pw');
  });
});

// `room` lifts the setting a value must not exceed (CHECK_TIMEOUT ≤ CHECK_INTERVAL), so every
// value in range is accepted on its own.
describe.each([
  { name: 'CHECK_INTERVAL', key: 'checkIntervalMs', min: '0.2', max: '3600', def: 1, defText: '1', room: {} },
  { name: 'CHECK_TIMEOUT', key: 'checkTimeoutMs', min: '0.1', max: '600', def: 1, defText: '1, or CHECK_INTERVAL if shorter', room: { CHECK_INTERVAL: '3600' } },
  { name: 'PROMOTE_READY_TIMEOUT', key: 'promoteReadyTimeoutMs', min: '1', max: '3600', def: 90, defText: '90', room: {} },
  { name: 'STOP_TIMEOUT', key: 'stopTimeoutMs', min: '0', max: '600', def: 10, defText: '10', room: {} },
  { name: 'GIT_TIMEOUT', key: 'gitTimeoutMs', min: '1', max: '600', def: 15, defText: '15', room: {} },
  { name: 'HOOK_TIMEOUT', key: 'hookTimeoutMs', min: '1', max: '3600', def: 30, defText: '30', room: {} },
] as const)('$name (seconds)', ({ name, key, min, max, def, defText, room }) => {
  it('converts seconds to milliseconds, decimals allowed', () => {
    expect(configOf({ ...room, [name]: '2.5' })[key]).toBe(2500);
    expect(configOf({ ...room, [name]: min })[key]).toBe(Math.round(Number(min) * 1000));
    expect(configOf({ ...room, [name]: max })[key]).toBe(Number(max) * 1000);
    expect(configOf({})[key]).toBe(def * 1000);
  });

  it.each(['2s', 'abc', '1e400', '1e3', 'NaN', 'Infinity', '0x10', '-1', '+2', '2.', '.5', '1,5', '99999999999999999999', String(Number(max) + 0.001)])(
    'rejects %j naming the variable, the value and the expected form',
    (value) => {
      expect(problemsOf({ ...room, [name]: value })).toEqual([
        {
          name,
          value,
          expected: `a number of seconds between ${min} and ${max} (default ${defText}), e.g. ${name}=${def}`,
        },
      ]);
    },
  );

  it('rejects values below the minimum', () => {
    if (Number(min) === 0) return;
    expect(problemsOf({ ...room, [name]: String(Number(min) / 2) })).toHaveLength(1);
  });
});

describe.each([
  { name: 'CHECK_ATTEMPTS', key: 'checkAttempts', max: 10, def: 3 },
  { name: 'FAIL_THRESHOLD', key: 'failThreshold', max: 1000, def: 3 },
  { name: 'RECOVER_THRESHOLD', key: 'recoverThreshold', max: 1000, def: 3 },
  { name: 'STATUS_PORT', key: 'statusPort', max: 65535, def: 8080 },
] as const)('$name (whole number)', ({ name, key, max, def }) => {
  it('accepts whole numbers in range', () => {
    expect(configOf({ [name]: '1' })[key]).toBe(1);
    expect(configOf({ [name]: String(max) })[key]).toBe(max);
    expect(configOf({})[key]).toBe(def);
  });

  it.each(['0', String(max + 1), '2.5', '3x', 'abc', '1e2', '0x10', '-3', 'NaN', 'Infinity', '99999999999999999999'])(
    'rejects %j',
    (value) => {
      expect(problemsOf({ [name]: value })).toEqual([
        { name, value, expected: `a whole number between 1 and ${max} (default ${def}), e.g. ${name}=${def}` },
      ]);
    },
  );
});

describe('GATEWAY_SERVICE and GATEWAY_CONTAINER', () => {
  it.each(['openclaw-standby', 'gw_2', 'a.b-c', 'x'])('accepts service %j', (value) => {
    expect(configOf({ GATEWAY_SERVICE: value }).gatewayService).toBe(value);
  });

  it.each(['-gw', '_gw', 'gw standby', 'gw/1', 'gw;rm', 'x'.repeat(129)])('rejects service %j', (value) => {
    expect(problemsOf({ GATEWAY_SERVICE: value })).toMatchObject([{ name: 'GATEWAY_SERVICE', value }]);
  });

  it('accepts container names and ids, stripping the leading slash docker reports', () => {
    expect(configOf({ GATEWAY_CONTAINER: '/stack-openclaw-standby-1' }).gatewayContainer).toBe('stack-openclaw-standby-1');
    expect(configOf({ GATEWAY_CONTAINER: 'f00dcafe1234' }).gatewayContainer).toBe('f00dcafe1234');
  });

  it.each(['//x', '-x', 'a b', 'a/b'])('rejects container %j', (value) => {
    expect(problemsOf({ GATEWAY_CONTAINER: value })).toMatchObject([{ name: 'GATEWAY_CONTAINER', value }]);
  });
});

describe('GATEWAY_READY_URL', () => {
  it('accepts an http(s) URL', () => {
    expect(configOf({ GATEWAY_READY_URL: 'https://gw:18789/readyz' }).gatewayReadyUrl).toBe('https://gw:18789/readyz');
  });

  it.each(['gw:18789/readyz', 'tcp://gw:18789', 'http://gw/readyz#x'])('rejects %j', (value) => {
    expect(problemsOf({ GATEWAY_READY_URL: value })).toMatchObject([{ name: 'GATEWAY_READY_URL', value }]);
  });
});

describe('paths', () => {
  it('CONTROL_SOCKET takes an absolute path short enough for a unix socket', () => {
    expect(configOf({ CONTROL_SOCKET: '/run/ocf/ctl.sock' }).controlSocket).toBe('/run/ocf/ctl.sock');
    for (const bad of ['ctl.sock', `/tmp/${'x'.repeat(100)}.sock`]) {
      expect(problemsOf({ CONTROL_SOCKET: bad }).map((p) => p.name)).toEqual(['CONTROL_SOCKET']);
    }
  });

  it.each(['WORKSPACE_DIR', 'STATE_DIR'])('%s accepts absolute paths and rejects relative ones', (name) => {
    expect(loadConfig({ PRIMARY_URL, [name]: '/data/x' }).ok).toBe(true);
    for (const value of ['data/x', './x', '~/x']) {
      expect(problemsOf({ [name]: value })).toMatchObject([{ name, value }]);
    }
  });
});

describe('WORKSPACE_REMOTE', () => {
  it.each([
    'https://github.com/you/workspace.git',
    'ssh://git@github.com:22/you/workspace.git',
    'git://git.example.com/workspace.git',
    'file:///srv/git/workspace.git',
    'git@github.com:you/workspace.git',
    'backup-host:/srv/git/workspace.git',
    '/srv/git/workspace.git',
  ])('accepts %s', (value) => {
    expect(configOf({ WORKSPACE_REMOTE: value }).workspaceRemote).toBe(value);
  });

  it.each([
    '--upload-pack=touch /tmp/pwned',
    '-oProxyCommand=x',
    'ext::sh -c touch% /tmp/pwned',
    'fd::3',
    'https://github.com/you/work space.git',
    'ftp://host/repo.git',
    'https://',
    'relative/path',
  ])('rejects %j', (value) => {
    expect(problemsOf({ WORKSPACE_REMOTE: value })).toMatchObject([{ name: 'WORKSPACE_REMOTE', value }]);
  });

  it('redacts credentials of a rejected remote', () => {
    const [problem] = problemsOf({ WORKSPACE_REMOTE: 'ftp://bot:ghp_abcdef123@github.com/x.git' });
    expect(problem?.value).toBe('ftp://***:***@github.com/x.git');
  });
});

describe('WORKSPACE_BRANCH', () => {
  it.each(['main', 'release/2026.11', 'feature/x-y_z', 'v1.2'])('accepts %s', (value) => {
    expect(configOf({ WORKSPACE_BRANCH: value }).workspaceBranch).toBe(value);
  });

  it.each(['-main', 'a..b', 'a b', 'a~1', 'a^', 'a:b', 'a?', 'a*', 'a[b', 'a\\b', 'a.lock', 'a/', '/a', '.a', 'a/.b', '@', 'a@{1}', 'a//b'])(
    'rejects %j',
    (value) => {
      expect(problemsOf({ WORKSPACE_BRANCH: value })).toMatchObject([{ name: 'WORKSPACE_BRANCH', value }]);
    },
  );
});

describe('ON_PROMOTE and ON_DEMOTE', () => {
  it('are unset by default (no hook)', () => {
    expect(configOf({})).toMatchObject({ onPromote: undefined, onDemote: undefined });
  });

  it('accept any shell command, kept as written (sh does the parsing)', () => {
    const command = "rsync -a -e 'ssh -o StrictHostKeyChecking=yes' backup@10.0.0.5:/srv/secrets/ /home/node/secrets/ && echo ok";
    expect(configOf({ ON_PROMOTE: command, ON_DEMOTE: '/hooks/demote.sh' })).toMatchObject({ onPromote: command, onDemote: '/hooks/demote.sh' });
  });

  it('reject a NUL byte and overlong commands', () => {
    expect(problemsOf({ ON_PROMOTE: 'echo a\u0000b', ON_DEMOTE: 'x'.repeat(4097) }).map((p) => p.name)).toEqual(['ON_PROMOTE', 'ON_DEMOTE']);
  });
});

describe('LOG_LEVEL and LOG_FORMAT', () => {
  it.each(['trace', 'debug', 'info', 'warn', 'error', 'fatal'])('accepts level %s in any case', (level) => {
    expect(configOf({ LOG_LEVEL: level.toUpperCase() }).logLevel).toBe(level);
  });

  it('accepts both formats', () => {
    expect(configOf({ LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(configOf({ LOG_FORMAT: 'JSON' }).logFormat).toBe('json');
  });

  it('rejects anything else', () => {
    expect(problemsOf({ LOG_LEVEL: 'verbose', LOG_FORMAT: 'text' })).toEqual([
      { name: 'LOG_LEVEL', value: 'verbose', expected: 'one of trace, debug, info, warn, error, fatal (default info), e.g. LOG_LEVEL=info' },
      { name: 'LOG_FORMAT', value: 'text', expected: 'one of json, pretty (default json), e.g. LOG_FORMAT=json' },
    ]);
  });
});

describe('reporting', () => {
  it('reports every problem at once, in table order', () => {
    const result = loadConfig({
      CHECK_INTERVAL: '2s',
      FAIL_THRESHOLD: 'three',
      STATUS_PORT: '70000',
      LOG_LEVEL: 'loud',
      WORKSPACE_BRANCH: 'a..b',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.name)).toEqual([
      'PRIMARY_URL',
      'CHECK_INTERVAL',
      'FAIL_THRESHOLD',
      'WORKSPACE_BRANCH',
      'STATUS_PORT',
      'LOG_LEVEL',
    ]);
  });

  it('counts five bad variables as five problems', () => {
    expect(
      problemsOf({ CHECK_TIMEOUT: 'x', RECOVER_THRESHOLD: '0', GATEWAY_SERVICE: '-', STOP_TIMEOUT: '-1', STATE_DIR: 'rel' }),
    ).toHaveLength(5);
  });

  it('formats problems as a block for stderr', () => {
    const result = loadConfig({ CHECK_INTERVAL: '2s' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(formatProblems(result.problems)).toBe(
      [
        'openclaw-failover: 2 configuration problems (nothing was started):',
        "  - PRIMARY_URL is not set: set PRIMARY_URL to the primary gateway's health URL over your private network, e.g. http://100.101.102.103:18789/healthz",
        '  - CHECK_INTERVAL="2s": expected a number of seconds between 0.2 and 3600 (default 1), e.g. CHECK_INTERVAL=1',
      ].join('\n'),
    );
    expect(formatProblems(result.problems.slice(0, 1))).toMatch(/^openclaw-failover: 1 configuration problem \(/);
  });
});

describe('configWarnings', () => {
  it('is quiet for the defaults', () => {
    expect(configWarnings(configOf({}))).toEqual([]);
  });


  it.each(['/health', '/healthz/', '/ready', '/readyz'])('accepts health path %s', (path) => {
    expect(configWarnings(configOf({ PRIMARY_URL: `http://10.0.0.2:18789${path}` }))).toEqual([]);
  });

  it('warns about other paths, explaining the body the probe needs', () => {
    const warnings = configWarnings(configOf({ PRIMARY_URL: 'http://10.0.0.2:18789/' }));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('{"ok":true}');
  });

  it('warns that loopback is the watcher itself', () => {
    const warnings = configWarnings(configOf({ PRIMARY_URL: 'http://127.0.0.1:18789/healthz' }));
    expect(warnings).toEqual([expect.stringContaining('the watcher itself') as string]);
  });
});

describe('notification and heartbeat URLs', () => {
  const SECRET_URLS = {
    NOTIFY_WEBHOOK_URL: 'https://hooks.example.com/in/wh-token-1111',
    NOTIFY_SLACK_URL: 'https://hooks.slack.com/services/T000/B000/slack-token-2222',
    NOTIFY_DISCORD_URL: 'https://discord.com/api/webhooks/123/discord-token-3333',
    NOTIFY_NTFY_URL: 'https://ntfy.sh/ntfy-topic-4444',
    HEARTBEAT_URL: 'https://hc-ping.com/hb-uuid-5555',
  };

  it('accepts http(s) URLs for every channel and the heartbeat', () => {
    expect(configOf(SECRET_URLS)).toMatchObject({
      notifyWebhookUrl: SECRET_URLS.NOTIFY_WEBHOOK_URL,
      notifySlackUrl: SECRET_URLS.NOTIFY_SLACK_URL,
      notifyDiscordUrl: SECRET_URLS.NOTIFY_DISCORD_URL,
      notifyNtfyUrl: SECRET_URLS.NOTIFY_NTFY_URL,
      heartbeatUrl: SECRET_URLS.HEARTBEAT_URL,
    });
  });

  it('rejects other schemes and junk, naming the setting and never echoing the value', () => {
    const problems = problemsOf({
      NOTIFY_WEBHOOK_URL: 'ftp://hooks.example.com/wh-token-1111',
      NOTIFY_SLACK_URL: 'hooks.slack.com/services/slack-token-2222',
      NOTIFY_DISCORD_URL: 'javascript:alert(1)',
      NOTIFY_NTFY_URL: 'https://ntfy.sh/topic#ntfy-token-4444',
      HEARTBEAT_URL: 'http:// hb-uuid-5555',
    });
    expect(problems.map((p) => p.name)).toEqual(['NOTIFY_WEBHOOK_URL', 'NOTIFY_SLACK_URL', 'NOTIFY_DISCORD_URL', 'NOTIFY_NTFY_URL', 'HEARTBEAT_URL']);
    for (const problem of problems) {
      expect(problem.value).toBe('***');
      expect(problem.expected).toMatch(new RegExp(`^an absolute http:// or https:// URL .* e\\.g\\. ${problem.name}=https://`));
    }
    expect(formatProblems(problems)).not.toMatch(/1111|2222|alert\(1\)|4444|5555/);
  });

  it('bounds NOTIFY_TIMEOUT, NOTIFY_RETRIES and HEARTBEAT_INTERVAL', () => {
    expect(configOf({ NOTIFY_TIMEOUT: '0.5', NOTIFY_RETRIES: '0', HEARTBEAT_INTERVAL: '30' })).toMatchObject({
      notifyTimeoutMs: 500,
      notifyRetries: 0,
      heartbeatIntervalMs: 30_000,
    });
    expect(problemsOf({ NOTIFY_TIMEOUT: '0', NOTIFY_RETRIES: '11', HEARTBEAT_INTERVAL: '0.5' }).map((p) => p.name)).toEqual([
      'NOTIFY_TIMEOUT',
      'NOTIFY_RETRIES',
      'HEARTBEAT_INTERVAL',
    ]);
  });

  it('are registered as secrets, so the logger masks their values anywhere', () => {
    for (const name of Object.keys(SECRET_URLS)) expect(SECRET_ENV_NAMES).toContain(name);
  });

  it('are shown only as set or unset by `check`', () => {
    const text = describeConfig(configOf(SECRET_URLS));
    expect(text).not.toMatch(/token|uuid|hooks\.|ntfy\.sh|hc-ping/);
    expect(text).toContain('NOTIFY_SLACK_URL: "***" # set\n');
    expect(describeConfig(configOf({}))).toContain('HEARTBEAT_URL: null # unset\n');
  });
});

describe('describeConfig', () => {
  it('prints YAML keyed by variable, marking defaults, with secrets redacted', () => {
    const text = describeConfig(
      configOf({
        PRIMARY_URL: 'http://watch:hunter22@10.0.0.2:18789/healthz',
        CHECK_INTERVAL: '0.5',
        WORKSPACE_REMOTE: 'https://bot:ghp_secret@github.com/x.git',
      }),
    );
    expect(text).not.toMatch(/hunter22|ghp_secret/);
    expect(text).toContain('PRIMARY_URL: http://***:***@10.0.0.2:18789/healthz # set\n');
    expect(text).toContain('CHECK_INTERVAL: 0.5 # seconds (set)\n');
    // CHECK_TIMEOUT's default follows a shorter CHECK_INTERVAL.
    expect(text).toContain('CHECK_TIMEOUT: 0.5 # seconds (default)\n');
    expect(text).toContain('FAIL_THRESHOLD: 3 # probes (default)\n');
    expect(text).toContain('GATEWAY_READY_URL: http://openclaw-standby:18789/readyz # default\n');
    expect(text).toContain('GATEWAY_CONTAINER: null # unset\n');
    expect(text).toContain('WORKSPACE_REMOTE: https://***:***@github.com/x.git # set\n');
    for (const setting of SETTINGS) expect(text).toContain(`\n${setting.name}: `);
  });

  it('lists every Config field exactly once in SETTINGS', () => {
    expect(SETTINGS.map((s) => s.key).sort()).toEqual(Object.keys(configOf({})).sort());
    expect(new Set(SETTINGS.map((s) => s.name)).size).toBe(SETTINGS.length);
  });
});

describe('WITNESS_URLS and the damping settings', () => {
  it('reads a comma-separated list, trimming each entry', () => {
    expect(configOf({ WITNESS_URLS: ' http://100.100.100.100/ , https://node-b.example:8443/healthz' }).witnessUrls).toEqual([
      'http://100.100.100.100/',
      'https://node-b.example:8443/healthz',
    ]);
  });

  it('names every bad entry, redacted, in one problem', () => {
    const [problem, ...rest] = problemsOf({ WITNESS_URLS: 'http://ok.example/,ftp://files.example/,,https://user:s3cret-pw@bad host/' });
    expect(rest).toEqual([]);
    expect(problem?.name).toBe('WITNESS_URLS');
    expect(problem?.expected).toContain('entry 2 ("ftp://files.example/")');
    expect(problem?.expected).toContain('entry 3 is empty');
    expect(problem?.expected).toContain('entry 4');
    expect(JSON.stringify(problem)).not.toContain('s3cret-pw');
  });

  it('refuses more than 16 witnesses', () => {
    const many = Array.from({ length: 17 }, (_, i) => `http://w${i}.example/`).join(',');
    expect(problemsOf({ WITNESS_URLS: many })[0]?.expected).toContain('at most 16');
  });

  it.each([
    ['MIN_PROMOTED', '0', 'minPromotedMs', 0],
    ['MIN_PROMOTED', '120', 'minPromotedMs', 120_000],
    ['FLAP_WINDOW', '0', 'flapWindowMs', 0],
    ['FLAP_HOLD_DOWN', '5', 'flapHoldDownMs', 5_000],
    ['FLAP_HOLD_DOWN_MAX', '3600', 'flapHoldDownMaxMs', 3_600_000],
    ['WITNESS_TIMEOUT', '0.5', 'witnessTimeoutMs', 500],
  ] as const)('%s=%s', (name, value, key, expected) => {
    expect(configOf({ [name]: value })[key]).toBe(expected);
  });

  it.each([['MIN_PROMOTED', '-1'], ['FLAP_WINDOW', '1e3'], ['FLAP_HOLD_DOWN', '0'], ['WITNESS_TIMEOUT', '61'], ['FLAP_HOLD_DOWN_MAX', 'soon']])('%s=%s is a problem', (name, value) => {
    expect(problemsOf({ [name]: value }).map((p) => p.name)).toEqual([name]);
  });
});

// Builds the Config from the environment, the only configuration source: Portainer stacks have
// no files. Every setting has one small parser that returns a value or what was expected instead;
// loadConfig runs them all and reports every problem at once, so one deploy fixes them all.

import { posix } from 'node:path';
import type { Config, ConfigProblem, ConfigResult, LogFormat, LogLevel } from './config.ts';
import { redactUrl, redactUrlList, SECRET_MASK } from './redact.ts';
import { workspaceIgnoreSetting } from './workspace-ignore-setting.ts';

type Parsed<T> = { ok: true; value: T } | { ok: false; expected: string };

/** What a setting is, independent of how it is parsed: enough for docs and `check` output. */
export interface SettingInfo {
  /** The environment variable. */
  name: string;
  /** The Config field it fills. */
  key: keyof Config;
  /** The default as it would be written in the environment; undefined when there is none. */
  default: string | undefined;
  /** Unit of the value as written in the environment, e.g. "seconds". */
  unit: string | undefined;
  description: string;
  /** The whole value is a secret (a webhook URL is its token): never shown, not even redacted. */
  secret?: boolean;
}

/** One setting: how to read it from the environment and how to write the resolved value back. */
export interface Setting<T> extends Omit<SettingInfo, 'key'> {
  /**
   * Parses the trimmed value, or undefined when the variable is unset or blank. `earlier` holds
   * the settings resolved so far (table order), for defaults derived from other settings.
   */
  parse(raw: string | undefined, earlier: Partial<Config>): Parsed<T>;
  /** The resolved value as it would be written in the environment (milliseconds back to seconds). */
  show(value: T): string | number | undefined;
  /** How a bad raw value is shown in a problem; redactUrl unless the setting knows better (lists). */
  redact?: (raw: string) => string;
}

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = <T>(expected: string): Parsed<T> => ({ ok: false, expected });

// Strict forms only: Number() and parseFloat() accept "0x10", "1e3", "Infinity" and " 2s"-ish
// junk that should be reported, not silently reinterpreted.
const DECIMAL = /^\d{1,12}(?:\.\d{1,12})?$/;
const INTEGER = /^\d{1,12}$/;

export function secondsSetting(
  name: string,
  defaultSeconds: number,
  min: number,
  max: number,
  description: string,
): Setting<number> {
  const expected = `a number of seconds between ${min} and ${max} (default ${defaultSeconds}), e.g. ${name}=${defaultSeconds}`;
  return {
    name,
    default: String(defaultSeconds),
    unit: 'seconds',
    description,
    parse(raw) {
      if (raw === undefined) return ok(defaultSeconds * 1000);
      const seconds = DECIMAL.test(raw) ? Number(raw) : Number.NaN;
      return seconds >= min && seconds <= max ? ok(Math.round(seconds * 1000)) : bad(expected);
    },
    show: (ms) => ms / 1000,
  };
}

function integerSetting(
  name: string,
  defaultValue: number,
  min: number,
  max: number,
  unit: string | undefined,
  description: string,
): Setting<number> {
  const expected = `a whole number between ${min} and ${max} (default ${defaultValue}), e.g. ${name}=${defaultValue}`;
  return {
    name,
    default: String(defaultValue),
    unit,
    description,
    parse(raw) {
      if (raw === undefined) return ok(defaultValue);
      const value = INTEGER.test(raw) ? Number(raw) : Number.NaN;
      return value >= min && value <= max ? ok(value) : bad(expected);
    },
    show: (value) => value,
  };
}

function choiceSetting<T extends string>(
  name: string,
  choices: readonly T[],
  defaultValue: T,
  description: string,
): Setting<T> {
  const expected = `one of ${choices.join(', ')} (default ${defaultValue}), e.g. ${name}=${defaultValue}`;
  return {
    name,
    default: defaultValue,
    unit: undefined,
    description,
    parse(raw) {
      if (raw === undefined) return ok(defaultValue);
      const choice = choices.find((c) => c === raw.toLowerCase());
      return choice === undefined ? bad(expected) : ok(choice);
    },
    show: (value) => value,
  };
}

function absolutePathSetting(name: string, defaultValue: string, description: string): Setting<string> {
  const expected = `an absolute path (default ${defaultValue}), e.g. ${name}=${defaultValue}`;
  return {
    name,
    default: defaultValue,
    unit: undefined,
    description,
    parse(raw) {
      if (raw === undefined) return ok(defaultValue);
      // eslint-disable-next-line no-control-regex -- control characters are exactly what is rejected
      return posix.isAbsolute(raw) && !/[\u0000-\u001f\u007f]/.test(raw) ? ok(raw) : bad(expected);
    },
    show: (value) => value,
  };
}

/** A unix socket path: absolute, and short enough for sockaddr_un (108 bytes on Linux, with its NUL). */
function socketPathSetting(name: string, defaultValue: string, description: string): Setting<string> {
  const path = absolutePathSetting(name, defaultValue, description);
  const expected = `an absolute path of at most 100 bytes (default ${defaultValue}), e.g. ${name}=${defaultValue}`;
  return {
    ...path,
    parse(raw, earlier) {
      const parsed = path.parse(raw, earlier);
      return parsed.ok && Buffer.byteLength(parsed.value) <= 100 ? parsed : bad(expected);
    },
  };
}

/** An optional shell command; anything sh accepts, but no NUL (it cannot be passed to exec). */
function hookSetting(name: string, description: string): Setting<string | undefined> {
  return {
    name,
    default: undefined,
    unit: undefined,
    description,
    parse(raw) {
      if (raw === undefined) return ok(undefined);
      return raw.includes('\u0000') || raw.length > 4096
        ? bad(`a shell command of at most 4096 characters, run as /bin/sh -c (unset by default: no hook), e.g. ${name}=/hooks/${name.toLowerCase().replace('_', '-')}.sh`)
        : ok(raw);
    },
    show: (value) => value,
  };
}

/** Absolute http(s) URL with a host and no fragment; `http:host`-style shorthand is refused. */
function isHttpUrl(raw: string): boolean {
  if (!/^https?:\/\//i.test(raw) || /\s/.test(raw) || raw.includes('#') || !URL.canParse(raw)) return false;
  return new URL(raw).hostname !== '';
}

// Compose service names, container names and ids share this character set.
const DOCKER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;

const DEFAULT_SERVICE = 'openclaw-standby';
const PRIMARY_URL_EXAMPLE = 'http://100.101.102.103:18789/healthz';

const REMOTE_SCHEMES = new Set(['http:', 'https:', 'ssh:', 'git:', 'file:']);

/**
 * A git remote that cannot smuggle options or transports into `git clone`: a leading `-` would be
 * read as an option, and `<transport>::<address>` (e.g. `ext::sh -c ...`) runs arbitrary commands.
 */
function isGitRemote(raw: string): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is rejected
  if (raw.startsWith('-') || /[\s\u0000-\u001f\u007f]/.test(raw) || raw.includes('::')) return false;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    if (!URL.canParse(raw)) return false;
    const url = new URL(raw);
    return REMOTE_SCHEMES.has(url.protocol) && (url.protocol === 'file:' || url.hostname !== '');
  }
  // scp-like `[user@]host:path`, and local absolute paths.
  return /^(?:[\w.-]+@)?[\w.-]+:(?!\/\/)\S+$/.test(raw) || posix.isAbsolute(raw);
}

/** A subset of `git check-ref-format` that catches typos and option injection. */
function isGitRefName(raw: string): boolean {
  return (
    raw.length <= 255 &&
    !raw.startsWith('-') &&
    !raw.startsWith('/') &&
    !raw.endsWith('/') &&
    !raw.endsWith('.') &&
    !raw.endsWith('.lock') &&
    raw !== '@' &&
    !raw.includes('..') &&
    !raw.includes('//') &&
    !raw.includes('@{') &&
    !raw.split('/').some((part) => part.startsWith('.')) &&
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is rejected
    !/[\s\u0000-\u001f\u007f~^:?*[\\]/.test(raw)
  );
}

const WITNESS_EXAMPLE = 'http://100.100.100.100/,https://other-node.example.ts.net:8080/healthz';

/**
 * A comma-separated list of http(s) URLs, at most 16, each validated on its own so the problem
 * names every bad entry (redacted: a witness URL may carry credentials).
 */
function parseWitnessUrls(raw: string | undefined): Parsed<string[]> {
  if (raw === undefined) return ok([]);
  const entries = raw.split(',').map((entry) => entry.trim());
  const badOnes = entries
    .map((entry, index) => ({ entry, index }))
    .filter(({ entry }) => !isHttpUrl(entry))
    .map(({ entry, index }) => (entry === '' ? `entry ${index + 1} is empty` : `entry ${index + 1} (${JSON.stringify(redactUrl(entry))}) is not an absolute http(s) URL with a host`));
  const tooMany = entries.length > 16 ? [`${entries.length} entries, at most 16`] : [];
  if (badOnes.length + tooMany.length === 0) return ok(entries);
  return bad(
    `${[...badOnes, ...tooMany].join('; ')}: a comma-separated list of absolute http:// or https:// URLs with a host and no #fragment (unset by default: no partition guard), e.g. WITNESS_URLS=${WITNESS_EXAMPLE}`,
  );
}

/**
 * An optional http(s) URL that is a secret as a whole (webhook URLs carry their token in the path):
 * problems name the setting but never echo the value.
 */
function secretUrlSetting(name: string, example: string, description: string): Setting<string | undefined> {
  return {
    name,
    default: undefined,
    unit: undefined,
    description,
    secret: true,
    parse(raw) {
      if (raw === undefined) return ok(undefined);
      return isHttpUrl(raw) ? ok(raw) : bad(`an absolute http:// or https:// URL with a host and no #fragment (unset by default), e.g. ${name}=${example}`);
    },
    show: (value) => value,
  };
}

type SettingTable = { readonly [K in keyof Config]: Setting<Config[K]> };

/**
 * Every setting, in the order they are read, documented and shown. The single place a setting is
 * defined: loadConfig, describeConfig and generated docs all read it from here.
 */
export const SETTING_TABLE: SettingTable = {
  primaryUrl: {
    name: 'PRIMARY_URL',
    default: undefined,
    unit: undefined,
    description: "The primary gateway's health URL over your private network. Required; never defaulted.",
    parse(raw) {
      if (raw === undefined) {
        return bad(
          `set PRIMARY_URL to the primary gateway's health URL over your private network, e.g. ${PRIMARY_URL_EXAMPLE}`,
        );
      }
      return isHttpUrl(raw)
        ? ok(raw)
        : bad(
            `an absolute http:// or https:// URL with a host and no #fragment: the primary gateway's health URL over your private network, e.g. ${PRIMARY_URL_EXAMPLE}`,
          );
    },
    show: (value) => value,
  },
  checkIntervalMs: secondsSetting('CHECK_INTERVAL', 2, 0.2, 3600, 'Seconds between the starts of two probes.'),
  checkTimeoutMs: secondsSetting('CHECK_TIMEOUT', 2, 0.1, 600, 'Hard timeout of one probe.'),
  checkAttempts: integerSetting(
    'CHECK_ATTEMPTS',
    3,
    1,
    10,
    'attempts',
    'Attempts one check may make within CHECK_TIMEOUT, each on a fresh connection, started when the earlier ones have not answered (hedging against lost packets); 1 disables it.',
  ),
  failThreshold: integerSetting(
    'FAIL_THRESHOLD',
    3,
    1,
    1000,
    'probes',
    'Consecutive failed probes that promote the standby.',
  ),
  recoverThreshold: integerSetting(
    'RECOVER_THRESHOLD',
    3,
    1,
    1000,
    'probes',
    'Consecutive healthy probes that demote the standby again.',
  ),
  gatewayService: {
    name: 'GATEWAY_SERVICE',
    default: DEFAULT_SERVICE,
    unit: undefined,
    description: 'Compose service name of the standby gateway (used when GATEWAY_CONTAINER is unset).',
    parse(raw) {
      if (raw === undefined) return ok(DEFAULT_SERVICE);
      return DOCKER_NAME.test(raw)
        ? ok(raw)
        : bad(
            `a compose service name: letters, digits, "_", "." and "-", starting with a letter or digit, at most 128 characters (default ${DEFAULT_SERVICE}), e.g. GATEWAY_SERVICE=${DEFAULT_SERVICE}`,
          );
    },
    show: (value) => value,
  },
  gatewayContainer: {
    name: 'GATEWAY_CONTAINER',
    default: undefined,
    unit: undefined,
    description: 'Container name or id of the standby gateway; overrides the GATEWAY_SERVICE lookup.',
    parse(raw) {
      if (raw === undefined) return ok(undefined);
      // Docker reports names as "/name"; accept them copied verbatim from `docker inspect`.
      const name = raw.startsWith('/') ? raw.slice(1) : raw;
      return DOCKER_NAME.test(name)
        ? ok(name)
        : bad(
            'a container name or id: letters, digits, "_", "." and "-", starting with a letter or digit, at most 128 characters (unset by default: the container is found by GATEWAY_SERVICE), e.g. GATEWAY_CONTAINER=openclaw-standby',
          );
    },
    show: (value) => value,
  },
  gatewayReadyUrl: {
    name: 'GATEWAY_READY_URL',
    default: 'http://<GATEWAY_SERVICE>:18789/readyz',
    unit: undefined,
    description: "The standby gateway's own readiness URL, polled after it is started.",
    parse(raw, earlier) {
      if (raw === undefined) {
        const derived = `http://${earlier.gatewayService ?? DEFAULT_SERVICE}:18789/readyz`;
        // A valid service name is not always a valid host (e.g. "1.2.3.4.5" reads as a bad IPv4 address).
        return isHttpUrl(derived)
          ? ok(derived)
          : bad(
              `set GATEWAY_READY_URL explicitly: the default derived from GATEWAY_SERVICE (${derived}) is not a valid URL, e.g. GATEWAY_READY_URL=http://${DEFAULT_SERVICE}:18789/readyz`,
            );
      }
      return isHttpUrl(raw)
        ? ok(raw)
        : bad(
            `an absolute http:// or https:// URL with a host and no #fragment (default http://<GATEWAY_SERVICE>:18789/readyz), e.g. GATEWAY_READY_URL=http://${DEFAULT_SERVICE}:18789/readyz`,
          );
    },
    show: (value) => value,
  },
  promoteReadyTimeoutMs: secondsSetting(
    'PROMOTE_READY_TIMEOUT',
    90,
    1,
    3600,
    'Upper bound on waiting for the started standby to report ready.',
  ),
  stopTimeoutMs: secondsSetting(
    'STOP_TIMEOUT',
    10,
    0,
    600,
    'Graceful stop timeout on demotion: SIGTERM, then SIGKILL after this.',
  ),
  workspaceDir: absolutePathSetting(
    'WORKSPACE_DIR',
    '/workspace',
    'Workspace git checkout shared with the standby gateway.',
  ),
  workspaceRemote: {
    name: 'WORKSPACE_REMOTE',
    default: undefined,
    unit: undefined,
    description:
      "Remote to clone from when WORKSPACE_DIR is empty; when unset, the checkout's own upstream is used.",
    parse(raw) {
      if (raw === undefined) return ok(undefined);
      return isGitRemote(raw)
        ? ok(raw)
        : bad(
            "a git remote URL (https://, ssh://, git:// or file://) or scp-like git@host:path, without spaces or a leading \"-\" (unset by default: the checkout's own upstream is used), e.g. WORKSPACE_REMOTE=git@github.com:you/openclaw-workspace.git",
          );
    },
    show: (value) => value,
  },
  workspaceBranch: {
    name: 'WORKSPACE_BRANCH',
    default: undefined,
    unit: undefined,
    description: "Branch to fast-forward at promotion; when unset, the checkout's current branch.",
    parse(raw) {
      if (raw === undefined) return ok(undefined);
      return isGitRefName(raw)
        ? ok(raw)
        : bad(
            'a git branch name without spaces, "..", a leading "-" or any of ~^:?*[\\ (unset by default: the current branch), e.g. WORKSPACE_BRANCH=main',
          );
    },
    show: (value) => value,
  },
  gitTimeoutMs: secondsSetting('GIT_TIMEOUT', 15, 1, 600, 'Bound on the whole git sync at promotion, and on each workspace hand-back attempt after a demotion.'),
  workspaceIgnore: workspaceIgnoreSetting(),
  witnessUrls: {
    name: 'WITNESS_URLS',
    default: undefined,
    unit: undefined,
    description:
      'Partition guard: comma-separated URLs (e.g. the tailnet coordination host, another node); before promoting, at least one must answer. Unset: no guard.',
    parse: parseWitnessUrls,
    redact: redactUrlList,
    show: (value) => (value.length === 0 ? undefined : value.map(redactUrl).join(',')),
  },
  witnessTimeoutMs: secondsSetting('WITNESS_TIMEOUT', 2, 0.1, 60, 'Bound on asking the witnesses (all in parallel); any HTTP answer within it counts.'),
  minPromotedMs: secondsSetting(
    'MIN_PROMOTED',
    60,
    0,
    3600,
    'Minimum time promoted before a recovered primary gets the work back (0: off).',
  ),
  flapWindowMs: secondsSetting(
    'FLAP_WINDOW',
    600,
    0,
    86400,
    'Promote/demote cycles within this window count towards the flap hold-down (0: flap damping off).',
  ),
  flapHoldDownMs: secondsSetting(
    'FLAP_HOLD_DOWN',
    30,
    1,
    3600,
    'From the 2nd cycle within FLAP_WINDOW, the next promotion needs the primary failing this much longer; doubles per further cycle.',
  ),
  flapHoldDownMaxMs: secondsSetting('FLAP_HOLD_DOWN_MAX', 600, 1, 86400, 'Cap of the flap hold-down.'),
  onPromote: hookSetting(
    'ON_PROMOTE',
    'Shell command (/bin/sh -c) run on promotion after the git sync, before the gateway starts; a failure never blocks the promotion.',
  ),
  onDemote: hookSetting('ON_DEMOTE', 'Shell command (/bin/sh -c) run on demotion after the gateway stopped.'),
  hookTimeoutMs: secondsSetting(
    'HOOK_TIMEOUT',
    30,
    1,
    3600,
    'Bound on one ON_PROMOTE / ON_DEMOTE run; the hook and everything it started are killed after it.',
  ),
  statusPort: integerSetting(
    'STATUS_PORT',
    8080,
    1,
    65535,
    undefined,
    "Port of the watcher's own /healthz and /status endpoint.",
  ),
  stateDir: absolutePathSetting(
    'STATE_DIR',
    '/var/lib/openclaw-failover',
    "Directory for the watcher's persisted state (survives watcher restarts).",
  ),
  controlSocket: socketPathSetting(
    'CONTROL_SOCKET',
    '/tmp/openclaw-failover/control.sock',
    'Unix socket of the control channel inside the container (docker exec watcher openclaw-failover pause|resume|promote|demote|drill); its directory is created 0700.',
  ),
  logLevel: choiceSetting<LogLevel>(
    'LOG_LEVEL',
    ['trace', 'debug', 'info', 'warn', 'error', 'fatal'],
    'info',
    'Lowest level that is logged.',
  ),
  logFormat: choiceSetting<LogFormat>(
    'LOG_FORMAT',
    ['json', 'pretty'],
    'json',
    'json: one JSON object per line; pretty: one human-readable line per event.',
  ),
  notifyWebhookUrl: secretUrlSetting(
    'NOTIFY_WEBHOOK_URL',
    'https://example.com/hooks/openclaw-failover',
    'Generic webhook: a JSON document (event, reason, timings, phase, host, version) is POSTed on each transition.',
  ),
  notifySlackUrl: secretUrlSetting(
    'NOTIFY_SLACK_URL',
    'https://hooks.slack.com/services/T000/B000/XXXX',
    'Slack incoming webhook URL.',
  ),
  notifyDiscordUrl: secretUrlSetting(
    'NOTIFY_DISCORD_URL',
    'https://discord.com/api/webhooks/123/abc',
    'Discord webhook URL.',
  ),
  notifyNtfyUrl: secretUrlSetting('NOTIFY_NTFY_URL', 'https://ntfy.sh/my-secret-topic', 'ntfy topic URL.'),
  notifyTimeoutMs: secondsSetting('NOTIFY_TIMEOUT', 5, 0.1, 120, 'Timeout of one notification request.'),
  notifyRetries: integerSetting(
    'NOTIFY_RETRIES',
    3,
    0,
    10,
    'retries',
    'Retries of a notification after a network error, a timeout, a 5xx or a 429, with backoff.',
  ),
  heartbeatUrl: secretUrlSetting(
    'HEARTBEAT_URL',
    'https://hc-ping.com/your-uuid',
    "Dead man's switch: pinged (GET) every HEARTBEAT_INTERVAL while the probe loop turns.",
  ),
  heartbeatIntervalMs: secondsSetting('HEARTBEAT_INTERVAL', 60, 1, 86400, 'Seconds between two heartbeat pings.'),
};

const SETTING_KEYS = Object.keys(SETTING_TABLE) as (keyof Config)[];

/** Every setting's description, in table order (for docs and listings). */
export const SETTINGS: readonly SettingInfo[] = SETTING_KEYS.map((key) => {
  const { name, default: defaultValue, unit, description, secret } = SETTING_TABLE[key];
  return { name, key, default: defaultValue, unit, description, ...(secret ? { secret } : {}) };
});

/** Compose passes `VAR=` for an unset `${VAR}` interpolation, so blank means unset. */
function readEnv(env: Record<string, string | undefined>, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
}

/** Reads the whole configuration from the environment, or every problem with it. */
export function loadConfig(env: Record<string, string | undefined>): ConfigResult {
  const values: Partial<Config> = {};
  const problems: ConfigProblem[] = [];
  const read = <K extends keyof Config>(key: K): void => {
    const setting = SETTING_TABLE[key];
    const raw = readEnv(env, setting.name);
    const parsed = setting.parse(raw, values);
    if (parsed.ok) {
      values[key] = parsed.value;
    } else {
      // Any value may be a URL with credentials pasted into the wrong variable: redact them all.
      // A secret setting's value is never shown at all.
      const value = raw === undefined ? undefined : setting.secret ? SECRET_MASK : (setting.redact ?? redactUrl)(raw);
      problems.push({ name: setting.name, value, expected: parsed.expected });
    }
  };
  SETTING_KEYS.forEach(read);
  // Every key was either parsed into values or produced a problem, so no problems means complete.
  return problems.length > 0 ? { ok: false, problems } : { ok: true, config: values as Config };
}

/** Health paths known to answer `{"ok":true}` or `{"ready":true}`, the bodies the probe accepts. */
const HEALTH_PATHS = ['/healthz', '/health', '/readyz', '/ready'];

/** Advice about combinations that are valid but probably not what was meant. Never blocking. */
export function configWarnings(config: Config): string[] {
  const warnings: string[] = [];
  const seconds = (ms: number): string => `${ms / 1000}s`;
  if (config.checkTimeoutMs > config.checkIntervalMs) {
    warnings.push(
      `CHECK_TIMEOUT (${seconds(config.checkTimeoutMs)}) is longer than CHECK_INTERVAL (${seconds(config.checkIntervalMs)}): ` +
        `a hung primary is detected only after about FAIL_THRESHOLD×CHECK_TIMEOUT = ${seconds(config.failThreshold * config.checkTimeoutMs)} ` +
        `instead of FAIL_THRESHOLD×CHECK_INTERVAL = ${seconds(config.failThreshold * config.checkIntervalMs)}`,
    );
  }
  const primary = new URL(config.primaryUrl);
  const path = primary.pathname.length > 1 ? primary.pathname.replace(/\/+$/, '') : primary.pathname;
  if (!HEALTH_PATHS.includes(path)) {
    warnings.push(
      `PRIMARY_URL path "${path}" is not /healthz, /health, /readyz or /ready: the probe only counts the primary ` +
        'healthy when it answers JSON {"ok":true} or {"ready":true}, so make sure this URL does',
    );
  }
  // Inside the watcher's container, loopback is the watcher itself, never the primary's host.
  const host = primary.hostname;
  if (['localhost', '127.0.0.1', '[::1]', '0.0.0.0'].includes(host) || host.endsWith('.localhost')) {
    warnings.push(
      `PRIMARY_URL points at ${host}, which inside this container is the watcher itself: ` +
        "use the primary's address on your private network instead",
    );
  }
  return warnings;
}

/** The block printed to stderr when the configuration is unusable (no trailing newline). */
export function formatProblems(problems: ConfigProblem[]): string {
  const count = `${problems.length} configuration problem${problems.length === 1 ? '' : 's'}`;
  const lines = problems.map((problem) =>
    problem.value === undefined
      ? `  - ${problem.name} is not set: ${problem.expected}`
      : `  - ${problem.name}=${JSON.stringify(problem.value)}: expected ${problem.expected}`,
  );
  return [`openclaw-failover: ${count} (nothing was started):`, ...lines].join('\n');
}

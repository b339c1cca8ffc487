// Every setting the watcher reads from the environment, in the order they are read, documented
// and shown: the single place a setting is defined. loadConfig, describeConfig (`check`) and
// docs/settings.md (scripts/settings-table.ts) all read it from here. Defaults live in defaults.ts;
// rules between settings (one must not exceed another, ...) live in config-rules.ts.
import { posix } from 'node:path';
import type { Config, LogFormat, LogLevel } from './config.ts';
import { DEFAULTS } from './defaults.ts';
import { redactUrl, redactUrlList } from './redact.ts';
import {
  absolutePathSetting,
  bad,
  choiceSetting,
  hookSetting,
  integerSetting,
  isHttpUrl,
  ok,
  secondsSetting,
  secretUrlSetting,
  socketPathSetting,
  type Setting,
  type SettingInfo,
} from './setting-kinds.ts';
import { LEADER_ELECTION_SETTING, LEASE_SETTING_TABLE } from './lease-settings-table.ts';
import { DOCKER_NAME, isGitRemote, isGitRefName, parseWitnessUrls } from './value-formats.ts';
import { workspaceIgnoreSetting } from './workspace-ignore-setting.ts';

const DEFAULT_SERVICE = DEFAULTS.GATEWAY_SERVICE;
const PRIMARY_URL_EXAMPLE = 'http://100.101.102.103:18789/healthz';

export type SettingTable = { readonly [K in keyof Config]: Setting<Config[K]> };

/**
 * Every setting, in the order they are read, documented and shown. The single place a setting is
 * defined: loadConfig, describeConfig and generated docs all read it from here.
 */
export const SETTING_TABLE: SettingTable = {
  leaderElection: LEADER_ELECTION_SETTING,
  primaryUrl: {
    name: 'PRIMARY_URL',
    default: undefined,
    unit: undefined,
    description: "The primary gateway's health URL over your private network. Required in the two-node mode; never defaulted (not used with LEADER_ELECTION=etcd).",
    parse(raw, earlier) {
      // The etcd mode has no primary: every node runs the same gateway, one at a time.
      if (raw === undefined && earlier.leaderElection === 'etcd') return ok('');
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
  checkIntervalMs: secondsSetting('CHECK_INTERVAL', DEFAULTS.CHECK_INTERVAL, 0.2, 3600, 'Seconds between the starts of two probes.'),
  checkTimeoutMs: secondsSetting('CHECK_TIMEOUT', DEFAULTS.CHECK_TIMEOUT, 0.1, 600, 'Hard timeout of one probe; at most CHECK_INTERVAL.', {
    note: 'or CHECK_INTERVAL if shorter',
    derive: (defaultMs, earlier) => Math.min(defaultMs, earlier.checkIntervalMs ?? defaultMs),
  }),
  checkAttempts: integerSetting(
    'CHECK_ATTEMPTS',
    DEFAULTS.CHECK_ATTEMPTS,
    1,
    10,
    'attempts',
    'Attempts one check may make within CHECK_TIMEOUT, each on a fresh connection, started when the earlier ones have not answered (hedging against lost packets); 1 disables it.',
  ),
  failThreshold: integerSetting(
    'FAIL_THRESHOLD',
    DEFAULTS.FAIL_THRESHOLD,
    1,
    1000,
    'probes',
    'Consecutive failed probes that promote the standby.',
  ),
  recoverThreshold: integerSetting(
    'RECOVER_THRESHOLD',
    DEFAULTS.RECOVER_THRESHOLD,
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
    DEFAULTS.PROMOTE_READY_TIMEOUT,
    1,
    3600,
    'Upper bound on waiting for the started standby to report ready.',
  ),
  stopTimeoutMs: secondsSetting(
    'STOP_TIMEOUT',
    DEFAULTS.STOP_TIMEOUT,
    0,
    600,
    'Graceful stop timeout on demotion: SIGTERM, then SIGKILL after this.',
  ),
  standbyMode: choiceSetting<'cold' | 'hot'>(
    'STANDBY_MODE',
    ['cold', 'hot'],
    DEFAULTS.STANDBY_MODE,
    'cold: the standby gateway is stopped until promotion (no memory used, a full boot per failover); hot: it runs all the time with its channel off and promotion switches the channel on (docs/hot-standby.md).',
  ),
  gatewayToken: {
    name: 'OPENCLAW_GATEWAY_TOKEN',
    default: undefined,
    unit: undefined,
    description:
      "The standby gateway's token (the same OPENCLAW_GATEWAY_TOKEN the gateway reads). With it, and admin-http-rpc enabled in the standby's config, a promotion completes only when the gateway itself reports its channels running; STANDBY_MODE=hot switches the channel through the same API and requires it. Unset: /readyz alone.",
    secret: true,
    parse: (raw) => (raw === undefined ? ok(undefined) : /\s/.test(raw) ? bad('a token without spaces (unset by default), e.g. OPENCLAW_GATEWAY_TOKEN=<the gateway token>') : ok(raw)),
    show: (value) => value,
    redact: () => '<redacted>',
  },
  channelLiveTimeoutMs: secondsSetting(
    'CHANNEL_LIVE_TIMEOUT',
    DEFAULTS.CHANNEL_LIVE_TIMEOUT,
    1,
    3600,
    "Upper bound on the standby's channels going live after it is ready; past it the promotion is degraded, with the reason.",
  ),
  standbyPrepareReport: {
    name: 'STANDBY_PREPARE_REPORT',
    default: undefined,
    unit: undefined,
    description:
      "The report openclaw-standby-prepare writes at deploy time (compose.standby.yml sets it). A standby that could not be prepared makes the watcher unhealthy, `status` and `check` say which channel and why, and a notification is sent. Unset: not checked.",
    parse(raw) {
      if (raw === undefined) return ok(undefined);
      // eslint-disable-next-line no-control-regex -- control characters are exactly what is rejected
      return posix.isAbsolute(raw) && !/[\u0000-\u001f\u007f]/.test(raw) ? ok(raw) : bad('an absolute path (unset by default), e.g. STANDBY_PREPARE_REPORT=/var/lib/openclaw-failover-prepare/standby-prepare.json');
    },
    show: (value) => value,
  },
  workspaceDir: absolutePathSetting(
    'WORKSPACE_DIR',
    DEFAULTS.WORKSPACE_DIR,
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
  gitTimeoutMs: secondsSetting('GIT_TIMEOUT', DEFAULTS.GIT_TIMEOUT, 1, 600, 'Bound on the whole git sync at promotion, and on each workspace hand-back attempt after a demotion.'),
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
  witnessTimeoutMs: secondsSetting('WITNESS_TIMEOUT', DEFAULTS.WITNESS_TIMEOUT, 0.1, 60, 'Bound on asking the witnesses (all in parallel); any HTTP answer within it counts.'),
  minPromotedMs: secondsSetting(
    'MIN_PROMOTED',
    DEFAULTS.MIN_PROMOTED,
    0,
    3600,
    'Minimum time promoted before a recovered primary gets the work back (0: off).',
  ),
  flapWindowMs: secondsSetting(
    'FLAP_WINDOW',
    DEFAULTS.FLAP_WINDOW,
    0,
    86400,
    'Promote/demote cycles within this window count towards the flap hold-down (0: flap damping off).',
  ),
  flapHoldDownMs: secondsSetting(
    'FLAP_HOLD_DOWN',
    DEFAULTS.FLAP_HOLD_DOWN,
    1,
    3600,
    'From the 2nd cycle within FLAP_WINDOW, the next promotion needs the primary failing this much longer; doubles per further cycle.',
  ),
  flapHoldDownMaxMs: secondsSetting('FLAP_HOLD_DOWN_MAX', DEFAULTS.FLAP_HOLD_DOWN_MAX, 1, 86400, 'Cap of the flap hold-down; at least FLAP_HOLD_DOWN.', {
    note: 'or FLAP_HOLD_DOWN if longer',
    derive: (defaultMs, earlier) => Math.max(defaultMs, earlier.flapHoldDownMs ?? defaultMs),
  }),
  onPromote: hookSetting(
    'ON_PROMOTE',
    'Shell command (/bin/sh -c) run on promotion after the git sync, before the gateway starts; a failure never blocks the promotion.',
  ),
  onDemote: hookSetting('ON_DEMOTE', 'Shell command (/bin/sh -c) run on demotion after the gateway stopped.'),
  hookTimeoutMs: secondsSetting(
    'HOOK_TIMEOUT',
    DEFAULTS.HOOK_TIMEOUT,
    1,
    3600,
    'Bound on one ON_PROMOTE / ON_DEMOTE run; the hook and everything it started are killed after it.',
  ),
  statusPort: integerSetting(
    'STATUS_PORT',
    DEFAULTS.STATUS_PORT,
    1,
    65535,
    undefined,
    "Port of the watcher's own /healthz and /status endpoint.",
  ),
  stateDir: absolutePathSetting(
    'STATE_DIR',
    DEFAULTS.STATE_DIR,
    "Directory for the watcher's persisted state (survives watcher restarts).",
  ),
  controlSocket: socketPathSetting(
    'CONTROL_SOCKET',
    DEFAULTS.CONTROL_SOCKET,
    'Unix socket of the control channel inside the container (docker exec watcher openclaw-failover pause|resume|promote|demote|drill); its directory is created 0700.',
  ),
  logLevel: choiceSetting<LogLevel>(
    'LOG_LEVEL',
    ['trace', 'debug', 'info', 'warn', 'error', 'fatal'],
    DEFAULTS.LOG_LEVEL,
    'Lowest level that is logged.',
  ),
  logFormat: choiceSetting<LogFormat>(
    'LOG_FORMAT',
    ['json', 'pretty'],
    DEFAULTS.LOG_FORMAT,
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
  notifyTimeoutMs: secondsSetting('NOTIFY_TIMEOUT', DEFAULTS.NOTIFY_TIMEOUT, 0.1, 120, 'Timeout of one notification request.'),
  notifyRetries: integerSetting(
    'NOTIFY_RETRIES',
    DEFAULTS.NOTIFY_RETRIES,
    0,
    10,
    'retries',
    'Retries of a notification after a network error, a timeout, a 5xx or a 429, with jittered exponential backoff (docs/design.md, Retries).',
  ),
  heartbeatUrl: secretUrlSetting(
    'HEARTBEAT_URL',
    'https://hc-ping.com/your-uuid',
    "Dead man's switch: pinged (GET) every HEARTBEAT_INTERVAL while the probe loop turns.",
  ),
  heartbeatIntervalMs: secondsSetting('HEARTBEAT_INTERVAL', DEFAULTS.HEARTBEAT_INTERVAL, 1, 86400, 'Seconds between two heartbeat pings.'),
  ...LEASE_SETTING_TABLE,
};

export const SETTING_KEYS = Object.keys(SETTING_TABLE) as (keyof Config)[];

/** Every setting's description, in table order (for docs and listings). */
export const SETTINGS: readonly SettingInfo[] = SETTING_KEYS.map((key) => {
  const { name, default: defaultValue, defaultNote, unit, choices, range, description, secret } = SETTING_TABLE[key];
  return {
    name,
    key,
    default: defaultValue,
    ...(defaultNote ? { defaultNote } : {}),
    unit,
    ...(choices ? { choices } : {}),
    ...(range ? { range } : {}),
    description,
    ...(secret ? { secret } : {}),
  };
});

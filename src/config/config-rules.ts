// Rules between settings, each valid on its own: a declarative list in the style of changesets'
// config validation (every rule adds its message, all are reported together). An `error` is a
// contradiction the watcher would otherwise have to correct silently at run time; loadConfig
// reports it with every other problem and nothing starts (exit 2). A `warning` is a combination
// that works but is probably not what was meant; it is logged at start (config-warning).
//
// Looked at and deliberately not a rule:
// - STOP_TIMEOUT vs the compose stop grace: the watcher passes STOP_TIMEOUT to `docker stop -t`,
//   which overrides the gateway's own stop_grace_period, and on its own SIGTERM the watcher leaves
//   the gateway as it is, so no grace period can cut a demotion short.
// - GIT_TIMEOUT, HOOK_TIMEOUT and PROMOTE_READY_TIMEOUT add up to the promotion's worst case, but
//   each bounds a different step; no sum of them is wrong by itself.
import type { Config } from './config.ts';
import { hedgePolicy } from '../probe/hedge-rules.ts';
import { LEASE_RULES } from './lease-rules.ts';
import { SETTING_TABLE } from './settings-table.ts';

/** What a broken rule says: what contradicts what, then the fix. */
export interface RuleFinding {
  conflict: string;
  fix: string;
}

export interface RuleContext {
  /** The setting as it would be written, e.g. `CHECK_TIMEOUT=5` or `CHECK_INTERVAL=2 (default)`. */
  shown(key: keyof Config): string;
  /** The value differs from the setting's default (as `check` marks it: "set"). */
  changed(key: keyof Config): boolean;
}

export interface ConfigRule {
  /** Stable id, for tests and docs. */
  id: string;
  level: 'error' | 'warning';
  /** The settings the rule reads; it is checked only when all of them are valid. */
  settings: readonly (keyof Config)[];
  /** One sentence for docs/settings.md. */
  summary: string;
  check(values: Config, context: RuleContext): RuleFinding | undefined;
}

/** Types `check` to read only the settings the rule declares. */
function rule<const K extends keyof Config>(definition: {
  id: string;
  level: 'error' | 'warning';
  settings: readonly K[];
  summary: string;
  check(values: Pick<Config, K>, context: RuleContext): RuleFinding | undefined;
}): ConfigRule {
  return definition;
}

const s = (ms: number): string => `${ms / 1000}s`;

/** Health paths known to answer `{"ok":true}` or `{"ready":true}`, the bodies the probe accepts. */
const HEALTH_PATHS = ['/healthz', '/health', '/readyz', '/ready'];

/** Hedged attempts closer than this are faster than most round trips over a private network. */
const MIN_HEDGE_SPACING_MS = 100;

/**
 * A cold OpenClaw gateway answers /readyz after about 18 s on a 2-core host, 35 s when a channel
 * plugin installs on its first boot (docs/reference facts): a shorter bound fails promotions of a
 * gateway that is merely booting.
 */
const SHORTEST_SENSIBLE_READY_TIMEOUT_MS = 30_000;

export const CONFIG_RULES: readonly ConfigRule[] = [
  rule({
    id: 'hot-standby-token',
    level: 'error',
    settings: ['standbyMode', 'gatewayToken'],
    summary: 'STANDBY_MODE=hot needs OPENCLAW_GATEWAY_TOKEN: the watcher switches the channel through the gateway\'s config API.',
    check: (v) =>
      v.standbyMode === 'hot' && v.gatewayToken === undefined
        ? {
            conflict: 'STANDBY_MODE=hot is set but OPENCLAW_GATEWAY_TOKEN is not',
            fix: 'the watcher switches the hot standby\'s channel through the gateway\'s config API, authenticated with the gateway token: pass OPENCLAW_GATEWAY_TOKEN to the watcher (compose.standby.yml does, from .env), or set STANDBY_MODE=cold',
          }
        : undefined,
  }),
  rule({
    id: 'check-timeout-within-interval',
    level: 'error',
    settings: ['checkTimeoutMs', 'checkIntervalMs'],
    summary: 'CHECK_TIMEOUT must not exceed CHECK_INTERVAL: a check is over before the next one is due.',
    check: (v, c) =>
      v.checkTimeoutMs > v.checkIntervalMs
        ? {
            conflict: `${c.shown('checkTimeoutMs')} is longer than ${c.shown('checkIntervalMs')}`,
            fix:
              'a check must be over before the next one is due, or a hung primary is detected only after FAIL_THRESHOLD × CHECK_TIMEOUT instead of FAIL_THRESHOLD × CHECK_INTERVAL: ' +
              `set CHECK_TIMEOUT to at most ${v.checkIntervalMs / 1000}, or CHECK_INTERVAL to at least ${v.checkTimeoutMs / 1000}`,
          }
        : undefined,
  }),
  rule({
    id: 'flap-hold-down-cap',
    level: 'error',
    settings: ['flapHoldDownMaxMs', 'flapHoldDownMs'],
    summary: 'FLAP_HOLD_DOWN_MAX must be at least FLAP_HOLD_DOWN: it caps the hold-down that starts at FLAP_HOLD_DOWN.',
    check: (v, c) =>
      v.flapHoldDownMaxMs < v.flapHoldDownMs
        ? {
            conflict: `${c.shown('flapHoldDownMaxMs')} is shorter than ${c.shown('flapHoldDownMs')}`,
            fix:
              'the cap of the flap hold-down cannot be below the hold-down it caps: ' +
              `set FLAP_HOLD_DOWN_MAX to at least ${v.flapHoldDownMs / 1000}, or FLAP_HOLD_DOWN to at most ${v.flapHoldDownMaxMs / 1000}`,
          }
        : undefined,
  }),
  rule({
    id: 'primary-health-path',
    level: 'warning',
    settings: ['primaryUrl'],
    summary: 'PRIMARY_URL should be a health path (/healthz, /health, /readyz, /ready).',
    check: (v) => {
      if (v.primaryUrl === '') return undefined; // LEADER_ELECTION=etcd: no primary
      const url = new URL(v.primaryUrl);
      const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
      return HEALTH_PATHS.includes(path)
        ? undefined
        : {
            conflict: `PRIMARY_URL path "${path}" is not /healthz, /health, /readyz or /ready`,
            fix: 'the probe only counts the primary healthy when it answers JSON {"ok":true} or {"ready":true}, so make sure this URL does',
          };
    },
  }),
  rule({
    id: 'primary-not-loopback',
    level: 'warning',
    settings: ['primaryUrl'],
    summary: "PRIMARY_URL should not be loopback: inside the watcher's container that is the watcher itself.",
    check: (v) => {
      if (v.primaryUrl === '') return undefined; // LEADER_ELECTION=etcd: no primary
      const host = new URL(v.primaryUrl).hostname;
      return ['localhost', '127.0.0.1', '[::1]', '0.0.0.0'].includes(host) || host.endsWith('.localhost')
        ? { conflict: `PRIMARY_URL points at ${host}, which inside this container is the watcher itself`, fix: "use the primary's address on your private network instead" }
        : undefined;
    },
  }),
  rule({
    id: 'hedge-spacing',
    level: 'warning',
    settings: ['checkAttempts', 'checkTimeoutMs'],
    summary: `Hedged attempts should start at least ${MIN_HEDGE_SPACING_MS} ms apart (CHECK_TIMEOUT / (2 × (CHECK_ATTEMPTS − 1))).`,
    check: (v, c) => {
      const { hedgeDelayMs } = hedgePolicy(v.checkAttempts, v.checkTimeoutMs);
      return v.checkAttempts > 1 && hedgeDelayMs < MIN_HEDGE_SPACING_MS
        ? {
            conflict: `${c.shown('checkAttempts')} within ${c.shown('checkTimeoutMs')} start an attempt every ${Math.round(hedgeDelayMs * 10) / 10} ms`,
            fix: 'that is quicker than most round trips, so the attempts mostly meet the same network hiccup and only add load: lower CHECK_ATTEMPTS or raise CHECK_TIMEOUT',
          }
        : undefined;
    },
  }),
  rule({
    id: 'ready-timeout-covers-boot',
    level: 'warning',
    settings: ['promoteReadyTimeoutMs'],
    summary: `PROMOTE_READY_TIMEOUT should cover a cold gateway boot (at least ${s(SHORTEST_SENSIBLE_READY_TIMEOUT_MS)}).`,
    check: (v, c) =>
      v.promoteReadyTimeoutMs < SHORTEST_SENSIBLE_READY_TIMEOUT_MS
        ? {
            conflict: `${c.shown('promoteReadyTimeoutMs')} is shorter than a cold OpenClaw gateway takes to report ready (about 18 s on a small host, 35 s when a plugin installs on its first boot)`,
            fix: `a promotion would be reported failed while the gateway is still booting: set PROMOTE_READY_TIMEOUT to at least ${SHORTEST_SENSIBLE_READY_TIMEOUT_MS / 1000} unless this gateway is known to boot faster`,
          }
        : undefined,
  }),
  rule({
    id: 'flap-cap-within-window',
    level: 'warning',
    settings: ['flapHoldDownMaxMs', 'flapWindowMs'],
    summary: 'FLAP_HOLD_DOWN_MAX should not exceed FLAP_WINDOW (when on): cycles, and with them the hold-down, leave the window first.',
    check: (v, c) =>
      v.flapWindowMs > 0 && v.flapHoldDownMaxMs > v.flapWindowMs
        ? {
            conflict: `${c.shown('flapHoldDownMaxMs')} is longer than ${c.shown('flapWindowMs')}`,
            fix: `the cycles that cause a hold-down leave the window after FLAP_WINDOW, so no hold-down lasts longer than ${s(v.flapWindowMs)}: lower FLAP_HOLD_DOWN_MAX to at most ${v.flapWindowMs / 1000}, or raise FLAP_WINDOW`,
          }
        : undefined,
  }),
  rule({
    id: 'flap-settings-need-window',
    level: 'warning',
    settings: ['flapWindowMs', 'flapHoldDownMs', 'flapHoldDownMaxMs'],
    summary: 'FLAP_HOLD_DOWN and FLAP_HOLD_DOWN_MAX have no effect with FLAP_WINDOW=0.',
    check: (v, c) => unused(c, v.flapWindowMs === 0, ['flapHoldDownMs', 'flapHoldDownMaxMs'], 'FLAP_WINDOW=0 turns flap damping off'),
  }),
  rule({
    id: 'hook-timeout-needs-hook',
    level: 'warning',
    settings: ['hookTimeoutMs', 'onPromote', 'onDemote'],
    summary: 'HOOK_TIMEOUT has no effect without ON_PROMOTE or ON_DEMOTE.',
    check: (v, c) => unused(c, v.onPromote === undefined && v.onDemote === undefined, ['hookTimeoutMs'], 'neither ON_PROMOTE nor ON_DEMOTE is set'),
  }),
  rule({
    id: 'witness-timeout-needs-witnesses',
    level: 'warning',
    settings: ['witnessTimeoutMs', 'witnessUrls'],
    summary: 'WITNESS_TIMEOUT has no effect without WITNESS_URLS.',
    check: (v, c) => unused(c, v.witnessUrls.length === 0, ['witnessTimeoutMs'], 'WITNESS_URLS is not set (no partition guard)'),
  }),
  rule({
    id: 'notify-settings-need-target',
    level: 'warning',
    settings: ['notifyTimeoutMs', 'notifyRetries', 'notifyWebhookUrl', 'notifySlackUrl', 'notifyDiscordUrl', 'notifyNtfyUrl', 'heartbeatUrl'],
    summary: 'NOTIFY_TIMEOUT and NOTIFY_RETRIES have no effect without a NOTIFY_*_URL (NOTIFY_TIMEOUT also bounds the heartbeat).',
    check: (v, c) => {
      const noChannel = [v.notifyWebhookUrl, v.notifySlackUrl, v.notifyDiscordUrl, v.notifyNtfyUrl].every((url) => url === undefined);
      return (
        unused(c, noChannel && v.heartbeatUrl === undefined, ['notifyTimeoutMs'], 'no NOTIFY_*_URL and no HEARTBEAT_URL is set') ??
        unused(c, noChannel, ['notifyRetries'], 'no NOTIFY_*_URL is set')
      );
    },
  }),
  rule({
    id: 'heartbeat-interval-needs-url',
    level: 'warning',
    settings: ['heartbeatIntervalMs', 'heartbeatUrl'],
    summary: 'HEARTBEAT_INTERVAL has no effect without HEARTBEAT_URL.',
    check: (v, c) => unused(c, v.heartbeatUrl === undefined, ['heartbeatIntervalMs'], 'HEARTBEAT_URL is not set'),
  }),
  rule({
    id: 'container-needs-ready-url',
    level: 'warning',
    settings: ['gatewayContainer', 'gatewayReadyUrl'],
    summary: 'With GATEWAY_CONTAINER, set GATEWAY_READY_URL too: its default is derived from GATEWAY_SERVICE.',
    check: (v, c) =>
      v.gatewayContainer !== undefined && !c.changed('gatewayReadyUrl')
        ? {
            conflict: `${c.shown('gatewayContainer')} is set but GATEWAY_READY_URL is not`,
            fix: `the readiness URL is then derived from GATEWAY_SERVICE (${v.gatewayReadyUrl}), which may not be how this container is reached: set GATEWAY_READY_URL to its /readyz URL`,
          }
        : undefined,
  }),
  ...LEASE_RULES,
];

/** A finding for settings changed from their default that have no effect while `idle` holds. */
function unused(context: RuleContext, idle: boolean, keys: readonly (keyof Config)[], because: string): RuleFinding | undefined {
  const changed = keys.filter((key) => context.changed(key));
  if (!idle || changed.length === 0) return undefined;
  return {
    conflict: `${changed.map((key) => context.shown(key)).join(' and ')} ${changed.length === 1 ? 'has' : 'have'} no effect: ${because}`,
    fix: `set what ${changed.length === 1 ? 'it applies' : 'they apply'} to, or remove ${changed.length === 1 ? 'it' : 'them'}`,
  };
}

/** The rule context over values resolved so far: shows settings as written, marking defaults. */
export function ruleContext(values: Partial<Config>): RuleContext {
  const isDefault = <K extends keyof Config>(key: K): boolean => {
    const setting = SETTING_TABLE[key];
    const fallback = setting.parse(undefined, values);
    return fallback.ok && setting.show(fallback.value) === setting.show(values[key] as Config[K]);
  };
  return {
    changed: (key) => !isDefault(key),
    shown: <K extends keyof Config>(key: K) => {
      const setting = SETTING_TABLE[key];
      // Secrets are never shown (rules only test whether they are set).
      const value = setting.secret ? '(set)' : setting.show(values[key] as Config[K]);
      return `${setting.name}=${value}${isDefault(key) ? ' (default)' : ''}`;
    },
  };
}

/** The findings of the rules at `level` whose settings are all present in `values`. */
export function checkRules(values: Partial<Config>, level: ConfigRule['level']): { rule: ConfigRule; finding: RuleFinding }[] {
  const context = ruleContext(values);
  return CONFIG_RULES.filter((r) => r.level === level && r.settings.every((key) => key in values)).flatMap((r) => {
    const finding = r.check(values as Config, context);
    return finding === undefined ? [] : [{ rule: r, finding }];
  });
}

/** Advice about combinations that are valid but probably not what was meant. Never blocking. */
export function configWarnings(config: Config): string[] {
  return checkRules(config, 'warning').map(({ finding }) => `${finding.conflict}: ${finding.fix}`);
}

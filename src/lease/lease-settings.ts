// The etcd mode's view of the settings: they live in the one settings table
// (src/config/lease-settings-table.ts, spread into settings-table.ts; rules in
// src/config/lease-rules.ts), read by loadConfig like every other setting, every problem at once.
// This maps the validated Config onto what `lease-run` needs.
import { hostname } from 'node:os';
import type { Config, ConfigProblem } from '../config/config.ts';
import { loadConfig } from '../config/load-config.ts';
import { LEASE_DEFAULTS } from '../config/lease-settings-table.ts';
import type { LeaseTimings } from './leadership.ts';

/** TTL 10 s: renew every 3.3 s (two tries before the deadline), stop at sent + 8 s, grace 2 s. */
export const DEFAULT_LEASE_TIMINGS: LeaseTimings = {
  ttlMs: LEASE_DEFAULTS.ETCD_LEASE_TTL * 1000,
  renewEveryMs: LEASE_DEFAULTS.ETCD_RENEW_INTERVAL * 1000,
  safetyMarginMs: LEASE_DEFAULTS.ETCD_SAFETY_MARGIN * 1000,
  graceMs: LEASE_DEFAULTS.ETCD_TAKEOVER_GRACE * 1000,
  pollEveryMs: LEASE_DEFAULTS.ETCD_POLL_INTERVAL * 1000,
};

/** The dead-man wrapper polls every 100 ms and SIGKILLs: a stop is over well within 1 s. */
export const DEFAULT_WORST_CASE_STOP_MS = LEASE_DEFAULTS.GATEWAY_WORST_CASE_STOP * 1000;

export interface LeaseConfig {
  nodeName: string;
  endpoints: string[];
  leaderKey: string;
  timings: LeaseTimings;
  requestTimeoutMs: number;
  worstCaseStopMs: number;
  leaseFile: string;
  /** The dead-man wrapper's status URL in this node's gateway container; unset: no gateway checks. */
  gatewayStatusUrl: string | undefined;
  statusPort: number;
  logLevel: string;
  /** The whole validated config (notification targets and the like). */
  all: Config;
}

export type LeaseConfigResult = { ok: true; config: LeaseConfig } | { ok: false; problems: ConfigProblem[] };

export function loadLeaseConfig(env: Record<string, string | undefined>): LeaseConfigResult {
  const problems: ConfigProblem[] = [];
  const mode = env.LEADER_ELECTION?.trim();
  if (mode !== 'etcd') problems.push({ name: 'LEADER_ELECTION', value: mode || undefined, expected: 'etcd: lease-run is the etcd mode (the two-node mode uses `openclaw-failover run`), e.g. LEADER_ELECTION=etcd' });
  // The rest is checked as the etcd mode would read it, so one run reports everything.
  const result = loadConfig({ ...env, LEADER_ELECTION: 'etcd' });
  if (!result.ok) problems.push(...result.problems);
  if (problems.length > 0 || !result.ok) return { ok: false, problems };
  const c = result.config;
  const timings: LeaseTimings = {
    ttlMs: c.etcdLeaseTtlMs,
    renewEveryMs: c.etcdRenewIntervalMs,
    safetyMarginMs: c.etcdSafetyMarginMs,
    graceMs: c.etcdTakeoverGraceMs,
    pollEveryMs: c.etcdPollIntervalMs,
    ...(c.gatewayStatusUrl !== undefined
      ? { gateway: { checkEveryMs: 1_000, unreachableMs: c.gatewayUnreachableAfterMs, notReadyMs: c.gatewayNotReadyAfterMs, cooldownMs: c.gatewayResignCooldownMs } }
      : {}),
  };
  return {
    ok: true,
    config: {
      nodeName: c.nodeName ?? hostname(),
      endpoints: c.etcdEndpoints,
      leaderKey: c.etcdLeaderKey,
      timings,
      requestTimeoutMs: c.etcdRequestTimeoutMs,
      worstCaseStopMs: c.gatewayWorstCaseStopMs,
      leaseFile: c.leaseFile,
      gatewayStatusUrl: c.gatewayStatusUrl,
      statusPort: c.statusPort,
      logLevel: c.logLevel,
      all: c,
    },
  };
}

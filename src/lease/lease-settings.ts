// Settings of the etcd leader-election mode (LEADER_ELECTION=etcd), read from the environment
// once, every problem reported at once with the setting's name and the fix (exit 2 upstream).
// Kept apart from the two-node config module so that mode stays exactly as it is.
import { hostname } from 'node:os';
import { timingProblems, type LeaseTimings } from './leadership.ts';

/** TTL 10 s: renew every 3 s (two tries before the deadline), stop at sent + 8 s, grace 2 s. */
export const DEFAULT_LEASE_TIMINGS: LeaseTimings = {
  ttlMs: 10_000,
  renewEveryMs: 3_000,
  safetyMarginMs: 2_000,
  graceMs: 2_000,
  pollEveryMs: 1_000,
};

/** The dead-man wrapper polls every 100 ms and SIGKILLs: a stop is over well within 1 s. */
export const DEFAULT_WORST_CASE_STOP_MS = 1_000;

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
}

export type LeaseConfigResult = { ok: true; config: LeaseConfig } | { ok: false; problems: string[] };

const DECIMAL = /^\d{1,6}(?:\.\d{1,3})?$/;

export function loadLeaseConfig(env: NodeJS.ProcessEnv): LeaseConfigResult {
  const problems: string[] = [];
  const get = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };
  const seconds = (name: string, fallbackMs: number, minS: number, maxS: number, integer = false): number => {
    const raw = get(name);
    if (raw === undefined) return fallbackMs;
    const ok = integer ? /^\d{1,6}$/.test(raw) : DECIMAL.test(raw);
    const value = Number(raw);
    if (!ok || value < minS || value > maxS) {
      problems.push(`${name}="${raw}": expected ${integer ? 'a whole number' : 'a number'} of seconds between ${minS} and ${maxS}, e.g. ${name}=${fallbackMs / 1000}`);
      return fallbackMs;
    }
    return Math.round(value * 1000);
  };

  const mode = get('LEADER_ELECTION');
  if (mode !== 'etcd') problems.push(`LEADER_ELECTION="${mode ?? ''}": lease-run needs LEADER_ELECTION=etcd (the two-node mode uses \`openclaw-failover run\`)`);

  const endpoints = (get('ETCD_ENDPOINTS') ?? '').split(',').map((e) => e.trim()).filter(Boolean);
  if (endpoints.length === 0) problems.push('ETCD_ENDPOINTS is not set: list every member\'s client URL, e.g. ETCD_ENDPOINTS=http://host-a:2379,http://host-b:2379,http://host-c:2379');
  for (const e of endpoints) {
    try {
      const u = new URL(e);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
    } catch {
      problems.push(`ETCD_ENDPOINTS: "${e}" is not an http(s) URL, e.g. http://host-a:2379`);
    }
  }

  const ttlMs = seconds('ETCD_LEASE_TTL', DEFAULT_LEASE_TIMINGS.ttlMs, 3, 120, true);
  const timings: LeaseTimings = {
    ttlMs,
    renewEveryMs: seconds('ETCD_RENEW_INTERVAL', get('ETCD_LEASE_TTL') ? Math.round(ttlMs / 3 / 100) * 100 : DEFAULT_LEASE_TIMINGS.renewEveryMs, 0.2, 60),
    safetyMarginMs: seconds('ETCD_SAFETY_MARGIN', DEFAULT_LEASE_TIMINGS.safetyMarginMs, 0.1, 60),
    graceMs: seconds('ETCD_TAKEOVER_GRACE', DEFAULT_LEASE_TIMINGS.graceMs, 0.1, 120),
    pollEveryMs: seconds('ETCD_POLL_INTERVAL', DEFAULT_LEASE_TIMINGS.pollEveryMs, 0.1, 30),
  };
  const gatewayStatusUrl = get('GATEWAY_STATUS_URL');
  if (gatewayStatusUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(gatewayStatusUrl)) problems.push(`GATEWAY_STATUS_URL="${gatewayStatusUrl}": expected the wrapper's status URL, e.g. http://gateway:18790/`);
  if (gatewayStatusUrl !== undefined) {
    timings.gateway = {
      checkEveryMs: 1_000,
      unreachableMs: seconds('GATEWAY_UNREACHABLE_AFTER', 3_000, 1, 60),
      notReadyMs: seconds('GATEWAY_NOT_READY_AFTER', 120_000, 5, 900),
      cooldownMs: seconds('GATEWAY_RESIGN_COOLDOWN', 15_000, 1, 600),
    };
  }
  const requestTimeoutMs = seconds('ETCD_REQUEST_TIMEOUT', 2_000, 0.1, 30);
  const worstCaseStopMs = seconds('GATEWAY_WORST_CASE_STOP', DEFAULT_WORST_CASE_STOP_MS, 0.1, 60);
  for (const p of timingProblems(timings, worstCaseStopMs)) problems.push(`ETCD_* timings: ${p}`);
  if (requestTimeoutMs >= timings.ttlMs - timings.safetyMarginMs - timings.renewEveryMs) {
    problems.push(`ETCD_REQUEST_TIMEOUT ${requestTimeoutMs / 1000} s leaves no time for a second renewal before the deadline: keep it below TTL - margin - renew interval`);
  }

  const portRaw = get('STATUS_PORT') ?? '8080';
  const statusPort = Number(portRaw);
  if (!/^\d{1,5}$/.test(portRaw) || statusPort < 1 || statusPort > 65535) problems.push(`STATUS_PORT="${portRaw}": expected a TCP port, e.g. 8080`);

  const leaderKey = get('ETCD_LEADER_KEY') ?? '/openclaw-failover/leader';
  if (!leaderKey.startsWith('/')) problems.push(`ETCD_LEADER_KEY="${leaderKey}": expected a key starting with "/", e.g. /openclaw-failover/leader`);

  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    config: {
      nodeName: get('NODE_NAME') ?? hostname(),
      endpoints,
      leaderKey,
      timings,
      requestTimeoutMs,
      worstCaseStopMs,
      leaseFile: get('LEASE_FILE') ?? '/var/lib/openclaw-failover/lease.json',
      gatewayStatusUrl,
      statusPort,
      logLevel: get('LOG_LEVEL') ?? 'info',
    },
  };
}

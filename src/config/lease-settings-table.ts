// The etcd mode's settings (LEADER_ELECTION=etcd, `openclaw-failover lease-run`, docs/multi-node.md),
// part of the one settings table (settings-table.ts spreads this block into SETTING_TABLE), so they
// are validated, shown by `check` and documented in docs/settings.md like every other setting.
// All have defaults except ETCD_ENDPOINTS, which is required only with LEADER_ELECTION=etcd; the
// timing rules between them (renewal vs TTL and margin, margin and grace vs the worst-case stop)
// are config-rules.ts rules, reported with every other problem (exit 2).
import type { LeaseSettings } from './config.ts';
import { absolutePathSetting, bad, choiceSetting, isHttpUrl, ok, secondsSetting, type Setting } from './setting-kinds.ts';

export const LEASE_DEFAULTS = {
  ETCD_LEASE_TTL: 10,
  ETCD_RENEW_INTERVAL: 3.3,
  ETCD_SAFETY_MARGIN: 2,
  ETCD_TAKEOVER_GRACE: 2,
  ETCD_POLL_INTERVAL: 1,
  ETCD_REQUEST_TIMEOUT: 2,
  ETCD_LEADER_KEY: '/openclaw-failover/leader',
  GATEWAY_WORST_CASE_STOP: 1,
  GATEWAY_UNREACHABLE_AFTER: 3,
  GATEWAY_NOT_READY_AFTER: 120,
  GATEWAY_RESIGN_COOLDOWN: 15,
  LEASE_FILE: '/var/lib/openclaw-failover/lease.json',
} as const;

const ENDPOINTS_EXAMPLE = 'ETCD_ENDPOINTS=http://100.64.0.1:2379,http://100.64.0.2:2379,http://100.64.0.3:2379';

export type LeaseSettingTable = { readonly [K in keyof LeaseSettings]: Setting<LeaseSettings[K]> };

/** The leader-election choice comes first in the table: PRIMARY_URL and ETCD_ENDPOINTS depend on it. */
export const LEADER_ELECTION_SETTING = choiceSetting(
  'LEADER_ELECTION',
  ['two-node', 'etcd'] as const,
  'two-node',
  'two-node: primary + standby (`run`). etcd: three or more nodes, one lease on etcd, full-channel failover (`lease-run`, docs/multi-node.md); PRIMARY_URL is then not used.',
);

export const LEASE_SETTING_TABLE: Omit<LeaseSettingTable, 'leaderElection'> = {
  etcdEndpoints: {
    name: 'ETCD_ENDPOINTS',
    default: undefined,
    unit: undefined,
    description: "etcd mode: every member's client URL, comma-separated. Required with LEADER_ELECTION=etcd.",
    parse(raw, earlier) {
      if (raw === undefined) return earlier.leaderElection === 'etcd' ? bad(`every etcd member's client URL, comma-separated, e.g. ${ENDPOINTS_EXAMPLE}`) : ok([]);
      const list = raw.split(',').map((e) => e.trim()).filter(Boolean);
      const wrong = list.filter((e) => !isHttpUrl(e));
      return list.length > 0 && wrong.length === 0 ? ok(list) : bad(`http(s) URLs separated by commas${wrong.length ? ` ("${wrong[0]}" is not one)` : ''}, e.g. ${ENDPOINTS_EXAMPLE}`);
    },
    show: (list) => (list.length ? list.join(',') : undefined),
  },
  nodeName: {
    name: 'NODE_NAME',
    default: undefined,
    unit: undefined,
    description: "etcd mode: this node's name, the leader key's value while it holds it; unset: the host name.",
    parse: (raw) => (raw === undefined ? ok(undefined) : /^[\w.-]{1,64}$/.test(raw) ? ok(raw) : bad('1-64 letters, digits, ".", "-" or "_", e.g. NODE_NAME=host-a')),
    show: (value) => value,
  },
  etcdLeaseTtlMs: {
    ...secondsSetting('ETCD_LEASE_TTL', LEASE_DEFAULTS.ETCD_LEASE_TTL, 3, 120, 'etcd mode: TTL of the lease the leader key is bound to (whole seconds, as etcd grants them). Takeover after a dead holder ≈ TTL + grace + channel switch.'),
    parse: (raw) => (raw === undefined ? ok(LEASE_DEFAULTS.ETCD_LEASE_TTL * 1000) : /^\d{1,3}$/.test(raw) && Number(raw) >= 3 && Number(raw) <= 120 ? ok(Number(raw) * 1000) : bad('a whole number of seconds between 3 and 120 (default 10), e.g. ETCD_LEASE_TTL=10')),
  },
  etcdRenewIntervalMs: secondsSetting('ETCD_RENEW_INTERVAL', LEASE_DEFAULTS.ETCD_RENEW_INTERVAL, 0.2, 60, 'etcd mode: seconds between two lease keepalives; at most (TTL - margin)/2, so a second try fits before the deadline.', {
    note: 'or ETCD_LEASE_TTL/3',
    derive: (defaultMs, earlier) => (earlier.etcdLeaseTtlMs === undefined ? defaultMs : Math.round(earlier.etcdLeaseTtlMs / 3 / 100) * 100),
  }),
  etcdSafetyMarginMs: secondsSetting('ETCD_SAFETY_MARGIN', LEASE_DEFAULTS.ETCD_SAFETY_MARGIN, 0.1, 60, 'etcd mode: the holder stops this long before `renewal sent + TTL`; must exceed GATEWAY_WORST_CASE_STOP.'),
  etcdTakeoverGraceMs: secondsSetting('ETCD_TAKEOVER_GRACE', LEASE_DEFAULTS.ETCD_TAKEOVER_GRACE, 0.1, 120, "etcd mode: a new holder waits this long after winning the key before its channels may start; must exceed GATEWAY_WORST_CASE_STOP."),
  etcdPollIntervalMs: secondsSetting('ETCD_POLL_INTERVAL', LEASE_DEFAULTS.ETCD_POLL_INTERVAL, 0.1, 30, 'etcd mode: seconds between two reads of the leader key.'),
  etcdRequestTimeoutMs: secondsSetting('ETCD_REQUEST_TIMEOUT', LEASE_DEFAULTS.ETCD_REQUEST_TIMEOUT, 0.1, 30, 'etcd mode: bound on one etcd call across all members.'),
  etcdLeaderKey: {
    name: 'ETCD_LEADER_KEY',
    default: LEASE_DEFAULTS.ETCD_LEADER_KEY,
    unit: undefined,
    description: 'etcd mode: the lease-bound leader key (the same on every node).',
    parse: (raw) => (raw === undefined ? ok(LEASE_DEFAULTS.ETCD_LEADER_KEY) : /^\/[\x21-\x7e]{1,200}$/.test(raw) ? ok(raw) : bad(`a key starting with "/", e.g. ETCD_LEADER_KEY=${LEASE_DEFAULTS.ETCD_LEADER_KEY}`)),
    show: (value) => value,
  },
  gatewayWorstCaseStopMs: secondsSetting('GATEWAY_WORST_CASE_STOP', LEASE_DEFAULTS.GATEWAY_WORST_CASE_STOP, 0.1, 60, "etcd mode: the dead-man wrapper's worst-case kill of the gateway (its 100 ms poll included); checked against the margin and the grace."),
  gatewayStatusUrl: {
    name: 'GATEWAY_STATUS_URL',
    default: undefined,
    unit: undefined,
    description: "etcd mode: the dead-man wrapper's status URL in this node's gateway container (e.g. http://openclaw-leader:18790/); enables the gateway rules below. Unset: no gateway checks.",
    parse: (raw) => (raw === undefined ? ok(undefined) : isHttpUrl(raw) ? ok(raw) : bad("the wrapper's status URL, e.g. GATEWAY_STATUS_URL=http://openclaw-leader:18790/")),
    show: (value) => value,
  },
  gatewayUnreachableAfterMs: secondsSetting('GATEWAY_UNREACHABLE_AFTER', LEASE_DEFAULTS.GATEWAY_UNREACHABLE_AFTER, 1, 60, "etcd mode: the holder resigns when its gateway container has not answered this long; a follower in that state does not campaign."),
  gatewayNotReadyAfterMs: secondsSetting('GATEWAY_NOT_READY_AFTER', LEASE_DEFAULTS.GATEWAY_NOT_READY_AFTER, 5, 900, 'etcd mode: the holder resigns when its gateway has not been ready (hot: channels on) this long, boot included.'),
  gatewayResignCooldownMs: secondsSetting('GATEWAY_RESIGN_COOLDOWN', LEASE_DEFAULTS.GATEWAY_RESIGN_COOLDOWN, 1, 600, 'etcd mode: after resigning, stay out of the election this long.'),
  leaseFile: absolutePathSetting('LEASE_FILE', LEASE_DEFAULTS.LEASE_FILE, "etcd mode: the lease file the gateway container's dead-man wrapper reads (a volume shared with it)."),
};

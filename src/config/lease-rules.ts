// The etcd mode's timing rules (docs/multi-node.md, "The rules, and the timings chosen"), checked
// with every other setting problem (exit 2, all at once) when LEADER_ELECTION=etcd. Each is one
// inequality of the safety argument: old gateway dead by sent + TTL - margin + worst-case stop <
// sent + TTL <= the key is free < a new holder wins < + grace <= its channels start.
import type { Config } from './config.ts';
import type { ConfigRule, RuleContext, RuleFinding } from './config-rules.ts';

function leaseRule<const K extends keyof Config>(definition: {
  id: string;
  settings: readonly K[];
  summary: string;
  check(values: Pick<Config, K>, context: RuleContext): RuleFinding | undefined;
}): ConfigRule {
  return {
    ...definition,
    level: 'error',
    settings: [...definition.settings, 'leaderElection'], // the first one names the problem
    check: (v, c) => (v.leaderElection === 'etcd' ? definition.check(v, c) : undefined),
  };
}

export const LEASE_RULES: readonly ConfigRule[] = [
  leaseRule({
    id: 'etcd-renew-twice-before-deadline',
    settings: ['etcdRenewIntervalMs', 'etcdLeaseTtlMs', 'etcdSafetyMarginMs'],
    summary: 'etcd mode: ETCD_RENEW_INTERVAL at most (ETCD_LEASE_TTL - ETCD_SAFETY_MARGIN)/2, so a second renewal fits before the deadline.',
    check: (v, c) =>
      v.etcdRenewIntervalMs * 2 >= v.etcdLeaseTtlMs - v.etcdSafetyMarginMs
        ? { conflict: `${c.shown('etcdRenewIntervalMs')} with ${c.shown('etcdLeaseTtlMs')} and ${c.shown('etcdSafetyMarginMs')} leaves no second renewal before the deadline`, fix: `renew at most every ${(v.etcdLeaseTtlMs - v.etcdSafetyMarginMs) / 2000 - 0.1} s, or raise the TTL` }
        : undefined,
  }),
  leaseRule({
    id: 'etcd-margin-exceeds-stop',
    settings: ['etcdSafetyMarginMs', 'gatewayWorstCaseStopMs', 'etcdLeaseTtlMs'],
    summary: "etcd mode: ETCD_SAFETY_MARGIN above GATEWAY_WORST_CASE_STOP and below ETCD_LEASE_TTL: the old gateway is dead before the lease can expire.",
    check: (v, c) =>
      v.etcdSafetyMarginMs <= v.gatewayWorstCaseStopMs
        ? { conflict: `${c.shown('etcdSafetyMarginMs')} does not exceed ${c.shown('gatewayWorstCaseStopMs')}`, fix: 'the holder must be stopped before its lease can expire: raise ETCD_SAFETY_MARGIN above the worst-case stop' }
        : v.etcdSafetyMarginMs >= v.etcdLeaseTtlMs
          ? { conflict: `${c.shown('etcdSafetyMarginMs')} is not below ${c.shown('etcdLeaseTtlMs')}`, fix: 'a margin of the whole TTL never serves: lower it (default 2 s)' }
          : undefined,
  }),
  leaseRule({
    id: 'etcd-grace-exceeds-stop',
    settings: ['etcdTakeoverGraceMs', 'gatewayWorstCaseStopMs'],
    summary: 'etcd mode: ETCD_TAKEOVER_GRACE above GATEWAY_WORST_CASE_STOP: a new holder waits out the old one\'s slowest stop.',
    check: (v, c) =>
      v.etcdTakeoverGraceMs <= v.gatewayWorstCaseStopMs
        ? { conflict: `${c.shown('etcdTakeoverGraceMs')} does not exceed ${c.shown('gatewayWorstCaseStopMs')}`, fix: 'raise ETCD_TAKEOVER_GRACE above the worst-case stop (default 2 s)' }
        : undefined,
  }),
  leaseRule({
    id: 'etcd-request-timeout-fits',
    settings: ['etcdRequestTimeoutMs', 'etcdLeaseTtlMs', 'etcdSafetyMarginMs', 'etcdRenewIntervalMs'],
    summary: 'etcd mode: ETCD_REQUEST_TIMEOUT below TTL - margin - renew interval, so a timed-out renewal leaves time for the next.',
    check: (v, c) =>
      v.etcdRequestTimeoutMs >= v.etcdLeaseTtlMs - v.etcdSafetyMarginMs - v.etcdRenewIntervalMs
        ? { conflict: `${c.shown('etcdRequestTimeoutMs')} leaves no time for a second renewal before the deadline`, fix: 'keep it below ETCD_LEASE_TTL - ETCD_SAFETY_MARGIN - ETCD_RENEW_INTERVAL (default 2 s)' }
        : undefined,
  }),
];

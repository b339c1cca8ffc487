// Who should serve, decided in pure code: one lease-bound leader key on etcd, one holder at a time.
//
// The rules (after Patroni's ha.py and etcd3 DCS, and etcd's notes on leases and locks):
// - Each node keeps its own lease alive and campaigns with a create-if-absent transaction that
//   binds the leader key to that lease. The key lives exactly as long as the lease.
// - A renewal is sent every `renewEveryMs` (well before the TTL, default TTL/3). The lease's
//   deadline is counted from the moment a renewal was SENT, on the node's monotonic clock:
//   etcd refreshed the lease no earlier than that, so it cannot expire before sent + TTL.
//   We stop serving at `sent + TTL - safetyMarginMs`, and the margin is chosen larger than the
//   worst-case stop of the gateway (and the dead-man switch's poll), so the old gateway is gone
//   before etcd can hand the key to anyone else.
// - A node that wins the key waits `graceMs` (longer than an old holder's worst-case stop)
//   before it starts serving: a belt over the braces above, for stops slower than expected.
// - The deadline is also written out (`deadman` action) for the gateway side's dead-man switch,
//   which kills the gateway at that monotonic instant even if this process is paused or dead.
//   It is written only while serving (null otherwise), so it doubles as the serve switch.
//
// Time is injected (`now`, monotonic ms). Network calls are actions the adapter performs; their
// results come back as events carrying the monotonic time at which the request was sent.

export interface LeaseTimings {
  ttlMs: number;
  renewEveryMs: number;
  safetyMarginMs: number;
  graceMs: number;
  pollEveryMs: number;
  /** Optional: this node's gateway container must be alive to campaign, and ready to keep serving. */
  gateway?: GatewayRules;
}

export interface GatewayRules {
  /** Check the gateway side (the dead-man wrapper's status) this often. */
  checkEveryMs: number;
  /** No answer from the gateway container this long: do not campaign; resign if holding. */
  unreachableMs: number;
  /** Serving but the gateway not ready this long (boot included): resign so another node serves. */
  notReadyMs: number;
  /** After resigning, stay out of the election this long (so a healthy node wins). */
  cooldownMs: number;
}

export type Role = 'follower' | 'acquired' | 'serving';

export interface KeyView {
  holder: string | null;
  leaseId: string | null;
  revision: number;
}

export interface LeaseState {
  nodeId: string;
  timings: LeaseTimings;
  role: Role;
  leaseId: string | null;
  /** Monotonic instant after which this node must not serve (sent + TTL - margin). */
  deadline: number;
  lastRenewSentAt: number | null;
  renewInFlight: boolean;
  grantInFlight: boolean;
  campaignInFlight: boolean;
  lastPollAt: number | null;
  pollInFlight: boolean;
  acquiredAt: number | null;
  servingSince: number | null;
  key: KeyView | null;
  lostLeases: number;
  lastRenewLatencyMs: number | null;
  gatewayCheckInFlight: boolean;
  lastGatewayCheckAt: number | null;
  gatewayReachableAt: number | null;
  gatewayReadyAt: number | null;
  /** The wrapper runs its gateway hot (channels off at rest): campaign only with it ready. */
  gatewayHot: boolean;
  cooldownUntil: number;
}

export type LeaseEvent =
  | { kind: 'tick' }
  | { kind: 'grant-ok'; leaseId: string; ttlMs: number; sentAt: number }
  | { kind: 'grant-failed'; sentAt: number; error: string }
  | { kind: 'renew-ok'; leaseId: string; ttlMs: number; sentAt: number }
  | { kind: 'renew-failed'; leaseId: string; sentAt: number; error: string }
  | { kind: 'campaign-result'; sentAt: number; won: boolean; key: KeyView }
  | { kind: 'campaign-failed'; sentAt: number; error: string }
  | { kind: 'key-seen'; sentAt: number; key: KeyView }
  | { kind: 'poll-failed'; sentAt: number; error: string }
  | { kind: 'gateway-seen'; sentAt: number; reachable: boolean; ready: boolean; hot?: boolean }
  | { kind: 'shutdown' };

export type StopReason = 'renew-deadline-passed' | 'lease-expired-at-etcd' | 'key-taken-by-other' | 'key-lost' | 'gateway-unhealthy' | 'shutdown';

export type LeaseAction =
  | { kind: 'grant' }
  | { kind: 'renew'; leaseId: string }
  | { kind: 'campaign'; leaseId: string }
  | { kind: 'poll' }
  | { kind: 'revoke'; leaseId: string }
  | { kind: 'resign'; leaseId: string }
  | { kind: 'gateway-check' }
  | { kind: 'serve-start' }
  | { kind: 'serve-stop'; reason: StopReason }
  | { kind: 'deadman'; deadline: number | null }
  | { kind: 'holder-change'; from: Role; to: Role; reason: string; revision: number | null; holder: string | null; at: number };

export interface LeaseStep {
  state: LeaseState;
  actions: LeaseAction[];
}

/** Checks the timing rules; returns every problem at once (empty when sound). */
export function timingProblems(t: LeaseTimings, worstCaseStopMs: number): string[] {
  const problems: string[] = [];
  if (t.renewEveryMs * 2 >= t.ttlMs - t.safetyMarginMs) {
    problems.push(`renewal every ${t.renewEveryMs} ms leaves no second try before the deadline (TTL ${t.ttlMs} - margin ${t.safetyMarginMs}): renew at most every (TTL - margin)/2`);
  }
  if (t.safetyMarginMs <= worstCaseStopMs) problems.push(`safety margin ${t.safetyMarginMs} ms must exceed the gateway's worst-case stop ${worstCaseStopMs} ms`);
  if (t.graceMs <= worstCaseStopMs) problems.push(`grace ${t.graceMs} ms must exceed the gateway's worst-case stop ${worstCaseStopMs} ms`);
  if (t.safetyMarginMs >= t.ttlMs) problems.push(`safety margin ${t.safetyMarginMs} ms must be below the TTL ${t.ttlMs} ms`);
  return problems;
}

export function initialLeaseState(nodeId: string, timings: LeaseTimings): LeaseState {
  return {
    nodeId,
    timings,
    role: 'follower',
    leaseId: null,
    deadline: Number.NEGATIVE_INFINITY,
    lastRenewSentAt: null,
    renewInFlight: false,
    grantInFlight: false,
    campaignInFlight: false,
    lastPollAt: null,
    pollInFlight: false,
    acquiredAt: null,
    servingSince: null,
    key: null,
    lostLeases: 0,
    lastRenewLatencyMs: null,
    gatewayCheckInFlight: false,
    lastGatewayCheckAt: null,
    gatewayReachableAt: null,
    gatewayReadyAt: null,
    gatewayHot: false,
    cooldownUntil: Number.NEGATIVE_INFINITY,
  };
}

/** True when this node may have its gateway's channels on at `now`. */
export function mayServe(state: LeaseState, now: number): boolean {
  return state.role === 'serving' && now < state.deadline;
}

export function stepLease(prev: LeaseState, event: LeaseEvent, now: number): LeaseStep {
  const actions: LeaseAction[] = [];
  let s: LeaseState = { ...prev };

  const demote = (reason: StopReason, dropLease: boolean): void => {
    const was = s.role;
    if (was !== 'follower') {
      if (was === 'serving') actions.push({ kind: 'serve-stop', reason });
      actions.push({ kind: 'deadman', deadline: null });
      actions.push({ kind: 'holder-change', from: was, to: 'follower', reason, revision: s.key?.revision ?? null, holder: null, at: now });
      if (reason === 'renew-deadline-passed' || reason === 'lease-expired-at-etcd') s.lostLeases += 1;
    }
    s.role = 'follower';
    s.acquiredAt = null;
    s.servingSince = null;
    if (dropLease) {
      s.leaseId = null;
      s.deadline = Number.NEGATIVE_INFINITY;
      s.lastRenewSentAt = null;
    }
  };

  switch (event.kind) {
    case 'grant-ok':
      s.grantInFlight = false;
      s.leaseId = event.leaseId;
      s.lastRenewSentAt = event.sentAt;
      s.deadline = event.sentAt + Math.min(event.ttlMs, s.timings.ttlMs) - s.timings.safetyMarginMs;
      break;
    case 'grant-failed':
      s.grantInFlight = false;
      break;
    case 'renew-ok': {
      s.renewInFlight = false;
      if (event.leaseId !== s.leaseId) break; // an answer about a lease we already gave up
      s.lastRenewLatencyMs = now - event.sentAt;
      if (event.ttlMs <= 0) {
        // etcd says the lease is gone: whatever our clock thinks, the key is no longer ours.
        demote('lease-expired-at-etcd', true);
        break;
      }
      const candidate = event.sentAt + Math.min(event.ttlMs, s.timings.ttlMs) - s.timings.safetyMarginMs;
      // Never extend past what the latest *sent* renewal proves; never shrink on a stale answer.
      if (candidate > s.deadline) s.deadline = candidate;
      if (s.role === 'serving') actions.push({ kind: 'deadman', deadline: s.deadline });
      break;
    }
    case 'renew-failed':
      s.renewInFlight = false;
      break;
    case 'campaign-result':
      s.campaignInFlight = false;
      s.key = event.key;
      if (event.won && s.leaseId !== null && event.key.leaseId === s.leaseId && s.role === 'follower' && now < s.deadline) {
        s.role = 'acquired';
        s.acquiredAt = now;
        actions.push({ kind: 'holder-change', from: 'follower', to: 'acquired', reason: 'won the leader key', revision: event.key.revision, holder: s.nodeId, at: now });
      }
      break;
    case 'campaign-failed':
      s.campaignInFlight = false;
      break;
    case 'key-seen':
      s.pollInFlight = false;
      // A read sent before we won says nothing about our tenure (it may predate our key).
      if (s.acquiredAt !== null && event.sentAt < s.acquiredAt) break;
      s.key = event.key;
      if (s.role !== 'follower') {
        if (event.key.holder === null) demote('key-lost', false);
        else if (event.key.holder !== s.nodeId || event.key.leaseId !== s.leaseId) demote('key-taken-by-other', false);
      }
      break;
    case 'poll-failed':
      s.pollInFlight = false;
      break;
    case 'gateway-seen':
      s.gatewayCheckInFlight = false;
      if (event.reachable) s.gatewayReachableAt = Math.max(s.gatewayReachableAt ?? event.sentAt, event.sentAt);
      if (event.ready) s.gatewayReadyAt = Math.max(s.gatewayReadyAt ?? event.sentAt, event.sentAt);
      if (event.reachable) s.gatewayHot = event.hot === true;
      break;
    case 'shutdown':
      demote('shutdown', true);
      if (prev.leaseId !== null) actions.push({ kind: 'revoke', leaseId: prev.leaseId });
      return { state: s, actions };
    case 'tick':
      break;
  }

  // The deadline rule comes first on every step: a late answer or a stalled loop lands here.
  if (s.leaseId !== null && now >= s.deadline) {
    demote('renew-deadline-passed', true);
  }

  const g = s.timings.gateway;
  if (g && s.role === 'serving' && s.servingSince !== null && s.leaseId !== null) {
    const unreachable = now - (s.gatewayReachableAt ?? Number.NEGATIVE_INFINITY) >= g.unreachableMs;
    const notReady = now - Math.max(s.gatewayReadyAt ?? Number.NEGATIVE_INFINITY, s.servingSince) >= g.notReadyMs;
    if (unreachable || notReady) {
      const leaseId = s.leaseId;
      demote('gateway-unhealthy', true);
      actions.push({ kind: 'resign', leaseId });
      s.cooldownUntil = now + g.cooldownMs;
    }
  }

  if (s.role === 'acquired' && s.acquiredAt !== null && now - s.acquiredAt >= s.timings.graceMs && now < s.deadline) {
    s.role = 'serving';
    s.servingSince = now;
    actions.push({ kind: 'holder-change', from: 'acquired', to: 'serving', reason: `grace of ${s.timings.graceMs} ms over`, revision: s.key?.revision ?? null, holder: s.nodeId, at: now });
    actions.push({ kind: 'serve-start' });
    actions.push({ kind: 'deadman', deadline: s.deadline });
  }

  s = schedule(s, now, actions);
  return { state: s, actions };
}

function schedule(s: LeaseState, now: number, actions: LeaseAction[]): LeaseState {
  const t = s.timings;
  const gw = t.gateway;
  if (gw && !s.gatewayCheckInFlight && (s.lastGatewayCheckAt === null || now - s.lastGatewayCheckAt >= gw.checkEveryMs)) {
    s.gatewayCheckInFlight = true;
    s.lastGatewayCheckAt = now;
    actions.push({ kind: 'gateway-check' });
  }
  if (s.leaseId === null) {
    if (!s.grantInFlight) {
      s.grantInFlight = true;
      actions.push({ kind: 'grant' });
    }
    return s;
  }
  if (!s.renewInFlight && (s.lastRenewSentAt === null || now - s.lastRenewSentAt >= t.renewEveryMs)) {
    s.renewInFlight = true;
    s.lastRenewSentAt = now;
    actions.push({ kind: 'renew', leaseId: s.leaseId });
  }
  if (!s.pollInFlight && (s.lastPollAt === null || now - s.lastPollAt >= t.pollEveryMs)) {
    s.pollInFlight = true;
    s.lastPollAt = now;
    actions.push({ kind: 'poll' });
  }
  const g = t.gateway;
  // A node whose gateway container is gone (or that just resigned) stays out of the election;
  // with a hot gateway, also one whose gateway is not up yet: a takeover must be a switch, and
  // a node that is ready now beats one that would still be booting.
  const recent = (at: number | null): boolean => g !== undefined && at !== null && now - at < g.unreachableMs;
  const fit = !g || (now >= s.cooldownUntil && recent(s.gatewayReachableAt) && (!s.gatewayHot || recent(s.gatewayReadyAt)));
  // Campaign when the key is seen free; only with a lease that still has time left.
  if (fit && s.role === 'follower' && !s.campaignInFlight && s.key !== null && s.key.holder === null && now < s.deadline) {
    s.campaignInFlight = true;
    actions.push({ kind: 'campaign', leaseId: s.leaseId });
  }
  return s;
}

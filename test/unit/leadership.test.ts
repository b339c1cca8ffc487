// The leadership rules one by one, with an injected monotonic clock.
import { describe, expect, it } from 'vitest';
import { initialLeaseState, mayServe, stepLease, timingProblems, type LeaseAction, type LeaseEvent, type LeaseState } from '../../src/lease/leadership.ts';
import { DEFAULT_LEASE_TIMINGS as T } from '../../src/lease/lease-settings.ts';

const kinds = (a: LeaseAction[]): string[] => a.map((x) => x.kind);

function drive(events: [number, LeaseEvent][], start: LeaseState = initialLeaseState('n1', T)): { s: LeaseState; log: [number, LeaseAction[]][] } {
  let s = start;
  const log: [number, LeaseAction[]][] = [];
  for (const [now, e] of events) {
    const step = stepLease(s, e, now);
    s = step.state;
    log.push([now, step.actions]);
  }
  return { s, log };
}

/** Granted at 0, key seen free at 10, won at 20: the node is in its grace period. */
const won = (): LeaseState =>
  drive([
    [0, { kind: 'tick' }],
    [5, { kind: 'grant-ok', leaseId: 'L1', ttlMs: 10_000, sentAt: 0 }],
    [10, { kind: 'key-seen', sentAt: 6, key: { holder: null, leaseId: null, revision: 1 } }],
    [20, { kind: 'campaign-result', sentAt: 10, won: true, key: { holder: 'n1', leaseId: 'L1', revision: 2 } }],
  ]).s;

describe('stepLease', () => {
  it('grants a lease first, then polls, then campaigns only when the key is free', () => {
    const { log } = drive([
      [0, { kind: 'tick' }],
      [5, { kind: 'grant-ok', leaseId: 'L1', ttlMs: 10_000, sentAt: 0 }],
      [10, { kind: 'key-seen', sentAt: 6, key: { holder: 'n2', leaseId: 'L9', revision: 4 } }],
      [1_100, { kind: 'key-seen', sentAt: 1_006, key: { holder: null, leaseId: null, revision: 5 } }],
    ]);
    expect(kinds(log[0]?.[1] ?? [])).toEqual(['grant']);
    expect(kinds(log[1]?.[1] ?? [])).toContain('poll');
    expect(kinds(log[2]?.[1] ?? [])).not.toContain('campaign');
    expect(kinds(log[3]?.[1] ?? [])).toContain('campaign');
  });

  it('waits the grace after winning before serving', () => {
    const s = won();
    expect(s.role).toBe('acquired');
    expect(mayServe(s, 21)).toBe(false);
    const early = stepLease(s, { kind: 'tick' }, 20 + T.graceMs - 1);
    expect(kinds(early.actions)).not.toContain('serve-start');
    const late = stepLease(early.state, { kind: 'tick' }, 20 + T.graceMs);
    expect(kinds(late.actions)).toEqual(expect.arrayContaining(['serve-start', 'deadman', 'holder-change']));
    expect(mayServe(late.state, 20 + T.graceMs)).toBe(true);
  });

  it('counts the deadline from when the renewal was sent, not when it was answered', () => {
    let s = stepLease(won(), { kind: 'tick' }, 2_100).state;
    const sent = T.renewEveryMs; // the grant was sent at 0: the first renewal goes out one interval later
    s = stepLease(s, { kind: 'tick' }, sent).state;
    expect(s.renewInFlight).toBe(true);
    const answered = stepLease(s, { kind: 'renew-ok', leaseId: 'L1', ttlMs: 10_000, sentAt: sent }, 7_500);
    expect(answered.state.deadline).toBe(sent + 10_000 - T.safetyMarginMs);
    expect(answered.actions).toContainEqual({ kind: 'deadman', deadline: sent + 8_000 });
    expect(answered.state.lastRenewLatencyMs).toBe(7_500 - sent);
  });

  it('stops serving at sent + TTL - margin when no renewal got through, and counts a lost lease', () => {
    let s = stepLease(won(), { kind: 'tick' }, 2_100).state;
    expect(s.role).toBe('serving');
    s = stepLease(s, { kind: 'tick' }, 3_000).state;
    s = stepLease(s, { kind: 'renew-failed', leaseId: 'L1', sentAt: 3_000, error: 'timeout' }, 5_000).state;
    const before = stepLease(s, { kind: 'tick' }, 7_999);
    expect(before.state.role).toBe('serving');
    const at = stepLease(before.state, { kind: 'tick' }, 8_000);
    expect(at.actions).toContainEqual({ kind: 'serve-stop', reason: 'renew-deadline-passed' });
    expect(at.actions).toContainEqual({ kind: 'deadman', deadline: null });
    expect(at.state.role).toBe('follower');
    expect(at.state.leaseId).toBeNull();
    expect(at.state.lostLeases).toBe(1);
    expect(kinds(at.actions)).toContain('grant');
  });

  it('a late answer after a stalled loop cannot revive a lease whose deadline passed', () => {
    let s = stepLease(won(), { kind: 'tick' }, 2_100).state;
    s = stepLease(s, { kind: 'tick' }, 3_000).state;
    const late = stepLease(s, { kind: 'renew-ok', leaseId: 'L1', ttlMs: 10_000, sentAt: 3_000 }, 20_000);
    expect(late.state.role).toBe('follower');
    expect(late.actions).toContainEqual({ kind: 'serve-stop', reason: 'renew-deadline-passed' });
  });

  it('steps down at once when etcd answers that the lease is gone (TTL 0)', () => {
    let s = stepLease(won(), { kind: 'tick' }, 2_100).state;
    s = stepLease(s, { kind: 'tick' }, 3_000).state;
    const gone = stepLease(s, { kind: 'renew-ok', leaseId: 'L1', ttlMs: 0, sentAt: 3_000 }, 3_010);
    expect(gone.actions).toContainEqual({ kind: 'serve-stop', reason: 'lease-expired-at-etcd' });
  });

  it('steps down when the key shows another holder, but ignores reads sent before it won', () => {
    const s = stepLease(won(), { kind: 'tick' }, 2_100).state;
    const stale = stepLease(s, { kind: 'key-seen', sentAt: 15, key: { holder: null, leaseId: null, revision: 1 } }, 2_200);
    expect(stale.state.role).toBe('serving');
    const taken = stepLease(s, { kind: 'key-seen', sentAt: 2_150, key: { holder: 'n2', leaseId: 'L7', revision: 9 } }, 2_200);
    expect(taken.actions).toContainEqual({ kind: 'serve-stop', reason: 'key-taken-by-other' });
  });

  it('revokes its lease on shutdown and stops serving first', () => {
    const s = stepLease(won(), { kind: 'tick' }, 2_100).state;
    const down = stepLease(s, { kind: 'shutdown' }, 2_200);
    expect(kinds(down.actions)).toEqual(['serve-stop', 'deadman', 'holder-change', 'revoke']);
  });

  it('does not take the key with a lease past its deadline', () => {
    const s = drive([
      [0, { kind: 'tick' }],
      [5, { kind: 'grant-ok', leaseId: 'L1', ttlMs: 10_000, sentAt: 0 }],
    ]).s;
    const r = stepLease(s, { kind: 'campaign-result', sentAt: 10, won: true, key: { holder: 'n1', leaseId: 'L1', revision: 2 } }, 9_000);
    expect(r.state.role).toBe('follower');
  });
});

describe('timingProblems', () => {
  it('accepts the defaults and names each broken rule', () => {
    expect(timingProblems(T, 1_000)).toEqual([]);
    const p = timingProblems({ ...T, renewEveryMs: 5_000, safetyMarginMs: 500, graceMs: 500 }, 1_000);
    expect(p).toHaveLength(3);
    expect(p.join('\n')).toMatch(/renewal every 5000 ms/);
    expect(p.join('\n')).toMatch(/safety margin 500 ms must exceed/);
    expect(p.join('\n')).toMatch(/grace 500 ms must exceed/);
  });
});

describe('gateway rules (a holder whose gateway cannot serve resigns)', () => {
  const G = { ...T, gateway: { checkEveryMs: 1_000, unreachableMs: 3_000, notReadyMs: 30_000, cooldownMs: 15_000 } };
  const granted = (): LeaseState =>
    drive(
      [
        [0, { kind: 'tick' }],
        [5, { kind: 'grant-ok', leaseId: 'L1', ttlMs: 10_000, sentAt: 0 }],
      ],
      initialLeaseState('n1', G),
    ).s;

  it('does not campaign while its gateway container does not answer', () => {
    const free = { kind: 'key-seen' as const, sentAt: 6, key: { holder: null, leaseId: null, revision: 1 } };
    expect(kinds(stepLease(granted(), free, 10).actions)).not.toContain('campaign');
    const seen = stepLease(granted(), { kind: 'gateway-seen', sentAt: 8, reachable: true, ready: false }, 9).state;
    expect(kinds(stepLease(seen, free, 10).actions)).toContain('campaign');
  });

  it('with a hot gateway, campaigns only while that gateway is ready (a takeover must be a switch, not a boot)', () => {
    const free = { kind: 'key-seen' as const, sentAt: 6, key: { holder: null, leaseId: null, revision: 1 } };
    const booting = stepLease(granted(), { kind: 'gateway-seen', sentAt: 8, reachable: true, ready: false, hot: true }, 9).state;
    expect(kinds(stepLease(booting, free, 10).actions)).not.toContain('campaign');
    const ready = stepLease(booting, { kind: 'gateway-seen', sentAt: 1_000, reachable: true, ready: true, hot: true }, 1_001).state;
    expect(kinds(stepLease(ready, free, 1_002).actions)).toContain('campaign');
    // Still answering but not ready for more than GATEWAY_UNREACHABLE_AFTER: not fit any more.
    const stale = stepLease(ready, { kind: 'gateway-seen', sentAt: 3_500, reachable: true, ready: false, hot: true }, 3_501).state;
    expect(kinds(stepLease(stale, free, 4_100).actions)).not.toContain('campaign');
    // The same in the cold mode: answering is enough.
    const cold = stepLease(ready, { kind: 'gateway-seen', sentAt: 3_500, reachable: true, ready: false }, 3_501).state;
    expect(kinds(stepLease(cold, free, 4_100).actions)).toContain('campaign');
  });

  it('resigns (key and lease) when its gateway container stops answering, then sits out the cooldown', () => {
    let s = stepLease(granted(), { kind: 'gateway-seen', sentAt: 8, reachable: true, ready: true }, 9).state;
    s = stepLease(s, { kind: 'key-seen', sentAt: 9, key: { holder: null, leaseId: null, revision: 1 } }, 10).state;
    s = stepLease(s, { kind: 'campaign-result', sentAt: 10, won: true, key: { holder: 'n1', leaseId: 'L1', revision: 2 } }, 20).state;
    s = stepLease(s, { kind: 'gateway-seen', sentAt: 1_000, reachable: true, ready: true }, 1_001).state;
    s = stepLease(s, { kind: 'tick' }, 2_100).state;
    expect(s.role).toBe('serving');
    const r = stepLease(s, { kind: 'tick' }, 4_000);
    expect(r.actions).toContainEqual({ kind: 'serve-stop', reason: 'gateway-unhealthy' });
    expect(r.actions).toContainEqual({ kind: 'resign', leaseId: 'L1' });
    expect(r.state.cooldownUntil).toBe(19_000);
  });
});

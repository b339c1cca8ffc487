// The rules that hold a transition back, on the injected clock: the partition guard (witnesses),
// flap damping (hold-down after repeated cycles), MIN_PROMOTED, and the re-start backoff reset.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dampingView, holdDownMs } from '../../src/decision/damping.ts';
import type { Observation, Policy, State } from '../../src/decision/model.ts';
import {
  FULL_OK,
  actionFinished,
  demotionFinished,
  events,
  fail,
  gatewayDown,
  gatewayUp,
  ok,
  policy,
  promotionFinished,
  reachDemoting,
  reachPromoted,
  repeat,
  run,
  step,
  types,
  watchingState,
} from './decide-fixtures.ts';
import type { RunResult } from './decide-fixtures.ts';

const WITNESS_A = 'http://witness-a:8080/';
const WITNESS_B = 'https://***:***@witness-b/';

function witnessed(answered: string[], total = 2, detail?: string): Observation {
  return detail === undefined ? { type: 'witnesses-checked', answered, total } : { type: 'witnesses-checked', answered, total, detail };
}

const GUARDED = policy({ partitionGuard: true });

describe('partition guard', () => {
  it('at the failure threshold it asks the witnesses instead of promoting, once', () => {
    const r = run(watchingState(GUARDED), [fail, fail, fail, fail, fail]);
    expect(r.state.phase).toBe('watching');
    expect(types(r.actions)).toEqual(['check-witnesses']);
    expect(events(r.decisions)).toEqual(['primary-probe-failed', 'primary-probe-failed', 'check-witnesses', 'primary-probe-failed', 'primary-probe-failed']);
    expect(r.state.partitionGuard).toEqual({ checking: true, lastCheck: null });
  });

  it('a witness answered: promotes, and says which in the reason and /status', () => {
    const r = run(watchingState(GUARDED), [fail, fail, fail, witnessed([WITNESS_A, WITNESS_B])]);
    expect(r.state.phase).toBe('promoting');
    expect(types(r.actions)).toEqual(['check-witnesses', 'persist', 'promote']);
    expect(r.state.transition?.reason).toContain(`2/2 witness(es) answered (${WITNESS_A}, ${WITNESS_B})`);
    expect(r.state.partitionGuard.checking).toBe(false);
    expect(r.state.partitionGuard.lastCheck).toMatchObject({ at: r.next - 1_000, reachable: true, answered: [WITNESS_A, WITNESS_B] });
    expect(r.state.partitionGuard.lastCheck?.reason).toContain('promoting');
  });

  it('no witness answered: does not promote, keeps watching and re-checks on the next failed probe', () => {
    const r = run(watchingState(GUARDED), [fail, fail, fail, witnessed([], 2, 'all timed out after 2000 ms'), fail]);
    expect(r.state.phase).toBe('watching');
    expect(types(r.actions)).toEqual(['check-witnesses', 'check-witnesses']);
    const withheld = r.decisions.find((d) => d.value.event === 'promotion-withheld');
    expect(withheld?.value.level).toBe('warn');
    expect(withheld?.value.reason).toContain('no witness answered (0/2: all timed out after 2000 ms)');
    expect(withheld?.value.reason).toContain('isolated');
    expect(r.state.partitionGuard.lastCheck).toMatchObject({ reachable: false, answered: [] });
  });

  it('witnesses coming back after an isolation: the next check promotes', () => {
    const r = run(watchingState(GUARDED), [fail, fail, fail, witnessed([]), fail, witnessed([]), fail, witnessed([WITNESS_A])]);
    expect(r.state.phase).toBe('promoting');
    expect(events(r.decisions).filter((e) => e === 'promotion-withheld')).toHaveLength(2);
    expect(types(r.actions).filter((t) => t === 'promote')).toHaveLength(1);
  });

  it('the primary answers again while the witnesses are asked: no promotion, whatever they say', () => {
    for (const answered of [[WITNESS_A], []]) {
      const r = run(watchingState(GUARDED), [fail, fail, fail, ok, witnessed(answered)]);
      expect(r.state.phase).toBe('watching');
      expect(types(r.actions)).toEqual(['check-witnesses']);
      expect(r.decisions.at(-1)?.value).toMatchObject({ event: 'witnesses-checked', level: 'info' });
      expect(r.state.partitionGuard.lastCheck?.reason).toContain('primary answered again meanwhile');
    }
  });

  it('a late answer in another phase is recorded and changes nothing else', () => {
    const promoted = reachPromoted(policy());
    const s = step(promoted.state, witnessed([WITNESS_A]), promoted.next);
    expect(s.actions).toEqual([]);
    expect(s.state.phase).toBe('promoted');
  });

  it('without witnesses (the default) the threshold promotes at once, as before', () => {
    const r = run(watchingState(policy({ partitionGuard: false })), [fail, fail, fail]);
    expect(types(r.actions)).toEqual(['persist', 'promote']);
  });

  it('the primary dies again while the standby is being demoted: the witnesses are asked first', () => {
    // Reached without the guard (its promotion needs no witness answer), then guarded from here on.
    const demoting = reachDemoting(policy());
    const r = run({ ...demoting.state, policy: GUARDED }, [fail, fail, fail, demotionFinished(true)], demoting.next);
    expect(r.state.phase).toBe('watching');
    expect(types(r.actions)).toEqual(['persist', 'check-witnesses']);
  });
});

// ---------------------------------------------------------------------------------------------

const DAMPED = policy({ flapWindowMs: 600_000, flapHoldDownMs: 30_000, flapHoldDownMaxMs: 120_000 });

/** One full outage and recovery at 1 probe/s, adapters answering at once. */
function cycle(r: RunResult): RunResult {
  let next = run(r.state, [fail, fail, fail], r.next);
  // Fail until the promotion is decided (a hold-down may delay it), bounded.
  for (let i = 0; i < 1_000 && next.state.phase === 'watching'; i++) next = run(next.state, [fail], next.next);
  expect(next.state.phase).toBe('promoting');
  next = run(next.state, [promotionFinished(FULL_OK, next.next - 500), ok, ok, ok], next.next);
  for (let i = 0; i < 1_000 && next.state.phase === 'promoted'; i++) next = run(next.state, [ok], next.next);
  expect(next.state.phase).toBe('demoting');
  return run(next.state, [demotionFinished(true)], next.next);
}

describe('flap damping', () => {
  it('the hold-down is 0 for the first cycle, then 30 s doubling per cycle up to the cap', () => {
    let r = run(watchingState(DAMPED), []);
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) {
      r = cycle(r);
      seen.push(holdDownMs(r.state, r.next));
    }
    expect(seen).toEqual([0, 30_000, 60_000, 120_000, 120_000]);
    expect(dampingView(r.state, r.next)).toMatchObject({ recentCycles: 5, holdDownMs: 120_000 });
  });

  it('a held-down promotion waits until the primary has failed that long, then promotes', () => {
    const r = cycle(cycle(run(watchingState(DAMPED), [])));
    const failing = run(r.state, repeat(3, fail), r.next);
    expect(failing.state.phase).toBe('watching');
    expect(events(failing.decisions).at(-1)).toBe('promotion-held-down');
    expect(failing.decisions.at(-1)?.value.reason).toContain('2 promote/demote cycles');
    const streakStart = failing.state.streakStartedAt ?? 0;
    let next = failing;
    for (let i = 0; i < 100 && next.state.phase === 'watching'; i++) next = run(next.state, [fail], next.next);
    const promoteAt = next.actions.find((a) => a.value.type === 'promote')?.at ?? 0;
    expect(promoteAt - streakStart).toBeGreaterThanOrEqual(30_000);
    expect(promoteAt - streakStart).toBeLessThan(31_000 + 1_000);
  });

  it('resets after a quiet FLAP_WINDOW', () => {
    const r = cycle(cycle(cycle(run(watchingState(DAMPED), []))));
    expect(holdDownMs(r.state, r.next)).toBe(60_000);
    expect(holdDownMs(r.state, r.next + 600_000)).toBe(0);
    // And the next outage after the quiet window promotes at the plain threshold.
    const later = run(r.state, [fail, fail, fail], r.next + 600_000);
    expect(types(later.actions)).toEqual(['persist', 'promote']);
  });

  it('FLAP_WINDOW=0 disables it: every outage promotes at the threshold', () => {
    let r = run(watchingState(policy({ flapWindowMs: 0 })), []);
    for (let i = 0; i < 6; i++) r = cycle(r);
    expect(holdDownMs(r.state, r.next)).toBe(0);
    expect(r.state.recentCycles.length).toBeLessThanOrEqual(1);
  });
});

describe('MIN_PROMOTED', () => {
  const MIN = policy({ minPromotedMs: 10_000 });

  it('holds the demotion back while the promotion is younger, then demotes on the next healthy probe', () => {
    const promoted = reachPromoted(MIN);
    const promotedAt = promoted.state.phaseSince;
    let r = run(promoted.state, [ok, ok, ok], promoted.next);
    expect(r.state.phase).toBe('promoted');
    expect(r.decisions.at(-1)?.value).toMatchObject({ event: 'demotion-held', level: 'info' });
    expect(dampingView(r.state, r.next).demotionAllowedAt).toBe(promotedAt + 10_000);
    for (let i = 0; i < 100 && r.state.phase === 'promoted'; i++) r = run(r.state, [ok], r.next);
    const demoteAt = r.actions.find((a) => a.value.type === 'demote')?.at ?? 0;
    expect(demoteAt).toBeGreaterThanOrEqual(promotedAt + 10_000);
    expect(demoteAt).toBeLessThan(promotedAt + 10_000 + 1_000);
  });

  it('a failure while held restarts the recovery count', () => {
    const promoted = reachPromoted(MIN);
    const r = run(promoted.state, [...repeat(8, ok), fail, ok, ok, ok, ok, ok], promoted.next);
    // Demoted on the 3rd healthy probe after the failure, past MIN_PROMOTED.
    expect(events(r.decisions)).toContain('demote');
    const demoteIndex = r.steps.findIndex((s) => s.step.actions.some((a) => a.type === 'demote'));
    expect(demoteIndex).toBe(11);
  });

  it('the primary back while the standby booted: the promotion is cancelled, MIN_PROMOTED does not hold it (the standby never served)', () => {
    const r = run(watchingState(MIN), [fail, fail, fail, ok, ok, ok]);
    expect(r.state.phase).toBe('demoting');
    expect(types(r.actions)).toEqual(['persist', 'promote', 'abort-promotion', 'persist', 'demote']);
    // The promotion's own report, if it still arrives, is stale.
    const s = step(r.state, promotionFinished(FULL_OK, r.next - 500), r.next);
    expect(s.state.phase).toBe('demoting');
    expect(types(s.actions)).toEqual([]);
  });

  it('…but below RECOVER_THRESHOLD the promotion finishes and then lasts MIN_PROMOTED', () => {
    const r = run(watchingState(MIN), [fail, fail, fail, ok, ok]);
    const s = step(r.state, promotionFinished(FULL_OK, r.next - 500), r.next);
    expect(s.state.phase).toBe('promoted');
    const later = run(s.state, [ok, ok, ok], r.next);
    expect(later.state.phase).toBe('promoted');
    expect(events(later.decisions)).toContain('demotion-held');
  });
});

describe('re-start backoff reset after a stable run', () => {
  const p = policy({ restartStableMs: 10_000 });

  function crashAndRestart(r: RunResult): RunResult {
    const down = run(r.state, [gatewayDown('die')], r.next);
    let next = down;
    for (let i = 0; i < 200 && !next.actions.some((a) => a.value.type === 'start-gateway'); i++) next = run(next.state, [fail], next.next);
    expect(next.state.pendingGatewayAction).toBe('start');
    return run(next.state, [actionFinished('start', true)], next.next);
  }

  it('restartAttempts grows across quick crashes and resets once the gateway ran RESTART_STABLE', () => {
    let r = crashAndRestart(crashAndRestart(reachPromoted(p)));
    expect(r.state.restartAttempts).toBe(2);
    r = run(r.state, repeat(9, fail), r.next);
    expect(r.state.restartAttempts).toBe(2);
    r = run(r.state, [gatewayUp(), fail], r.next);
    expect(r.state.restartAttempts).toBe(0);
    // The next crash is re-started after the base delay again.
    r = crashAndRestart(r);
    expect(r.state.restartAttempts).toBe(1);
  });

  it('a gateway that keeps crashing never resets it', () => {
    let r = reachPromoted(p);
    for (let i = 0; i < 5; i++) r = crashAndRestart(r);
    expect(r.state.restartAttempts).toBe(5);
  });
});

// ---------------------------------------------------------------------------------------------

/**
 * The bound flap damping guarantees (see README "Flap damping"): inside any FLAP_WINDOW, the i-th
 * promotion (i ≥ 3) needs the primary to have failed for hold-down(i) after the previous demotion,
 * and those waits do not overlap, so promotions per window ≤ 2 + max{k : Σ_{j<k} min(B·2^j, M) ≤ W}.
 */
function promotionsPerWindowBound(p: Policy): number {
  let k = 0;
  let sum = 0;
  while (sum + Math.min(p.flapHoldDownMs * 2 ** k, p.flapHoldDownMaxMs) <= p.flapWindowMs) {
    sum += Math.min(p.flapHoldDownMs * 2 ** k, p.flapHoldDownMaxMs);
    k++;
  }
  return 2 + k;
}

/** A flapping primary: alternating runs of healthy and failing probes, 1 probe/s, prompt adapters. */
function flapping(p: Policy, runs: Array<{ up: number; down: number }>): { promotions: number[]; demotions: number[]; end: State } {
  let state = watchingState(p);
  let now = state.phaseSince;
  const promotions: number[] = [];
  const demotions: number[] = [];
  const feed = (observation: Observation): void => {
    const s = step(state, observation, now);
    state = s.state;
    for (const action of s.actions) {
      if (action.type === 'promote') {
        promotions.push(now);
        feed(promotionFinished(FULL_OK, now - 500));
      }
      if (action.type === 'demote') {
        demotions.push(now);
        feed(demotionFinished(true));
      }
    }
  };
  for (const { up, down } of runs) {
    for (let i = 0; i < up; i++, now += 1_000) feed(ok(now));
    for (let i = 0; i < down; i++, now += 1_000) feed(fail(now));
  }
  return { promotions, demotions, end: state };
}

function maxInWindow(times: number[], windowMs: number): number {
  let best = 0;
  for (let i = 0; i < times.length; i++) {
    const start = times[i] ?? 0;
    best = Math.max(best, times.filter((t) => t >= start && t < start + windowMs).length);
  }
  return best;
}

describe('bounded transitions for any flapping pattern (fast-check)', () => {
  const pattern = fc.array(fc.record({ up: fc.integer({ min: 1, max: 30 }), down: fc.integer({ min: 1, max: 30 }) }), { minLength: 1, maxLength: 300 });

  it('promotions per FLAP_WINDOW never exceed the hold-down bound (MIN_PROMOTED off: the hold-down alone)', () => {
    const p = policy({ flapWindowMs: 600_000, flapHoldDownMs: 30_000, flapHoldDownMaxMs: 600_000 });
    const bound = promotionsPerWindowBound(p);
    expect(bound).toBe(6);
    fc.assert(
      fc.property(pattern, (runs) => {
        const { promotions, demotions } = flapping(p, runs);
        expect(maxInWindow(promotions, p.flapWindowMs)).toBeLessThanOrEqual(bound);
        expect(demotions.length).toBeLessThanOrEqual(promotions.length);
      }),
      { numRuns: 200 },
    );
  });

  it('without damping the same patterns do flap (the bound above is not vacuous)', () => {
    const p = policy({ flapWindowMs: 0 });
    const runs = Array.from({ length: 60 }, () => ({ up: 3, down: 3 }));
    expect(maxInWindow(flapping(p, runs).promotions, 600_000)).toBeGreaterThan(20);
    const damped = policy({ flapWindowMs: 600_000, flapHoldDownMs: 30_000, flapHoldDownMaxMs: 600_000 });
    expect(maxInWindow(flapping(damped, runs).promotions, 600_000)).toBeLessThanOrEqual(promotionsPerWindowBound(damped));
  });

  it('with MIN_PROMOTED every promotion lasts at least that long before its demotion', () => {
    const p = policy({ minPromotedMs: 60_000, flapWindowMs: 600_000 });
    fc.assert(
      fc.property(pattern, (runs) => {
        const { promotions, demotions } = flapping(p, runs);
        demotions.forEach((d, i) => expect(d - (promotions[i] ?? Infinity)).toBeGreaterThanOrEqual(60_000));
      }),
      { numRuns: 100 },
    );
  });
});

// Longer stories told through decide(): a flapping primary, a primary that comes back while the
// standby boots or dies again while it stops, a whole outage end to end, and the races between
// reconcile actions and transitions.
import { describe, expect, it } from 'vitest';
import { initialState } from '../../src/decision/decide.ts';
import type { Action, Observation, State } from '../../src/decision/model.ts';
import {
  LATENCY_MS,
  POLICY,
  STEP_MS,
  T0,
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
  reachPromoting,
  repeat,
  run,
  step,
  types,
  watchingState,
} from './decide-fixtures.ts';
import type { ObservationAt, ReportShape } from './decide-fixtures.ts';

/**
 * Feeds probes like run(), but plays the promote/demote adapters at once: a `promote` action is
 * answered by promotion-finished (with `shape`), a `demote` by demotion-finished(ok), right after.
 */
function runWithAdapters(
  start: State,
  probes: ObservationAt[],
  shape: ReportShape = { sync: 'ok', start: 'ok', ready: 'ok' },
): { state: State; actions: Array<{ at: number; type: Action['type'] }>; maxFailures: number; maxSuccesses: number } {
  let state = start;
  let now = T0;
  let maxFailures = 0;
  let maxSuccesses = 0;
  const actions: Array<{ at: number; type: Action['type'] }> = [];
  const feed = (observation: Observation): void => {
    const s = step(state, observation, now);
    state = s.state;
    maxFailures = Math.max(maxFailures, state.consecutiveFailures);
    maxSuccesses = Math.max(maxSuccesses, state.consecutiveSuccesses);
    for (const a of s.actions) actions.push({ at: now, type: a.type });
    for (const a of s.actions) {
      if (a.type === 'promote') feed(promotionFinished(shape, now));
      if (a.type === 'demote') feed(demotionFinished(true));
    }
  };
  for (const probe of probes) {
    feed(typeof probe === 'function' ? probe(now) : probe);
    now += STEP_MS;
  }
  return { state, actions, maxFailures, maxSuccesses };
}

// ---------------------------------------------------------------------------------------------

describe('a flapping primary', () => {
  it.each([2, 3, 5])('alternating fail/ok 10 000 times never promotes (failThreshold %i)', (n) => {
    const r = runWithAdapters(watchingState(policy({ failThreshold: n })), repeat(5_000, fail, ok));
    expect(r.actions).toEqual([]);
    expect(r.maxFailures).toBe(1);
    expect(r.state.phase).toBe('watching');
  });

  it('fail, fail, ok repeated 1000 times with threshold 3: zero promotions', () => {
    const r = runWithAdapters(watchingState(), repeat(1_000, fail, fail, ok));
    expect(r.actions).toEqual([]);
    expect(r.maxFailures).toBe(2);
    expect(r.state.phase).toBe('watching');
  });

  it('three fails then three oks, 50 times: exactly one promotion and one demotion per down-period', () => {
    const r = runWithAdapters(watchingState(), repeat(50, fail, fail, fail, ok, ok, ok));
    const promotes = r.actions.filter((a) => a.type === 'promote');
    const demotes = r.actions.filter((a) => a.type === 'demote');
    expect(promotes).toHaveLength(50);
    expect(demotes).toHaveLength(50);
    // Each promotion is decided on the third failure of its cycle, each demotion on the third ok.
    expect(promotes.map((a) => a.at)).toEqual(Array.from({ length: 50 }, (_, i) => T0 + (6 * i + 2) * STEP_MS));
    expect(demotes.map((a) => a.at)).toEqual(Array.from({ length: 50 }, (_, i) => T0 + (6 * i + 5) * STEP_MS));
    // One cycle's actions: persist+promote, persist (promoted), persist+demote, persist (demoted).
    expect(r.actions.map((a) => a.type)).toEqual(
      repeat(50, 'persist', 'promote', 'persist', 'persist', 'demote', 'persist'),
    );
    expect(r.state.phase).toBe('watching');
  });

  it('two fails then two oks with both thresholds 3: never any transition', () => {
    const r = runWithAdapters(watchingState(), repeat(2_000, fail, fail, ok, ok));
    expect(r.actions).toEqual([]);
  });

  it('once promoted, a primary flapping fail/ok never gets the standby demoted', () => {
    const promoted = reachPromoted();
    const r = run(promoted.state, repeat(2_000, ok, fail), promoted.next);
    expect(r.actions).toEqual([]);
    expect(r.state.phase).toBe('promoted');
  });

  it('ok, ok, fail while promoted (threshold 3): never demotes', () => {
    const promoted = reachPromoted();
    const r = run(promoted.state, repeat(1_000, ok, ok, fail), promoted.next);
    expect(r.actions).toEqual([]);
    expect(r.state.phase).toBe('promoted');
  });
});

// ---------------------------------------------------------------------------------------------

describe('the primary recovers while the standby is being promoted', () => {
  it('recoverThreshold healthy probes during promoting: the promotion is cancelled and undone at once', () => {
    const promoting = reachPromoting();
    const twoOk = run(promoting.state, [ok, ok], promoting.next);
    expect(twoOk.state.phase).toBe('promoting');
    expect(twoOk.actions).toEqual([]);

    const at = twoOk.next;
    const s = step(twoOk.state, ok(at), at);
    // Abort first (the runner stops before switching the standby to serving), then the demotion
    // that undoes whatever the promotion got done.
    expect(s.actions).toEqual([{ type: 'abort-promotion', reason: expect.stringContaining('3 consecutive healthy probes') as unknown }, { type: 'persist' }, { type: 'demote' }]);
    expect(s.decisions).toMatchObject([
      { event: 'promotion-cancelled', level: 'warn' },
      { event: 'demote', level: 'warn', transition: { kind: 'demotion', outcome: 'in-progress' } },
    ]);
    expect(s.state).toMatchObject({ phase: 'demoting', phaseSince: at, pendingGatewayAction: null });
    expect(s.state.transition).toMatchObject({ kind: 'demotion', reason: expect.stringMatching(/^promotion cancelled: primary healthy again/) as unknown, streakStartedAt: promoting.next - LATENCY_MS, decidedAt: at });
    // It is a promote/demote cycle for flap damping.
    expect(s.state.recentCycles).toEqual([at]);
  });

  it('a cancelled promotion whose report arrives anyway changes nothing; the demotion settles it', () => {
    const promoting = reachPromoting();
    const r = run(promoting.state, [ok, ok, ok, promotionFinished({ sync: 'failed', start: 'ok', ready: 'failed' }, promoting.next)], promoting.next);
    expect(r.state.phase).toBe('demoting');
    expect(types(r.actions)).toEqual(['abort-promotion', 'persist', 'demote']);
    const done = step(r.state, demotionFinished(true), r.next);
    expect(done.state.phase).toBe('watching');
    expect(done.decisions.map((d) => d.event)).toEqual(['demoted']);
  });

  it('MIN_PROMOTED does not hold a cancellation: the standby never served', () => {
    const promoting = reachPromoting(policy({ minPromotedMs: 600_000 }));
    const r = run(promoting.state, [ok, ok, ok], promoting.next);
    expect(r.state.phase).toBe('demoting');
    expect(events(r.decisions)).toEqual(['promotion-cancelled', 'demote']);
  });

  it('below recoverThreshold: promoted, and the next healthy probe demotes', () => {
    const promoting = reachPromoting();
    const r = run(promoting.state, [ok, ok, promotionFinished(undefined, promoting.next), ok], promoting.next);
    expect(r.actions.map((a) => [a.at, a.value.type])).toEqual([
      [promoting.next + 2 * STEP_MS, 'persist'],
      [promoting.next + 3 * STEP_MS, 'persist'],
      [promoting.next + 3 * STEP_MS, 'demote'],
    ]);
    expect(events(r.decisions)).toEqual(['promoted', 'demote']);
  });

  it('a recovery interrupted by a failure during promoting does not hand back', () => {
    const promoting = reachPromoting();
    const r = run(promoting.state, [ok, ok, fail, ok, promotionFinished(undefined, promoting.next)], promoting.next);
    expect(r.state.phase).toBe('promoted');
    expect(types(r.actions)).toEqual(['persist']);
  });
});

describe('the primary dies again while the standby is being demoted', () => {
  it.each([true, false])('failThreshold failures during demoting: demotion-finished(ok=%s) promotes at once', (okay) => {
    const demoting = reachDemoting();
    const dying = run(demoting.state, [fail, fail, (now) => fail(now, 'timeout')], demoting.next);
    expect(dying.state.phase).toBe('demoting');
    expect(dying.actions).toEqual([]);

    const at = dying.next;
    const s = step(dying.state, demotionFinished(okay, okay ? undefined : 'stop timed out'), at);
    expect(s.actions).toEqual([{ type: 'persist' }, { type: 'persist' }, { type: 'promote' }]);
    expect(s.decisions).toMatchObject([{ event: okay ? 'demoted' : 'demotion-failed', transition: { kind: 'demotion' } }, { event: 'promote', level: 'warn' }]);
    expect(s.state).toMatchObject({ phase: 'promoting', phaseSince: at, consecutiveFailures: 3 });
    expect(s.state.transition).toMatchObject({
      kind: 'promotion',
      outcome: 'in-progress',
      streakStartedAt: demoting.next - LATENCY_MS,
      decidedAt: at,
      problems: [],
    });
    expect(s.state.transition?.reason).toContain('last: timeout');
  });

  it('below failThreshold: watching, and the next failure promotes', () => {
    const demoting = reachDemoting();
    const r = run(demoting.state, [fail, fail, demotionFinished(true), fail], demoting.next);
    expect(r.actions.map((a) => [a.at, a.value.type])).toEqual([
      [demoting.next + 2 * STEP_MS, 'persist'],
      [demoting.next + 3 * STEP_MS, 'persist'],
      [demoting.next + 3 * STEP_MS, 'promote'],
    ]);
    expect(events(r.decisions).filter((e) => e !== 'primary-probe-failed')).toEqual(['demoted', 'promote']);
  });
});

// ---------------------------------------------------------------------------------------------

describe('a whole outage, end to end', () => {
  it('detect, promote, survive a crash, recover, demote', () => {
    const r = run(watchingState(), [
      gatewayDown(), // T0      the standby is stopped, as it should be
      ok, //             +1 s
      fail, //           +2 s
      (now) => fail(now, 'timeout'), // +3 s
      fail, //           +4 s   → promote
      fail, //           +5 s   probes keep failing while the standby boots
      promotionFinished({ sync: 'ok', start: 'ok', ready: 'ok' }, T0 + 5_000), // +6 s → promoted
      fail, //           +7 s
      gatewayDown('die event'), // +8 s → restart
      actionFinished('start', true), // +9 s
      ok, //             +10 s
      ok, //             +11 s
      ok, //             +12 s  → demote
      demotionFinished(true), // +13 s → watching
      ok, //             +14 s
    ]);
    const at = (s: number): number => T0 + s * STEP_MS;
    expect(r.actions.map((a) => [a.at, a.value.type])).toEqual([
      [at(4), 'persist'],
      [at(4), 'promote'],
      [at(6), 'persist'],
      [at(8), 'start-gateway'],
      [at(12), 'persist'],
      [at(12), 'demote'],
      [at(13), 'persist'],
    ]);
    expect(r.decisions.map((d) => [d.at, d.value.event])).toEqual([
      [at(2), 'primary-probe-failed'],
      [at(3), 'primary-probe-failed'],
      [at(4), 'promote'],
      [at(5), 'primary-probe-failed'],
      [at(6), 'promoted'],
      [at(8), 'restart-gateway'],
      [at(10), 'primary-answering'],
      [at(11), 'primary-answering'],
      [at(12), 'demote'],
      [at(13), 'demoted'],
    ]);
    expect(r.state).toMatchObject({
      phase: 'watching',
      gatewayRunning: false,
      consecutiveSuccesses: 4,
      transition: { kind: 'demotion', streakStartedAt: at(10) - LATENCY_MS, decidedAt: at(12), finishedAt: at(13), outcome: 'succeeded' },
    });
  });

  it('a watcher restarted mid-promotion converges without a second promotion', () => {
    const promoting = reachPromoting();
    // The watcher crashed here; the new one reads the persisted phase.
    const restored = initialState(POLICY, promoting.state.phase, promoting.next);
    const r = run(restored, [gatewayUp(), fail, fail, fail, fail, ok, ok, ok, demotionFinished(true)], promoting.next);
    expect(types(r.actions)).toEqual(['persist', 'demote', 'persist']);
    expect(r.state.phase).toBe('watching');
  });
});

// ---------------------------------------------------------------------------------------------
// Races between reconcile actions and transitions. decide() cannot stop an action already sent to
// Docker; what it must do is converge once the truth is observed again.

describe('reconcile actions racing transitions', () => {
  it('a failed demotion leaves the gateway believed running; the next probe reconciles and stops it', () => {
    const demoting = reachDemoting();
    const r = run(demoting.state, [demotionFinished(false, 'timeout'), ok, gatewayUp()], demoting.next);
    expect(r.state.phase).toBe('watching');
    expect(types(r.actions)).toEqual(['persist', 'stop-gateway']);
    // Not on the failure itself (no hot retry loop), but on the very next observation.
    expect(r.actions.at(-1)?.at).toBe(demoting.next + STEP_MS);
  });

  it('a stop in flight when a promotion begins is forgotten; a late success is believed and healed by the next failed probe', () => {
    const r = run(watchingState(), [
      gatewayUp(), // stop-gateway sent
      fail,
      fail,
      fail, // promote: the pending stop is dropped
      promotionFinished(undefined, T0 + 3_000), // promoted, gateway believed running
      actionFinished('stop', true), // the old stop landed after the start
      fail, // → start-gateway
    ]);
    expect(types(r.actions)).toEqual(['stop-gateway', 'persist', 'promote', 'persist', 'start-gateway']);
    expect(r.steps[3]?.step.state).toMatchObject({ phase: 'promoting', pendingGatewayAction: null });
    expect(r.steps[5]?.step.state).toMatchObject({ phase: 'promoted', gatewayRunning: false, pendingGatewayAction: null });
    expect(r.state).toMatchObject({ phase: 'promoted', pendingGatewayAction: 'start' });
  });

  it('a re-start in flight when a demotion begins is forgotten; if it lands afterwards the next observation stops it', () => {
    const promoted = reachPromoted();
    const r = run(
      promoted.state,
      [
        gatewayDown(), // start-gateway sent
        ok,
        ok,
        ok, // demote
        demotionFinished(true), // watching, believed stopped
        actionFinished('start', true), // the old start landed late: believed running
        gatewayUp('start event'), // → stop
      ],
      promoted.next,
    );
    expect(types(r.actions)).toEqual(['start-gateway', 'persist', 'demote', 'persist', 'stop-gateway']);
    expect(r.steps[5]?.step.state).toMatchObject({ phase: 'watching', gatewayRunning: true });
  });

  it('while promoting or demoting, gateway observations never produce reconcile actions', () => {
    const promoting = reachPromoting();
    const a = run(promoting.state, repeat<ObservationAt>(5, gatewayUp(), gatewayDown(), fail, ok), promoting.next);
    expect(a.actions).toEqual([]);
    const demoting = reachDemoting();
    const b = run(demoting.state, repeat<ObservationAt>(5, gatewayUp(), gatewayDown(), fail, ok), demoting.next);
    expect(b.actions).toEqual([]);
  });
});

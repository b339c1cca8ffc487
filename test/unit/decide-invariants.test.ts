// Randomized, seeded (deterministic) simulations of decide() against adapters that behave
// faithfully: every promote / demote / start-gateway / stop-gateway is eventually answered, in a
// random order and with random outcomes, while the gateway crashes or is started behind the
// watcher's back. Invariants are checked after every step against an oracle kept by the test.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { drillRunning, initialState } from '../../src/decision/decide.ts';
import type { Action, Command, HookReport, Observation, Phase, Policy, PromotionReport, State } from '../../src/decision/model.ts';
import type { ProbeFailureReason } from '../../src/probe/probe-result.ts';
import { POLICY, T0, lcg, policy, report, step } from './decide-fixtures.ts';
import type { ReportShape } from './decide-fixtures.ts';

type InFlight = 'promote' | 'demote' | 'start' | 'stop' | 'witness';

interface Stats {
  steps: number;
  promotions: number;
  promotionsFailed: number;
  promotionsCancelled: number;
  demotions: number;
  demotionsFailed: number;
  immediateHandBacks: number;
  restarts: number;
  strayStops: number;
  witnessChecks: number;
  phasesSeen: Set<Phase>;
  /** Operator commands fed, accepted, and the modes / drill outcomes they led to. */
  commands: number;
  accepted: number;
  modesSeen: Set<string>;
  drillsSucceeded: number;
  drillsFailed: number;
}

interface Simulation {
  seed: number;
  steps: number;
  policy: Policy;
  restored: Phase | null;
  /** Mix operator commands (pause, resume, promote, demote, drill) into the observations. */
  commands?: boolean;
}

/** Throws (failing the test) on the first broken invariant, with the step and seed in the message. */
function simulate({ seed, steps, policy: p, restored, commands = false }: Simulation): Stats {
  const rng = lcg(seed);
  let state: State = initialState(p, restored, T0);
  let now = T0;
  // The world as it is, not as the watcher believes it.
  let primaryUp = true;
  let gatewayRunning = restored === 'promoted' || restored === 'promoting';
  const inFlight: InFlight[] = [];
  // The oracle's own streak counters, from the observations alone.
  let failures = 0;
  let successes = 0;
  const stats: Stats = {
    steps: 0,
    promotions: 0,
    promotionsFailed: 0,
    promotionsCancelled: 0,
    demotions: 0,
    demotionsFailed: 0,
    immediateHandBacks: 0,
    restarts: 0,
    strayStops: 0,
    witnessChecks: 0,
    phasesSeen: new Set(),
    commands: 0,
    accepted: 0,
    modesSeen: new Set(),
    drillsSucceeded: 0,
    drillsFailed: 0,
  };

  const check = (condition: boolean, what: string, i: number, observation: Observation): void => {
    if (!condition) {
      throw new Error(`seed ${seed}, step ${i}: ${what}\nobservation: ${JSON.stringify(observation)}\nstate: ${JSON.stringify(state)}`);
    }
  };

  const completion = (): Observation => {
    const index = rng.int(inFlight.length);
    const [kind] = inFlight.splice(index, 1);
    if (kind === undefined) throw new Error('completion() with nothing in flight');
    switch (kind) {
      case 'promote': {
        const shape: ReportShape = {
          sync: rng.chance(0.7) ? 'ok' : rng.chance(0.6) ? 'failed' : 'skipped',
          start: rng.chance(0.85) ? 'ok' : 'failed',
          ready: rng.chance(0.8) ? 'ok' : 'failed',
        };
        if (shape.start === 'failed') shape.ready = 'absent';
        else gatewayRunning = true;
        const r: PromotionReport = report(shape, now - 1_000);
        const hook = randomHook();
        return { type: 'promotion-finished', report: hook ? { ...r, hook } : r };
      }
      case 'demote': {
        const okay = rng.chance(0.85);
        if (okay) gatewayRunning = false;
        // ON_DEMOTE runs only after a successful stop.
        const hook = okay ? randomHook() : undefined;
        return { type: 'demotion-finished', ok: okay, ...(okay ? {} : { error: 'stop timed out' }), ...(hook ? { hook } : {}) };
      }
      case 'witness': {
        // Witnesses answer unless this standby is cut off; a cut standby also loses the primary.
        const answered = rng.chance(primaryUp ? 0.9 : 0.6) ? ['http://witness/'] : [];
        return { type: 'witnesses-checked', answered, total: 1 };
      }
      case 'start':
      case 'stop': {
        const okay = rng.chance(0.8);
        if (okay) gatewayRunning = kind === 'start';
        return { type: 'gateway-action-finished', action: kind, ok: okay, ...(okay ? {} : { error: 'docker error' }) };
      }
    }
  };

  /** A configured hook on a third of the transitions; a fifth of those fail. */
  const randomHook = (): HookReport | undefined => {
    if (!rng.chance(0.33)) return undefined;
    return rng.chance(0.8) ? { ok: true, durationMs: 12 } : { ok: false, durationMs: 30_000, error: 'timed out after 30s' };
  };

  const randomCommand = (): Command => {
    const pick = rng.int(6);
    if (pick === 0) return rng.chance(0.5) ? { name: 'pause', reason: 'maintenance' } : { name: 'pause' };
    if (pick === 1) return { name: 'resume' };
    if (pick === 2) return { name: 'promote', reason: rng.chance(0.9) ? 'primary host maintenance' : ' ' };
    if (pick === 3) return { name: 'demote', reason: rng.chance(0.9) ? 'primary is back' : '' };
    return { name: 'drill' };
  };

  const nextObservation = (): Observation => {
    if (commands && rng.chance(0.03)) return { type: 'command', command: randomCommand() };
    const r = rng.next();
    if (inFlight.length > 0 && r < 0.3) return completion();
    if (r < 0.36) {
      // A crash, or someone starting the container behind the watcher's back.
      if (gatewayRunning) {
        gatewayRunning = false;
        return { type: 'gateway', running: false, source: 'event', detail: 'die' };
      }
      if (rng.chance(0.3)) {
        gatewayRunning = true;
        return { type: 'gateway', running: true, source: 'event', detail: 'start' };
      }
    }
    if (r < 0.45) return { type: 'gateway', running: gatewayRunning, source: 'inspect' };
    if (rng.chance(0.1)) primaryUp = !primaryUp;
    const healthy = primaryUp ? rng.chance(0.92) : rng.chance(0.08);
    const startedAt = now - 30;
    return healthy
      ? { type: 'probe', result: { ok: true, status: 200, latencyMs: 30, startedAt } }
      : { type: 'probe', result: { ok: false, reason: 'timeout', detail: 'no answer', latencyMs: 30, startedAt } };
  };

  for (let i = 0; i < steps; i++) {
    now += 200 + rng.int(1_800);
    const observation = nextObservation();
    const previous = state;
    if (observation.type === 'probe') {
      failures = observation.result.ok ? 0 : failures + 1;
      successes = observation.result.ok ? successes + 1 : 0;
    }

    // (e) decide never throws and never mutates its (deep-frozen) input: step() checks both.
    const s = step(previous, observation, now);
    state = s.state;
    const emitted = s.actions.map((a: Action) => a.type);
    // A cancelled promotion reports nothing (faithful: the watcher aborts its runner); its serving
    // step may have gone through before the abort, which the demotion decided with it undoes.
    if (emitted.includes('abort-promotion')) {
      check(previous.phase === 'promoting' && inFlight.includes('promote'), `abort-promotion in ${previous.phase} with ${inFlight.join(',') || 'nothing'} in flight`, i, observation);
      check(observation.type === 'probe' && observation.result.ok && successes >= p.recoverThreshold, `abort-promotion after only ${successes} successes`, i, observation);
      check(JSON.stringify(emitted) === '["abort-promotion","persist","demote"]', `cancel actions ${emitted.join(',')}`, i, observation);
      inFlight.splice(inFlight.indexOf('promote'), 1);
      if (rng.chance(0.5)) gatewayRunning = true;
      stats.promotionsCancelled++;
    }
    const inFlightBefore = [...inFlight];
    stats.steps++;
    stats.phasesSeen.add(state.phase);

    // (a) At most one transition in flight, and the phase says which.
    const transitionsEmitted = emitted.filter((t) => t === 'promote' || t === 'demote');
    check(transitionsEmitted.length <= 1, `${transitionsEmitted.length} transitions emitted in one step`, i, observation);
    if (transitionsEmitted.length === 1) {
      check(!inFlightBefore.includes('promote') && !inFlightBefore.includes('demote'), 'a transition was emitted while another is in flight', i, observation);
    }
    for (const a of s.actions) {
      if (a.type === 'promote' || a.type === 'demote') inFlight.push(a.type);
      if (a.type === 'start-gateway') inFlight.push('start');
      if (a.type === 'stop-gateway') inFlight.push('stop');
      if (a.type === 'check-witnesses') inFlight.push('witness');
    }
    // Partition guard: at most one check in flight, only ever asked while watching.
    if (emitted.includes('check-witnesses')) {
      stats.witnessChecks++;
      check(p.partitionGuard, 'check-witnesses without witnesses configured', i, observation);
      check(!inFlightBefore.includes('witness'), 'a second check-witnesses while one is in flight', i, observation);
      check(state.phase === 'watching', `check-witnesses in ${state.phase}`, i, observation);
    }
    check(state.partitionGuard.checking === inFlight.includes('witness'), 'partitionGuard.checking disagrees with what is in flight', i, observation);
    const transitionsInFlight = inFlight.filter((t) => t === 'promote' || t === 'demote');
    check(transitionsInFlight.length <= 1, 'more than one transition in flight', i, observation);
    const expectedPhaseInFlight = state.phase === 'promoting' ? ['promote'] : state.phase === 'demoting' ? ['demote'] : [];
    check(JSON.stringify(transitionsInFlight) === JSON.stringify(expectedPhaseInFlight), `phase ${state.phase} but in flight: ${transitionsInFlight.join(',')}`, i, observation);

    // (b) promote only from watching (or a demotion just finished into watching) after ≥ failThreshold
    // consecutive failures as counted by the oracle; symmetric for demote.
    const manual = observation.type === 'command' || previous.mode.kind === 'override';
    if (emitted.includes('promote') && manual) {
      stats.promotions++;
      const byCommand = observation.type === 'command' && (observation.command.name === 'promote' || observation.command.name === 'drill');
      const byOverride = previous.mode.kind === 'override' && previous.mode.target === 'promoted';
      check(byCommand || byOverride, `promote emitted under ${previous.mode.kind} on ${observation.type}`, i, observation);
      check(previous.phase === 'watching', `manual promote from ${previous.phase}`, i, observation);
      check(JSON.stringify(emitted.slice(-2)) === '["persist","promote"]', `promote actions ${emitted.join(',')}`, i, observation);
    } else if (emitted.includes('promote')) {
      stats.promotions++;
      const fromProbe = previous.phase === 'watching' && observation.type === 'probe' && !observation.result.ok;
      const fromDemotion = previous.phase === 'demoting' && observation.type === 'demotion-finished';
      const fromWitness = previous.phase === 'watching' && observation.type === 'witnesses-checked' && observation.answered.length > 0;
      // With witnesses configured, only a witness's answer may promote.
      check(p.partitionGuard ? fromWitness : fromProbe || fromDemotion, `promote emitted from ${previous.phase} on ${observation.type}`, i, observation);
      check(now >= previous.nextPromotionAt || previous.promotionFailures === 0, 'promote inside the retry backoff', i, observation);
      check(failures >= p.failThreshold, `promote after only ${failures} failures`, i, observation);
      check(JSON.stringify(emitted.slice(-2)) === '["persist","promote"]', `promote actions ${emitted.join(',')}`, i, observation);
    }
    const drillDemote = observation.type === 'promotion-finished' && previous.drill?.status === 'promoting' && drillRunning(previous);
    if (emitted.includes('demote') && (manual || drillDemote)) {
      stats.demotions++;
      const byCommand = observation.type === 'command' && observation.command.name === 'demote';
      const byOverride = previous.mode.kind === 'override' && previous.mode.target === 'demoted';
      check(byCommand || byOverride || drillDemote, `demote emitted under ${previous.mode.kind} on ${observation.type}`, i, observation);
      check(previous.phase === 'promoted' || (drillDemote && previous.phase === 'promoting'), `manual or drill demote from ${previous.phase}`, i, observation);
    } else if (emitted.includes('demote')) {
      stats.demotions++;
      const fromProbe = previous.phase === 'promoted' && observation.type === 'probe' && observation.result.ok;
      const fromPromotion = previous.phase === 'promoting' && observation.type === 'promotion-finished';
      const cancelled = previous.phase === 'promoting' && emitted.includes('abort-promotion');
      if (fromPromotion) stats.immediateHandBacks++;
      check(previous.phase !== 'promoted' || now - previous.phaseSince >= p.minPromotedMs, 'demote before MIN_PROMOTED', i, observation);
      check(!drillRunning(previous), 'an automatic demotion during a drill', i, observation);
      check(fromProbe || fromPromotion || cancelled, `demote emitted from ${previous.phase} on ${observation.type}`, i, observation);
      check(successes >= p.recoverThreshold, `demote after only ${successes} successes`, i, observation);
    }
    if (previous.phase === 'promoting' && state.phase === 'watching') stats.promotionsFailed++;
    if (observation.type === 'demotion-finished' && !observation.ok) stats.demotionsFailed++;

    // (c) Reconcile: a running gateway seen while watching is stopped unless a stop is pending;
    // never two stops, never a start while watching, never a stop while promoted.
    if (emitted.includes('stop-gateway')) {
      stats.strayStops++;
      check(previous.phase === 'watching' && state.phase === 'watching', 'stop-gateway outside watching', i, observation);
      check(previous.pendingGatewayAction !== 'stop', 'a second stop-gateway while one is pending', i, observation);
    }
    if (emitted.includes('start-gateway')) {
      stats.restarts++;
      check(previous.phase === 'promoted' && state.phase === 'promoted', 'start-gateway outside promoted', i, observation);
      check(previous.pendingGatewayAction !== 'start', 'a second start-gateway while one is pending', i, observation);
      // resume and override reset the re-start backoff on purpose: the operator asked for it now.
      if (observation.type !== 'command') check(now >= previous.nextRestartAt, 'start-gateway before nextRestartAt', i, observation);
    }
    if (previous.phase === 'watching' && observation.type === 'gateway' && observation.running && previous.mode.kind === 'auto' && !drillRunning(previous)) {
      check(
        emitted.includes('stop-gateway') === (previous.pendingGatewayAction !== 'stop'),
        'a running gateway seen while watching was not stopped (or stopped twice)',
        i,
        observation,
      );
    }
    // The watcher never believes in a pending action that the adapters do not hold.
    if (state.pendingGatewayAction !== null) {
      check(inFlight.includes(state.pendingGatewayAction), `pending ${state.pendingGatewayAction} with nothing in flight`, i, observation);
    }

    // (f) Operator control. Paused: nothing is started, stopped, promoted or demoted (a transition
    // in flight only settles). Override: never against the operator's target. Drills: commands
    // are refused while one runs, it runs only in automatic mode mid-transition, and it succeeds
    // only when promoted, ready, stopped and without a single problem (ON_DEMOTE included).
    stats.modesSeen.add(state.mode.kind === 'override' ? `override-${state.mode.target}` : state.mode.kind);
    if (observation.type === 'command') {
      stats.commands++;
      check(s.reply !== undefined, 'a command without a reply', i, observation);
      if (s.reply?.accepted) stats.accepted++;
      if (drillRunning(previous)) check(s.reply?.accepted === false, 'a command accepted during a drill', i, observation);
    } else {
      check(s.reply === undefined, 'a reply to something that is not a command', i, observation);
      if (previous.mode.kind === 'paused') {
        const acting = emitted.filter((t) => t !== 'persist');
        check(acting.length === 0, `paused, yet ${acting.join(',')}`, i, observation);
      }
      if (previous.mode.kind === 'override') {
        const against = previous.mode.target === 'promoted' ? ['demote', 'stop-gateway', 'check-witnesses'] : ['promote', 'start-gateway', 'check-witnesses'];
        check(!emitted.some((t) => against.includes(t)), `override ${previous.mode.target}, yet ${emitted.join(',')}`, i, observation);
      }
    }
    if (drillRunning(state)) {
      check(state.mode.kind === 'auto', `a drill running in mode ${state.mode.kind}`, i, observation);
      check(state.phase === 'promoting' || state.phase === 'demoting', `a drill running in phase ${state.phase}`, i, observation);
    }
    if (state.drill !== null && state.drill !== previous.drill && (state.drill.status === 'succeeded' || state.drill.status === 'failed')) {
      if (state.drill.status === 'succeeded') {
        stats.drillsSucceeded++;
        check(state.drill.problems.length === 0 && state.drill.readyAt !== undefined && state.drill.stoppedAt !== undefined, `drill succeeded with ${JSON.stringify(state.drill)}`, i, observation);
      } else if (previous.drill?.status !== 'failed') {
        stats.drillsFailed++;
      }
      if (observation.type === 'demotion-finished' && observation.hook?.ok === false) check(state.drill.status === 'failed', 'a failed ON_DEMOTE did not fail the drill', i, observation);
    }

    // (d) Counters are never negative, and agree with the oracle exactly.
    check(state.consecutiveFailures === failures && state.consecutiveSuccesses === successes, `counters ${state.consecutiveFailures}/${state.consecutiveSuccesses}, oracle ${failures}/${successes}`, i, observation);
    check(state.consecutiveFailures >= 0 && state.consecutiveSuccesses >= 0 && state.restartAttempts >= 0, 'negative counter', i, observation);
    check(state.consecutiveFailures === 0 || state.consecutiveSuccesses === 0, 'both a failure and a success streak', i, observation);
    check(Number.isFinite(state.nextRestartAt) && Number.isFinite(state.phaseSince), 'non-finite timestamp', i, observation);
    check(state.phaseSince <= now, 'phaseSince in the future', i, observation);
  }
  return stats;
}

// ---------------------------------------------------------------------------------------------

describe('randomized simulation with faithful adapters', () => {
  const seeds = [1, 42, 20_250_101];

  it.each(seeds)('seed %i: 10 000 observations keep every invariant', (seed) => {
    const stats = simulate({ seed, steps: 10_000, policy: POLICY, restored: null });
    expect(stats.steps).toBe(10_000);
    // The run exercised what it claims to check, not just a quiet primary.
    expect([...stats.phasesSeen].sort()).toEqual(['demoting', 'promoted', 'promoting', 'watching']);
    expect(stats.promotions).toBeGreaterThanOrEqual(20);
    expect(stats.demotions).toBeGreaterThanOrEqual(20);
    expect(stats.promotionsFailed).toBeGreaterThanOrEqual(2);
    expect(stats.promotionsCancelled).toBeGreaterThanOrEqual(1);
    expect(stats.demotionsFailed).toBeGreaterThanOrEqual(2);
    expect(stats.restarts).toBeGreaterThanOrEqual(5);
    expect(stats.strayStops).toBeGreaterThanOrEqual(5);
  });

  it.each([
    [policy({ failThreshold: 1, recoverThreshold: 1 }), 'promoted'],
    [policy({ failThreshold: 5, recoverThreshold: 2, restartBackoffMs: 500, restartBackoffMaxMs: 4_000 }), null],
    [policy({ failThreshold: 2, recoverThreshold: 6, restartBackoffMs: 0 }), 'demoting'],
  ] as const)('policy %o, restored %s: invariants hold', (p, restored) => {
    const stats = simulate({ seed: 7, steps: 5_000, policy: p, restored });
    expect(stats.phasesSeen.size).toBe(4);
    expect(stats.promotions).toBeGreaterThan(0);
    expect(stats.demotions).toBeGreaterThan(0);
  });

  it('partition guard, flap damping and MIN_PROMOTED on: invariants hold and the guard is exercised', () => {
    const p = policy({ partitionGuard: true, minPromotedMs: 5_000, flapWindowMs: 120_000, flapHoldDownMs: 5_000, flapHoldDownMaxMs: 40_000 });
    for (const seed of [3, 1_234]) {
      const stats = simulate({ seed, steps: 10_000, policy: p, restored: null });
      expect(stats.phasesSeen.size).toBe(4);
      expect(stats.witnessChecks).toBeGreaterThan(stats.promotions);
      expect(stats.promotions).toBeGreaterThan(5);
      expect(stats.demotions).toBeGreaterThan(5);
    }
  });

  it.each([5, 77, 31_337])('seed %i with operator commands mixed in (pause, resume, promote, demote, drill): every invariant holds', (seed) => {
    const stats = simulate({ seed, steps: 10_000, policy: POLICY, restored: null, commands: true });
    expect(stats.commands).toBeGreaterThan(150);
    expect(stats.accepted).toBeGreaterThan(50);
    expect([...stats.modesSeen].sort()).toEqual(['auto', 'override-demoted', 'override-promoted', 'paused']);
    expect([...stats.phasesSeen].sort()).toEqual(['demoting', 'promoted', 'promoting', 'watching']);
    expect(stats.drillsSucceeded + stats.drillsFailed).toBeGreaterThan(0);
  });

  it('commands with the guards on (witnesses, flap damping, MIN_PROMOTED): every invariant holds', () => {
    const p = policy({ partitionGuard: true, minPromotedMs: 5_000, flapWindowMs: 120_000, flapHoldDownMs: 5_000, flapHoldDownMaxMs: 40_000 });
    const stats = simulate({ seed: 2_024, steps: 10_000, policy: p, restored: 'promoted', commands: true });
    expect(stats.commands).toBeGreaterThan(150);
    expect(stats.modesSeen.size).toBe(4);
  });

  it('is deterministic: the same seed gives the same run', () => {
    const a = simulate({ seed: 99, steps: 1_000, policy: POLICY, restored: null });
    const b = simulate({ seed: 99, steps: 1_000, policy: POLICY, restored: null });
    expect(a).toEqual(b);
  });
});

describe('hostile observation order', () => {
  const observations: Array<(rng: ReturnType<typeof lcg>, now: number) => Observation> = [
    (rng, now) => ({ type: 'probe', result: { ok: true, status: 200, latencyMs: rng.int(100), startedAt: now - 50 } }),
    (rng, now) => ({ type: 'probe', result: { ok: false, reason: 'refused', detail: 'x', latencyMs: rng.int(100), startedAt: now - 50 } }),
    (rng) => ({ type: 'gateway', running: rng.chance(0.5), source: 'event' }),
    (rng, now) =>
      ({
        type: 'promotion-finished',
        report: report({ sync: 'ok', start: rng.chance(0.5) ? 'ok' : 'failed', ready: rng.chance(0.5) ? 'ok' : 'absent' }, now),
      }),
    (rng) => ({ type: 'demotion-finished', ok: rng.chance(0.5) }),
    (rng) => ({ type: 'gateway-action-finished', action: rng.chance(0.5) ? 'start' : 'stop', ok: rng.chance(0.5) }),
  ];

  it('any sequence, stale and duplicated reports included: no throw, no mutation, sane counters, promote only after failThreshold', () => {
    const rng = lcg(12_345);
    let state = initialState(POLICY, null, T0);
    let now = T0;
    let failures = 0;
    let promotes = 0;
    const violations: string[] = [];
    for (let i = 0; i < 5_000; i++) {
      now += rng.int(3_000);
      const pick = observations[rng.int(observations.length)];
      if (pick === undefined) throw new Error('unreachable');
      const observation = pick(rng, now);
      if (observation.type === 'probe') failures = observation.result.ok ? 0 : failures + 1;
      const s = step(state, observation, now);
      if (s.actions.some((a) => a.type === 'promote')) {
        promotes++;
        if (failures < POLICY.failThreshold) violations.push(`step ${i}: promote after ${failures} failures`);
        if (s.state.phase !== 'promoting') violations.push(`step ${i}: promote but phase ${s.state.phase}`);
      }
      if (s.state.consecutiveFailures !== failures) violations.push(`step ${i}: failures ${s.state.consecutiveFailures}, oracle ${failures}`);
      if (s.state.consecutiveSuccesses < 0) violations.push(`step ${i}: negative success count`);
      state = s.state;
    }
    expect(violations).toEqual([]);
    expect(promotes).toBeGreaterThan(5);
  });
});

describe('arbitrary observation sequences (fast-check)', () => {
  const arbPolicy: fc.Arbitrary<Policy> = fc.record({
    failThreshold: fc.integer({ min: 1, max: 6 }),
    recoverThreshold: fc.integer({ min: 1, max: 6 }),
    restartBackoffMs: fc.integer({ min: 0, max: 10_000 }),
    restartBackoffMaxMs: fc.integer({ min: 0, max: 60_000 }),
    restartStableMs: fc.integer({ min: 0, max: 60_000 }),
    promoteRetryBackoffMs: fc.integer({ min: 0, max: 20_000 }),
    promoteRetryBackoffMaxMs: fc.integer({ min: 0, max: 120_000 }),
    partitionGuard: fc.boolean(),
    minPromotedMs: fc.integer({ min: 0, max: 30_000 }),
    flapWindowMs: fc.integer({ min: 0, max: 600_000 }),
    flapHoldDownMs: fc.integer({ min: 0, max: 60_000 }),
    flapHoldDownMaxMs: fc.integer({ min: 0, max: 600_000 }),
  });
  const arbObservation: fc.Arbitrary<(now: number) => Observation> = fc.oneof(
    fc.record({ latency: fc.nat(5_000) }).map(({ latency }) => (now: number): Observation => ({ type: 'probe', result: { ok: true, status: 200, latencyMs: latency, startedAt: now - latency } })),
    fc.constantFrom<ProbeFailureReason>('timeout', 'refused', 'dns', 'reset', 'unreachable', 'tls', 'redirect', 'status', 'body', 'error').map((reason) => (now: number): Observation => ({ type: 'probe', result: { ok: false, reason, detail: 'x', latencyMs: 10, startedAt: now - 10 } })),
    fc.record({ running: fc.boolean(), event: fc.boolean() }).map(({ running, event }) => (): Observation => ({ type: 'gateway', running, source: event ? 'event' : 'inspect' })),
    fc.record({ start: fc.boolean(), ready: fc.constantFrom('ok', 'failed', 'absent' as const), sync: fc.constantFrom('ok', 'failed', 'skipped' as const) }).map(
      ({ start, ready, sync }) => (now: number): Observation => ({ type: 'promotion-finished', report: report({ sync, start: start ? 'ok' : 'failed', ready: start ? ready : 'absent' }, now - 500) }),
    ),
    fc.boolean().map((okay) => (): Observation => ({ type: 'demotion-finished', ok: okay })),
    fc.record({ start: fc.boolean(), okay: fc.boolean() }).map(({ start, okay }) => (): Observation => ({ type: 'gateway-action-finished', action: start ? 'start' : 'stop', ok: okay })),
    fc.nat(3).map((n) => (): Observation => ({ type: 'witnesses-checked', answered: Array.from({ length: n }, (_, i) => `http://w${i}/`), total: 3 })),
  );
  const arbRun = fc.array(fc.tuple(fc.nat(120_000), arbObservation), { maxLength: 400 });

  it('never throw, never mutate, keep the counters exact, promote only at the threshold and keep every timestamp finite', () => {
    fc.assert(
      fc.property(arbPolicy, fc.constantFrom<Phase | null>(null, 'watching', 'promoting', 'promoted', 'demoting'), arbRun, (p, restored, observations) => {
        let state = initialState(p, restored, T0);
        let now = T0;
        let failures = 0;
        for (const [gap, make] of observations) {
          now += gap;
          const observation = make(now);
          if (observation.type === 'probe') failures = observation.result.ok ? 0 : failures + 1;
          const s = step(state, observation, now);
          const emitted = s.actions.map((a) => a.type);
          if (emitted.includes('promote')) {
            expect(failures).toBeGreaterThanOrEqual(p.failThreshold);
            expect(s.state.phase).toBe('promoting');
            if (p.partitionGuard) expect(observation.type === 'witnesses-checked' || observation.type === 'demotion-finished').toBe(true);
          }
          if (emitted.includes('check-witnesses')) expect(p.partitionGuard && !state.partitionGuard.checking).toBe(true);
          expect(emitted.filter((t) => t === 'promote' || t === 'demote').length).toBeLessThanOrEqual(1);
          expect(s.state.consecutiveFailures).toBe(failures);
          expect(s.state.restartAttempts).toBeGreaterThanOrEqual(0);
          expect(s.state.promotionFailures).toBeGreaterThanOrEqual(0);
          for (const t of [s.state.nextRestartAt, s.state.nextPromotionAt, s.state.phaseSince, ...s.state.recentCycles]) expect(Number.isFinite(t)).toBe(true);
          // The flap history never outgrows the window: pruned at each demotion to the cycles within
          // FLAP_WINDOW of it (only the latest is kept when damping is off).
          const last = s.state.recentCycles.at(-1);
          if (last !== undefined) {
            expect(s.state.recentCycles.every((t) => t === last || last - t < p.flapWindowMs)).toBe(true);
            if (p.flapWindowMs === 0) expect(s.state.recentCycles).toHaveLength(1);
          }
          state = s.state;
        }
      }),
      { numRuns: 300 },
    );
  });
});

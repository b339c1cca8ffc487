// Operator control in the pure core: pause/resume (maintenance), the manual promote/demote
// override, and drills, from every phase, with the injected clock.
import { describe, expect, it } from 'vitest';
import { initialState } from '../../src/decision/decide.ts';
import type { Command, Drill, Observation, Phase, State } from '../../src/decision/model.ts';
import {
  POLICY,
  T0,
  demotionFinished,
  events,
  fail,
  gatewayDown,
  gatewayUp,
  lcg,
  ok,
  promotionFinished,
  reachPhase,
  reachPromoted,
  repeat,
  run,
  step,
  types,
  watchingState,
  actionFinished,
  FULL_OK,
  report,
} from './decide-fixtures.ts';

function cmd(command: Command): Observation {
  return { type: 'command', command };
}

const PHASES: Phase[] = ['watching', 'promoting', 'promoted', 'demoting'];

/** Watching with the gateway known stopped and the primary answering: where a drill may start. */
function settledWatching(): State {
  return run(watchingState(), [gatewayDown(), ok]).state;
}

/** Promoted with the gateway known running; the primary is still failing. */
function settledPromoted(): State {
  const r = reachPromoted();
  return run(r.state, [gatewayUp()], r.next).state;
}

/** Runs `observations` from `state` starting at `at`, one second apart. */
function from(state: State, observations: Parameters<typeof run>[1], at = T0 + 100_000): ReturnType<typeof run> {
  return run(state, observations, at);
}

describe('pause', () => {
  it.each(PHASES)('from %s: accepted, persisted, phase unchanged, nothing started or stopped', (phase) => {
    const before = reachPhase(phase).state;
    const now = T0 + 50_000;
    const s = step(before, cmd({ name: 'pause', reason: 'kernel upgrade' }), now);
    expect(s.reply).toMatchObject({ accepted: true });
    expect(s.reply?.message).toContain('kernel upgrade');
    expect(s.state.mode).toEqual({ kind: 'paused', reason: 'kernel upgrade', since: now });
    expect(s.state.phase).toBe(phase);
    expect(types(s.actions)).toEqual(['persist']);
  });

  it('without a reason says maintenance; pausing twice keeps the first since and does nothing', () => {
    const first = step(settledWatching(), cmd({ name: 'pause' }), T0 + 10_000);
    expect(first.state.mode).toEqual({ kind: 'paused', reason: 'maintenance', since: T0 + 10_000 });
    const again = step(first.state, cmd({ name: 'pause', reason: 'other' }), T0 + 20_000);
    expect(again.reply?.accepted).toBe(true);
    expect(again.reply?.message).toContain('already paused');
    expect(again.state.mode).toEqual(first.state.mode);
    expect(again.actions).toEqual([]);
  });

  it('watching: failed probes are counted and reported but never promote; resume lets the next one promote', () => {
    const paused = step(settledWatching(), cmd({ name: 'pause' }), T0 + 10_000).state;
    const r = from(paused, repeat(10, fail));
    expect(r.state.phase).toBe('watching');
    expect(r.state.consecutiveFailures).toBe(10);
    expect(types(r.actions)).toEqual([]);
    expect(r.decisions[0]?.value.reason).toContain('paused');
    const resumed = step(r.state, cmd({ name: 'resume' }), r.next);
    expect(resumed.state.mode).toEqual({ kind: 'auto' });
    expect(types(resumed.actions)).toEqual(['persist']);
    const after = from(resumed.state, [fail], r.next + 1_000);
    expect(after.state.phase).toBe('promoting');
    expect(types(after.actions)).toEqual(['persist', 'promote']);
  });

  it('promoted: healthy probes never demote; resume lets the next one demote', () => {
    const paused = step(settledPromoted(), cmd({ name: 'pause' }), T0 + 10_000).state;
    const r = from(paused, repeat(10, ok));
    expect(r.state.phase).toBe('promoted');
    expect(r.state.consecutiveSuccesses).toBe(10);
    expect(types(r.actions)).toEqual([]);
    const resumed = step(r.state, cmd({ name: 'resume' }), r.next).state;
    const after = from(resumed, [ok], r.next + 1_000);
    expect(after.state.phase).toBe('demoting');
    expect(events(after.decisions)).toEqual(['demote']);
  });

  it('a stray gateway is not stopped, a dead promoted one not re-started: the drift is reported once', () => {
    const watching = step(settledWatching(), cmd({ name: 'pause' }), T0 + 10_000).state;
    const stray = from(watching, [gatewayUp('start'), gatewayUp(), fail, ok]);
    expect(types(stray.actions)).toEqual([]);
    expect(events(stray.decisions)).toEqual(['drift-while-paused', 'primary-probe-failed']);
    expect(stray.state.gatewayRunning).toBe(true);

    const promoted = step(settledPromoted(), cmd({ name: 'pause' }), T0 + 10_000).state;
    const dead = from(promoted, [gatewayDown('die'), fail, fail, gatewayDown()]);
    expect(types(dead.actions)).toEqual([]);
    expect(events(dead.decisions)).toEqual(['drift-while-paused']);
    // Back in auto, the reconcile rules apply at once: the primary still fails, so it is re-started.
    const resumed = step(dead.state, cmd({ name: 'resume' }), dead.next);
    expect(types(resumed.actions)).toEqual(['persist', 'start-gateway']);
    expect(resumed.reply?.accepted).toBe(true);
  });

  it('resume with a stray running stops it at once and still answers', () => {
    const paused = step(settledWatching(), cmd({ name: 'pause' }), T0 + 10_000).state;
    const withStray = from(paused, [gatewayUp()]).state;
    const resumed = step(withStray, cmd({ name: 'resume' }), T0 + 200_000);
    expect(resumed.reply?.accepted).toBe(true);
    expect(types(resumed.actions)).toEqual(['persist', 'stop-gateway']);
  });

  it('a promotion in flight finishes but does not hand back to a healthy primary while paused', () => {
    const promoting = reachPhase('promoting');
    const paused = step(promoting.state, cmd({ name: 'pause' }), promoting.next).state;
    const r = from(paused, [...repeat(5, ok), promotionFinished()]);
    expect(r.state.phase).toBe('promoted');
    expect(types(r.actions)).toEqual(['persist']);
  });

  it('a demotion in flight finishes but does not re-promote for a failing primary while paused', () => {
    const demoting = reachPhase('demoting');
    const paused = step(demoting.state, cmd({ name: 'pause' }), demoting.next).state;
    const r = from(paused, [...repeat(5, fail), demotionFinished(true)]);
    expect(r.state.phase).toBe('watching');
    expect(types(r.actions)).toEqual(['persist']);
  });
});

describe('resume', () => {
  it('in automatic mode is a harmless no-op', () => {
    const s = step(settledWatching(), cmd({ name: 'resume' }), T0 + 10_000);
    expect(s.reply).toEqual({ accepted: true, message: 'already in automatic mode; nothing to resume' });
    expect(s.actions).toEqual([]);
  });
});

describe('manual override', () => {
  it.each(['promote', 'demote'] as const)('%s without a reason is refused and changes nothing', (name) => {
    const before = settledWatching();
    for (const reason of ['', '   ']) {
      const s = step(before, cmd({ name, reason }), T0 + 10_000);
      expect(s.reply?.accepted).toBe(false);
      expect(s.reply?.message).toContain('reason');
      expect(s.state).toEqual(before);
      expect(s.actions).toEqual([]);
    }
  });

  it('promote from watching promotes with the reason, then holds against a healthy primary until resume', () => {
    const now = T0 + 10_000;
    const s = step(settledWatching(), cmd({ name: 'promote', reason: 'primary host migration' }), now);
    expect(s.reply?.accepted).toBe(true);
    expect(s.state.mode).toEqual({ kind: 'override', target: 'promoted', reason: 'primary host migration', since: now });
    expect(s.state.phase).toBe('promoting');
    expect(types(s.actions)).toEqual(['persist', 'promote']);
    expect(s.decisions[0]?.event).toBe('manual-promote');
    expect(s.state.transition).toMatchObject({ kind: 'promotion', reason: 'manual override: primary host migration', streakStartedAt: now, decidedAt: now });

    const r = from(s.state, [ok, promotionFinished(), gatewayUp(), ...repeat(10, ok)]);
    expect(r.state.phase).toBe('promoted');
    expect(types(r.actions)).toEqual(['persist']);
    // The gateway dies: re-started although the primary answers, because the operator pinned it.
    const died = from(r.state, [gatewayDown('die')], r.next);
    expect(types(died.actions)).toEqual(['start-gateway']);
    expect(died.decisions[0]?.value.reason).toContain('manual promote override');

    const resumed = step(r.state, cmd({ name: 'resume' }), r.next).state;
    expect(from(resumed, [ok], r.next + 1_000).state.phase).toBe('demoting');
  });

  it('promote from promoted pins it; from promoting lets it finish; from demoting promotes once the stop settles', () => {
    const promoted = step(settledPromoted(), cmd({ name: 'promote', reason: 'r' }), T0 + 10_000);
    expect(promoted.state.phase).toBe('promoted');
    expect(types(promoted.actions)).toEqual(['persist']);
    expect(promoted.reply?.message).toContain('already promoted');

    const promoting = reachPhase('promoting');
    const p2 = step(promoting.state, cmd({ name: 'promote', reason: 'r' }), promoting.next);
    expect(p2.state.phase).toBe('promoting');
    expect(types(p2.actions)).toEqual(['persist']);

    const demoting = reachPhase('demoting');
    const d = step(demoting.state, cmd({ name: 'promote', reason: 'r' }), demoting.next);
    expect(d.reply?.message).toContain('in flight');
    const r = from(d.state, [demotionFinished(true), ok]);
    expect(r.state.phase).toBe('promoting');
    expect(events(r.decisions)).toEqual(['demoted', 'manual-promote']);
  });

  it('demote from promoted stops the standby, then holds against a failing primary until resume', () => {
    const now = T0 + 10_000;
    const s = step(settledPromoted(), cmd({ name: 'demote', reason: 'bad workspace' }), now);
    expect(s.state.phase).toBe('demoting');
    expect(types(s.actions)).toEqual(['persist', 'demote']);
    expect(s.decisions[0]?.event).toBe('manual-demote');
    const r = from(s.state, [demotionFinished(true), ...repeat(10, fail)]);
    expect(r.state.phase).toBe('watching');
    expect(r.state.consecutiveFailures).toBeGreaterThanOrEqual(10);
    expect(types(r.actions)).toEqual(['persist']);
    // A hand-started gateway is stopped as a stray.
    const stray = from(r.state, [gatewayUp('start')], r.next);
    expect(types(stray.actions)).toEqual(['stop-gateway']);
    const resumed = step(r.state, cmd({ name: 'resume' }), r.next).state;
    expect(from(resumed, [fail], r.next + 1_000).state.phase).toBe('promoting');
  });

  it('demote from watching pins it; from promoting demotes once the promotion settles', () => {
    const w = step(settledWatching(), cmd({ name: 'demote', reason: 'r' }), T0 + 10_000);
    expect(w.state.phase).toBe('watching');
    expect(types(w.actions)).toEqual(['persist']);

    const promoting = reachPhase('promoting');
    const d = step(promoting.state, cmd({ name: 'demote', reason: 'r' }), promoting.next);
    const r = from(d.state, [promotionFinished(), fail]);
    expect(r.state.phase).toBe('demoting');
    expect(events(r.decisions)).toEqual(['promoted', 'manual-demote']);
  });

  it('pause replaces an override and an override replaces a pause', () => {
    const o = step(settledWatching(), cmd({ name: 'demote', reason: 'r' }), T0 + 10_000).state;
    const p = step(o, cmd({ name: 'pause' }), T0 + 20_000).state;
    expect(p.mode.kind).toBe('paused');
    const o2 = step(p, cmd({ name: 'promote', reason: 'x' }), T0 + 30_000);
    expect(o2.state.mode).toMatchObject({ kind: 'override', target: 'promoted' });
    expect(types(o2.actions)).toEqual(['persist', 'promote']);
  });
});

describe('drill', () => {
  it.each<[string, () => State]>([
    ['paused', () => step(settledWatching(), cmd({ name: 'pause' }), T0 + 1).state],
    ['under an override', () => step(settledWatching(), cmd({ name: 'demote', reason: 'r' }), T0 + 1).state],
    ['promoted', settledPromoted],
    ['promoting', () => reachPhase('promoting').state],
    ['demoting', () => reachPhase('demoting').state],
    ['before any probe', () => run(watchingState(), [gatewayDown()]).state],
    ['while the primary fails', () => run(settledWatching(), [fail], T0 + 5_000).state],
    ['while the gateway was never inspected', () => run(watchingState(), [ok]).state],
    ['while a stray is being stopped', () => run(settledWatching(), [gatewayUp()], T0 + 5_000).state],
  ])('is refused %s, and nothing changes', (_, make) => {
    const before = make();
    const s = step(before, cmd({ name: 'drill' }), T0 + 60_000);
    expect(s.reply?.accepted).toBe(false);
    expect(s.state).toEqual(before);
    expect(s.actions).toEqual([]);
  });

  it('runs its full path: promote, ready, demote, with every timestamp recorded', () => {
    const t = T0 + 100_000;
    const started = step(settledWatching(), cmd({ name: 'drill' }), t);
    expect(started.reply).toEqual({ accepted: true, message: `drill ${t} started: promoting the standby` });
    expect(started.state.phase).toBe('promoting');
    expect(started.state.drill).toEqual({ id: t, requestedAt: t, status: 'promoting', problems: [] });
    expect(types(started.actions)).toEqual(['persist', 'promote']);
    expect(started.decisions[0]?.event).toBe('drill-promote');

    // Healthy probes during the drill change nothing; the report arrives at t+2s (sync +100, start +200, ready +300 ms of t+1s).
    const r1 = run(started.state, [ok, promotionFinished(undefined, t + 1_000)], t + 1_000);
    expect(r1.state.phase).toBe('demoting');
    expect(types(r1.actions)).toEqual(['persist', 'persist', 'demote']);
    // The promotion's end and the drill's demotion are two lines (and two transition events).
    expect(events(r1.decisions)).toEqual(['promoted', 'drill-demote']);
    expect(r1.state.drill).toMatchObject({ status: 'demoting', syncedAt: t + 1_100, startedAt: t + 1_200, readyAt: t + 1_300, stopIssuedAt: t + 2_000 });
    expect(r1.state.transition).toMatchObject({ kind: 'demotion', reason: 'drill: handing back to the primary' });

    const r2 = run(r1.state, [ok, demotionFinished(true)], t + 3_000);
    expect(r2.state.phase).toBe('watching');
    expect(r2.state.drill).toEqual<Drill>({
      id: t,
      requestedAt: t,
      status: 'succeeded',
      syncedAt: t + 1_100,
      startedAt: t + 1_200,
      readyAt: t + 1_300,
      stopIssuedAt: t + 2_000,
      stoppedAt: t + 4_000,
      finishedAt: t + 4_000,
      problems: [],
    });
    expect(events(r2.decisions)).toEqual(['demoted', 'drill-succeeded']);
    expect(r2.state.mode).toEqual({ kind: 'auto' });
    // Back to plain watching: a real outage promotes as usual.
    expect(run(r2.state, repeat(3, fail), t + 10_000).state.phase).toBe('promoting');
  });

  it('the primary dying while the drill promotes turns it into a real promotion, not a demotion', () => {
    const t = T0 + 100_000;
    const started = step(settledWatching(), cmd({ name: 'drill' }), t).state;
    const r = run(started, [fail, fail, fail, promotionFinished(undefined, t)], t + 1_000);
    expect(r.state.phase).toBe('promoted');
    expect(types(r.actions)).toEqual(['persist']);
    expect(r.state.drill?.status).toBe('became-promotion');
    expect(r.state.drill?.problems.at(-1)).toContain('during a drill');
    expect(events(r.decisions)).toEqual(['primary-probe-failed', 'primary-probe-failed', 'primary-probe-failed', 'promoted', 'drill-became-promotion']);
    // The promotion's line carries the transition as it stands: a real failover now.
    expect(r.decisions.at(-2)?.value).toMatchObject({ transition: { kind: 'promotion', reason: expect.stringContaining('during a drill') as string } });
    // From here it is an ordinary promotion: held while failing, handed back after recovery.
    const later = run(r.state, [gatewayUp(), ...repeat(5, fail), ...repeat(3, ok)], t + 10_000);
    expect(events(later.decisions).filter((e) => e === 'demote')).toHaveLength(1);
  });

  it('the primary dying while the drill demotes promotes for real once the stop is done', () => {
    const t = T0 + 100_000;
    const started = step(settledWatching(), cmd({ name: 'drill' }), t).state;
    const demoting = run(started, [promotionFinished(undefined, t)], t + 1_000).state;
    const r = run(demoting, [fail, fail, fail, demotionFinished(true)], t + 2_000);
    expect(r.state.phase).toBe('promoting');
    expect(types(r.actions)).toEqual(['persist', 'persist', 'promote']);
    expect(r.state.drill?.status).toBe('became-promotion');
  });

  it('a failed start fails the drill and leaves it watching; a gateway never ready is still stopped, then failed', () => {
    const t = T0 + 100_000;
    const started = step(settledWatching(), cmd({ name: 'drill' }), t).state;
    const noStart = run(started, [promotionFinished({ sync: 'ok', start: 'failed', ready: 'absent' }, t)], t + 1_000);
    expect(noStart.state.phase).toBe('watching');
    expect(noStart.state.drill?.status).toBe('failed');
    expect(events(noStart.decisions)).toEqual(['promotion-failed', 'drill-failed']);

    const notReady = run(started, [promotionFinished({ sync: 'ok', start: 'ok', ready: 'failed' }, t), demotionFinished(true)], t + 1_000);
    expect(types(notReady.actions)).toEqual(['persist', 'persist', 'demote', 'persist']);
    expect(notReady.state.drill?.status).toBe('failed');
    expect(notReady.state.drill?.readyAt).toBeUndefined();
    expect(notReady.state.drill?.stoppedAt).toBe(t + 2_000);

    const noStop = run(started, [promotionFinished(undefined, t), demotionFinished(false, 'daemon gone')], t + 1_000);
    expect(noStop.state.drill?.status).toBe('failed');
    expect(noStop.state.drill?.problems).toContain('gateway stop failed: daemon gone');
  });

  it('a failed ON_DEMOTE fails the drill: the standby was stopped, but the hand-back did not run clean', () => {
    const t = T0 + 100_000;
    const started = step(settledWatching(), cmd({ name: 'drill' }), t).state;
    const demoting = run(started, [promotionFinished(undefined, t)], t + 1_000).state;
    expect(demoting.drill?.status).toBe('demoting');
    const s = step(demoting, { type: 'demotion-finished', ok: true, hook: { ok: false, durationMs: 30_000, error: 'timed out after 30s' } }, t + 3_000);
    expect(s.state.phase).toBe('watching');
    expect(s.state.drill).toMatchObject({ status: 'failed', stoppedAt: t + 3_000, problems: ['ON_DEMOTE hook failed: timed out after 30s'] });
    expect(s.state.transition).toMatchObject({ kind: 'demotion', outcome: 'degraded', hookMs: 30_000 });
    expect(s.decisions.map((d) => d.event)).toEqual(['demoted', 'drill-failed']);
    expect(s.decisions[1]).toMatchObject({ level: 'error', reason: 'drill failed: ON_DEMOTE hook failed: timed out after 30s' });
  });

  it('a failed ON_PROMOTE fails the drill too, though the standby came up ready', () => {
    const t = T0 + 100_000;
    const started = step(settledWatching(), cmd({ name: 'drill' }), t).state;
    const finished: Observation = { type: 'promotion-finished', report: { ...report(FULL_OK, t), hook: { ok: false, durationMs: 5, error: 'exit code 3' } } };
    const r = run(started, [finished, demotionFinished(true)], t + 1_000);
    expect(r.state.drill).toMatchObject({ status: 'failed', problems: ['ON_PROMOTE hook failed: exit code 3'] });
    expect(events(r.decisions)).toEqual(['promoted', 'drill-demote', 'demoted', 'drill-failed']);
  });

  it.each<Command>([{ name: 'pause' }, { name: 'resume' }, { name: 'promote', reason: 'r' }, { name: 'demote', reason: 'r' }, { name: 'drill' }])(
    'refuses %o while a drill is under way',
    (command) => {
      const started = step(settledWatching(), cmd({ name: 'drill' }), T0 + 100_000).state;
      const s = step(started, cmd(command), T0 + 101_000);
      expect(s.reply?.accepted).toBe(false);
      expect(s.reply?.message).toContain('drill');
      expect(s.state).toEqual(started);
    },
  );
});

describe('persistence through initialState', () => {
  it('restores a pause, which keeps holding', () => {
    const mode = { kind: 'paused', reason: 'maintenance', since: T0 - 5_000 } as const;
    const s = initialState(POLICY, 'watching', T0, { mode, drill: null });
    expect(s.mode).toEqual(mode);
    const r = run(s, [gatewayUp(), ...repeat(5, fail)]);
    expect(types(r.actions)).toEqual([]);
  });

  it('restores an override, which converges on its target at the first probe', () => {
    const mode = { kind: 'override', target: 'promoted', reason: 'r', since: T0 - 5_000 } as const;
    const s = initialState(POLICY, 'watching', T0, { mode, drill: null });
    const r = run(s, [gatewayDown(), ok]);
    expect(events(r.decisions)).toEqual(['manual-promote']);
  });

  it('a drill cut short by a restart is recorded as failed; the phase it left behaves as usual', () => {
    const drill: Drill = { id: T0 - 3_000, requestedAt: T0 - 3_000, status: 'promoting', problems: [] };
    const s = initialState(POLICY, 'promoting', T0, { mode: { kind: 'auto' }, drill });
    expect(s.phase).toBe('promoted');
    expect(s.drill).toMatchObject({ status: 'failed', finishedAt: T0, problems: ['the watcher restarted during the drill'] });
    expect(run(s, [gatewayUp(), ...repeat(3, ok)]).state.phase).toBe('demoting');
  });

  it('a finished drill and no control at all restore as they were', () => {
    const drill: Drill = { id: 1, requestedAt: 1, status: 'succeeded', problems: [] };
    expect(initialState(POLICY, null, T0, { drill }).drill).toBe(drill);
    expect(initialState(POLICY, null, T0)).toMatchObject({ mode: { kind: 'auto' }, drill: null });
  });
});

describe('seeded random runs: what each mode forbids never happens', () => {
  // Random probes, gateway observations and adapter reports, from a random phase, fed through decide().
  function randomObservation(rand: ReturnType<typeof lcg>, now: number): Observation {
    const pick = rand.int(8);
    if (pick <= 2) return fail(now);
    if (pick <= 4) return ok(now);
    if (pick === 5) return rand.chance(0.5) ? gatewayUp() : gatewayDown();
    if (pick === 6) return rand.chance(0.5) ? promotionFinished(undefined, now) : demotionFinished(rand.chance(0.8));
    return actionFinished(rand.chance(0.5) ? 'start' : 'stop', rand.chance(0.8));
  }

  const FORBIDDEN: Record<string, string[]> = {
    paused: ['promote', 'demote', 'start-gateway', 'stop-gateway'],
    'override-promoted': ['demote', 'stop-gateway'],
    'override-demoted': ['promote', 'start-gateway'],
  };

  it.each(Object.keys(FORBIDDEN))('%s: 200 seeds × 60 observations', (label) => {
    for (let seed = 1; seed <= 200; seed++) {
      const rand = lcg(seed);
      let state = reachPhase(PHASES[rand.int(4)] ?? 'watching').state;
      let now = T0 + 100_000;
      const command: Command = label === 'paused' ? { name: 'pause' } : { name: label === 'override-promoted' ? 'promote' : 'demote', reason: 'seeded' };
      const first = step(state, cmd(command), now);
      state = first.state;
      // The command itself may begin the transition it asks for, never the opposite one.
      for (const action of first.actions) expect(FORBIDDEN[label]).not.toContain(action.type);
      for (let i = 0; i < 60; i++) {
        now += 500 + rand.int(2_000);
        const s = step(state, randomObservation(rand, now), now);
        for (const action of s.actions) {
          if (FORBIDDEN[label]?.includes(action.type)) throw new Error(`seed ${seed}, step ${i}: ${action.type} while ${label} (phase ${state.phase})`);
        }
        state = s.state;
      }
      expect(state.mode.kind).toBe(label === 'paused' ? 'paused' : 'override');
    }
  });
});

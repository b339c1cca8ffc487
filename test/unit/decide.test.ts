// Edge-by-edge tests of the pure decision core: initialState, every (phase × observation) pair,
// thresholds, transition timings, stray gateways, crash re-starts with backoff, and restarts of the
// watcher itself. Every decide() call goes through step(), which deep-freezes its input.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.ts';
import { DEFAULT_POLICY, gatewayWanted, initialState } from '../../src/decision/decide.ts';
import { POLICY_DEFAULTS } from '../../src/decision/policy-defaults.ts';
import { policyFromConfig } from '../../src/watcher-app.ts';
import type { Phase, State, Transition } from '../../src/decision/model.ts';
import {
  ALL_REPORT_SHAPES,
  FULL_OK,
  LATENCY_MS,
  POLICY,
  READY_OFFSET,
  START_OFFSET,
  STEP_MS,
  SYNC_OFFSET,
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
  reachPhase,
  reachPromoted,
  reachPromoting,
  repeat,
  run,
  step,
  types,
  watchingState,
} from './decide-fixtures.ts';
import type { ReadyVariant, ReportShape, StartVariant, SyncVariant } from './decide-fixtures.ts';

const PHASES: Phase[] = ['watching', 'promoting', 'promoted', 'demoting'];

function counters(state: State): { failures: number; successes: number } {
  return { failures: state.consecutiveFailures, successes: state.consecutiveSuccesses };
}

// ---------------------------------------------------------------------------------------------

describe('initialState', () => {
  it.each([
    [null, 'watching'],
    ['watching', 'watching'],
    ['demoting', 'watching'],
    ['promoting', 'promoted'],
    ['promoted', 'promoted'],
  ] as const)('restored %s starts as %s with zeroed counters and an unknown gateway', (restored, expected) => {
    const p = policy({ failThreshold: 5, recoverThreshold: 7 });
    expect(initialState(p, restored, T0)).toEqual({
      policy: p,
      phase: expected,
      phaseSince: T0,
      consecutiveFailures: 0,
      consecutiveSuccesses: 0,
      streakStartedAt: null,
      lastProbe: null,
      gatewayRunning: null,
      pendingGatewayAction: null,
      restartAttempts: 0,
      nextRestartAt: T0,
      transition: null,
      gatewayUpSince: null,
      promotionFailures: 0,
      nextPromotionAt: T0,
      recentCycles: [],
      partitionGuard: { checking: false, lastCheck: null },
      mode: { kind: 'auto' },
      drill: null,
    } satisfies State);
  });

  it('DEFAULT_POLICY is POLICY_DEFAULTS, and a configuration that sets nothing asks for exactly it', () => {
    expect(DEFAULT_POLICY).toBe(POLICY_DEFAULTS);
    const loaded = loadConfig({ PRIMARY_URL: 'http://100.101.102.103:18789/healthz' });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    expect(policyFromConfig(loaded.config)).toEqual(DEFAULT_POLICY);
  });

  it('the defaults keep their documented relations: flap damping on, a re-started gateway stable after five longest back-offs', () => {
    expect(DEFAULT_POLICY.flapWindowMs).toBeGreaterThan(0);
    expect(DEFAULT_POLICY.flapHoldDownMaxMs).toBeGreaterThanOrEqual(DEFAULT_POLICY.flapHoldDownMs);
    expect(DEFAULT_POLICY.restartStableMs).toBe(5 * DEFAULT_POLICY.restartBackoffMaxMs);
    expect(DEFAULT_POLICY.promoteRetryBackoffMaxMs).toBeGreaterThanOrEqual(DEFAULT_POLICY.promoteRetryBackoffMs);
    expect(DEFAULT_POLICY.partitionGuard).toBe(false);
  });

  it.each([
    ['watching', false],
    ['promoting', true],
    ['promoted', true],
    ['demoting', false],
  ] as const)('gatewayWanted in %s is %s', (phase, wanted) => {
    expect(reachPhase(phase).state.phase).toBe(phase);
    expect(gatewayWanted(reachPhase(phase).state)).toBe(wanted);
  });
});

// ---------------------------------------------------------------------------------------------

describe('the fixtures reach each phase through decide()', () => {
  it('watching → promoting → promoted → demoting with the expected counters', () => {
    const promoting = reachPromoting();
    expect(promoting.state).toMatchObject({ phase: 'promoting', phaseSince: T0 + 2 * STEP_MS, consecutiveFailures: 3, gatewayRunning: null });
    const promoted = reachPromoted();
    expect(promoted.state).toMatchObject({ phase: 'promoted', phaseSince: T0 + 3 * STEP_MS, consecutiveFailures: 3, gatewayRunning: true });
    const demoting = reachDemoting();
    expect(demoting.state).toMatchObject({ phase: 'demoting', phaseSince: T0 + 6 * STEP_MS, consecutiveSuccesses: 3, gatewayRunning: true });
  });
});

// ---------------------------------------------------------------------------------------------
// Every (phase × observation) pair

describe('phase watching', () => {
  const base = watchingState();
  const at = T0;

  it('probe ok: counts a success, no action, no log line', () => {
    const s = step(base, ok(at), at);
    expect(s.state.phase).toBe('watching');
    expect(counters(s.state)).toEqual({ failures: 0, successes: 1 });
    expect(s.state.streakStartedAt).toBe(at - LATENCY_MS);
    expect(s.state.lastProbe).toEqual({ ok: true, at, latencyMs: LATENCY_MS, status: 200 });
    expect(s.actions).toEqual([]);
    expect(s.decisions).toEqual([]);
  });

  it('probe fail: counts a failure and logs it as a warning with the count', () => {
    const s = step(base, fail(at, 'timeout'), at);
    expect(s.state.phase).toBe('watching');
    expect(counters(s.state)).toEqual({ failures: 1, successes: 0 });
    expect(s.state.lastProbe).toEqual({ ok: false, at, latencyMs: LATENCY_MS, reason: 'timeout', detail: `timeout at ${at}`, status: undefined });
    expect(s.actions).toEqual([]);
    expect(s.decisions).toEqual([{ event: 'primary-probe-failed', reason: `timeout: timeout at ${at} (1/3)`, level: 'warn' }]);
  });

  it('probe ok after failures below the threshold: resets and logs primary-answering-again', () => {
    const r = run(base, [fail, fail, ok]);
    expect(counters(r.state)).toEqual({ failures: 0, successes: 1 });
    expect(r.actions).toEqual([]);
    expect(r.decisions.at(-1)?.value).toMatchObject({ event: 'primary-answering-again', level: 'info' });
    expect(r.decisions.at(-1)?.value.reason).toContain('after 2 failed probe(s)');
  });

  it('gateway running: stops the stray gateway at once', () => {
    const s = step(base, gatewayUp(), at);
    expect(s.state).toMatchObject({ phase: 'watching', gatewayRunning: true, pendingGatewayAction: 'stop' });
    expect(types(s.actions)).toEqual(['stop-gateway']);
    expect(s.decisions).toMatchObject([{ event: 'stop-stray-gateway', level: 'warn' }]);
  });

  it('gateway running with a detail: the detail is in the stop reason', () => {
    const s = step(base, gatewayUp('container start event'), at);
    expect(s.actions[0]).toMatchObject({ type: 'stop-gateway' });
    expect(s.decisions[0]?.reason).toContain('container start event');
    expect(s.actions[0]?.type === 'stop-gateway' ? s.actions[0].reason : '').toBe(s.decisions[0]?.reason);
  });

  it('gateway stopped: recorded, nothing to do', () => {
    const s = step(base, gatewayDown(), at);
    expect(s.state).toMatchObject({ phase: 'watching', gatewayRunning: false, pendingGatewayAction: null });
    expect(s.actions).toEqual([]);
    expect(s.decisions).toEqual([]);
  });

  it.each(ALL_REPORT_SHAPES)('stale promotion-finished %o changes nothing', (shape) => {
    const mid = run(base, [fail, fail, gatewayUp()]).state;
    const s = step(mid, promotionFinished(shape, at), at);
    expect(s.state).toBe(mid);
    expect(s.actions).toEqual([]);
    expect(s.decisions).toEqual([]);
  });

  it.each([true, false])('stale demotion-finished ok=%s changes nothing', (okay) => {
    const mid = run(base, [fail, gatewayUp()]).state;
    const s = step(mid, demotionFinished(okay, 'x'), at);
    expect(s.state).toBe(mid);
    expect(s.actions).toEqual([]);
    expect(s.decisions).toEqual([]);
  });
});

describe('phase promoting', () => {
  const base = reachPromoting();
  const at = base.next;

  it('the transition in flight is a promotion in progress', () => {
    expect(base.state.transition).toMatchObject({ kind: 'promotion', outcome: 'in-progress', problems: [] });
  });

  it('probe ok: counts toward recovery, no action, no log line', () => {
    const s = step(base.state, ok(at), at);
    expect(s.state.phase).toBe('promoting');
    expect(counters(s.state)).toEqual({ failures: 0, successes: 1 });
    expect(s.state.transition).toEqual(base.state.transition);
    expect(s.actions).toEqual([]);
    expect(s.decisions).toEqual([]);
  });

  it('probe fail: keeps counting, logged at debug only', () => {
    const s = step(base.state, fail(at), at);
    expect(s.state.phase).toBe('promoting');
    expect(counters(s.state)).toEqual({ failures: 4, successes: 0 });
    expect(s.actions).toEqual([]);
    expect(s.decisions).toMatchObject([{ event: 'primary-probe-failed', level: 'debug' }]);
    expect(s.decisions[0]?.reason).toContain('(4/3)');
  });

  it.each([true, false])('gateway running=%s: recorded, the promote action owns the container', (running) => {
    const s = step(base.state, running ? gatewayUp() : gatewayDown(), at);
    expect(s.state).toMatchObject({ phase: 'promoting', gatewayRunning: running, pendingGatewayAction: null });
    expect(s.actions).toEqual([]);
    expect(s.decisions).toEqual([]);
  });

  it.each([true, false])('stale demotion-finished ok=%s changes nothing', (okay) => {
    const s = step(base.state, demotionFinished(okay), at);
    expect(s.state).toBe(base.state);
    expect(s.actions).toEqual([]);
    expect(s.decisions).toEqual([]);
  });
});

describe('promotion-finished while promoting: every report variant', () => {
  const SYNC_PROBLEM = 'workspace sync failed: git fetch timed out';
  const READY_PROBLEM = 'gateway not ready: readyz timed out after 60s';
  const START_PROBLEM = 'gateway start failed: no such container';
  type Row = [SyncVariant, StartVariant, ReadyVariant, Phase, Transition['outcome'], 'info' | 'warn' | 'error', string[]];
  const rows: Row[] = [
    ['ok', 'ok', 'ok', 'promoted', 'succeeded', 'info', []],
    ['ok', 'ok', 'failed', 'promoted', 'degraded', 'warn', [READY_PROBLEM]],
    ['ok', 'ok', 'absent', 'promoted', 'degraded', 'warn', []],
    ['ok', 'failed', 'ok', 'watching', 'failed', 'error', [START_PROBLEM]],
    ['ok', 'failed', 'failed', 'watching', 'failed', 'error', [START_PROBLEM]],
    ['ok', 'failed', 'absent', 'watching', 'failed', 'error', [START_PROBLEM]],
    ['failed', 'ok', 'ok', 'promoted', 'degraded', 'warn', [SYNC_PROBLEM]],
    ['failed', 'ok', 'failed', 'promoted', 'degraded', 'warn', [SYNC_PROBLEM, READY_PROBLEM]],
    ['failed', 'ok', 'absent', 'promoted', 'degraded', 'warn', [SYNC_PROBLEM]],
    ['failed', 'failed', 'ok', 'watching', 'failed', 'error', [SYNC_PROBLEM, START_PROBLEM]],
    ['failed', 'failed', 'failed', 'watching', 'failed', 'error', [SYNC_PROBLEM, START_PROBLEM]],
    ['failed', 'failed', 'absent', 'watching', 'failed', 'error', [SYNC_PROBLEM, START_PROBLEM]],
    ['skipped', 'ok', 'ok', 'promoted', 'succeeded', 'info', []],
    ['skipped', 'ok', 'failed', 'promoted', 'degraded', 'warn', [READY_PROBLEM]],
    ['skipped', 'ok', 'absent', 'promoted', 'degraded', 'warn', []],
    ['skipped', 'failed', 'ok', 'watching', 'failed', 'error', [START_PROBLEM]],
    ['skipped', 'failed', 'failed', 'watching', 'failed', 'error', [START_PROBLEM]],
    ['skipped', 'failed', 'absent', 'watching', 'failed', 'error', [START_PROBLEM]],
  ];

  it('the table covers every report shape exactly once', () => {
    const key = (s: ReportShape): string => `${s.sync}/${s.start}/${s.ready}`;
    expect(rows.map(([sync, start, ready]) => key({ sync, start, ready })).sort()).toEqual(ALL_REPORT_SHAPES.map(key).sort());
  });

  it.each(rows)('sync %s, start %s, ready %s → %s (%s)', (sync, start, ready, phase, outcome, level, problems) => {
    const base = reachPromoting();
    const decidedAt = base.next - STEP_MS;
    const at = base.next + 5_000;
    const s = step(base.state, promotionFinished({ sync, start, ready }, decidedAt), at);

    expect(s.state.phase).toBe(phase);
    expect(s.state.phaseSince).toBe(at);
    expect(types(s.actions)).toEqual(['persist']);
    expect(s.decisions[0]?.event).toBe(phase === 'promoted' ? 'promoted' : 'promotion-failed');
    expect(s.decisions[0]?.level).toBe(level);
    expect(s.state.transition).toEqual({
      kind: 'promotion',
      reason: '3 consecutive failed probes (FAIL_THRESHOLD=3), last: refused (refused at ' + String(decidedAt) + ')',
      streakStartedAt: T0 - LATENCY_MS,
      decidedAt,
      syncedAt: decidedAt + SYNC_OFFSET,
      startedAt: decidedAt + START_OFFSET,
      readyAt: start === 'ok' && ready === 'ok' ? decidedAt + READY_OFFSET : undefined,
      finishedAt: at,
      outcome,
      problems,
    } satisfies Transition);
    // The failure streak is untouched by the report.
    expect(counters(s.state)).toEqual({ failures: 3, successes: 0 });

    if (phase === 'promoted') {
      expect(s.state).toMatchObject({ gatewayRunning: true, restartAttempts: 0, nextRestartAt: at, pendingGatewayAction: null });
      const expectedReason =
        ready === 'ok' ? 'standby gateway started and ready' : `standby gateway started but ${problems.at(-1) ?? 'not ready'}`;
      expect(s.decisions[0]?.reason).toBe(expectedReason);
    } else {
      expect(s.state.gatewayRunning).toBeNull();
      expect(s.decisions[0]?.reason).toBe(`no such container (failed promotion #1; next attempt not before ${POLICY.promoteRetryBackoffMs} ms from now)`);
      expect(s.state).toMatchObject({ promotionFailures: 1, nextPromotionAt: at + POLICY.promoteRetryBackoffMs });
    }
  });

  it('a failed start goes back to watching with the streak intact: failed probes inside the retry backoff do not promote, the first one after it does', () => {
    const base = reachPromoting();
    // Finished at base.next; the backoff is 10 s, probes come every second: 9 held, the 10th promotes.
    const failed = run(base.state, [promotionFinished({ sync: 'ok', start: 'failed', ready: 'absent' }, base.next - 500), ...repeat(10, fail)], base.next);
    expect(failed.state.phase).toBe('promoting');
    expect(types(failed.actions)).toEqual(['persist', 'persist', 'promote']);
    expect(events(failed.decisions)).toEqual(['promotion-failed', ...repeat(9, 'promotion-backoff'), 'promote']);
    const promoteAt = failed.actions.at(-1)?.at;
    expect(promoteAt).toBe(base.next + POLICY.promoteRetryBackoffMs);
    expect(failed.state.transition).toMatchObject({
      kind: 'promotion',
      outcome: 'in-progress',
      streakStartedAt: T0 - LATENCY_MS,
      decidedAt: promoteAt,
      problems: [],
    });
    expect(failed.state.transition?.reason).toContain('13 consecutive failed probes');
  });

  it('repeated failed starts: the retry delay doubles up to its cap, and a started gateway resets it', () => {
    const p = policy({ promoteRetryBackoffMs: 1_000, promoteRetryBackoffMaxMs: 4_000 });
    let r = reachPromoting(p);
    const gaps: number[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      const finishedAt = r.next;
      r = run(r.state, [promotionFinished({ sync: 'ok', start: 'failed', ready: 'absent' }, finishedAt - 500)], finishedAt);
      // Probe every 500 ms until the next promote.
      let probes = 0;
      while (r.state.phase === 'watching' && probes++ < 100) r = run(r.state, [fail], r.next, 500);
      expect(r.state.phase).toBe('promoting');
      gaps.push((r.actions.at(-1)?.at ?? 0) - finishedAt);
      expect(r.state.promotionFailures).toBe(attempt + 1);
    }
    expect(gaps).toEqual([1_000, 2_000, 4_000, 4_000, 4_000]);
    const started = run(r.state, [promotionFinished(FULL_OK, r.next - 500)], r.next);
    expect(started.state).toMatchObject({ phase: 'promoted', promotionFailures: 0 });
  });

  it('a failed start followed by recoverThreshold healthy probes forgets the failure: the next outage promotes at once', () => {
    const base = reachPromoting();
    const r = run(base.state, [promotionFinished({ sync: 'ok', start: 'failed', ready: 'absent' }, base.next - 500), ok, ok, ok, fail, fail, fail], base.next);
    expect(r.state.phase).toBe('promoting');
    expect(events(r.decisions).at(-1)).toBe('promote');
  });

  it('a failed start followed by a healthy probe does not promote again on the next failure', () => {
    const base = reachPromoting();
    const r = run(base.state, [promotionFinished({ sync: 'ok', start: 'failed', ready: 'absent' }, base.next - 500), ok, fail, fail], base.next);
    expect(r.state.phase).toBe('watching');
    expect(counters(r.state)).toEqual({ failures: 2, successes: 0 });
    expect(types(r.actions)).toEqual(['persist']);
  });
});

describe('phase promoted', () => {
  const base = reachPromoted();
  const at = base.next;

  it('probe ok: counts toward recovery and logs it', () => {
    const s = step(base.state, ok(at), at);
    expect(s.state.phase).toBe('promoted');
    expect(counters(s.state)).toEqual({ failures: 0, successes: 1 });
    expect(s.actions).toEqual([]);
    expect(s.decisions).toEqual([{ event: 'primary-answering', reason: 'primary healthy 1/3 while promoted', level: 'info' }]);
  });

  it('probe fail after failures: counted silently (the gateway runs)', () => {
    const s = step(base.state, fail(at), at);
    expect(s.state.phase).toBe('promoted');
    expect(counters(s.state)).toEqual({ failures: 4, successes: 0 });
    expect(s.actions).toEqual([]);
    expect(s.decisions).toEqual([]);
  });

  it('probe fail after a healthy probe: the first failure is logged at info', () => {
    const r = run(base.state, [ok, fail], at);
    expect(r.state.phase).toBe('promoted');
    expect(counters(r.state)).toEqual({ failures: 1, successes: 0 });
    expect(r.actions).toEqual([]);
    expect(r.decisions.at(-1)?.value).toMatchObject({ event: 'primary-probe-failed', level: 'info' });
  });

  it('gateway running: nothing to do', () => {
    const s = step(base.state, gatewayUp(), at);
    expect(s.state).toMatchObject({ phase: 'promoted', gatewayRunning: true, pendingGatewayAction: null });
    expect(s.actions).toEqual([]);
    expect(s.decisions).toEqual([]);
  });

  it('gateway stopped while the primary is failing: re-started at once', () => {
    const s = step(base.state, gatewayDown('die event'), at);
    expect(s.state).toMatchObject({
      phase: 'promoted',
      gatewayRunning: false,
      pendingGatewayAction: 'start',
      restartAttempts: 1,
      nextRestartAt: at + POLICY.restartBackoffMs,
    });
    expect(types(s.actions)).toEqual(['start-gateway']);
    expect(s.decisions).toMatchObject([{ event: 'restart-gateway', level: 'warn' }]);
    expect(s.decisions[0]?.reason).toContain('re-start #1');
  });

  it.each(ALL_REPORT_SHAPES)('stale promotion-finished %o changes nothing', (shape) => {
    const s = step(base.state, promotionFinished(shape, at), at);
    expect(s.state).toBe(base.state);
    expect(s.actions).toEqual([]);
    expect(s.decisions).toEqual([]);
  });

  it.each([true, false])('stale demotion-finished ok=%s changes nothing', (okay) => {
    const s = step(base.state, demotionFinished(okay, 'stale'), at);
    expect(s.state).toBe(base.state);
    expect(s.actions).toEqual([]);
    expect(s.decisions).toEqual([]);
  });
});

describe('phase demoting', () => {
  const base = reachDemoting();
  const at = base.next;

  it('the transition in flight is a demotion, stop issued when decided', () => {
    expect(base.state.transition).toEqual({
      kind: 'demotion',
      reason: '3 consecutive healthy probes (RECOVER_THRESHOLD=3)',
      streakStartedAt: T0 + 4 * STEP_MS - LATENCY_MS,
      decidedAt: T0 + 6 * STEP_MS,
      startedAt: T0 + 6 * STEP_MS,
      outcome: 'in-progress',
      problems: [],
    } satisfies Transition);
  });

  it('probe ok: counted, nothing else', () => {
    const s = step(base.state, ok(at), at);
    expect(s.state.phase).toBe('demoting');
    expect(counters(s.state)).toEqual({ failures: 0, successes: 4 });
    expect(s.actions).toEqual([]);
    expect(s.decisions).toEqual([]);
  });

  it('probe fail: counted, logged at debug', () => {
    const s = step(base.state, fail(at), at);
    expect(s.state.phase).toBe('demoting');
    expect(counters(s.state)).toEqual({ failures: 1, successes: 0 });
    expect(s.actions).toEqual([]);
    expect(s.decisions).toMatchObject([{ event: 'primary-probe-failed', level: 'debug' }]);
  });

  it.each([true, false])('gateway running=%s: recorded, the demote action owns the container', (running) => {
    const s = step(base.state, running ? gatewayUp() : gatewayDown(), at);
    expect(s.state).toMatchObject({ phase: 'demoting', gatewayRunning: running, pendingGatewayAction: null });
    expect(s.actions).toEqual([]);
    expect(s.decisions).toEqual([]);
  });

  it.each(ALL_REPORT_SHAPES)('stale promotion-finished %o changes nothing', (shape) => {
    const s = step(base.state, promotionFinished(shape, at), at);
    expect(s.state).toBe(base.state);
    expect(s.actions).toEqual([]);
    expect(s.decisions).toEqual([]);
  });

  it('demotion-finished ok: back to watching, gateway known stopped', () => {
    const s = step(base.state, demotionFinished(true), at);
    expect(s.state).toMatchObject({ phase: 'watching', phaseSince: at, gatewayRunning: false });
    expect(counters(s.state)).toEqual({ failures: 0, successes: 3 });
    expect(types(s.actions)).toEqual(['persist']);
    expect(s.decisions).toEqual([{ event: 'demoted', reason: 'standby gateway stopped; the primary is in charge', level: 'info', transition: s.state.transition }]);
    expect(s.state.transition).toMatchObject({ kind: 'demotion', outcome: 'succeeded', finishedAt: at, problems: [] });
  });

  it.each([
    ['docker stop timed out', 'docker stop timed out'],
    [undefined, 'unknown error'],
  ])('demotion-finished failed (error %s): watching, failure recorded, gateway still believed running', (error, shown) => {
    const s = step(base.state, demotionFinished(false, error), at);
    expect(s.state).toMatchObject({ phase: 'watching', phaseSince: at, gatewayRunning: true });
    expect(types(s.actions)).toEqual(['persist']);
    expect(s.decisions).toEqual([{ event: 'demotion-failed', reason: shown, level: 'error', transition: s.state.transition }]);
    expect(s.state.transition).toMatchObject({ kind: 'demotion', outcome: 'failed', finishedAt: at, problems: [`gateway stop failed: ${shown}`] });
  });
});

describe('gateway-action-finished in every phase', () => {
  const cases = PHASES.flatMap((phase) =>
    (['start', 'stop'] as const).flatMap((action) => [true, false].map((okay) => [phase, action, okay] as const)),
  );

  it.each(cases)('%s: %s ok=%s updates only the gateway belief', (phase, action, okay) => {
    const base = reachPhase(phase);
    const s = step(base.state, actionFinished(action, okay, okay ? undefined : 'docker said no'), base.next);
    expect(s.state.phase).toBe(phase);
    expect(s.actions).toEqual([]);
    expect(s.state.pendingGatewayAction).toBeNull();
    expect(s.state.gatewayRunning).toBe(okay ? action === 'start' : base.state.gatewayRunning);
    expect(s.state.gatewayUpSince).toBe(okay ? (action === 'start' ? base.next : null) : base.state.gatewayUpSince);
    expect({ ...s.state, gatewayRunning: base.state.gatewayRunning, gatewayUpSince: base.state.gatewayUpSince }).toEqual(base.state);
    if (okay) expect(s.decisions).toEqual([]);
    else expect(s.decisions).toEqual([{ event: `gateway-${action}-failed`, reason: 'docker said no', level: 'error' }]);
  });

  it('a failure without an error message is logged as unknown error', () => {
    const s = step(watchingState(), actionFinished('stop', false), T0);
    expect(s.decisions).toEqual([{ event: 'gateway-stop-failed', reason: 'unknown error', level: 'error' }]);
  });

  it('only the matching pending action is cleared', () => {
    const pendingStop = run(watchingState(), [gatewayUp()]).state;
    expect(pendingStop.pendingGatewayAction).toBe('stop');
    expect(step(pendingStop, actionFinished('start', true), T0).state.pendingGatewayAction).toBe('stop');
    expect(step(pendingStop, actionFinished('stop', true), T0).state.pendingGatewayAction).toBeNull();
    expect(step(pendingStop, actionFinished('stop', false), T0).state.pendingGatewayAction).toBeNull();

    const promoted = reachPromoted();
    const pendingStart = run(promoted.state, [gatewayDown()], promoted.next).state;
    expect(pendingStart.pendingGatewayAction).toBe('start');
    expect(step(pendingStart, actionFinished('stop', true), T0).state.pendingGatewayAction).toBe('start');
    expect(step(pendingStart, actionFinished('start', false), T0).state.pendingGatewayAction).toBeNull();
    const started = step(pendingStart, actionFinished('start', true), T0).state;
    expect(started).toMatchObject({ pendingGatewayAction: null, gatewayRunning: true });
  });
});

// ---------------------------------------------------------------------------------------------

describe.each([1, 2, 3, 5])('failThreshold %i', (n) => {
  const p = policy({ failThreshold: n });

  it(`the ${n}th consecutive failure promotes, not one earlier`, () => {
    const before = run(watchingState(p), repeat(n - 1, fail));
    expect(before.state.phase).toBe('watching');
    expect(before.actions).toEqual([]);
    expect(before.state.consecutiveFailures).toBe(n - 1);

    const s = step(before.state, fail(before.next), before.next);
    expect(s.state.phase).toBe('promoting');
    expect(s.state.phaseSince).toBe(before.next);
    expect(s.actions).toEqual([{ type: 'persist' }, { type: 'promote' }]);
    expect(s.decisions).toMatchObject([{ event: 'promote', level: 'warn' }]);
    expect(s.decisions[0]?.reason).toContain(`${n} consecutive failed probes (FAIL_THRESHOLD=${n})`);
  });

  // With n = 1 there is no room for a success between failures.
  if (n > 1) it('a success in between resets the count', () => {
    const r = run(watchingState(p), [...repeat(n - 1, fail), ok, ...repeat(n - 1, fail)]);
    expect(r.state.phase).toBe('watching');
    expect(r.state.consecutiveFailures).toBe(n - 1);
    expect(r.actions).toEqual([]);
    const s = step(r.state, fail(r.next), r.next);
    expect(types(s.actions)).toEqual(['persist', 'promote']);
  });
});

describe.each([1, 2, 3, 5])('recoverThreshold %i', (n) => {
  const p = policy({ recoverThreshold: n });

  it(`the ${n}th consecutive healthy probe while promoted demotes, not one earlier`, () => {
    const promoted = reachPromoted(p);
    const before = run(promoted.state, repeat(n - 1, ok), promoted.next);
    expect(before.state.phase).toBe('promoted');
    expect(before.actions).toEqual([]);
    expect(before.state.consecutiveSuccesses).toBe(n - 1);

    const s = step(before.state, ok(before.next), before.next);
    expect(s.state.phase).toBe('demoting');
    expect(s.actions).toEqual([{ type: 'persist' }, { type: 'demote' }]);
    expect(s.decisions).toMatchObject([{
      event: 'demote',
      reason: `${n} consecutive healthy probes (RECOVER_THRESHOLD=${n})`,
      level: 'info',
    }]);
  });

  if (n > 1) it('a failure in between resets the count', () => {
    const promoted = reachPromoted(p);
    const r = run(promoted.state, [...repeat(n - 1, ok), fail, ...repeat(n - 1, ok)], promoted.next);
    expect(r.state.phase).toBe('promoted');
    expect(r.state.consecutiveSuccesses).toBe(n - 1);
    expect(r.actions).toEqual([]);
    const s = step(r.state, ok(r.next), r.next);
    expect(types(s.actions)).toEqual(['persist', 'demote']);
  });
});

// ---------------------------------------------------------------------------------------------

describe('promotion and demotion timings', () => {
  it('streakStartedAt is the start of the first failed probe of the streak; decidedAt the threshold probe', () => {
    const r = run(watchingState(), [ok, fail, ok, fail, fail, (now) => fail(now, 'timeout')]);
    const firstOfStreak = T0 + 3 * STEP_MS;
    const threshold = T0 + 5 * STEP_MS;
    expect(r.actions).toEqual([
      { at: threshold, value: { type: 'persist' } },
      { at: threshold, value: { type: 'promote' } },
    ]);
    expect(r.state.transition).toEqual({
      kind: 'promotion',
      reason: `3 consecutive failed probes (FAIL_THRESHOLD=3), last: timeout (timeout at ${threshold})`,
      streakStartedAt: firstOfStreak - LATENCY_MS,
      decidedAt: threshold,
      outcome: 'in-progress',
      problems: [],
    } satisfies Transition);
  });

  it('sync, start and ready times are copied from the report; finishedAt is when it arrived', () => {
    const r = reachPromoting();
    const reportBase = r.next + 10_000;
    const finishedAt = reportBase + 30_000;
    const s = step(r.state, promotionFinished({ sync: 'ok', start: 'ok', ready: 'ok' }, reportBase), finishedAt);
    expect(s.state.transition).toMatchObject({
      streakStartedAt: T0 - LATENCY_MS,
      decidedAt: T0 + 2 * STEP_MS,
      syncedAt: reportBase + SYNC_OFFSET,
      startedAt: reportBase + START_OFFSET,
      readyAt: reportBase + READY_OFFSET,
      finishedAt,
      outcome: 'succeeded',
    });
  });

  it('a demotion records the start of the healthy streak and its own timings', () => {
    const promoted = reachPromoted();
    const r = run(promoted.state, [ok, fail, ok, ok, ok, demotionFinished(true)], promoted.next);
    const streakStart = promoted.next + 2 * STEP_MS - LATENCY_MS;
    const decidedAt = promoted.next + 4 * STEP_MS;
    expect(r.state.transition).toMatchObject({
      kind: 'demotion',
      streakStartedAt: streakStart,
      decidedAt,
      startedAt: decidedAt,
      finishedAt: promoted.next + 5 * STEP_MS,
      outcome: 'succeeded',
    });
  });
});

// ---------------------------------------------------------------------------------------------

describe('stray gateway while watching', () => {
  it('one stop per running gateway, no duplicate while the stop is pending, a new stop after a failed one', () => {
    const r = run(watchingState(), [gatewayUp(), gatewayUp(), gatewayUp('event'), actionFinished('stop', false, 'busy'), gatewayUp()]);
    expect(r.actions.map((a) => [a.at, a.value.type])).toEqual([
      [T0, 'stop-gateway'],
      [T0 + 4 * STEP_MS, 'stop-gateway'],
    ]);
    expect(events(r.decisions)).toEqual(['stop-stray-gateway', 'gateway-stop-failed', 'stop-stray-gateway']);
    expect(r.state.pendingGatewayAction).toBe('stop');
  });

  it('after a successful stop, the gateway is known stopped and a later restart of it is stopped again', () => {
    const r = run(watchingState(), [gatewayUp(), actionFinished('stop', true), gatewayDown(), gatewayUp()]);
    expect(types(r.actions)).toEqual(['stop-gateway', 'stop-gateway']);
    expect(r.steps[1]?.step.state).toMatchObject({ gatewayRunning: false, pendingGatewayAction: null });
  });

  it('probes do not disturb a pending stop', () => {
    const r = run(watchingState(), [gatewayUp(), ok, fail, ok, gatewayUp()]);
    expect(types(r.actions)).toEqual(['stop-gateway']);
    expect(r.state.pendingGatewayAction).toBe('stop');
  });
});

// ---------------------------------------------------------------------------------------------

describe('gateway crash while promoted', () => {
  it('with the last probe failing: start-gateway', () => {
    const promoted = reachPromoted();
    const r = run(promoted.state, [fail, gatewayDown()], promoted.next);
    expect(types(r.actions)).toEqual(['start-gateway']);
  });

  it('with the last probe ok: nothing started, gateway-down-while-promoted is logged', () => {
    const promoted = reachPromoted();
    const r = run(promoted.state, [ok, gatewayDown()], promoted.next);
    expect(r.actions).toEqual([]);
    expect(r.state).toMatchObject({ phase: 'promoted', gatewayRunning: false, pendingGatewayAction: null, restartAttempts: 0 });
    expect(r.decisions.at(-1)?.value).toMatchObject({ event: 'gateway-down-while-promoted', level: 'warn' });
    expect(r.decisions.at(-1)?.value.reason).toContain('the primary answers');
  });

  it('…and it is re-started once the primary has failed FAIL_THRESHOLD probes in a row again, not at the first', () => {
    const promoted = reachPromoted();
    const r = run(promoted.state, [ok, gatewayDown(), ok, fail, fail, fail], promoted.next);
    expect(r.actions).toEqual([{ at: promoted.next + 5 * STEP_MS, value: expect.objectContaining({ type: 'start-gateway' }) as unknown }]);
    expect(r.decisions.map((d) => d.value.reason).find((reason) => reason.includes('so far'))).toBeUndefined();
  });

  it('repeated down observations while the re-start is pending do not pile up', () => {
    const promoted = reachPromoted();
    const r = run(promoted.state, [gatewayDown(), gatewayDown(), fail, gatewayDown('die')], promoted.next, 10_000);
    expect(types(r.actions)).toEqual(['start-gateway']);
    expect(r.state.pendingGatewayAction).toBe('start');
    // Nor do they log: the re-start is under way.
    expect(events(r.decisions)).toEqual(['restart-gateway']);
  });

  it('successive crashes back off 2 s, 4 s, 8 s, … capped at restartBackoffMaxMs', () => {
    const promoted = reachPromoted();
    let state = promoted.state;
    let now = promoted.next;
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 8; attempt++) {
      const s = step(state, gatewayDown(), now);
      expect(types(s.actions)).toEqual(['start-gateway']);
      expect(s.state.restartAttempts).toBe(attempt);
      delays.push(s.state.nextRestartAt - now);
      // The start succeeds, then the gateway dies again right when it may be re-started.
      state = step(s.state, actionFinished('start', true), now).state;
      now = state.nextRestartAt;
    }
    expect(delays).toEqual([2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);
  });

  it('a crash before nextRestartAt is held back; the first failed probe at or after it re-starts', () => {
    const promoted = reachPromoted();
    const t = promoted.next;
    const first = run(promoted.state, [gatewayDown(), actionFinished('start', true)], t, 0);
    expect(first.state.nextRestartAt).toBe(t + 2_000);

    const crash = step(first.state, gatewayDown(), t + 500);
    expect(crash.actions).toEqual([]);
    expect(crash.decisions).toMatchObject([{ event: 'gateway-down-while-promoted', level: 'warn' }]);
    expect(crash.decisions[0]?.reason).toContain('held back for 1500 ms');

    const early = step(crash.state, fail(t + 1_999), t + 1_999);
    expect(early.actions).toEqual([]);
    const onTime = step(early.state, fail(t + 2_000), t + 2_000);
    expect(types(onTime.actions)).toEqual(['start-gateway']);
    expect(onTime.state).toMatchObject({ restartAttempts: 2, nextRestartAt: t + 2_000 + 4_000, pendingGatewayAction: 'start' });
  });

  it('a failed re-start is retried after the backoff, not before', () => {
    const promoted = reachPromoted();
    const t = promoted.next;
    const r = run(promoted.state, [gatewayDown(), actionFinished('start', false, 'oom'), gatewayDown(), fail], t, 500);
    expect(types(r.actions)).toEqual(['start-gateway']);
    const retry = step(r.state, fail(t + 2_000), t + 2_000);
    expect(types(retry.actions)).toEqual(['start-gateway']);
  });

  // Regression (fixed by capping the exponent): with restartBackoffMs = 0, the 1025th re-start computed 0 × 2 ** 1024 =
  // 0 × Infinity = NaN, so nextRestartAt becomes NaN: `now >= NaN` is false (never re-started
  // again), and the next gateway-down observation makes decide() throw a RangeError from
  // new Date(NaN).toISOString() in the held-back log reason.
  it('with restartBackoffMs 0, a gateway that keeps crashing is re-started every time', () => {
    const p = policy({ restartBackoffMs: 0 });
    const promoted = reachPromoted(p);
    let state = promoted.state;
    let now = promoted.next;
    for (let attempt = 1; attempt <= 1_030; attempt++) {
      const s = step(state, gatewayDown(), now);
      expect(types(s.actions), `re-start #${attempt}`).toEqual(['start-gateway']);
      expect(Number.isFinite(s.state.nextRestartAt)).toBe(true);
      state = step(s.state, actionFinished('start', true), now).state;
      now += STEP_MS;
    }
  });

  it('a new promotion resets the backoff', () => {
    const promoted = reachPromoted();
    const crashed = run(promoted.state, [gatewayDown(), actionFinished('start', true), ...repeat(3, ok), demotionFinished(true)], promoted.next);
    expect(crashed.state).toMatchObject({ phase: 'watching', restartAttempts: 1 });
    const again = run(crashed.state, [fail, fail, fail, promotionFinished(undefined, crashed.next), gatewayDown()], crashed.next);
    expect(types(again.actions)).toEqual(['persist', 'promote', 'persist', 'start-gateway']);
    expect(again.state.restartAttempts).toBe(1);
    expect(again.state.nextRestartAt).toBe(again.next - STEP_MS + POLICY.restartBackoffMs);
  });
});

// ---------------------------------------------------------------------------------------------

describe('watcher restarted while promoted', () => {
  it.each(['promoted', 'promoting'] as const)('restored %s with the gateway running: no start or stop', (restored) => {
    const r = run(initialState(POLICY, restored, T0), [gatewayUp(), fail, ok, gatewayUp()]);
    expect(r.actions).toEqual([]);
    expect(r.state).toMatchObject({ phase: 'promoted', gatewayRunning: true });
  });

  it('gateway stopped: nothing is started on the first failed probe, only once FAIL_THRESHOLD failures are observed', () => {
    const one = run(initialState(POLICY, 'promoted', T0), [gatewayDown(), fail]);
    expect(one.actions).toEqual([]);
    const r = run(initialState(POLICY, 'promoted', T0), [gatewayDown(), fail, fail, fail]);
    expect(r.actions).toEqual([{ at: T0 + 3 * STEP_MS, value: expect.objectContaining({ type: 'start-gateway' }) as unknown }]);
  });

  it('failing probes, then the gateway seen stopped: start-gateway only past FAIL_THRESHOLD', () => {
    const early = run(initialState(POLICY, 'promoted', T0), [fail, gatewayDown()]);
    expect(early.actions).toEqual([]);
    expect(early.decisions.at(-1)?.value.reason).toContain('(1 so far)');
    const r = run(initialState(POLICY, 'promoted', T0), [fail, fail, fail, gatewayDown()]);
    expect(r.actions).toEqual([{ at: T0 + 3 * STEP_MS, value: expect.objectContaining({ type: 'start-gateway' }) as unknown }]);
  });

  it('a watcher restored as promoted whose first probes time out (a loaded host) does not serve on one failure, and a healthy primary then demotes', () => {
    const r = run(initialState(POLICY, 'promoted', T0), [gatewayDown(), (now) => fail(now, 'timeout'), (now) => fail(now, 'timeout'), ok, ok, ok]);
    expect(types(r.actions.map((a) => a.value))).toEqual(['persist', 'demote']);
  });

  it('gateway stopped and the first probe ok: nothing started', () => {
    const r = run(initialState(POLICY, 'promoted', T0), [gatewayDown(), ok]);
    expect(r.actions).toEqual([]);
    expect(r.state).toMatchObject({ phase: 'promoted', gatewayRunning: false, consecutiveSuccesses: 1 });
  });

  it('gateway state unknown: a failing probe starts nothing until the gateway is inspected', () => {
    const r = run(initialState(POLICY, 'promoted', T0), [fail, fail]);
    expect(r.actions).toEqual([]);
    expect(r.state.gatewayRunning).toBeNull();
  });

  it('restored watching (a demotion was under way) with the gateway still running: stopped', () => {
    const r = run(initialState(POLICY, 'demoting', T0), [gatewayUp()]);
    expect(types(r.actions)).toEqual(['stop-gateway']);
  });

  it('restored promoted with the primary already back: demotes after recoverThreshold probes', () => {
    const r = run(initialState(POLICY, 'promoted', T0), [gatewayUp(), ok, ok, ok]);
    expect(types(r.actions)).toEqual(['persist', 'demote']);
    expect(r.state.transition).toMatchObject({ kind: 'demotion', streakStartedAt: T0 + STEP_MS - LATENCY_MS });
  });

  // Surprising: with no probe seen yet, the log line claims a time-based hold that is not the
  // reason (nextRestartAt is the start time, already reached). It is only a message.
  it('gateway seen stopped before any probe: the log line does not claim a backoff hold', () => {
    const s = step(initialState(POLICY, 'promoted', T0), gatewayDown(), T0 + 5_000);
    expect(s.actions).toEqual([]);
    expect(s.decisions[0]?.reason).not.toContain('held back');
    expect(s.decisions[0]?.reason).toContain('FAIL_THRESHOLD=3 probes of the primary have failed in a row');
  });
});

// The push service's decisions: interval after success, capped doubling backoff after failures,
// and announcements only when the situation changes (never once per attempt).
import { describe, expect, it } from 'vitest';
import { applyOutcome, INITIAL_PUSH_STATE, type CycleOutcome, type PushState } from '../../src/push/push-state.ts';

const policy = { intervalMs: 60_000, retryInitialMs: 5_000 };
const fail: CycleOutcome = { kind: 'failed', error: 'connection refused' };
const synced = (head: string, pushed = true): CycleOutcome => ({ kind: 'synced', head, pushed, tookIn: undefined, unmerged: [] });

function run(outcomes: CycleOutcome[], start: PushState = INITIAL_PUSH_STATE): Array<ReturnType<typeof applyOutcome>> {
  let state = start;
  return outcomes.map((o, i) => {
    const step = applyOutcome(state, o, 1_000 * (i + 1), policy);
    state = step.state;
    return step;
  });
}

describe('push state', () => {
  it('waits the interval after a push and records the success time and head', () => {
    const [step] = run([synced('a1')]);
    expect(step?.delayMs).toBe(60_000);
    expect(step?.state).toMatchObject({ health: 'ok', lastSuccessAt: 1_000, lastPushedHead: 'a1', consecutiveFailures: 0 });
    expect(step?.announce).toEqual([]);
  });

  it('an in-sync cycle (nothing new) counts as a success: the remote holds everything', () => {
    const [, second] = run([synced('a1'), synced('a1', false)]);
    expect(second?.state.lastSuccessAt).toBe(2_000);
  });

  it('backs off 5, 10, 20, 40 s then never slower than the interval, announcing the failure once and the recovery once', () => {
    const steps = run([synced('a1'), fail, fail, fail, fail, fail, fail, synced('a2')]);
    expect(steps.slice(1, 7).map((s) => s.delayMs)).toEqual([5_000, 10_000, 20_000, 40_000, 60_000, 60_000]);
    const kinds = steps.flatMap((s) => s.announce.map((a) => a.kind));
    expect(kinds).toEqual(['push-failing', 'push-recovered']);
    expect(steps[7]?.announce[0]).toEqual({ kind: 'push-recovered', failures: 6, downForMs: 7_000 });
    // The last success stays where it was while failing: the age grows, the alert can fire.
    expect(steps[6]?.state.lastSuccessAt).toBe(1_000);
    expect(steps[6]?.state.consecutiveFailures).toBe(6);
  });

  it('reports a divergence once per distinct pair of heads, keeps the last success, and says when it is resolved', () => {
    const d1: CycleOutcome = { kind: 'diverged', local: 'l1', remote: 'r1', unmerged: [] };
    const d2: CycleOutcome = { kind: 'diverged', local: 'l2', remote: 'r1', unmerged: [] };
    const steps = run([synced('a1'), d1, d1, d2, synced('m1')]);
    expect(steps.map((s) => s.announce.map((a) => a.kind))).toEqual([[], ['diverged'], [], ['diverged'], ['diverge-resolved']]);
    expect(steps[3]?.state).toMatchObject({ health: 'diverged', lastSuccessAt: 1_000, diverged: { local: 'l2', remote: 'r1' } });
  });

  it('announces only standby branches it has not seen before', () => {
    const withBranches = (unmerged: string[]): CycleOutcome => ({ kind: 'synced', head: 'h', pushed: false, tookIn: undefined, unmerged });
    const steps = run([withBranches(['standby/s/1']), withBranches(['standby/s/1']), withBranches(['standby/s/1', 'standby/s/2']), withBranches([])]);
    expect(steps.map((s) => s.announce)).toEqual([
      [{ kind: 'unmerged-branches', added: ['standby/s/1'], all: ['standby/s/1'] }],
      [],
      [{ kind: 'unmerged-branches', added: ['standby/s/2'], all: ['standby/s/1', 'standby/s/2'] }],
      [],
    ]);
    expect(steps[3]?.state.unmerged).toEqual([]);
  });
});

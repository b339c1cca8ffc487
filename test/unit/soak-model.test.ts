// The soak simulation's building blocks: the modelled attempt, the modelled check (the real hedge
// rules on a simulated clock, driven here by scripted random numbers so every launch and answer
// time is known) and the modelled watcher loop around the real decide().
import { describe, expect, it } from 'vitest';
import { createRng, detectionTrial, HEALTHY_PRIMARY, modelAttempt, percentile, simulateCheck, simulateWatcher } from '../../bench/soak-model.ts';
import type { NetworkModel, PrimaryModel, WatcherModel } from '../../bench/soak-model.ts';
import { DEFAULT_POLICY } from '../../src/decision/decide.ts';
import { hedgePolicy } from '../../src/probe/hedge-rules.ts';

const NETWORK: NetworkModel = { loss: 0.05, jitterMs: 1_000 };
const HEDGED = hedgePolicy(3, 2_000);

/** Random numbers from a script: each attempt draws [loss, latency]; LOST < 0.05 ≤ KEPT. */
function scripted(values: number[]): () => number {
  let i = 0;
  return () => {
    if (i >= values.length) throw new Error(`script exhausted after ${values.length} draws`);
    return values[i++]!;
  };
}
const LOST = 0.01;
const KEPT = 0.5;

describe('createRng', () => {
  it('is deterministic per seed, uniform in [0, 1), and seeds differ', () => {
    const a = createRng(7);
    const b = createRng(7);
    const c = createRng(8);
    const xs = Array.from({ length: 20_000 }, () => a());
    expect(Array.from({ length: 20_000 }, () => b())).toEqual(xs);
    expect(c()).not.toBe(xs[0]);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((sum, x) => sum + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.49);
    expect(mean).toBeLessThan(0.51);
    expect(xs.filter((x) => x < 0.05).length / xs.length).toBeCloseTo(0.05, 2);
  });
});

describe('modelAttempt', () => {
  it('a kept attempt answers healthy after its latency; a lost one never answers', () => {
    expect(modelAttempt(scripted([KEPT, 0.25]), NETWORK, HEALTHY_PRIMARY, 1_000)).toMatchObject({ answerAt: 1_250, result: { ok: true, status: 200 } });
    expect(modelAttempt(scripted([LOST, 0.25]), NETWORK, HEALTHY_PRIMARY, 1_000)).toEqual({ answerAt: Number.POSITIVE_INFINITY, result: null });
  });

  it('answers as the primary is when the answer would arrive: killed refuses, hung never answers', () => {
    const killed: PrimaryModel = { diesAt: 1_100, mode: 'killed' };
    expect(modelAttempt(scripted([KEPT, 0.05]), NETWORK, killed, 1_000).result?.ok).toBe(true);
    expect(modelAttempt(scripted([KEPT, 0.25]), NETWORK, killed, 1_000)).toMatchObject({ answerAt: 1_250, result: { ok: false, reason: 'refused' } });
    expect(modelAttempt(scripted([KEPT, 0.25]), NETWORK, { diesAt: 1_100, mode: 'hung' }, 1_000).answerAt).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('simulateCheck follows the hedge rules', () => {
  it('a prompt answer: one attempt', () => {
    const check = simulateCheck(HEDGED, scripted([KEPT, 0.2]), NETWORK, HEALTHY_PRIMARY, 10_000);
    expect(check).toEqual({ result: { ok: true, status: 200, latencyMs: 200, startedAt: 10_000 }, durationMs: 200, attempts: 1 });
  });

  it('a slow first answer: the hedge launched at 500 ms answers first at 600 ms', () => {
    const check = simulateCheck(HEDGED, scripted([KEPT, 0.7, KEPT, 0.1]), NETWORK, HEALTHY_PRIMARY, 0);
    expect(check).toMatchObject({ durationMs: 600, attempts: 2, result: { ok: true } });
  });

  it('two lost attempts: the third, launched at 1 000 ms, wins', () => {
    const check = simulateCheck(HEDGED, scripted([LOST, 0.9, LOST, 0.9, KEPT, 0.3]), NETWORK, HEALTHY_PRIMARY, 0);
    expect(check).toMatchObject({ durationMs: 1_300, attempts: 3, result: { ok: true } });
  });

  it('all lost: a timeout at the 2 000 ms deadline after three attempts', () => {
    const check = simulateCheck(HEDGED, scripted([LOST, 0, LOST, 0, LOST, 0]), NETWORK, HEALTHY_PRIMARY, 0);
    expect(check).toMatchObject({ durationMs: 2_000, attempts: 3, result: { ok: false, reason: 'timeout' } });
  });

  it('a killed primary: refused after the latency, no further attempt', () => {
    const check = simulateCheck(HEDGED, scripted([KEPT, 0.3]), NETWORK, { diesAt: 0, mode: 'killed' }, 5_000);
    expect(check).toMatchObject({ durationMs: 300, attempts: 1, result: { ok: false, reason: 'refused' } });
  });

  it('a lost attempt to a killed primary: the hedge gets the refusal', () => {
    const check = simulateCheck(HEDGED, scripted([LOST, 0, KEPT, 0.1]), NETWORK, { diesAt: 0, mode: 'killed' }, 5_000);
    expect(check).toMatchObject({ durationMs: 600, attempts: 2, result: { ok: false, reason: 'refused' } });
  });

  it('CHECK_ATTEMPTS=1: one lost attempt fails the check at the deadline', () => {
    const check = simulateCheck(hedgePolicy(1, 2_000), scripted([LOST, 0.5]), NETWORK, HEALTHY_PRIMARY, 0);
    expect(check).toMatchObject({ durationMs: 2_000, attempts: 1, result: { ok: false, reason: 'timeout' } });
  });
});

describe('simulateWatcher drives the real decide()', () => {
  const model = (loss: number, jitterMs: number, attempts = 3): Omit<WatcherModel, 'primary'> => ({
    policy: DEFAULT_POLICY,
    hedge: hedgePolicy(attempts, 2_000),
    checkIntervalMs: 2_000,
    network: { loss, jitterMs },
  });

  it('no loss: a check every 2 s and no promotion', () => {
    const run = simulateWatcher({ ...model(0, 1_000), primary: HEALTHY_PRIMARY }, createRng(1), 600_000);
    expect(run).toMatchObject({ checks: 300, failedChecks: 0, promotions: [] });
  });

  it('nothing ever answers: the third timed-out check promotes at 6 s, and it keeps cycling', () => {
    const run = simulateWatcher({ ...model(1, 1_000), primary: HEALTHY_PRIMARY }, createRng(1), 60_000);
    expect(run.promotions[0]).toBe(6_000);
    expect(run.failedChecks).toBe(run.checks);
    // Promoted, nothing recovers: one promotion only (no demotion without healthy answers).
    expect(run.promotions).toHaveLength(1);
  });

  it('the same seed gives the same run', () => {
    const a = simulateWatcher({ ...model(0.3, 1_000, 1), primary: HEALTHY_PRIMARY }, createRng(9), 3_600_000);
    const b = simulateWatcher({ ...model(0.3, 1_000, 1), primary: HEALTHY_PRIMARY }, createRng(9), 3_600_000);
    expect(a).toEqual(b);
    expect(a.promotions.length).toBeGreaterThan(0);
  });

  it('hedging turns a per-attempt loss p into a failed-check rate of about p³ (jitter below half the deadline)', () => {
    const hours = 12 * 3_600_000;
    const single = simulateWatcher({ ...model(0.2, 1_000, 1), primary: HEALTHY_PRIMARY }, createRng(11), hours);
    const hedged = simulateWatcher({ ...model(0.2, 1_000, 3), primary: HEALTHY_PRIMARY }, createRng(11), hours);
    expect(single.failedChecks / single.checks).toBeCloseTo(0.2, 1);
    // 0.2³ = 0.008; 21 600 checks give about 173 failures, so ±30 % is far outside the noise.
    expect(hedged.failedChecks / hedged.checks).toBeGreaterThan(0.008 * 0.7);
    expect(hedged.failedChecks / hedged.checks).toBeLessThan(0.008 * 1.3);
    expect(hedged.promotions.length).toBeLessThan(single.promotions.length / 100);
  });

  it('a killed primary without jitter or loss is detected 4 to 6 s after it died', () => {
    const rng = createRng(3);
    for (let i = 0; i < 50; i++) {
      const trial = detectionTrial(model(0, 0), rng, 'killed');
      expect(trial.falseBefore).toBe(0);
      expect(trial.detectionMs).toBeGreaterThanOrEqual(4_000);
      expect(trial.detectionMs).toBeLessThan(6_000);
    }
  });

  it('a hung primary without jitter or loss is detected after three timeouts: 6 to 8 s', () => {
    const rng = createRng(4);
    for (let i = 0; i < 50; i++) {
      const trial = detectionTrial(model(0, 0), rng, 'hung');
      expect(trial.detectionMs).toBeGreaterThanOrEqual(6_000);
      expect(trial.detectionMs).toBeLessThanOrEqual(8_000);
    }
  });
});

describe('percentile', () => {
  it('nearest rank', () => {
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 95)).toBe(10);
    expect(percentile(values, 100)).toBe(10);
    expect(percentile(values, 0)).toBe(1);
    expect(percentile([], 50)).toBeNaN();
  });
});

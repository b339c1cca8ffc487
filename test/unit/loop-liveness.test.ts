import { describe, expect, it } from 'vitest';
import { createLoopLiveness, LIVENESS_FLOOR_MS, loopAlive } from '../../src/watcher/loop-liveness.ts';

describe('the probe loop liveness behind /healthz and the heartbeat', () => {
  it('with the 1 s default checks a loop stalled for a few seconds is still alive, up to the floor', () => {
    const budget = { checkIntervalMs: 1_000, checkTimeoutMs: 1_000 };
    expect(loopAlive(0, budget, 6_000).alive).toBe(true);
    expect(loopAlive(0, budget, LIVENESS_FLOOR_MS).alive).toBe(true);
    const dead = loopAlive(0, budget, LIVENESS_FLOOR_MS + 1);
    expect(dead).toEqual({ alive: false, reason: `probe loop has not turned for ${LIVENESS_FLOOR_MS + 1} ms (budget ${LIVENESS_FLOOR_MS} ms)` });
  });

  it('long checks get twice a turn (interval + timeout) plus a second', () => {
    const budget = { checkIntervalMs: 30_000, checkTimeoutMs: 10_000 };
    expect(loopAlive(0, budget, 81_000).alive).toBe(true);
    expect(loopAlive(0, budget, 81_001).alive).toBe(false);
  });

  it('counts from the start until the first turn, then from the last turn', () => {
    const liveness = createLoopLiveness({ checkIntervalMs: 1_000, checkTimeoutMs: 1_000 }, 100_000);
    expect(liveness.check(100_000 + LIVENESS_FLOOR_MS + 1).alive).toBe(false);
    liveness.turned(115_000);
    expect(liveness.lastTurnAt()).toBe(115_000);
    expect(liveness.check(120_000)).toEqual({ alive: true, reason: 'probe loop turned 5000 ms ago' });
  });
});

// Whether the probe loop still turns: the one rule behind /healthz, the `up` metric and the
// heartbeat. The watcher marks each turn; readers only need this object, not the watcher, so the
// composition root can hand it to metrics before the watcher exists.

export interface LoopLiveness {
  /** The probe loop turned (a probe began or finished) at `at`. */
  turned(at: number): void;
  /** The last turn, 0 before the first. */
  lastTurnAt(): number;
  /** Alive if it turned recently (or, before the first turn, started recently). */
  check(now: number): { alive: boolean; reason: string };
}

export interface LivenessBudget {
  checkIntervalMs: number;
  checkTimeoutMs: number;
}

export function createLoopLiveness(budget: LivenessBudget, startedAt: number): LoopLiveness {
  let last = 0;
  return {
    turned(at) {
      last = at;
    },
    lastTurnAt: () => last,
    check: (now) => loopAlive(last || startedAt, budget, now),
  };
}

/**
 * Never less than this: with the 1 s default checks twice the turn would be 5 s, and a loaded
 * host stalls a Node event loop for seconds (watchers of the multinode runs logged up to 12 s) —
 * a stall is not a dead loop. 10 s is about what the budget was with the former 2 s checks.
 */
export const LIVENESS_FLOOR_MS = 10_000;

/**
 * A probe takes at most CHECK_TIMEOUT and the loop sleeps at most CHECK_INTERVAL, so twice their
 * sum plus slack is generous but bounded (and at least LIVENESS_FLOOR_MS).
 */
export function loopAlive(lastTurnAt: number, budget: LivenessBudget, now: number): { alive: boolean; reason: string } {
  const limit = Math.max(LIVENESS_FLOOR_MS, 2 * (budget.checkIntervalMs + budget.checkTimeoutMs) + 1_000);
  const age = now - lastTurnAt;
  return age <= limit
    ? { alive: true, reason: `probe loop turned ${age} ms ago` }
    : { alive: false, reason: `probe loop has not turned for ${age} ms (budget ${limit} ms)` };
}

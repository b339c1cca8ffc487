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
 * A probe takes at most CHECK_TIMEOUT and the loop sleeps at most CHECK_INTERVAL, so twice their
 * sum plus slack is generous but bounded.
 */
export function loopAlive(lastTurnAt: number, budget: LivenessBudget, now: number): { alive: boolean; reason: string } {
  const limit = 2 * (budget.checkIntervalMs + budget.checkTimeoutMs) + 1_000;
  const age = now - lastTurnAt;
  return age <= limit
    ? { alive: true, reason: `probe loop turned ${age} ms ago` }
    : { alive: false, reason: `probe loop has not turned for ${age} ms (budget ${limit} ms)` };
}

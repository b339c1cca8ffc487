// A manual clock for unit tests: time moves only when the test calls advance(), and timers fire in
// order as it passes them, so delays can be stepped through exactly on a loaded machine.

export interface FakeClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Moves time forward by `ms`, firing every timer that falls due on the way, in order. */
  advance(ms: number): void;
  /** Timers set and not yet fired or cleared. */
  pending(): number;
}

export function fakeClock(start = 0): FakeClock {
  let time = start;
  let nextId = 1;
  const timers = new Map<number, { at: number; callback: () => void }>();
  return {
    now: () => time,
    setTimeout(callback, ms) {
      const id = nextId++;
      timers.set(id, { at: time + Math.max(0, ms), callback });
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    advance(ms) {
      const target = time + ms;
      // Bounded: code that keeps re-arming a timer for the same instant fails instead of hanging.
      for (let fired = 0; ; fired++) {
        if (fired >= 10_000) throw new Error(`fake clock: more than 10000 timers fired within ${ms} ms (a timer loop?)`);
        const due = [...timers.entries()].filter(([, t]) => t.at <= target).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
        if (due === undefined) break;
        timers.delete(due[0]);
        time = due[1].at;
        due[1].callback();
      }
      time = target;
    },
    pending: () => timers.size,
  };
}

// One health check made of up to CHECK_ATTEMPTS attempts of an inner probe, all within the one
// CHECK_TIMEOUT deadline: the first attempt starts at once, another starts whenever the earlier
// ones have not answered within the hedge delay, the first healthy answer wins and aborts the rest.
// The rules live in hedge-rules.ts (pure); this file only connects them to timers and attempts.
// Like the inner probe it never throws: the watcher always gets a verdict to count.
import { CHECK_START, classifyAttempt, hedgePolicy, stepCheck, summarizeCheck } from './hedge-rules.ts';
import type { CheckEvent, CheckState } from './hedge-rules.ts';
import type { Probe, ProbeResult } from './probe-result.ts';

export interface HedgedProbeOptions {
  /**
   * One attempt. It must open a fresh connection per call and honour the abort signal (the HTTP
   * probe does: `reset: true` and a pool without a connection limit, so concurrent attempts never
   * queue behind a hung one on a shared socket).
   */
  inner: Probe;
  attempts: number;
  timeoutMs: number;
  /** Wall clock for the results' startedAt (epoch ms). */
  now?: () => number;
  /** Elapsed time and timers of the check itself (hedge delays, deadline); real ones by default. */
  clock?: CheckClock;
}

/**
 * The monotonic clock and the timers the hedge rules are driven by. Injected so tests can step
 * through the hedge delays and the deadline exactly, independent of how loaded the machine is.
 */
export interface CheckClock {
  /** Monotonic milliseconds; only differences are used. */
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const REAL_CHECK_CLOCK: CheckClock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout | undefined),
};

export function createHedgedProbe(options: HedgedProbeOptions): Probe {
  const { inner } = options;
  const policy = hedgePolicy(options.attempts, options.timeoutMs);
  const now = options.now ?? Date.now;
  const clock = options.clock ?? REAL_CHECK_CLOCK;

  return {
    probe(signal?: AbortSignal): Promise<ProbeResult> {
      const startedAt = now();
      const t0 = clock.now();
      const elapsed = (): number => clock.now() - t0;
      // Aborts every attempt still running once the check is decided, or when the caller gives up.
      const attemptsDone = new AbortController();
      const results: (ProbeResult | undefined)[] = [];
      let state: CheckState = CHECK_START;
      let timer: unknown;

      return new Promise<ProbeResult>((resolve) => {
        const onCallerAbort = (): void => apply({ type: 'cancel' });

        function apply(event: CheckEvent): void {
          if (state.verdict !== null) return;
          const firstIndex = state.launched;
          const step = stepCheck(policy, state, event, elapsed());
          state = step.state;
          for (let i = 0; i < step.launch; i++) launch(firstIndex + i);
          if (timer !== undefined) clock.clearTimeout(timer);
          timer = undefined;
          if (state.verdict !== null) {
            signal?.removeEventListener('abort', onCallerAbort);
            attemptsDone.abort();
            resolve(summarizeCheck(policy, state.verdict, results, startedAt));
            return;
          }
          if (step.wakeAt !== null) {
            timer = clock.setTimeout(() => apply({ type: 'wake' }), Math.max(0, step.wakeAt - elapsed()));
          }
        }

        function launch(index: number): void {
          results[index] = undefined;
          inner
            .probe(attemptsDone.signal)
            .catch((error: unknown): ProbeResult => ({ ok: false, reason: 'error', detail: String(error), latencyMs: 0, startedAt: now() }))
            .then((result) => {
              results[index] = result;
              apply({ type: 'attempt-finished', attempt: index, outcome: classifyAttempt(result) });
            })
            .catch(() => undefined);
        }

        if (signal?.aborted === true) {
          apply({ type: 'cancel' });
          return;
        }
        signal?.addEventListener('abort', onCallerAbort, { once: true });
        apply({ type: 'start' });
      });
    },
    close: () => inner.close(),
  };
}

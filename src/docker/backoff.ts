// Delays and retries with injectable timing, so reconnect loops are testable without waiting.

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor?: number;
}

/** Delay before retry number `attempt` (0-based), capped. */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const factor = options.factor ?? 2;
  return Math.min(options.initialMs * factor ** attempt, options.maxMs);
}

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** Resolves after `ms`, or early (without throwing) when the signal aborts. */
export const sleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * Runs `operation` up to `attempts` times, sleeping with backoff between tries, unless
 * `retryable` says the error is final (a missing or unlabelled container will not fix itself).
 */
export async function retry<T>(
  operation: () => Promise<T>,
  options: BackoffOptions & {
    attempts: number;
    retryable?: (error: unknown) => boolean;
    sleep?: Sleep;
    signal?: AbortSignal;
    onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  },
): Promise<T> {
  const pause = options.sleep ?? sleep;
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      const last = attempt + 1 >= options.attempts || options.signal?.aborted === true;
      if (last || options.retryable?.(error) === false) throw error;
      const delay = backoffDelay(attempt, options);
      options.onRetry?.(error, attempt + 1, delay);
      await pause(delay, options.signal);
    }
  }
}

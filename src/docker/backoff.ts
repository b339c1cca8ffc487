// Retries of I/O (docker operations, the docker events stream, webhooks) with exponential backoff
// and decorrelated jitter, through cockatiel's retry policy, plus the abortable sleep the watcher's
// own loops pause with.
//
// Why cockatiel: five hand-written backoff loops had grown here, none with jitter, each with its
// own off-by-one in "attempts" versus "retries". cockatiel (the Polly port, maintained, no runtime
// dependencies, typed) gives one tested retry loop, decorrelated-jitter backoff so watchers that
// lose the same daemon or receiver do not retry in lockstep, and retry/give-up events for logs.
// What it lacks is wrapped here: its backoff delay ignores the abort signal, so a stopping
// watcher would wait out a backoff of up to 30 s (see abortable()).
// The PURE delays of the decision core (restart and promotion backoff, flap hold-down) are part of
// decide() and stay there: they are state, not I/O.
import { decorrelatedJitterGenerator, ExponentialBackoff, handleWhen, retry as retryPolicy } from 'cockatiel';
import type { IBackoff, IBackoffFactory, IRetryBackoffContext } from 'cockatiel';

export type RetryContext = IRetryBackoffContext<unknown>;
export type BackoffFactory = IBackoffFactory<RetryContext>;

/**
 * Exponential backoff with decorrelated jitter: the delays' medians fall near initialMs, 2×, 4×…
 * (cockatiel scales them so), each is random within its step, and none exceeds maxMs.
 */
export function jitteredBackoff(initialMs: number, maxMs: number): BackoffFactory {
  return new ExponentialBackoff({ initialDelay: initialMs, maxDelay: maxMs, generator: decorrelatedJitterGenerator });
}

/**
 * A backoff that starts over after reset(): a reconnect that worked earns the short delays again,
 * while a daemon that keeps failing is retried ever more slowly.
 */
export function resettableBackoff(factory: BackoffFactory): BackoffFactory & { reset(): void } {
  let generation = 0;
  const wrap = (inner: IBackoff<RetryContext>, born: number): IBackoff<RetryContext> => ({
    duration: inner.duration,
    next: (context) => (born === generation ? wrap(inner.next(context), born) : wrap(factory.next(context), generation)),
  });
  return {
    next: (context) => wrap(factory.next(context), generation),
    reset: () => {
      generation++;
    },
  };
}

export interface RetryOptions {
  /** Attempts in all, the first included (Infinity: until it works or the signal aborts). */
  attempts: number;
  backoff: BackoffFactory;
  /** False for errors that will not fix themselves (a missing container, a 4xx): thrown at once. */
  retryable?: (error: unknown) => boolean;
  /** Aborting stops retrying at once, also in the middle of a backoff delay. */
  signal?: AbortSignal | undefined;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/**
 * Runs `operation` until it succeeds, fails with an error that is not retryable, or has made
 * `attempts` attempts; throws the last error. On abort it throws the last error seen (or the
 * abort reason when there was none) without waiting for the pending delay.
 */
export async function retry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const policy = retryPolicy(handleWhen((error) => options.retryable?.(error) ?? true), {
    maxAttempts: Math.max(0, options.attempts - 1),
    backoff: options.backoff,
  }).dangerouslyUnref(); // the pending delay must not keep a stopping process alive
  let lastError: unknown;
  const listener = policy.onRetry((event) => {
    if (!('error' in event)) return;
    lastError = event.error;
    options.onRetry?.(event.error, event.attempt, Math.round(event.delay));
  });
  try {
    return await abortable(
      policy.execute(({ attempt }) => operation(attempt + 1), options.signal),
      options.signal,
      () => lastError,
    );
  } finally {
    listener.dispose();
  }
}

/** Settles with `work`, or rejects as soon as the signal aborts (cockatiel's delay ignores it). */
function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined, lastError: () => unknown): Promise<T> {
  if (signal === undefined) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      const error = lastError();
      reject(error instanceof Error ? error : signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    void work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
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

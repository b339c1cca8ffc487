// One outbound HTTP request for notifications and heartbeats: a hard timeout over the whole
// exchange, no redirects, the answer's body discarded. Errors say what went wrong without the URL,
// which is a secret (webhook tokens live in the path).
import { Agent, request } from 'undici';
import { sharedLookup } from '../net/single-flight-lookup.ts';

// Its own agent for the shared lookup: a webhook host that resolves slowly holds one thread, not all.
const agent = new Agent({ connect: { lookup: sharedLookup } });
import type { IBackoff } from 'cockatiel';
import { jitteredBackoff, retry, type BackoffFactory, type RetryContext } from '../docker/backoff.ts';

export interface OutboundRequest {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
}

/** Thrown for an answer or failure; `retryable` for network errors, timeouts, 5xx and 429. */
export class SendError extends Error {
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  /** How many attempts were made before giving up (set by sendWithRetries). */
  attempts = 1;
  constructor(message: string, retryable: boolean, retryAfterMs?: number) {
    super(message);
    this.name = 'SendError';
    this.retryable = retryable;
    this.retryAfterMs = retryAfterMs;
  }
}

/** Sends once; resolves with the 2xx status, throws a SendError otherwise. */
export async function sendOnce(req: OutboundRequest, timeoutMs: number, signal?: AbortSignal): Promise<number> {
  const deadline = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
  try {
    const response = await request(req.url, {
      method: req.method,
      dispatcher: agent,
      headers: { 'user-agent': 'openclaw-failover', ...req.headers },
      body: req.body,
      signal: combined,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    await response.body.dump({ limit: 65_536 }).catch(() => undefined);
    const status = response.statusCode;
    if (status >= 200 && status < 300) return status;
    const retryAfter = status === 429 ? retryAfterMs(response.headers['retry-after']) : undefined;
    throw new SendError(`HTTP ${status}`, status >= 500 || status === 429, retryAfter);
  } catch (error) {
    if (error instanceof SendError) throw error;
    if (signal?.aborted) throw new SendError('aborted', false);
    if (deadline.aborted) throw new SendError(`no answer within ${timeoutMs} ms`, true);
    const code = (error as { code?: string }).code;
    throw new SendError(code ? `network error ${code}` : `network error (${error instanceof Error ? error.name : 'unknown'})`, true);
  }
}

export interface RetryPolicy {
  /** Bound on one attempt (AbortSignal.timeout plus undici's header and body timeouts). */
  timeoutMs: number;
  /** Retries after the first attempt. */
  retries: number;
  /** Median of the first retry's delay; later ones grow about twofold, jittered. */
  backoffMs: number;
  backoffMaxMs: number;
  /** Replaces the jittered delays (tests); Retry-After still applies on top. */
  backoff?: BackoffFactory | undefined;
}

/**
 * Sends with bounded retries on retryable failures (network errors, timeouts, 5xx, 429; a 4xx is
 * final), waiting with jittered exponential backoff, or the server's Retry-After when longer,
 * within backoffMaxMs; throws the last SendError with the attempts made.
 */
export async function sendWithRetries(
  req: OutboundRequest,
  policy: RetryPolicy,
  signal?: AbortSignal,
  onRetry?: (error: SendError, attempt: number, delayMs: number) => void,
): Promise<{ status: number; attempts: number }> {
  let attempts = 0;
  try {
    const status = await retry(
      () => {
        attempts++;
        return sendOnce(req, policy.timeoutMs, signal);
      },
      {
        attempts: policy.retries + 1,
        backoff: honouringRetryAfter(policy.backoff ?? jitteredBackoff(policy.backoffMs, policy.backoffMaxMs), policy.backoffMaxMs),
        retryable: (error) => error instanceof SendError && error.retryable,
        signal,
        onRetry: (error, attempt, delayMs) => onRetry?.(error as SendError, attempt, delayMs),
      },
    );
    return { status, attempts };
  } catch (error) {
    const failure = error instanceof SendError ? error : new SendError(String(error), false);
    failure.attempts = Math.max(1, attempts);
    throw failure;
  }
}

/** Waits at least what a 429's Retry-After asked for, never longer than maxMs. */
function honouringRetryAfter(factory: BackoffFactory, maxMs: number): BackoffFactory {
  const asked = (context: RetryContext): number =>
    'error' in context.result && context.result.error instanceof SendError ? (context.result.error.retryAfterMs ?? 0) : 0;
  const wrap = (inner: IBackoff<RetryContext>, context: RetryContext): IBackoff<RetryContext> => ({
    duration: Math.min(Math.max(inner.duration, asked(context)), maxMs),
    next: (next) => wrap(inner.next(next), next),
  });
  return { next: (context) => wrap(factory.next(context), context) };
}

/** Retry-After in seconds (dates are rare for webhooks and ignored), capped at a minute. */
function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || !/^\d{1,6}$/.test(value.trim())) return undefined;
  return Math.min(Number(value) * 1000, 60_000);
}

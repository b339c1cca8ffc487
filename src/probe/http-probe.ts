// One HTTP health probe over undici: a hard deadline over the whole exchange (connect, headers,
// body), redirects never followed, the body capped, and every failure classified. It never throws,
// because the watcher must always get a verdict to count, not an exception to forget.
import { Agent, request } from 'undici';
import { sharedLookup } from '../net/single-flight-lookup.ts';
import { classifyError, classifyResponse, expectationForUrl } from './classify-response.ts';
import type { Probe, ProbeExpectation, ProbeFailureReason, ProbeResult } from './probe-result.ts';

export interface HttpProbeOptions {
  url: string;
  timeoutMs: number;
  expect?: ProbeExpectation;
  maxBodyBytes?: number;
  now?: () => number;
}

const DEFAULT_MAX_BODY_BYTES = 65_536;

export function createHttpProbe(options: HttpProbeOptions): Probe {
  const { timeoutMs } = options;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const now = options.now ?? Date.now;
  const expect = expectationForUrl(options.url, options.expect ?? 'auto');
  const target = splitCredentials(options.url);
  // A private agent: its timeouts are ours, and closing it frees every socket this probe opened.
  // undici's own timeouts are only a second line of defence behind the AbortSignal deadline.
  // No connection limit and no pipelining, stated rather than left to defaults: the hedged check runs
  // attempts concurrently, and each must get its own socket, never queue behind a hung one
  // (test/unit/hedged-probe.test.ts counts the connections).
  const agent = new Agent({ connections: null, pipelining: 1, connectTimeout: timeoutMs, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connect: { lookup: sharedLookup } });
  let closing: Promise<void> | undefined;

  async function exchange(url: string, authorization: string | undefined, signal: AbortSignal): Promise<Outcome> {
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'openclaw-failover' };
    if (authorization !== undefined) headers.authorization = authorization;
    const response = await request(url, {
      method: 'GET',
      dispatcher: agent,
      signal,
      headers,
      // A fresh connection every time: a kept-alive socket could hide a primary that was replaced.
      reset: true,
    });
    const status = response.statusCode;
    const success = status >= 200 && status < 300;
    const isRedirect = status >= 300 && status < 400;
    // A redirect's body is irrelevant; for other errors a partial body still makes a useful detail.
    let read: CappedBody = { body: Buffer.alloc(0), truncated: false };
    if (isRedirect) discard(response.body);
    else read = await readCapped(response.body, maxBodyBytes, !success);
    const location = response.headers.location;
    const verdict = classifyResponse({
      status,
      body: read.body,
      truncated: read.truncated,
      expect,
      maxBodyBytes,
      location: Array.isArray(location) ? location[0] : location,
    });
    return verdict.ok ? { ok: true, status } : { ...verdict, status };
  }

  return {
    async probe(signal?: AbortSignal): Promise<ProbeResult> {
      const startedAt = now();
      const t0 = performance.now();
      const finish = (outcome: Outcome): ProbeResult => ({
        ...outcome,
        latencyMs: Math.round((performance.now() - t0) * 10) / 10,
        startedAt,
      });
      if (closing !== undefined) return finish({ ok: false, reason: 'error', detail: 'probe is closed' });
      if (typeof target === 'string') return finish({ ok: false, reason: 'error', detail: target });
      const deadline = AbortSignal.timeout(timeoutMs);
      const combined = signal === undefined ? deadline : AbortSignal.any([signal, deadline]);
      try {
        return finish(await untilAborted(exchange(target.url, target.authorization, combined), combined));
      } catch (error) {
        if (signal?.aborted === true) return finish({ ok: false, reason: 'timeout', detail: 'aborted' });
        if (deadline.aborted) {
          return finish({ ok: false, reason: 'timeout', detail: `no complete answer within ${timeoutMs} ms` });
        }
        return finish({ ok: false, ...classifyError(error) });
      }
    },
    close(): Promise<void> {
      // destroy, not close: close would wait for an in-flight probe against a hung host.
      closing ??= agent.destroy().catch(() => undefined);
      return closing;
    },
  };
}

type Outcome =
  | { ok: true; status: number }
  | { ok: false; reason: ProbeFailureReason; detail: string; status?: number };

/**
 * Rejects as soon as `signal` aborts, whatever `work` is doing. undici honours the signal itself;
 * this makes the deadline hold even if some code path inside it does not.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

interface CappedBody {
  body: Buffer;
  truncated: boolean;
}

interface BodyStream extends AsyncIterable<Buffer> {
  destroy(): unknown;
  on(event: 'error', listener: () => void): unknown;
}

/**
 * Drops a body we will not read. undici turns a plain destroy() of an unfinished body into an
 * 'error' event (RequestAbortedError), which would crash the process without a listener.
 */
function discard(body: BodyStream): void {
  body.on('error', () => undefined);
  body.destroy();
}

/**
 * Reads at most `max` bytes, then destroys the stream so an endless body costs nothing more.
 * With `keepPartial`, a read error returns what arrived so far (the status already decided the verdict).
 */
async function readCapped(body: BodyStream, max: number, keepPartial: boolean): Promise<CappedBody> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      const room = max - size;
      if (chunk.length > room) {
        chunks.push(chunk.subarray(0, room));
        discard(body);
        return { body: Buffer.concat(chunks), truncated: true };
      }
      chunks.push(chunk);
      size += chunk.length;
    }
  } catch (error) {
    if (!keepPartial) throw error;
  }
  return { body: Buffer.concat(chunks), truncated: false };
}

/**
 * Credentials in the URL become a Basic header and leave the URL, so they are never on the request
 * line nor in any error message. Returns an error detail (a string) for an unusable URL.
 */
export function splitCredentials(url: string): { url: string; authorization: string | undefined } | string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'invalid probe URL';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `unsupported protocol ${parsed.protocol}`;
  if (parsed.username === '' && parsed.password === '') return { url: parsed.href, authorization: undefined };
  const user = safeDecode(parsed.username);
  const password = safeDecode(parsed.password);
  parsed.username = '';
  parsed.password = '';
  const authorization = `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
  return { url: parsed.href, authorization };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

// A client for the gateway's own control-plane API over HTTP: the bundled `admin-http-rpc`
// plugin's `POST /api/v1/admin/rpc` (enabled in the gateway config by
// `plugins.entries["admin-http-rpc"].enabled: true`), authenticated with the gateway token.
// One method call per request, a hard deadline over the whole exchange, redirects never
// followed, the answer capped, and the token never in a log line, an error or a result.
// It never throws: a caller always gets a verdict it can count or report.
import { Agent, request } from 'undici';
import { sharedLookup } from '../net/single-flight-lookup.ts';
import { untilAborted } from '../probe/http-probe.ts';

export interface GatewayRpcOptions {
  /** The gateway's base URL, e.g. http://openclaw-standby:18789 (any path is replaced). */
  baseUrl: string;
  /** The gateway token (OPENCLAW_GATEWAY_TOKEN). */
  token: string;
  /** Deadline of one call, connect to last byte. */
  timeoutMs: number;
  maxBodyBytes?: number;
}

export type RpcFailureReason = 'timeout' | 'refused' | 'http' | 'unauthorized' | 'not-enabled' | 'bad-answer' | 'rpc-error' | 'error';

export type RpcResult<T = unknown> =
  | { ok: true; payload: T; status: number; latencyMs: number }
  | { ok: false; reason: RpcFailureReason; detail: string; status?: number; code?: string; latencyMs: number };

type Exchange =
  | { ok: true; payload: unknown; status: number }
  | { ok: false; reason: RpcFailureReason; detail: string; status?: number; code?: string };

export interface GatewayRpc {
  call<T = unknown>(method: string, params?: unknown, options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<RpcResult<T>>;
  close(): Promise<void>;
}

export const ADMIN_RPC_PATH = '/api/v1/admin/rpc';
const DEFAULT_MAX_BODY_BYTES = 1_048_576;

export function createGatewayRpc(options: GatewayRpcOptions): GatewayRpc {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const agent = new Agent({ connections: 4, pipelining: 1, connectTimeout: options.timeoutMs, headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs, connect: { lookup: sharedLookup } });
  let url: string | undefined;
  try {
    const parsed = new URL(options.baseUrl);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') {
      parsed.username = '';
      parsed.password = '';
      parsed.pathname = ADMIN_RPC_PATH;
      parsed.search = '';
      parsed.hash = '';
      url = parsed.href;
    }
  } catch {
    url = undefined;
  }
  let closing: Promise<void> | undefined;
  // The token must never leak through a detail: scrub it from anything we echo back.
  const scrub = (text: string): string => (options.token ? text.split(options.token).join('<redacted>') : text);

  async function exchange(method: string, params: unknown, signal: AbortSignal): Promise<Exchange> {
    const response = await request(url!, {
      method: 'POST',
      dispatcher: agent,
      signal,
      headers: {
        authorization: `Bearer ${options.token}`,
        'content-type': 'application/json',
        accept: 'application/json',
        'user-agent': 'openclaw-failover',
      },
      body: JSON.stringify({ method, params: params ?? {} }),
    });
    const status = response.statusCode;
    const { text, truncated } = await readCapped(response.body, maxBodyBytes);
    if (status >= 300 && status < 400) return { ok: false, reason: 'http', status, detail: `HTTP ${status} redirect (not followed)` };
    if (status === 401 || status === 403) return { ok: false, reason: 'unauthorized', status, detail: `HTTP ${status}: the gateway refused the token` };
    if (truncated) return { ok: false, reason: 'bad-answer', status, detail: `answer larger than ${maxBodyBytes} bytes` };
    let doc: { ok?: unknown; payload?: unknown; error?: { code?: unknown; message?: unknown } } | undefined;
    try {
      doc = JSON.parse(text) as typeof doc;
    } catch {
      doc = undefined;
    }
    if (status === 404 && (doc === undefined || typeof doc !== 'object')) {
      return { ok: false, reason: 'not-enabled', status, detail: `HTTP 404 at ${ADMIN_RPC_PATH}: admin-http-rpc is not enabled (plugins.entries["admin-http-rpc"].enabled: true in the gateway config)` };
    }
    if (doc === undefined || doc === null || typeof doc !== 'object') {
      return { ok: false, reason: 'bad-answer', status, detail: `HTTP ${status}, not a JSON RPC answer` };
    }
    if (doc.ok === true) return status >= 200 && status < 300 ? { ok: true, status, payload: doc.payload } : { ok: false, reason: 'http', status, detail: `HTTP ${status}` };
    const code = typeof doc.error?.code === 'string' ? doc.error.code : undefined;
    const message = typeof doc.error?.message === 'string' ? doc.error.message.slice(0, 300) : `HTTP ${status}`;
    return { ok: false, reason: 'rpc-error', status, code, detail: scrub(`${code ?? 'error'}: ${message}`) };
  }

  return {
    async call<T>(method: string, params?: unknown, callOptions: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<RpcResult<T>> {
      const t0 = performance.now();
      const latency = (): number => Math.round((performance.now() - t0) * 10) / 10;
      if (closing !== undefined) return { ok: false, reason: 'error', detail: 'client is closed', latencyMs: 0 };
      if (url === undefined) return { ok: false, reason: 'error', detail: 'invalid gateway URL', latencyMs: 0 };
      const timeoutMs = callOptions.timeoutMs ?? options.timeoutMs;
      const deadline = AbortSignal.timeout(timeoutMs);
      const signal = callOptions.signal ? AbortSignal.any([callOptions.signal, deadline]) : deadline;
      try {
        const result = await untilAborted(exchange(method, params, signal), signal);
        return { ...result, latencyMs: latency() } as RpcResult<T>;
      } catch (error) {
        if (deadline.aborted || callOptions.signal?.aborted) return { ok: false, reason: 'timeout', detail: `no complete answer to ${method} within ${timeoutMs} ms`, latencyMs: latency() };
        const code = (error as { code?: string }).code;
        const refused = code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EHOSTUNREACH' || code === 'ECONNRESET';
        return { ok: false, reason: refused ? 'refused' : 'error', detail: scrub(`${code ?? 'error'}: ${(error as Error).message ?? String(error)}`).slice(0, 300), latencyMs: latency() };
      }
    },
    close(): Promise<void> {
      closing ??= agent.destroy().catch(() => undefined);
      return closing;
    },
  };
}

interface BodyStream extends AsyncIterable<Buffer> {
  destroy(): unknown;
  on(event: 'error', listener: () => void): unknown;
}

async function readCapped(body: BodyStream, max: number): Promise<{ text: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (size + chunk.length > max) {
      body.on('error', () => undefined);
      body.destroy();
      return { text: '', truncated: true };
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  return { text: Buffer.concat(chunks).toString('utf8'), truncated: false };
}

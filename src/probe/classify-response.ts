// Pure classification of probe outcomes: an HTTP answer or a thrown error becomes a verdict with a
// machine-readable reason and a short, log-safe detail. No I/O here, so every branch is unit-testable.
import type { ProbeExpectation, ProbeFailureReason } from './probe-result.ts';

export type ResponseVerdict =
  | { ok: true }
  | { ok: false; reason: 'redirect' | 'status' | 'body'; detail: string };

export interface ResponseToClassify {
  status: number;
  body: Buffer;
  /** The body was cut off at the size cap; its content must not be trusted. */
  truncated: boolean;
  expect: 'ok' | 'ready';
  /** The Location header of a 3xx, so the log says where the gateway tried to send us. */
  location?: string;
  /** The cap that caused `truncated`, for the detail message. */
  maxBodyBytes?: number;
}

const EXCERPT_CHARS = 120;
const ERROR_DETAIL_CHARS = 200;
const DEFAULT_MAX_BODY_BYTES = 65_536;

export function classifyResponse(input: ResponseToClassify): ResponseVerdict {
  const { status } = input;
  if (status >= 300 && status < 400) {
    // A redirect is never healthy: a gateway bouncing /healthz to a login page or a proxy error
    // page is exactly the "up but not serving" case the probe exists to catch.
    const where = input.location === undefined ? 'no Location' : `Location: ${excerpt(scrubCredentials(input.location))}`;
    return { ok: false, reason: 'redirect', detail: `HTTP ${status} redirect (${where})` };
  }
  if (status < 200 || status >= 300) {
    const text = excerpt(input.body.toString('utf8'));
    return { ok: false, reason: 'status', detail: text === '' ? `HTTP ${status}` : `HTTP ${status}: ${text}` };
  }
  if (input.truncated) {
    return { ok: false, reason: 'body', detail: `body larger than ${input.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES} bytes` };
  }
  const text = input.body.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    const shown = excerpt(text);
    return { ok: false, reason: 'body', detail: shown === '' ? 'body is not JSON (empty)' : `body is not JSON: ${shown}` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, reason: 'body', detail: `body is JSON but not an object: ${excerpt(JSON.stringify(parsed))}` };
  }
  // Strict boolean: "true" or 1 means something other than OpenClaw answered, so it is not proof of health.
  const field = input.expect;
  if ((parsed as Record<string, unknown>)[field] === true) return { ok: true };
  return { ok: false, reason: 'body', detail: `expected {"${field}":true}, got ${excerpt(JSON.stringify(parsed))}` };
}

/** Resolves `auto`: readiness endpoints answer `{ready}`, everything else `{ok}`. */
export function expectationForUrl(url: string, expect: ProbeExpectation): 'ok' | 'ready' {
  if (expect !== 'auto') return expect;
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return 'ok';
  }
  const trimmed = path.length > 1 ? path.replace(/\/+$/, '') : path;
  return trimmed === '/readyz' || trimmed === '/ready' ? 'ready' : 'ok';
}

type ErrorReason = Exclude<ProbeFailureReason, 'redirect' | 'status' | 'body'>;

// When several causes are present (happy-eyeballs tries IPv6 and IPv4), report the most telling:
// a refusal proves the host is up but nothing listens, which beats "unreachable" on the other family.
const REASON_PRIORITY: readonly ErrorReason[] = ['tls', 'refused', 'reset', 'timeout', 'unreachable', 'dns'];

const CODE_REASONS: Readonly<Record<string, ErrorReason>> = {
  ECONNREFUSED: 'refused',
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  EAI_NONAME: 'dns',
  EAI_NODATA: 'dns',
  ECONNRESET: 'reset',
  ECONNABORTED: 'reset',
  EPIPE: 'reset',
  UND_ERR_SOCKET: 'reset',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  EHOSTDOWN: 'unreachable',
  ENETDOWN: 'unreachable',
  ETIMEDOUT: 'timeout',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  UND_ERR_ABORTED: 'timeout',
  UND_ERR_ABORT: 'timeout',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'tls',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'tls',
  SELF_SIGNED_CERT_IN_CHAIN: 'tls',
};

const TLS_CODE_PREFIXES = ['ERR_TLS_', 'ERR_SSL_', 'CERT_', 'UNABLE_TO_'];

interface ErrorLike {
  code?: unknown;
  name?: unknown;
  message?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/** Maps a Node/undici error to a failure reason; never includes URL credentials in the detail. */
export function classifyError(err: unknown): { reason: ProbeFailureReason; detail: string } {
  const nodes = collectErrors(err);
  let best: { reason: ErrorReason; node: ErrorLike } | undefined;
  for (const node of nodes) {
    const reason = reasonOf(node);
    if (reason === undefined) continue;
    if (best === undefined || REASON_PRIORITY.indexOf(reason) < REASON_PRIORITY.indexOf(best.reason)) {
      best = { reason, node };
    }
  }
  const detailNode = best?.node ?? nodes[0];
  return { reason: best?.reason ?? 'error', detail: errorDetail(detailNode, err) };
}

function reasonOf(node: ErrorLike): ErrorReason | undefined {
  // DOMException carries a numeric legacy `code`; only string codes are Node/undici codes.
  const code = typeof node.code === 'string' ? node.code : undefined;
  if (code !== undefined) {
    const mapped = CODE_REASONS[code];
    if (mapped !== undefined) return mapped;
    if (TLS_CODE_PREFIXES.some((prefix) => code.startsWith(prefix))) return 'tls';
  }
  if (node.name === 'AbortError' || node.name === 'TimeoutError') return 'timeout';
  if (typeof node.message === 'string' && /other side closed/i.test(node.message)) return 'reset';
  return undefined;
}

/** Flattens the error, its `cause` chain and AggregateError members; bounded against cycles. */
function collectErrors(root: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  const queue: { value: unknown; depth: number }[] = [{ value: root, depth: 0 }];
  const seen = new Set<unknown>();
  while (queue.length > 0 && out.length < 32) {
    const { value, depth } = queue.shift()!;
    if (typeof value !== 'object' || value === null || seen.has(value)) continue;
    seen.add(value);
    const node = value as ErrorLike;
    out.push(node);
    if (depth >= 4) continue;
    if (node.cause !== undefined) queue.push({ value: node.cause, depth: depth + 1 });
    if (Array.isArray(node.errors)) {
      for (const member of node.errors as unknown[]) queue.push({ value: member, depth: depth + 1 });
    }
  }
  return out;
}

function errorDetail(node: ErrorLike | undefined, root: unknown): string {
  let text: string;
  if (node !== undefined) {
    text = typeof node.message === 'string' ? node.message : '';
    // AggregateError's own message is usually empty; its members say what actually happened.
    if (text === '' && Array.isArray(node.errors)) {
      const messages = (node.errors as unknown[]).map((member) => messageOf(member)).filter((m) => m !== '');
      text = [...new Set(messages)].join('; ');
    }
    if (text === '' && typeof node.code === 'string') text = node.code;
    if (text === '' && typeof node.name === 'string') text = node.name;
  } else {
    text = typeof root === 'string' ? root : 'unknown error';
  }
  const shown = excerpt(scrubCredentials(text), ERROR_DETAIL_CHARS);
  return shown === '' ? 'unknown error' : shown;
}

function messageOf(value: unknown): string {
  if (typeof value !== 'object' || value === null) return '';
  const { message, code } = value as ErrorLike;
  if (typeof message === 'string' && message !== '') return message;
  return typeof code === 'string' ? code : '';
}

/** Removes `user:password@` from anything URL-shaped, so secrets never reach logs or /status. */
export function scrubCredentials(text: string): string {
  return text.replace(/\/\/[^\s/@]*@/g, '//');
}

/** Printable, single-line, capped: remote text goes into logs and must not inject control sequences. */
function excerpt(text: string, maxChars = EXCERPT_CHARS): string {
  const flat = text
    .replace(/\s+/g, ' ')
    .replace(/[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}]/gu, '?')
    .trim();
  const chars = Array.from(flat);
  return chars.length <= maxChars ? flat : `${chars.slice(0, maxChars).join('')}…`;
}

import { describe, it, expect } from 'vitest';
import { classifyError, classifyResponse, expectationForUrl } from '../../src/probe/classify-response.ts';
import type { ResponseToClassify } from '../../src/probe/classify-response.ts';

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
const text = (value: string): Buffer => Buffer.from(value);

function codeError(code: string, message = `boom ${code}`): Error {
  return Object.assign(new Error(message), { code });
}

describe('classifyResponse', () => {
  const base: ResponseToClassify = { status: 200, body: json({ ok: true }), truncated: false, expect: 'ok' };

  const cases: { name: string; input: Partial<ResponseToClassify>; reason?: string; detail?: RegExp }[] = [
    { name: '200 {"ok":true}', input: {} },
    { name: '200 {"ok":true,"status":"live"}', input: { body: json({ ok: true, status: 'live' }) } },
    { name: '200 {"ready":true} for ready', input: { expect: 'ready', body: json({ ready: true }) } },
    {
      name: '200 {"ok":false}',
      input: { body: json({ ok: false, status: 'starting' }) },
      reason: 'body',
      detail: /^expected \{"ok":true\}, got \{"ok":false,"status":"starting"\}$/,
    },
    { name: '200 {"ok":"true"} (string)', input: { body: json({ ok: 'true' }) }, reason: 'body', detail: /got \{"ok":"true"\}/ },
    { name: '200 {"ok":1}', input: { body: json({ ok: 1 }) }, reason: 'body', detail: /got \{"ok":1\}/ },
    {
      name: '200 {"ok":true} when ready is expected',
      input: { expect: 'ready', body: json({ ok: true }) },
      reason: 'body',
      detail: /^expected \{"ready":true\}, got \{"ok":true\}$/,
    },
    { name: '200 {"ready":true} when ok is expected', input: { body: json({ ready: true }) }, reason: 'body', detail: /expected \{"ok":true\}/ },
    {
      name: '200 HTML',
      input: { body: text('<!doctype html>\n<html><title>Control UI</title></html>') },
      reason: 'body',
      detail: /^body is not JSON: <!doctype html> <html><title>Control UI/,
    },
    { name: '200 JSON array', input: { body: json([{ ok: true }]) }, reason: 'body', detail: /^body is JSON but not an object: \[/ },
    { name: '200 JSON null', input: { body: text('null') }, reason: 'body', detail: /not an object: null/ },
    { name: '200 JSON string', input: { body: json('ok') }, reason: 'body', detail: /not an object/ },
    { name: '204 empty', input: { status: 204, body: Buffer.alloc(0) }, reason: 'body', detail: /^body is not JSON \(empty\)$/ },
    {
      name: '200 truncated (content irrelevant)',
      input: { truncated: true },
      reason: 'body',
      detail: /^body larger than 65536 bytes$/,
    },
    { name: 'truncated reports the configured cap', input: { truncated: true, maxBodyBytes: 1024 }, reason: 'body', detail: /1024 bytes/ },
    { name: '301 with Location', input: { status: 301, location: '/new' }, reason: 'redirect', detail: /^HTTP 301 redirect \(Location: \/new\)$/ },
    { name: '302 without Location', input: { status: 302 }, reason: 'redirect', detail: /^HTTP 302 redirect \(no Location\)$/ },
    {
      name: '302 Location with credentials is scrubbed',
      input: { status: 302, location: 'http://admin:hunter2@login.example/' },
      reason: 'redirect',
      detail: /Location: http:\/\/login\.example\/\)$/,
    },
    { name: '404 with body', input: { status: 404, body: text('Not Found') }, reason: 'status', detail: /^HTTP 404: Not Found$/ },
    { name: '500 empty body', input: { status: 500, body: Buffer.alloc(0) }, reason: 'status', detail: /^HTTP 500$/ },
    {
      name: '503 {"ready":false}',
      input: { status: 503, expect: 'ready', body: json({ ready: false }) },
      reason: 'status',
      detail: /^HTTP 503: \{"ready":false\}$/,
    },
    { name: '503 even when the body claims ok', input: { status: 503, body: json({ ok: true }) }, reason: 'status' },
  ];

  it.each(cases)('$name', ({ input, reason, detail }) => {
    const verdict = classifyResponse({ ...base, ...input });
    if (reason === undefined) {
      expect(verdict).toEqual({ ok: true });
      return;
    }
    expect(verdict.ok).toBe(false);
    if (verdict.ok) return;
    expect(verdict.reason).toBe(reason);
    if (detail !== undefined) expect(verdict.detail).toMatch(detail);
  });

  it('caps and sanitizes the body excerpt', () => {
    const noisy = `\u001b[31mred\u0000${'x'.repeat(500)}`;
    const verdict = classifyResponse({ ...base, status: 500, body: text(noisy) });
    expect(verdict.ok).toBe(false);
    if (verdict.ok) return;
    expect(verdict.detail).not.toContain('\u001b');
    expect(verdict.detail).not.toContain('\u0000');
    expect(verdict.detail.length).toBeLessThan(140);
    expect(verdict.detail.endsWith('…')).toBe(true);
  });

  it('caps the excerpt of a large unhealthy JSON body', () => {
    const verdict = classifyResponse({ ...base, body: json({ ok: false, padding: 'y'.repeat(1000) }) });
    expect(verdict.ok).toBe(false);
    if (verdict.ok) return;
    expect(verdict.detail.length).toBeLessThan(160);
  });
});

describe('expectationForUrl', () => {
  it.each([
    ['http://h:18789/healthz', 'auto', 'ok'],
    ['http://h:18789/readyz', 'auto', 'ready'],
    ['http://h:18789/ready', 'auto', 'ready'],
    ['http://h:18789/readyz/', 'auto', 'ready'],
    ['http://h:18789/readyz?verbose=1', 'auto', 'ready'],
    ['http://h:18789/', 'auto', 'ok'],
    ['http://h:18789/api/readyz-ish', 'auto', 'ok'],
    ['not a url', 'auto', 'ok'],
    ['http://h:18789/readyz', 'ok', 'ok'],
    ['http://h:18789/healthz', 'ready', 'ready'],
  ] as const)('%s with %s → %s', (url, mode, expected) => {
    expect(expectationForUrl(url, mode)).toBe(expected);
  });
});

describe('classifyError', () => {
  const domTimeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
  const domAbort = new DOMException('This operation was aborted', 'AbortError');

  const cases: { name: string; error: unknown; reason: string; detail?: RegExp }[] = [
    { name: 'ECONNREFUSED', error: codeError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:18789'), reason: 'refused', detail: /^connect ECONNREFUSED 127\.0\.0\.1:18789$/ },
    { name: 'ENOTFOUND', error: codeError('ENOTFOUND', 'getaddrinfo ENOTFOUND nonexistent.invalid'), reason: 'dns' },
    { name: 'EAI_AGAIN', error: codeError('EAI_AGAIN'), reason: 'dns' },
    { name: 'EAI_NONAME', error: codeError('EAI_NONAME'), reason: 'dns' },
    { name: 'ECONNRESET', error: codeError('ECONNRESET', 'read ECONNRESET'), reason: 'reset' },
    { name: 'EPIPE', error: codeError('EPIPE'), reason: 'reset' },
    { name: 'UND_ERR_SOCKET', error: codeError('UND_ERR_SOCKET', 'other side closed'), reason: 'reset', detail: /other side closed/ },
    { name: '"other side closed" without a code', error: new Error('other side closed'), reason: 'reset' },
    { name: 'EHOSTUNREACH', error: codeError('EHOSTUNREACH'), reason: 'unreachable' },
    { name: 'ENETUNREACH', error: codeError('ENETUNREACH'), reason: 'unreachable' },
    { name: 'EHOSTDOWN', error: codeError('EHOSTDOWN'), reason: 'unreachable' },
    { name: 'ENETDOWN', error: codeError('ENETDOWN'), reason: 'unreachable' },
    { name: 'DOMException TimeoutError (numeric code)', error: domTimeout, reason: 'timeout' },
    { name: 'DOMException AbortError', error: domAbort, reason: 'timeout' },
    { name: 'UND_ERR_CONNECT_TIMEOUT', error: codeError('UND_ERR_CONNECT_TIMEOUT'), reason: 'timeout' },
    { name: 'UND_ERR_HEADERS_TIMEOUT', error: codeError('UND_ERR_HEADERS_TIMEOUT', 'Headers Timeout Error'), reason: 'timeout' },
    { name: 'UND_ERR_BODY_TIMEOUT', error: codeError('UND_ERR_BODY_TIMEOUT'), reason: 'timeout' },
    { name: 'ERR_TLS_CERT_ALTNAME_INVALID', error: codeError('ERR_TLS_CERT_ALTNAME_INVALID'), reason: 'tls' },
    { name: 'ERR_SSL_WRONG_VERSION_NUMBER', error: codeError('ERR_SSL_WRONG_VERSION_NUMBER'), reason: 'tls' },
    { name: 'CERT_HAS_EXPIRED', error: codeError('CERT_HAS_EXPIRED'), reason: 'tls' },
    { name: 'DEPTH_ZERO_SELF_SIGNED_CERT', error: codeError('DEPTH_ZERO_SELF_SIGNED_CERT'), reason: 'tls' },
    { name: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', error: codeError('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), reason: 'tls' },
    { name: 'SELF_SIGNED_CERT_IN_CHAIN', error: codeError('SELF_SIGNED_CERT_IN_CHAIN'), reason: 'tls' },
    {
      name: 'code on cause (fetch-style wrapper)',
      error: new TypeError('fetch failed', { cause: codeError('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.1:80') }),
      reason: 'refused',
      detail: /^connect ECONNREFUSED 10\.0\.0\.1:80$/,
    },
    {
      name: 'code two causes deep',
      error: new Error('outer', { cause: new Error('middle', { cause: codeError('ENOTFOUND') }) }),
      reason: 'dns',
    },
    {
      name: 'AggregateError of refused (happy eyeballs)',
      error: new AggregateError([codeError('ECONNREFUSED', 'connect ECONNREFUSED ::1:18789'), codeError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:18789')], ''),
      reason: 'refused',
    },
    {
      name: 'AggregateError with an empty message uses member messages',
      error: Object.assign(new AggregateError([codeError('ECONNREFUSED', 'connect ECONNREFUSED ::1:1'), codeError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1')], ''), { code: 'ECONNREFUSED' }),
      reason: 'refused',
      detail: /^connect ECONNREFUSED ::1:1; connect ECONNREFUSED 127\.0\.0\.1:1$/,
    },
    {
      name: 'AggregateError mixing unreachable and refused prefers refused',
      error: new AggregateError([codeError('ENETUNREACH'), codeError('ECONNREFUSED')], ''),
      reason: 'refused',
    },
    { name: 'unknown Error', error: new Error('something odd'), reason: 'error', detail: /^something odd$/ },
    { name: 'parser error without code', error: Object.assign(new Error('Response does not match the HTTP/1.1 protocol'), { name: 'HTTPParserError' }), reason: 'error' },
    { name: 'unknown code', error: codeError('UND_ERR_CLOSED', 'The client is closed'), reason: 'error', detail: /client is closed/ },
    { name: 'a thrown string', error: 'just a string', reason: 'error', detail: /^just a string$/ },
    { name: 'undefined', error: undefined, reason: 'error', detail: /^unknown error$/ },
    { name: 'error with no message', error: codeError('EWEIRD', ''), reason: 'error', detail: /^EWEIRD$/ },
  ];

  it.each(cases)('$name → $reason', ({ error, reason, detail }) => {
    const result = classifyError(error);
    expect(result.reason).toBe(reason);
    expect(result.detail.length).toBeGreaterThan(0);
    if (detail !== undefined) expect(result.detail).toMatch(detail);
  });

  it('never includes URL credentials in the detail', () => {
    const error = new Error('request to http://admin:s3cret@gateway:18789/healthz failed', {
      cause: codeError('ECONNRESET', 'socket hang up at http://admin:s3cret@gateway:18789/'),
    });
    const result = classifyError(error);
    expect(result.reason).toBe('reset');
    expect(result.detail).not.toContain('s3cret');
    expect(result.detail).not.toContain('admin');
    expect(classifyError(new Error('GET https://u:p@h/ failed')).detail).toBe('GET https://h/ failed');
  });

  it('survives a cyclic cause chain', () => {
    const a = new Error('a') as Error & { cause?: unknown };
    const b = new Error('b', { cause: a });
    a.cause = b;
    expect(classifyError(a)).toEqual({ reason: 'error', detail: 'a' });
  });
});

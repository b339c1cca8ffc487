// Property tests of the pure probe classification: arbitrary statuses, bodies (JSON or not, huge,
// truncated, unicode, binary) and Location headers. The verdict is ok exactly for a 2xx whose whole
// body is a JSON object with the expected field `true`; anything else fails with the right reason,
// a single-line printable detail of bounded length, and no URL credentials. It never throws.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyResponse } from '../../src/probe/classify-response.ts';

function oracle(status: number, body: Buffer, truncated: boolean, expectField: 'ok' | 'ready'): boolean {
  if (status < 200 || status >= 300 || truncated) return false;
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && (parsed as Record<string, unknown>)[expectField] === true;
  } catch {
    return false;
  }
}

const jsonBody = fc.oneof(
  fc.jsonValue(),
  fc.record({ ok: fc.oneof(fc.constant(true), fc.jsonValue()), ready: fc.oneof(fc.constant(true), fc.jsonValue()) }, { requiredKeys: [] }),
  fc.dictionary(fc.string(), fc.jsonValue()).map((o) => ({ ...o, ok: true })),
).map((value) => JSON.stringify(value) ?? 'null');

const body: fc.Arbitrary<Buffer> = fc.oneof(
  jsonBody.map((text) => Buffer.from(text)),
  // Truncated JSON: a prefix of a healthy answer must never pass.
  fc.tuple(jsonBody, fc.nat()).map(([text, cut]) => Buffer.from(text.slice(0, cut % (text.length + 1)))),
  fc.string({ unit: 'grapheme', maxLength: 500 }).map((text) => Buffer.from(text)),
  fc.uint8Array({ maxLength: 2_000 }).map((bytes) => Buffer.from(bytes)),
  fc.integer({ min: 0, max: 300_000 }).map((n) => Buffer.alloc(n, 'x')),
  // Healthy-looking answers, weighted up so the ok branch is exercised often, not by luck.
  { arbitrary: fc.dictionary(fc.string(), fc.jsonValue()).map((o) => Buffer.from(JSON.stringify({ ...o, ok: true, ready: true }))), weight: 6 },
);

const status = fc.oneof(fc.integer({ min: 100, max: 599 }), fc.constantFrom(200, 204, 301, 302, 404, 500, 503), fc.integer({ min: 200, max: 299 }), fc.integer({ min: -1, max: 1_000 }));

describe('classifyResponse over arbitrary answers (fast-check)', () => {
  it('ok exactly for a 2xx, untruncated JSON object with the expected field true; otherwise the right reason', () => {
    let oks = 0;
    fc.assert(
      fc.property(status, body, fc.boolean(), fc.constantFrom<'ok' | 'ready'>('ok', 'ready'), fc.option(fc.string(), { nil: undefined }), (code, bytes, truncated, expectField, location) => {
        const verdict = classifyResponse({ status: code, body: bytes, truncated, expect: expectField, location });
        expect(verdict.ok).toBe(oracle(code, bytes, truncated, expectField));
        if (verdict.ok) {
          oks++;
          return;
        }
        const reason = code >= 300 && code < 400 ? 'redirect' : code < 200 || code >= 300 ? 'status' : 'body';
        expect(verdict.reason).toBe(reason);
        // One printable line of bounded size, whatever the remote sent.
        // eslint-disable-next-line no-control-regex -- control characters are exactly what must be absent
        expect(verdict.detail).not.toMatch(/[\u0000-\u001f\u007f]/);
        expect(Array.from(verdict.detail).length).toBeLessThanOrEqual(200);
      }),
      { numRuns: 1_000 },
    );
    // About 1 run in 10 is healthy by construction (weighted bodies, 2xx statuses, untruncated).
    expect(oks).toBeGreaterThan(20);
  });

  it('URL credentials in a redirect Location never reach the detail', () => {
    const secret = fc.stringMatching(/^[a-z0-9]{10}$/).map((s) => `Pw${s}`);
    fc.assert(
      fc.property(fc.integer({ min: 300, max: 399 }), secret, fc.webUrl(), (code, password, url) => {
        const location = url.replace('://', `://user:${password}@`);
        const verdict = classifyResponse({ status: code, body: Buffer.alloc(0), truncated: false, expect: 'ok', location });
        expect(verdict.ok).toBe(false);
        if (!verdict.ok) expect(verdict.detail).not.toContain(password);
      }),
      { numRuns: 300 },
    );
  });
});

// A wrong PRIMARY_URL looks like a dead primary; until the primary has answered healthy once, the
// watcher says what the failure usually means for PRIMARY_URL, once (then once a minute at most).
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { firstContactProbe } from '../../src/probe/first-contact.ts';
import type { ProbeResult } from '../../src/probe/probe-result.ts';

function harness(results: ProbeResult[]) {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({ write(chunk: Buffer, _e, done) { lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>); done(); } });
  let now = 0;
  let i = 0;
  const probe = firstContactProbe(
    { probe: () => Promise.resolve(results[Math.min(i++, results.length - 1)]!), close: () => Promise.resolve() },
    { logger: pino(stream), url: 'http://p:18789/healthz', now: () => now },
  );
  return { probe, lines, advance: (ms: number) => (now += ms) };
}

const dns: ProbeResult = { ok: false, reason: 'dns', detail: 'getaddrinfo ENOTFOUND p', latencyMs: 3, startedAt: 0 };
const healthy: ProbeResult = { ok: true, status: 200, latencyMs: 3, startedAt: 0 };

describe('firstContactProbe', () => {
  it('never healthy: one warning naming PRIMARY_URL with the hint for the failure, then a reminder a minute', async () => {
    const { probe, lines, advance } = harness([dns]);
    for (let t = 0; t < 90_000; t += 2_000) {
      await probe.probe();
      advance(2_000);
    }
    await new Promise((r) => setImmediate(r));
    expect(lines.map((l) => l.lasting)).toEqual(['started', 'reminder']);
    expect(lines[0]).toMatchObject({ level: 40, event: 'primary-never-healthy', setting: 'PRIMARY_URL', reason: 'dns' });
    expect(String(lines[0]?.msg)).toContain('does not resolve');
  });

  it('after the first healthy answer it says so once and never warns again, whatever fails later', async () => {
    const { probe, lines } = harness([dns, healthy, dns, dns]);
    for (let n = 0; n < 4; n++) expect((await probe.probe()).ok).toBe(n === 1);
    await new Promise((r) => setImmediate(r));
    expect(lines.map((l) => l.event)).toEqual(['primary-never-healthy', 'primary-never-healthy-ended']);
  });

  it('healthy from the start: silent', async () => {
    const { probe, lines } = harness([healthy, dns]);
    await probe.probe();
    await probe.probe();
    await new Promise((r) => setImmediate(r));
    expect(lines).toEqual([]);
  });
});

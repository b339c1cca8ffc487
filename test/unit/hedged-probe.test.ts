// The hedged check against real loopback servers that lose, delay or refuse individual attempts:
// the outcome, how many connections it opened (one per attempt), that it stays within its one
// deadline (a generous bound, not a speed assertion) and that it leaves no socket or timer behind.
import { afterEach, describe, expect, it } from 'vitest';
import { getEventListeners } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { createHedgedProbe } from '../../src/probe/hedged-probe.ts';
import { createHttpProbe } from '../../src/probe/http-probe.ts';
import type { Probe, ProbeResult } from '../../src/probe/probe-result.ts';

// Hedge delay = TIMEOUT_MS / 4 with 3 attempts: launches at 0, 250 and 500 ms.
const TIMEOUT_MS = 1_000;
const HEDGE_MS = 250;
// Generous slack for a loaded 2-core machine.
const SLACK_MS = 1_000;
// For the cases that must not wait for a hedge: its delay is then 2 s, far above a loopback round trip.
const LONG_TIMEOUT_MS = 8_000;

/** What the server does with the n-th request it receives (0-based). */
type Behaviour = { drop: true } | { drop?: false; delayMs?: number; status?: number; body?: string; reset?: boolean };

interface ScriptedServer {
  url: string;
  /** TCP connections accepted so far. */
  connections: () => number;
  /** Connections still open on the server side. */
  open: () => number;
  requests: () => number;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function startScripted(behaviour: (request: number) => Behaviour): Promise<ScriptedServer> {
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let connections = 0;
  let requests = 0;
  const server = http.createServer((req, res) => {
    const plan = behaviour(requests++);
    if (plan.drop === true) return; // accepted, read, never answered: a lost answer
    if (plan.reset === true) {
      req.socket.resetAndDestroy();
      return;
    }
    const answer = (): void => {
      res.writeHead(plan.status ?? 200, { 'content-type': 'application/json' });
      res.end(plan.body ?? '{"ok":true}');
    };
    if (plan.delayMs === undefined) return answer();
    const timer = setTimeout(() => {
      timers.delete(timer);
      answer();
    }, plan.delayMs);
    timers.add(timer);
  });
  server.on('connection', (socket: net.Socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${port}/healthz`, connections: () => connections, open: () => sockets.size, requests: () => requests };
}

/** The real HTTP probe, counted, inside the hedged probe, closed after the test. */
function hedgedFor(url: string, options: { attempts?: number; timeoutMs?: number } = {}): { probe: Probe; attempts: () => number } {
  const timeoutMs = options.timeoutMs ?? TIMEOUT_MS;
  const http = createHttpProbe({ url, timeoutMs });
  let attempts = 0;
  const counted: Probe = {
    probe: (signal) => {
      attempts++;
      return http.probe(signal);
    },
    close: () => http.close(),
  };
  const probe = createHedgedProbe({ inner: counted, attempts: options.attempts ?? 3, timeoutMs });
  cleanups.push(() => probe.close());
  return { probe, attempts: () => attempts };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function failure(result: ProbeResult): Extract<ProbeResult, { ok: false }> {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result)}`);
  return result;
}

/** Bounded wait for the server to see every connection closed: the check left nothing open. */
async function allClosed(server: ScriptedServer): Promise<number> {
  for (let i = 0; i < 100 && server.open() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  return server.open();
}

const refTimers = (): number => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

describe('hedged probe against loopback servers', () => {
  it('a healthy first answer: one attempt, one connection', async () => {
    const server = await startScripted(() => ({}));
    const { probe, attempts } = hedgedFor(server.url);
    const result = await probe.probe();
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(attempts()).toBe(1);
    expect(server.connections()).toBe(1);
  });

  it('the first attempt lost: a second attempt on a fresh connection after the hedge delay wins', async () => {
    const server = await startScripted((n) => (n === 0 ? { drop: true } : {}));
    const { probe, attempts } = hedgedFor(server.url);
    const timersBefore = refTimers();
    const result = await probe.probe();
    expect(result.ok).toBe(true);
    expect(result.latencyMs).toBeGreaterThanOrEqual(HEDGE_MS - 5);
    expect(result.latencyMs).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    expect(attempts()).toBe(2);
    // Two connections: the hedge did not queue behind the hung request on its socket.
    expect(server.connections()).toBe(2);
    // The lost attempt was aborted when the second won: its connection is closed, no timer is left.
    expect(await allClosed(server)).toBe(0);
    expect(refTimers()).toBeLessThanOrEqual(timersBefore);
  });

  it('only the third attempt answered: success, three connections', async () => {
    const server = await startScripted((n) => (n < 2 ? { drop: true } : {}));
    const { probe, attempts } = hedgedFor(server.url);
    const result = await probe.probe();
    expect(result.ok).toBe(true);
    expect(result.latencyMs).toBeGreaterThanOrEqual(2 * HEDGE_MS - 5);
    expect(attempts()).toBe(3);
    expect(server.connections()).toBe(3);
    expect(await allClosed(server)).toBe(0);
  });

  it('every attempt lost: timeout at the one deadline, never later, listing the attempts', async () => {
    const server = await startScripted(() => ({ drop: true }));
    const { probe, attempts } = hedgedFor(server.url);
    const timersBefore = refTimers();
    const started = performance.now();
    const result = failure(await probe.probe());
    const took = performance.now() - started;
    expect(result.reason).toBe('timeout');
    expect(result.detail).toBe(`no complete answer within ${TIMEOUT_MS} ms [attempts: timeout, timeout, timeout]`);
    expect(took).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
    expect(took).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    expect(attempts()).toBe(3);
    expect(server.connections()).toBe(3);
    expect(await allClosed(server)).toBe(0);
    expect(refTimers()).toBeLessThanOrEqual(timersBefore);
  });

  it('a refusing port (killed primary): fails at once with one attempt, no hedge wait', async () => {
    const port = await freePort();
    const { probe, attempts } = hedgedFor(`http://127.0.0.1:${port}/healthz`, { timeoutMs: LONG_TIMEOUT_MS });
    const result = failure(await probe.probe());
    expect(result.reason).toBe('refused');
    expect(attempts()).toBe(1);
    // A refusal is decided long before the first hedge would start.
    expect(result.latencyMs).toBeLessThan(LONG_TIMEOUT_MS / 4);
  });

  it('a slow server: the first answer wins even after a hedge was launched, the hedge is aborted', async () => {
    const server = await startScripted(() => ({ delayMs: HEDGE_MS + 150 }));
    const { probe, attempts } = hedgedFor(server.url);
    const result = await probe.probe();
    expect(result.ok).toBe(true);
    expect(result.latencyMs).toBeGreaterThanOrEqual(HEDGE_MS + 150 - 5);
    expect(result.latencyMs).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    expect(attempts()).toBeGreaterThanOrEqual(2);
    expect(server.connections()).toBe(attempts());
    expect(await allClosed(server)).toBe(0);
  });

  it('a server slower than the deadline: timeout within the deadline', async () => {
    const server = await startScripted(() => ({ delayMs: TIMEOUT_MS * 3 }));
    const { probe } = hedgedFor(server.url);
    const result = failure(await probe.probe());
    expect(result.reason).toBe('timeout');
    expect(result.latencyMs).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    expect(server.connections()).toBe(3);
    expect(await allClosed(server)).toBe(0);
  });

  it('a reset (a blip of one connection) is retried at once, without waiting for the hedge delay', async () => {
    const server = await startScripted((n) => (n === 0 ? { reset: true } : {}));
    const { probe, attempts } = hedgedFor(server.url, { timeoutMs: LONG_TIMEOUT_MS });
    const result = await probe.probe();
    expect(result.ok).toBe(true);
    expect(attempts()).toBe(2);
    expect(result.latencyMs).toBeLessThan(LONG_TIMEOUT_MS / 4);
  });

  it('an HTTP error on every attempt: status after all attempts, without waiting for the hedge delay', async () => {
    const server = await startScripted(() => ({ status: 503, body: '{"ok":false}' }));
    const { probe, attempts } = hedgedFor(server.url, { timeoutMs: LONG_TIMEOUT_MS });
    const result = failure(await probe.probe());
    expect(result).toMatchObject({ reason: 'status', status: 503, detail: 'HTTP 503: {"ok":false} [attempts: status, status, status]' });
    expect(attempts()).toBe(3);
    expect(server.connections()).toBe(3);
    expect(result.latencyMs).toBeLessThan(LONG_TIMEOUT_MS / 4);
  });

  it('with CHECK_ATTEMPTS=1 it is the plain probe: one lost attempt fails the check', async () => {
    const server = await startScripted((n) => (n === 0 ? { drop: true } : {}));
    const { probe, attempts } = hedgedFor(server.url, { attempts: 1 });
    const result = failure(await probe.probe());
    expect(result.reason).toBe('timeout');
    expect(result.detail).toBe(`no complete answer within ${TIMEOUT_MS} ms`);
    expect(attempts()).toBe(1);
    expect(await allClosed(server)).toBe(0);
  });

  it('a caller abort ends the check early and closes every attempt', async () => {
    const server = await startScripted(() => ({ drop: true }));
    const { probe } = hedgedFor(server.url, { timeoutMs: 5_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const result = failure(await probe.probe(controller.signal));
    expect(result.detail).toMatch(/^aborted/);
    expect(result.latencyMs).toBeLessThan(2_500);
    expect(await allClosed(server)).toBe(0);
    const already = failure(await probe.probe(AbortSignal.abort()));
    expect(already.detail).toMatch(/^aborted/);
  });

  it('checks one after another on one probe reuse nothing and leak nothing', async () => {
    const server = await startScripted((n) => (n % 2 === 0 ? { drop: true } : {}));
    const { probe } = hedgedFor(server.url, { timeoutMs: 400 });
    const timersBefore = refTimers();
    // The watcher passes one long-lived signal to every check: no check may leave a listener on it.
    const watcherSignal = new AbortController().signal;
    for (let i = 0; i < 5; i++) expect((await probe.probe(watcherSignal)).ok).toBe(true);
    expect(getEventListeners(watcherSignal, 'abort')).toHaveLength(0);
    expect(server.connections()).toBe(10);
    expect(await allClosed(server)).toBe(0);
    expect(refTimers()).toBeLessThanOrEqual(timersBefore);
  });
});

// The hedged check against real loopback servers that lose, hold or refuse individual attempts:
// the outcome, how many connections it opened (one per attempt), and that it leaves no socket or
// timer behind. The check's own time (hedge delays, deadline) runs on a manual clock the test steps
// through, so "the second attempt starts after exactly the hedge delay, not before" and "a refusal
// is decided without waiting for any hedge" are exact and do not depend on the machine's load.
import { afterEach, describe, expect, it } from 'vitest';
import { getEventListeners } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { createHedgedProbe } from '../../src/probe/hedged-probe.ts';
import { createHttpProbe } from '../../src/probe/http-probe.ts';
import type { Probe, ProbeResult } from '../../src/probe/probe-result.ts';
import { fakeClock, type FakeClock } from './fake-clock.ts';
import { until } from './local-receiver.ts';

// Hedge delay = TIMEOUT_MS / 4 with 3 attempts: launches at 0, 250 and 500 ms (on the manual clock).
const TIMEOUT_MS = 1_000;
const HEDGE_MS = 250;
// The inner HTTP probe's own timeout runs in real time: far beyond any test, so only the check's
// (manual) deadline ends a lost attempt.
const INNER_TIMEOUT_MS = 60_000;

/** What the server does with the n-th request it receives (0-based). */
type Behaviour =
  | { drop: true }
  /** Answers only when the test calls release(n). */
  | { hold: true }
  | { drop?: false; hold?: false; status?: number; body?: string; reset?: boolean };

interface ScriptedServer {
  url: string;
  /** TCP connections accepted so far. */
  connections: () => number;
  /** Connections still open on the server side. */
  open: () => number;
  requests: () => number;
  /** Answers the held n-th request with 200 {"ok":true}. */
  release: (request: number) => void;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function startScripted(behaviour: (request: number) => Behaviour): Promise<ScriptedServer> {
  const sockets = new Set<net.Socket>();
  const held = new Map<number, http.ServerResponse>();
  let connections = 0;
  let requests = 0;
  const server = http.createServer((req, res) => {
    const index = requests++;
    const plan = behaviour(index);
    if ('drop' in plan && plan.drop === true) return; // accepted, read, never answered: a lost answer
    if ('hold' in plan && plan.hold === true) {
      held.set(index, res);
      return;
    }
    if (plan.reset === true) {
      req.socket.resetAndDestroy();
      return;
    }
    res.writeHead(plan.status ?? 200, { 'content-type': 'application/json' });
    res.end(plan.body ?? '{"ok":true}');
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
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  const release = (request: number): void => {
    const res = held.get(request);
    if (res === undefined) throw new Error(`request ${request} is not held`);
    held.delete(request);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  };
  return { url: `http://127.0.0.1:${port}/healthz`, connections: () => connections, open: () => sockets.size, requests: () => requests, release };
}

/** The real HTTP probe, counted, inside the hedged probe on a manual clock, closed after the test. */
function hedgedFor(url: string, options: { attempts?: number; timeoutMs?: number } = {}): { probe: Probe; attempts: () => number; clock: FakeClock } {
  const timeoutMs = options.timeoutMs ?? TIMEOUT_MS;
  const http = createHttpProbe({ url, timeoutMs: INNER_TIMEOUT_MS });
  let attempts = 0;
  const counted: Probe = {
    probe: (signal) => {
      attempts++;
      return http.probe(signal);
    },
    close: () => http.close(),
  };
  const clock = fakeClock();
  const probe = createHedgedProbe({ inner: counted, attempts: options.attempts ?? 3, timeoutMs, clock });
  cleanups.push(() => probe.close());
  return { probe, attempts: () => attempts, clock };
}

/** Waits (bounded, real time) until the server has received `n` requests. */
const received = (server: ScriptedServer, n: number): Promise<void> => until(`${n} requests`, () => server.requests() >= n, 10_000);

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
  it('a healthy first answer: one attempt, one connection, no hedge timer left', async () => {
    const server = await startScripted(() => ({}));
    const { probe, attempts, clock } = hedgedFor(server.url);
    const result = await probe.probe();
    expect(result).toMatchObject({ ok: true, status: 200, latencyMs: 0 });
    expect(attempts()).toBe(1);
    expect(server.connections()).toBe(1);
    expect(clock.pending()).toBe(0);
  });

  it('the first attempt lost: a second attempt on a fresh connection after exactly the hedge delay wins', async () => {
    const server = await startScripted((n) => (n === 0 ? { drop: true } : {}));
    const { probe, attempts, clock } = hedgedFor(server.url);
    const timersBefore = refTimers();
    const pending = probe.probe();
    await received(server, 1);
    clock.advance(HEDGE_MS - 1);
    expect(attempts()).toBe(1); // not a millisecond early
    clock.advance(1);
    expect(attempts()).toBe(2);
    const result = await pending;
    expect(result).toMatchObject({ ok: true, latencyMs: HEDGE_MS });
    // Two connections: the hedge did not queue behind the hung request on its socket.
    expect(server.connections()).toBe(2);
    // The lost attempt was aborted when the second won: its connection is closed, no timer is left.
    expect(await allClosed(server)).toBe(0);
    expect(clock.pending()).toBe(0);
    expect(refTimers()).toBeLessThanOrEqual(timersBefore);
  });

  it('only the third attempt answered: success at the second hedge, three connections', async () => {
    const server = await startScripted((n) => (n < 2 ? { drop: true } : {}));
    const { probe, attempts, clock } = hedgedFor(server.url);
    const pending = probe.probe();
    await received(server, 1);
    clock.advance(HEDGE_MS);
    await received(server, 2);
    expect(attempts()).toBe(2);
    clock.advance(HEDGE_MS);
    const result = await pending;
    expect(result).toMatchObject({ ok: true, latencyMs: 2 * HEDGE_MS });
    expect(attempts()).toBe(3);
    expect(server.connections()).toBe(3);
    expect(await allClosed(server)).toBe(0);
  });

  it('every attempt lost: timeout at exactly the one deadline, listing the attempts', async () => {
    const server = await startScripted(() => ({ drop: true }));
    const { probe, attempts, clock } = hedgedFor(server.url);
    const timersBefore = refTimers();
    let settled = false;
    const pending = probe.probe().finally(() => (settled = true));
    await received(server, 1);
    clock.advance(HEDGE_MS);
    await received(server, 2);
    clock.advance(HEDGE_MS);
    await received(server, 3);
    clock.advance(TIMEOUT_MS - 2 * HEDGE_MS - 1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false); // still within the deadline
    clock.advance(1);
    const result = failure(await pending);
    expect(result.reason).toBe('timeout');
    expect(result.detail).toBe(`no complete answer within ${TIMEOUT_MS} ms [attempts: timeout, timeout, timeout]`);
    expect(result.latencyMs).toBe(TIMEOUT_MS);
    expect(attempts()).toBe(3);
    expect(server.connections()).toBe(3);
    expect(await allClosed(server)).toBe(0);
    expect(clock.pending()).toBe(0);
    expect(refTimers()).toBeLessThanOrEqual(timersBefore);
  });

  it('a refusing port (killed primary): fails with one attempt before any hedge time passes', async () => {
    const port = await freePort();
    const { probe, attempts, clock } = hedgedFor(`http://127.0.0.1:${port}/healthz`);
    const result = failure(await probe.probe());
    expect(result.reason).toBe('refused');
    expect(attempts()).toBe(1);
    // The manual clock never moved: the refusal was decided without waiting for the hedge delay.
    expect(result.latencyMs).toBe(0);
    expect(clock.pending()).toBe(0);
  });

  it('a slow server: the first answer wins even after a hedge was launched, the hedge is aborted', async () => {
    const server = await startScripted(() => ({ hold: true }));
    const { probe, attempts, clock } = hedgedFor(server.url);
    const pending = probe.probe();
    await received(server, 1);
    clock.advance(HEDGE_MS);
    await received(server, 2);
    clock.advance(50);
    server.release(0);
    const result = await pending;
    expect(result).toMatchObject({ ok: true, latencyMs: HEDGE_MS + 50 });
    expect(attempts()).toBe(2);
    expect(server.connections()).toBe(2);
    // The hedge, still held by the server, was aborted: its connection is closed too.
    expect(await allClosed(server)).toBe(0);
    expect(clock.pending()).toBe(0);
  });

  it('a server slower than the deadline: timeout at the deadline, every attempt closed', async () => {
    const server = await startScripted(() => ({ hold: true }));
    const { probe, clock } = hedgedFor(server.url);
    const pending = probe.probe();
    await received(server, 1);
    clock.advance(HEDGE_MS);
    await received(server, 2);
    clock.advance(HEDGE_MS);
    await received(server, 3);
    clock.advance(TIMEOUT_MS);
    const result = failure(await pending);
    expect(result.reason).toBe('timeout');
    expect(result.latencyMs).toBe(TIMEOUT_MS);
    expect(server.connections()).toBe(3);
    expect(await allClosed(server)).toBe(0);
  });

  it('a reset (a blip of one connection) is retried at once, without waiting for the hedge delay', async () => {
    const server = await startScripted((n) => (n === 0 ? { reset: true } : {}));
    const { probe, attempts } = hedgedFor(server.url);
    const result = await probe.probe();
    expect(result).toMatchObject({ ok: true, latencyMs: 0 });
    expect(attempts()).toBe(2);
  });

  it('an HTTP error on every attempt: status after all attempts, without waiting for the hedge delay', async () => {
    const server = await startScripted(() => ({ status: 503, body: '{"ok":false}' }));
    const { probe, attempts } = hedgedFor(server.url);
    const result = failure(await probe.probe());
    expect(result).toMatchObject({ reason: 'status', status: 503, detail: 'HTTP 503: {"ok":false} [attempts: status, status, status]', latencyMs: 0 });
    expect(attempts()).toBe(3);
    expect(server.connections()).toBe(3);
  });

  it('with CHECK_ATTEMPTS=1 it is the plain probe: one lost attempt fails the check at the deadline', async () => {
    const server = await startScripted((n) => (n === 0 ? { drop: true } : {}));
    const { probe, attempts, clock } = hedgedFor(server.url, { attempts: 1 });
    const pending = probe.probe();
    await received(server, 1);
    clock.advance(TIMEOUT_MS - 1);
    expect(attempts()).toBe(1);
    clock.advance(1);
    const result = failure(await pending);
    expect(result.reason).toBe('timeout');
    expect(result.detail).toBe(`no complete answer within ${TIMEOUT_MS} ms`);
    expect(attempts()).toBe(1);
    expect(await allClosed(server)).toBe(0);
  });

  it('a caller abort ends the check early and closes every attempt', async () => {
    const server = await startScripted(() => ({ drop: true }));
    const { probe, clock } = hedgedFor(server.url, { timeoutMs: 5_000 });
    const controller = new AbortController();
    const pending = probe.probe(controller.signal);
    await received(server, 1);
    clock.advance(50);
    controller.abort();
    const result = failure(await pending);
    expect(result.detail).toMatch(/^aborted/);
    expect(result.latencyMs).toBe(50);
    expect(await allClosed(server)).toBe(0);
    expect(clock.pending()).toBe(0);
    const already = failure(await probe.probe(AbortSignal.abort()));
    expect(already.detail).toMatch(/^aborted/);
  });

  it('checks one after another on one probe reuse nothing and leak nothing', async () => {
    const server = await startScripted((n) => (n % 2 === 0 ? { drop: true } : {}));
    const { probe, clock } = hedgedFor(server.url, { timeoutMs: 400 });
    const timersBefore = refTimers();
    // The watcher passes one long-lived signal to every check: no check may leave a listener on it.
    const watcherSignal = new AbortController().signal;
    for (let i = 0; i < 5; i++) {
      const pending = probe.probe(watcherSignal);
      await received(server, 2 * i + 1);
      clock.advance(100); // hedge delay 400 / 4
      expect(await pending).toMatchObject({ ok: true, latencyMs: 100 });
    }
    expect(getEventListeners(watcherSignal, 'abort')).toHaveLength(0);
    expect(server.connections()).toBe(10);
    expect(await allClosed(server)).toBe(0);
    expect(clock.pending()).toBe(0);
    expect(refTimers()).toBeLessThanOrEqual(timersBefore);
  });
});

describe('the real clock', () => {
  it('drives the same hedge in real time when none is injected', async () => {
    const server = await startScripted((n) => (n === 0 ? { drop: true } : {}));
    const inner = createHttpProbe({ url: server.url, timeoutMs: INNER_TIMEOUT_MS });
    const probe = createHedgedProbe({ inner, attempts: 3, timeoutMs: 200 });
    cleanups.push(() => probe.close());
    const result = await probe.probe();
    expect(result.ok).toBe(true);
    // Timers never fire early; no upper bound is asserted (the machine may be loaded).
    expect(result.latencyMs).toBeGreaterThanOrEqual(50 - 1);
    expect(server.connections()).toBe(2);
  });
});

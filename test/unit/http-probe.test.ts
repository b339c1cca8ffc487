// Real loopback servers that misbehave in the ways a dying gateway does; the probe must classify
// each one correctly and never take much longer than its timeout.
import { describe, it, expect, afterEach } from 'vitest';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { createHttpProbe } from '../../src/probe/http-probe.ts';
import type { HttpProbeOptions } from '../../src/probe/http-probe.ts';
import type { Probe, ProbeResult } from '../../src/probe/probe-result.ts';

const TIMEOUT_MS = 400;
// Generous slack for a loaded CI machine, yet far below undici's 300 s defaults.
const BOUND_MS = TIMEOUT_MS + 500;

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  const pending = cleanups.splice(0);
  await Promise.all(pending.map((cleanup) => cleanup()));
});

function track(sockets: Set<net.Socket>, socket: net.Socket): void {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
}

/** Closes the server and destroys held-open sockets, so hung handlers cannot stall shutdown. */
function closer(server: net.Server, sockets: Set<net.Socket>, timers: Set<NodeJS.Timeout>): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

interface TestServer {
  base: string;
  port: number;
  requests: http.IncomingMessage[];
  /** Timers registered here are cleared on close (sleeps, dribbles). */
  timers: Set<NodeJS.Timeout>;
}

async function startHttp(handler: (req: http.IncomingMessage, res: http.ServerResponse, server: TestServer) => void): Promise<TestServer> {
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const requests: http.IncomingMessage[] = [];
  const state: TestServer = { base: '', port: 0, requests, timers };
  const server = http.createServer((req, res) => {
    requests.push(req);
    handler(req, res, state);
  });
  server.on('connection', (socket) => track(sockets, socket));
  state.port = await listen(server);
  state.base = `http://127.0.0.1:${state.port}`;
  cleanups.push(closer(server, sockets, timers));
  return state;
}

async function startNet(onConnection: (socket: net.Socket) => void): Promise<string> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    track(sockets, socket);
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  const port = await listen(server);
  cleanups.push(closer(server, sockets, new Set()));
  return `http://127.0.0.1:${port}`;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function probeFor(url: string, extra: Partial<HttpProbeOptions> = {}): Probe {
  const probe = createHttpProbe({ url, timeoutMs: TIMEOUT_MS, ...extra });
  cleanups.push(() => probe.close());
  return probe;
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

function expectFailure(result: ProbeResult, reason: string): Extract<ProbeResult, { ok: false }> {
  expect(result, JSON.stringify(result)).toMatchObject({ ok: false, reason });
  if (result.ok) throw new Error('unreachable');
  return result;
}

describe('createHttpProbe against real loopback servers', () => {
  it('healthy /healthz is ok, with the expected request headers and timing fields', async () => {
    const server = await startHttp((_req, res) => sendJson(res, 200, { ok: true, status: 'live' }));
    const result = await probeFor(`${server.base}/healthz`, { now: () => 1_700_000_000_000 }).probe();
    expect(result).toMatchObject({ ok: true, status: 200, startedAt: 1_700_000_000_000 });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    expect(result.latencyMs).toBeLessThan(BOUND_MS);
    expect(Number.isInteger(Math.round(result.latencyMs * 10))).toBe(true);
    expect(Math.abs(result.latencyMs * 10 - Math.round(result.latencyMs * 10))).toBeLessThan(1e-6);
    const [req] = server.requests;
    expect(req?.method).toBe('GET');
    expect(req?.url).toBe('/healthz');
    expect(req?.headers.accept).toBe('application/json');
    expect(req?.headers['user-agent']).toBe('openclaw-failover');
    expect(req?.headers.authorization).toBeUndefined();
  });

  it('uses a fresh connection for every probe', async () => {
    // Record while the socket is open: a closed socket no longer reports its remote port.
    const ports = new Set<number | undefined>();
    const server = await startHttp((req, res) => {
      ports.add(req.socket.remotePort);
      sendJson(res, 200, { ok: true });
    });
    const probe = probeFor(`${server.base}/healthz`);
    for (let i = 0; i < 3; i++) expect((await probe.probe()).ok).toBe(true);
    expect(ports.size).toBe(3);
    expect(server.requests.map((req) => req.headers.connection)).toEqual(['close', 'close', 'close']);
  });

  it('/readyz {"ready":true} is ok (auto expectation)', async () => {
    const server = await startHttp((_req, res) => sendJson(res, 200, { ready: true }));
    expect(await probeFor(`${server.base}/readyz`).probe()).toMatchObject({ ok: true, status: 200 });
  });

  it('/readyz 503 {"ready":false} is a status failure', async () => {
    const server = await startHttp((_req, res) => sendJson(res, 503, { ready: false }));
    const failure = expectFailure(await probeFor(`${server.base}/readyz`).probe(), 'status');
    expect(failure.status).toBe(503);
    expect(failure.detail).toBe('HTTP 503: {"ready":false}');
  });

  it('/healthz answering {"ready":true} does not satisfy the ok expectation', async () => {
    const server = await startHttp((_req, res) => sendJson(res, 200, { ready: true }));
    const failure = expectFailure(await probeFor(`${server.base}/healthz`).probe(), 'body');
    expect(failure.detail).toBe('expected {"ok":true}, got {"ready":true}');
    expect(failure.status).toBe(200);
  });

  it('headers slower than the timeout → timeout, bounded', async () => {
    const server = await startHttp((_req, res, state) => {
      state.timers.add(setTimeout(() => sendJson(res, 200, { ok: true }), TIMEOUT_MS * 5));
    });
    const failure = expectFailure(await probeFor(`${server.base}/healthz`).probe(), 'timeout');
    expect(failure.latencyMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
    expect(failure.latencyMs).toBeLessThan(BOUND_MS);
  });

  it('headers then a body dribbled one byte every 200 ms → timeout, bounded', async () => {
    let bytesSent = 0;
    const server = await startHttp((_req, res, state) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{');
      // Each byte resets undici's idle bodyTimeout, so only the overall deadline can end this.
      const interval = setInterval(() => {
        bytesSent++;
        res.write(' ');
      }, 200);
      state.timers.add(interval);
      res.on('close', () => clearInterval(interval));
    });
    const failure = expectFailure(await probeFor(`${server.base}/healthz`, { timeoutMs: 700 }).probe(), 'timeout');
    expect(bytesSent).toBeGreaterThan(0);
    expect(failure.latencyMs).toBeLessThan(700 + 500);
  });

  it('an endless body → body (truncated), quickly, without buffering it', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    let chunksWritten = 0;
    let closedAt = 0;
    const server = await startHttp((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.on('close', () => (closedAt = performance.now()));
      res.on('error', () => undefined);
      // Bounded: at most 1 GiB, and only as fast as the client drains it.
      const pump = (): void => {
        while (!res.destroyed && chunksWritten < 1024) {
          chunksWritten++;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
      };
      pump();
    });
    const heapBefore = process.memoryUsage().heapUsed;
    const failure = expectFailure(await probeFor(`${server.base}/healthz`, { timeoutMs: 2_000 }).probe(), 'body');
    expect(failure.detail).toBe('body larger than 65536 bytes');
    expect(failure.status).toBe(200);
    expect(failure.latencyMs).toBeLessThan(2_000);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
    // The probe hung up: the server sees the connection close and stops long before 1 GiB.
    for (let i = 0; i < 50 && closedAt === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(closedAt).toBeGreaterThan(0);
    expect(chunksWritten).toBeLessThan(64);
  });

  it('respects a custom maxBodyBytes', async () => {
    const server = await startHttp((_req, res) => sendJson(res, 200, { ok: true, padding: 'x'.repeat(100) }));
    expect((await probeFor(`${server.base}/healthz`, { maxBodyBytes: 1024 }).probe()).ok).toBe(true);
    const failure = expectFailure(await probeFor(`${server.base}/healthz`, { maxBodyBytes: 64 }).probe(), 'body');
    expect(failure.detail).toBe('body larger than 64 bytes');
  });

  it('HTML 200 (the Control UI instead of the health endpoint) → body', async () => {
    const server = await startHttp((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><html><head><title>Control UI</title></head><body></body></html>');
    });
    const failure = expectFailure(await probeFor(`${server.base}/healthz`).probe(), 'body');
    expect(failure.detail).toMatch(/^body is not JSON: .*Control UI/);
  });

  it('302 to a path that would answer ok → redirect, never followed', async () => {
    const server = await startHttp((req, res) => {
      if (req.url === '/elsewhere') return sendJson(res, 200, { ok: true });
      res.writeHead(302, { location: '/elsewhere' });
      res.end('moved');
    });
    const failure = expectFailure(await probeFor(`${server.base}/healthz`).probe(), 'redirect');
    expect(failure.status).toBe(302);
    expect(failure.detail).toBe('HTTP 302 redirect (Location: /elsewhere)');
    expect(server.requests.map((req) => req.url)).toEqual(['/healthz']);
  });

  it('500 → status', async () => {
    const server = await startHttp((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('Internal Server Error\n');
    });
    const failure = expectFailure(await probeFor(`${server.base}/healthz`).probe(), 'status');
    expect(failure.status).toBe(500);
    expect(failure.detail).toBe('HTTP 500: Internal Server Error');
  });

  it('connection closed as soon as the request arrives → reset', async () => {
    const base = await startNet((socket) => socket.on('data', () => socket.destroy()));
    const failure = expectFailure(await probeFor(`${base}/healthz`).probe(), 'reset');
    expect(failure.detail).toMatch(/other side closed/);
  });

  it('TCP RST as soon as the request arrives → reset', async () => {
    const base = await startNet((socket) => socket.on('data', () => socket.resetAndDestroy()));
    const failure = expectFailure(await probeFor(`${base}/healthz`).probe(), 'reset');
    expect(failure.detail).toMatch(/ECONNRESET/);
  });

  it('a server that accepts and never answers → timeout, bounded', async () => {
    const base = await startNet(() => undefined);
    const failure = expectFailure(await probeFor(`${base}/healthz`).probe(), 'timeout');
    expect(failure.detail).toBe(`no complete answer within ${TIMEOUT_MS} ms`);
    expect(failure.latencyMs).toBeLessThan(BOUND_MS);
  });

  it('nothing listening → refused', async () => {
    const port = await freePort();
    const failure = expectFailure(await probeFor(`http://127.0.0.1:${port}/healthz`).probe(), 'refused');
    expect(failure.detail).toMatch(/ECONNREFUSED/);
    expect(failure.latencyMs).toBeLessThan(BOUND_MS);
  });

  it('an unresolvable host → dns', async () => {
    // The .invalid TLD is reserved and never resolves; no traffic leaves the machine for it.
    const failure = expectFailure(await probeFor('http://nonexistent.invalid:18789/healthz').probe(), 'dns');
    expect(failure.detail).toMatch(/nonexistent\.invalid/);
  });

  it('URL credentials go in a Basic header, not the URL, and never into a detail', async () => {
    const server = await startHttp((req, res) => {
      if (req.url === '/fail') {
        res.writeHead(500);
        res.end(`authorization was ${req.headers.authorization ?? 'none'}`.replace(/Basic \S+/, 'Basic (hidden)'));
        return;
      }
      sendJson(res, 200, { ok: true });
    });
    const withCredentials = (path: string): string => `http://admin:s3cr%40t@127.0.0.1:${server.port}${path}`;
    expect((await probeFor(withCredentials('/healthz')).probe()).ok).toBe(true);
    const [req] = server.requests;
    expect(req?.url).toBe('/healthz');
    expect(req?.headers.host).toBe(`127.0.0.1:${server.port}`);
    expect(req?.headers.authorization).toBe(`Basic ${Buffer.from('admin:s3cr@t').toString('base64')}`);

    const status = expectFailure(await probeFor(withCredentials('/fail')).probe(), 'status');
    const refusedPort = await freePort();
    const refused = expectFailure(await probeFor(`http://admin:s3cr%40t@127.0.0.1:${refusedPort}/healthz`).probe(), 'refused');
    const dns = expectFailure(await probeFor('http://admin:s3cr%40t@nonexistent.invalid:18789/healthz').probe(), 'dns');
    for (const failure of [status, refused, dns]) {
      expect(failure.detail).not.toMatch(/s3cr|admin/);
    }
  });

  it('a caller abort ends the probe early as timeout/aborted', async () => {
    const base = await startNet(() => undefined);
    const controller = new AbortController();
    const probe = probeFor(`${base}/healthz`, { timeoutMs: 5_000 });
    setTimeout(() => controller.abort(), 50);
    const failure = expectFailure(await probe.probe(controller.signal), 'timeout');
    expect(failure.detail).toBe('aborted');
    expect(failure.latencyMs).toBeLessThan(1_000);
  });

  it('an already-aborted signal returns at once', async () => {
    const base = await startNet(() => undefined);
    const failure = expectFailure(await probeFor(`${base}/healthz`).probe(AbortSignal.abort()), 'timeout');
    expect(failure.detail).toBe('aborted');
  });

  it('close() does not wait for an in-flight probe, and a closed probe still answers', async () => {
    const base = await startNet(() => undefined);
    const probe = createHttpProbe({ url: `${base}/healthz`, timeoutMs: 5_000 });
    const inFlight = probe.probe();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closeStarted = performance.now();
    await probe.close();
    expect(performance.now() - closeStarted).toBeLessThan(1_000);
    expect((await inFlight).ok).toBe(false);
    expectFailure(await probe.probe(), 'error');
    await probe.close();
  });

  it('an invalid URL is a failure result, not an exception', async () => {
    expectFailure(await probeFor('not a url').probe(), 'error');
    expectFailure(await probeFor('ftp://127.0.0.1/healthz').probe(), 'error');
  });
});

describe('a hostile primary costs at most the timeout and the capped buffer', () => {
  it('a status line dribbled one byte every 100 ms, forever → timeout within the bound', async () => {
    let bytes = 0;
    const base = await startNet((socket) => {
      const line = 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n';
      const interval = setInterval(() => {
        if (socket.destroyed) return clearInterval(interval);
        socket.write(line[bytes % line.length] ?? ' ');
        bytes++;
      }, 100);
      socket.on('close', () => clearInterval(interval));
    });
    const failure = expectFailure(await probeFor(`${base}/healthz`).probe(), 'timeout');
    expect(bytes).toBeGreaterThan(0);
    expect(failure.latencyMs).toBeLessThan(BOUND_MS);
  });

  it('30 probes in a row against servers that hold the connection open leave no socket behind and no heap growth', async () => {
    let open = 0;
    let accepted = 0;
    const base = await startNet((socket) => {
      accepted++;
      open++;
      socket.on('close', () => open--);
      // Reads the request (a paused socket would never see the client's FIN) but never answers.
      socket.resume();
    });
    const probe = probeFor(`${base}/healthz`, { timeoutMs: 150 });
    const heapBefore = process.memoryUsage().heapUsed;
    const began = performance.now();
    for (let i = 0; i < 30; i++) expectFailure(await probe.probe(), 'timeout');
    const elapsed = performance.now() - began;
    for (let i = 0; i < 50 && open > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    // Loose, honest bounds: 30 × 150 ms plus generous slack, every socket closed, heap not hoarding.
    console.log(`[hostile] 30 held-open probes: ${Math.round(elapsed)} ms, ${accepted} connections, ${open} still open, heap +${Math.round((process.memoryUsage().heapUsed - heapBefore) / 1024)} KiB`);
    expect(accepted).toBe(30);
    expect(open).toBe(0);
    expect(elapsed).toBeLessThan(30 * (150 + 500));
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(32 * 1024 * 1024);
  });
});

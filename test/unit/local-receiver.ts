// A real HTTP receiver on 127.0.0.1 for notification and heartbeat tests: it records every
// request and answers as the test says (a status, or never). Closing destroys held sockets.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';

export interface Received {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

/** What to answer to the nth request (0-based): a status, a status with headers, or 'hang'. */
export type Answer = number | { status: number; headers?: Record<string, string> } | 'hang';

export interface Receiver {
  url: (path?: string) => string;
  requests: Received[];
  close: () => Promise<void>;
}

export async function startReceiver(answer: (n: number, req: Received) => Answer | Promise<Answer>): Promise<Receiver> {
  const requests: Received[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received: Received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      const n = requests.length;
      requests.push(received);
      const respond = (a: Answer): void => {
        if (a === 'hang') return; // never answers; the socket is destroyed at close
        const { status, headers } = typeof a === 'number' ? { status: a, headers: {} } : a;
        if (!res.destroyed) res.writeHead(status, { 'content-type': 'text/plain', ...headers }).end('ok');
      };
      const a = answer(n, received);
      // A promise holds the answer until the test resolves it (an explicit signal, not a delay).
      if (a instanceof Promise) void a.then(respond);
      else respond(a);
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (path = '/') => `http://127.0.0.1:${port}${path}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A pino logger whose lines are kept, for asserting what was (and was not) logged. */
export function capturingLogger(): { logger: Logger; lines: () => Array<Record<string, unknown>>; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = pino({ level: 'debug' }, stream);
  const text = (): string => chunks.join('');
  return {
    logger,
    text,
    lines: () => text().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** Polls until `check` holds, bounded in time. */
export async function until(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

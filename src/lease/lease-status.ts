// The etcd mode's HTTP endpoint: /healthz (the tick loop turns), /status (leadership as JSON),
// /metrics (Prometheus). Same port setting style as the two-node watcher.
import { createServer } from 'node:http';
import type { LeaseTimings, Role } from './leadership.ts';

export interface LeaseStatusDoc {
  mode: 'etcd';
  node: string;
  startedAt: string;
  role: Role;
  serving: boolean;
  holder: string | null;
  revision: number | null;
  leaseId: string | null;
  holderForMs: number | null;
  deadlineInMs: number | null;
  lastRenewLatencyMs: number | null;
  lostLeases: number;
  etcdReachable: boolean;
  lastError: string | null;
  timings: LeaseTimings;
  recentChanges: { at: string; from: string; to: string; reason: string; revision: number | null }[];
  loopAlive: boolean;
}

export async function startLeaseStatusServer(
  port: number,
  status: () => LeaseStatusDoc,
  metrics: () => Promise<{ contentType: string; body: string }>,
): Promise<{ close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (code: number, body: unknown): void => {
      res.writeHead(code, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      res.end(`${JSON.stringify(body, null, 2)}\n`);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
    } else if (path === '/healthz') {
      const s = status();
      send(s.loopAlive ? 200 : 503, { ok: s.loopAlive, role: s.role });
    } else if (path === '/status') {
      send(200, status());
    } else if (path === '/metrics') {
      metrics().then(
        ({ contentType, body }) => {
          res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
          res.end(body);
        },
        (error: unknown) => send(500, { error: String(error) }),
      );
    } else {
      send(404, { error: 'not found', paths: ['/healthz', '/status', '/metrics'] });
    }
  });
  server.requestTimeout = 5_000;
  server.headersTimeout = 5_000;
  server.keepAliveTimeout = 2_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return { close: () => new Promise<void>((r) => server.close(() => r())) };
}

// The watcher's own small HTTP endpoint: /healthz for the Docker healthcheck, /status for people,
// /metrics for Prometheus.
import { createServer, type Server } from 'node:http';
import type { Watcher } from '../watcher/watcher.ts';
import { preparedHealth } from '../standby/standby-readiness.ts';
import { buildStatusReport, watcherAlive, type StatusContext } from './status-report.ts';

export async function startStatusServer(options: {
  watcher: Watcher;
  context: StatusContext;
  port: number;
  host?: string;
  now?: () => number;
  /** Prometheus exposition, when metrics are wired. */
  metrics?: () => Promise<{ contentType: string; body: string }>;
  /** More top-level sections of /status (e.g. the workspace hand-back). */
  extra?: () => Record<string, unknown>;
}): Promise<Server> {
  const now = options.now ?? Date.now;
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const send = (status: number, body: unknown): void => {
      const text = `${JSON.stringify(body, null, 2)}\n`;
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : text);
    };
    if (path === '/healthz') {
      const { alive, reason } = watcherAlive(options.watcher, options.context, now());
      // A standby that could not be prepared at deploy time is unhealthy: known now, not in an outage.
      const prepared = preparedHealth(options.context.standby?.() ?? { state: 'off' });
      const ok = alive && prepared.ok;
      // `alive` apart: the container HEALTHCHECK follows it, not `ok` (see healthcheck.ts).
      send(ok ? 200 : 503, { ok, alive, reason: prepared.ok ? reason : `${prepared.reason}; ${reason}` });
    } else if (path === '/status') {
      send(200, { ...buildStatusReport(options.watcher, options.context, now()), ...options.extra?.() });
    } else if (path === '/metrics' && options.metrics) {
      options.metrics().then(
        ({ contentType, body }) => {
          res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
          res.end(req.method === 'HEAD' ? undefined : body);
        },
        (error: unknown) => send(500, { error: `metrics unavailable: ${error instanceof Error ? error.message : String(error)}` }),
      );
    } else {
      send(404, { error: 'not found', paths: options.metrics ? ['/healthz', '/status', '/metrics'] : ['/healthz', '/status'] });
    }
  });
  // Slow or idle clients must not pin sockets open.
  server.requestTimeout = 5_000;
  server.headersTimeout = 5_000;
  server.keepAliveTimeout = 2_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

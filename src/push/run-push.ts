// The primary's workspace push service (`openclaw-failover push`): a cycle every
// WORKSPACE_PUSH_INTERVAL, retried with backoff after a failure, and one last cycle on SIGTERM.
// /healthz, /status and /metrics on STATUS_PORT, like the watcher.
import { createServer, type Server } from 'node:http';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { redactUrl, scrubSecrets, secretValuesFromEnv } from '../config/redact.ts';
import { sleep } from '../docker/backoff.ts';
import { createNotifier } from '../notify/notifier.ts';
import { VERSION } from '../version.ts';
import { announce } from './push-announce.ts';
import type { PushConfig } from './push-config.ts';
import { runPushCycle } from './push-cycle.ts';
import { createPushMetrics, cycleKind } from './push-metrics.ts';
import { applyOutcome, INITIAL_PUSH_STATE, type PushState } from './push-state.ts';

const RETRY_INITIAL_MS = 5_000;

export async function runPushService(config: PushConfig, logger: Logger): Promise<void> {
  const host = hostname();
  const secrets = secretValuesFromEnv(process.env);
  const remote = redactUrl(config.workspaceRemote);
  const startedAtMs = Date.now();
  let state: PushState = INITIAL_PUSH_STATE;
  const metrics = createPushMetrics({ state: () => state, startedAtMs, version: VERSION });
  const notifier = createNotifier({
    targets: { webhook: config.notifyWebhookUrl, slack: config.notifySlackUrl, discord: config.notifyDiscordUrl, ntfy: config.notifyNtfyUrl },
    sender: { host, version: VERSION },
    timeoutMs: config.notifyTimeoutMs,
    retries: config.notifyRetries,
    logger,
    scrub: (text) => scrubSecrets(text, secrets),
  });
  const cycleOptions = { dir: config.workspaceDir, remote: config.workspaceRemote, branch: config.workspaceBranch, timeoutMs: config.gitTimeoutMs, host, ignore: config.workspaceIgnore };
  const ctx = { branch: config.workspaceBranch, remote, host };

  const one = async (reason: string): Promise<number> => {
    const began = Date.now();
    const outcome = await runPushCycle(cycleOptions, reason);
    const step = applyOutcome(state, outcome, Date.now(), { intervalMs: config.pushIntervalMs, retryInitialMs: RETRY_INITIAL_MS });
    state = step.state;
    metrics.count(cycleKind(outcome));
    for (const a of step.announce) announce(a, ctx, logger, (n) => notifier.notify(n), Date.now());
    // One debug line per cycle; info only when something was pushed (a commit is worth a line).
    if (outcome.kind === 'synced' && outcome.pushed) {
      logger.info({ event: 'workspace-pushed', head: outcome.head, ms: Date.now() - began }, `workspace pushed to ${remote} ${config.workspaceBranch} at ${outcome.head?.slice(0, 12)} (${Date.now() - began} ms)`);
    } else {
      logger.debug({ event: 'workspace-push-cycle', outcome: cycleKind(outcome), ms: Date.now() - began }, `push cycle: ${cycleKind(outcome)}`);
    }
    return step.delayMs;
  };

  const server = await startPushStatusServer(config.statusPort, () => statusDocument(state, config, remote, startedAtMs), () => metrics.render(), () => aliveCheck(state, config, startedAtMs));
  logger.info(
    { event: 'push-config', remote, branch: config.workspaceBranch, dir: config.workspaceDir, intervalMs: config.pushIntervalMs, ignore: config.workspaceIgnore },
    `openclaw-failover ${VERSION} push: committing ${config.workspaceDir} and pushing it to ${remote} ${config.workspaceBranch} every ${config.pushIntervalMs / 1000}s`,
  );

  const stop = new AbortController();
  let finished: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const shutdown = (signalName: string): void => {
    if (stop.signal.aborted) return;
    stop.abort();
    logger.info({ event: 'push-stopping', signal: signalName }, `${signalName}: one last push, bounded by GIT_TIMEOUT (${config.gitTimeoutMs / 1000}s)`);
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  void (async () => {
    let delayMs = await one('start');
    while (!stop.signal.aborted) {
      await sleep(delayMs, stop.signal);
      if (stop.signal.aborted) break;
      delayMs = await one('interval');
    }
    // The last word on SIGTERM: whatever the agent wrote since the last cycle.
    await one('shutdown');
    logger.info({ event: 'push-stopped', health: state.health, lastSuccessAt: state.lastSuccessAt }, `push service stopped (${state.health})`);
    await Promise.race([notifier.idle(), sleep(2_000)]);
    notifier.close();
    server.closeAllConnections();
    server.close();
    logger.flush();
    finished();
  })();
  await done;
}

function aliveCheck(state: PushState, config: PushConfig, startedAtMs: number): { alive: boolean; reason: string } {
  // Alive while cycles keep turning (a failing remote is not a dead service: the alert says that).
  const last = state.lastAttemptAt ?? startedAtMs;
  const bound = config.pushIntervalMs + config.gitTimeoutMs + 30_000;
  const alive = Date.now() - last <= bound;
  return { alive, reason: alive ? `push cycles turning (${state.health})` : `no push cycle for ${Math.round((Date.now() - last) / 1000)} s` };
}

export function statusDocument(state: PushState, config: PushConfig, remote: string, startedAtMs: number, now = Date.now()): Record<string, unknown> {
  const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());
  return {
    service: 'workspace-push',
    version: VERSION,
    health: state.health,
    remote,
    branch: config.workspaceBranch,
    workspaceDir: config.workspaceDir,
    intervalSeconds: config.pushIntervalMs / 1000,
    startedAt: iso(startedAtMs),
    lastAttemptAt: iso(state.lastAttemptAt),
    lastSuccessAt: iso(state.lastSuccessAt),
    lastSuccessAgeSeconds: Math.round((now - (state.lastSuccessAt ?? startedAtMs)) / 100) / 10,
    lastPushedHead: state.lastPushedHead ?? null,
    consecutiveFailures: state.consecutiveFailures,
    lastError: state.lastError ?? null,
    diverged: state.diverged ?? null,
    unmergedStandbyBranches: state.unmerged,
  };
}

async function startPushStatusServer(
  port: number,
  status: () => Record<string, unknown>,
  metrics: () => Promise<{ contentType: string; body: string }>,
  alive: () => { alive: boolean; reason: string },
): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (code: number, body: unknown): void => {
      res.writeHead(code, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(`${JSON.stringify(body, null, 2)}\n`);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, { allow: 'GET, HEAD' }).end();
    if (path === '/healthz') {
      const a = alive();
      return send(a.alive ? 200 : 503, { ok: a.alive, reason: a.reason });
    }
    if (path === '/status') return send(200, status());
    if (path === '/metrics') {
      return void metrics().then(
        ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body),
        (error: unknown) => send(500, { error: String(error) }),
      );
    }
    send(404, { error: 'not found', paths: ['/healthz', '/status', '/metrics'] });
  });
  server.requestTimeout = 5_000;
  server.headersTimeout = 5_000;
  server.keepAliveTimeout = 2_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '0.0.0.0', () => resolve());
  });
  return server;
}

// Wires the real adapters to the watcher once, at start, and handles SIGTERM.
import type { Server } from 'node:net';
import { hostname } from 'node:os';
import Docker from 'dockerode';
import type { Logger } from 'pino';
import type { Config } from './config/config.ts';
import { configWarnings } from './config/load-config.ts';
import { redactUrl, scrubSecrets, secretValuesFromEnv } from './config/redact.ts';
import { DEFAULT_POLICY } from './decision/decide.ts';
import type { Phase } from './decision/model.ts';
import { createDockerGatewayControl } from './docker/gateway-control.ts';
import { describeTarget, ownComposeProject, type TargetSpec } from './docker/gateway-target.ts';
import { createWorkspaceSync } from './git/workspace-sync.ts';
import { createHedgedProbe } from './probe/hedged-probe.ts';
import { createTransitionHooks } from './hooks/transition-hooks.ts';
import { scrubCredentials } from './probe/classify-response.ts';
import { createHttpProbe } from './probe/http-probe.ts';
import { createWitnessCheck } from './probe/witness-check.ts';
import { createWatcherMetrics } from './metrics/watcher-metrics.ts';
import { runHeartbeat } from './notify/heartbeat.ts';
import { createNotifier } from './notify/notifier.ts';
import { notifyingObserver } from './notify/notify-observer.ts';
import { startStatusServer } from './status/status-server.ts';
import { watcherAlive, type StatusContext } from './status/status-report.ts';
import { createControlHandler } from './control/control-handler.ts';
import { startControlServer } from './control/control-server.ts';
import { VERSION } from './version.ts';
import { createFileStateStore } from './watcher/state-store.ts';
import { waitUntilReady } from './watcher/wait-ready.ts';
import { createGatewayRpc } from './gateway/gateway-rpc.ts';
import { watchStandbyExit } from './gateway/standby-exit.ts';
import { waitReachable } from './gateway/wait-reachable.ts';
import { standbyPreparedNotification } from './notify/notification.ts';
import { expectedChannels } from './standby/prepare-report.ts';
import { createStandbyReadiness } from './standby/standby-readiness.ts';
import { errorText, Watcher } from './watcher/watcher.ts';
import { combineObservers } from './watcher/watcher-observer.ts';

/** SIGTERM must end the process within 5 s whatever is in flight (compose's default grace is 10 s). */
const SHUTDOWN_DEADLINE_MS = 4_500;

export async function runWatcher(config: Config, logger: Logger): Promise<void> {
  for (const warning of configWarnings(config)) logger.warn({ event: 'config-warning' }, warning);

  // dockerode honours DOCKER_HOST (e.g. a filtering socket proxy), else the local socket.
  const docker = new Docker();
  await explainDockerAccess(docker, logger);
  const project = config.gatewayContainer ? undefined : await ownComposeProject(docker, hostname());
  const target: TargetSpec = { container: config.gatewayContainer, service: config.gatewayService, project };
  logger.info(
    { event: 'config', primaryUrl: redactUrl(config.primaryUrl), target: describeTarget(target), checkIntervalMs: config.checkIntervalMs, failThreshold: config.failThreshold, recoverThreshold: config.recoverThreshold },
    `openclaw-failover ${VERSION}: watching ${redactUrl(config.primaryUrl)} every ${config.checkIntervalMs / 1000}s; standby gateway is ${describeTarget(target)}`,
  );

  // Known secret values, masked in what the watcher passes on (hook output, notifications).
  const secrets = secretValuesFromEnv(process.env);
  const primary = createHedgedProbe({ inner: createHttpProbe({ url: config.primaryUrl, timeoutMs: config.checkTimeoutMs }), attempts: config.checkAttempts, timeoutMs: config.checkTimeoutMs });
  const readiness = createHttpProbe({ url: config.gatewayReadyUrl, timeoutMs: Math.min(2_000, config.promoteReadyTimeoutMs), expect: 'ready' });
  const witnesses = config.witnessUrls.length > 0 ? createWitnessCheck({ urls: config.witnessUrls, timeoutMs: config.witnessTimeoutMs }) : undefined;
  if (witnesses) {
    logger.info(
      { event: 'partition-guard', witnesses: config.witnessUrls.map(redactUrl), timeoutMs: config.witnessTimeoutMs },
      `partition guard on: before promoting, at least one of ${config.witnessUrls.length} witness(es) must answer within ${config.witnessTimeoutMs / 1000}s`,
    );
  }
  const gateway = createDockerGatewayControl(docker, target, {
    onRetry: (operation, error, attempt, delayMs) =>
      logger.warn({ event: 'docker-retry', operation, attempt, delayMs, err: errorText(error) }, `docker ${operation} failed (${errorText(error)}); retry ${attempt} in ${delayMs} ms`),
  });
  // Metrics and notifications observe the watcher; neither can block it (see watcher-observer.ts).
  const statusContext: StatusContext = { version: VERSION, primaryUrl: redactUrl(config.primaryUrl), checkIntervalMs: config.checkIntervalMs, checkTimeoutMs: config.checkTimeoutMs };
  let alive = (): boolean => true;
  const sender = { host: hostname(), version: VERSION };
  const notifier = createNotifier({
    targets: { webhook: config.notifyWebhookUrl, slack: config.notifySlackUrl, discord: config.notifyDiscordUrl, ntfy: config.notifyNtfyUrl },
    sender,
    timeoutMs: config.notifyTimeoutMs,
    retries: config.notifyRetries,
    logger,
    scrub: (text) => scrubSecrets(text, secrets),
    onOutcome: (channel, outcome) => metrics.countNotification(channel, outcome),
  });
  const metrics = createWatcherMetrics({
    version: VERSION,
    alive: () => alive(),
    startedAtMs: Date.now(),
    notifyChannels: notifier.channels,
    heartbeat: config.heartbeatUrl !== undefined,
  });
  if (notifier.channels.length > 0) logger.info({ event: 'notify-channels', channels: notifier.channels }, `notifications go to: ${notifier.channels.join(', ')}`);

  // Reachable, not just running: the deploy-time preparation report, and the gateway's own
  // answer on whether its channels run (admin-http-rpc, with the gateway token).
  let phaseNow = (): Phase => 'watching';
  const standby = createStandbyReadiness({
    path: config.standbyPrepareReport,
    logger,
    onVerdict: (ok, summary) => notifier.notify(standbyPreparedNotification(ok, summary, phaseNow(), Date.now())),
  });
  await standby.refresh();
  statusContext.standby = () => standby.view();
  const rpc = config.gatewayToken === undefined ? undefined : createGatewayRpc({ baseUrl: new URL(config.gatewayReadyUrl).origin, token: config.gatewayToken, timeoutMs: 2_000 });

  const watcher = new Watcher({
    settings: {
      policy: {
        ...DEFAULT_POLICY,
        failThreshold: config.failThreshold,
        recoverThreshold: config.recoverThreshold,
        partitionGuard: witnesses !== undefined,
        minPromotedMs: config.minPromotedMs,
        flapWindowMs: config.flapWindowMs,
        flapHoldDownMs: config.flapHoldDownMs,
        flapHoldDownMaxMs: config.flapHoldDownMaxMs,
      },
      checkIntervalMs: config.checkIntervalMs,
      stopTimeoutMs: config.stopTimeoutMs,
      strayStopTimeoutMs: 1_000,
      resyncIntervalMs: 5_000,
    },
    primary,
    gateway,
    workspace: createWorkspaceSync({ dir: config.workspaceDir, remote: config.workspaceRemote, branch: config.workspaceBranch, timeoutMs: config.gitTimeoutMs }),
    waitReady: (signal) =>
      waitReachable({
        waitReady: (inner) => waitUntilReady({ probe: readiness, timeoutMs: config.promoteReadyTimeoutMs, signal: inner }),
        exited: (inner) => watchStandbyExit(gateway, (text) => scrubSecrets(text, secrets), inner),
        channelsStatus: rpc && ((inner) => rpc.call('channels.status', {}, { signal: inner })),
        expectedChannels: () => expectedChannels(standby.view()),
        channelTimeoutMs: config.channelLiveTimeoutMs,
      }, signal),
    store: createFileStateStore(config.stateDir),
    logger,
    witnesses,
    observer: combineObservers(metrics.observer, notifyingObserver(notifier, sender)),
    hooks: createTransitionHooks({
      onPromote: config.onPromote,
      onDemote: config.onDemote,
      timeoutMs: config.hookTimeoutMs,
      // The output goes to the log and /status: mask what the watcher knows to be secret.
      scrub: (text) => scrubSecrets(scrubCredentials(text), secrets),
    }),
  });
  alive = () => watcherAlive(watcher, statusContext, Date.now()).alive;
  phaseNow = () => watcher.snapshot().state.phase;
  const standbyLoop = standby.run(watcher.signal);

  const server = await startStatusServer({
    watcher,
    port: config.statusPort,
    context: statusContext,
    metrics: metrics.render,
  });
  const control = await startControl(config, watcher, statusContext, logger);

  const heartbeat = config.heartbeatUrl === undefined
    ? Promise.resolve()
    : runHeartbeat({
        url: config.heartbeatUrl,
        intervalMs: config.heartbeatIntervalMs,
        timeoutMs: config.notifyTimeoutMs,
        alive,
        logger,
        signal: watcher.signal,
        onOutcome: (outcome) => metrics.countHeartbeat(outcome),
      });

  let stopping = false;
  const shutdown = (signalName: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ event: 'watcher-stopping', signal: signalName }, `${signalName}: stopping; the standby gateway is left as it is`);
    setTimeout(() => {
      logger.warn({ event: 'watcher-stop-deadline' }, 'shutdown deadline reached; exiting now');
      process.exit(0);
    }, SHUTDOWN_DEADLINE_MS).unref();
    void (async () => {
      await watcher.stop();
      control?.close();
      notifier.close();
      await heartbeat;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled([primary.close(), readiness.close(), witnesses?.close(), rpc?.close(), standbyLoop]);
      logger.info({ event: 'watcher-stopped' }, 'watcher stopped');
      logger.flush();
      process.exit(0);
    })();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  await watcher.run();
}

/**
 * The control socket is a convenience for operators: failing to open it is logged loudly, but
 * the watcher goes on failing over without it.
 */
async function startControl(config: Config, watcher: Watcher, context: StatusContext, logger: Logger): Promise<Server | undefined> {
  const drillWaitMs = config.gitTimeoutMs + config.promoteReadyTimeoutMs + config.stopTimeoutMs + 30_000;
  try {
    const server = await startControlServer({
      path: config.controlSocket,
      handle: createControlHandler({ watcher, context, logger, drillWaitMs }),
      onError: (error) => logger.error({ event: 'control-error', err: errorText(error) }, `control request failed: ${errorText(error)}`),
    });
    logger.info({ event: 'control-listening', socket: config.controlSocket }, `control socket ${config.controlSocket} (docker exec <watcher> openclaw-failover pause|resume|promote|demote|drill)`);
    return server;
  } catch (error) {
    logger.error({ event: 'control-unavailable', socket: config.controlSocket, err: errorText(error) }, `cannot open the control socket ${config.controlSocket}: ${errorText(error)}; failover goes on without manual control`);
    return undefined;
  }
}

/**
 * One ping at start, so a socket the watcher may not open is explained with its fix instead of
 * surfacing later as a bare EACCES. The watcher keeps running: the reconcile loop retries.
 */
async function explainDockerAccess(docker: Docker, logger: Logger): Promise<void> {
  try {
    await docker.ping();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const hint =
      code === 'EACCES'
        ? 'permission denied on the Docker socket: set DOCKER_GID in .env to the output of `stat -c %g /var/run/docker.sock` and recreate the watcher'
        : code === 'ENOENT'
          ? 'no Docker socket: mount /var/run/docker.sock into the watcher (or set DOCKER_SOCKET / WATCHER_DOCKER_HOST)'
          : `Docker is not answering (${errorText(error)}); retrying in the background`;
    logger.error({ event: 'docker-unreachable', code, err: errorText(error) }, hint);
  }
}

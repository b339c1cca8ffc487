// The composition root: builds the watcher and its adapters from the Config, once, at start.
import type { Server as HttpServer } from 'node:http';
import type { Server } from 'node:net';
import { hostname } from 'node:os';
import Docker from 'dockerode';
import type { Logger } from 'pino';
import type { Config } from './config/config.ts';
import { configWarnings } from './config/load-config.ts';
import { redactUrl, scrubSecrets, secretValuesFromEnv } from './config/redact.ts';
import type { Policy } from './decision/model.ts';
import { policyWith } from './decision/policy-defaults.ts';
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
import { configuredChannels, createNotifier } from './notify/notifier.ts';
import { notifyingObserver } from './notify/notify-observer.ts';
import { startStatusServer } from './status/status-server.ts';
import type { StatusContext } from './status/status-report.ts';
import { createControlHandler } from './control/control-handler.ts';
import { startControlServer } from './control/control-server.ts';
import { VERSION } from './version.ts';
import { createFileStateStore } from './watcher/state-store.ts';
import { waitUntilReady, type ReadyOutcome } from './watcher/wait-ready.ts';
import { createGatewayRpc } from './gateway/gateway-rpc.ts';
import { createColdServing } from './serving/serving-switch.ts';
import { createHotServing } from './serving/hot-serving.ts';
import { createHotKeeper } from './serving/hot-keeper.ts';
import { createResettingRpc } from './serving/resetting-rpc.ts';
import { errorText, Watcher } from './watcher/watcher.ts';
import { combineObservers } from './watcher/watcher-observer.ts';
import { createLoopLiveness } from './watcher/loop-liveness.ts';

/** The running watcher and everything around it, built once from the Config. */
export interface WatcherApp {
  watcher: Watcher;
  /** Opens /status and the control socket, starts the heartbeat, then runs the watcher until stopped. */
  start(): Promise<void>;
  /** Stops probing, closes the servers and adapters; the standby gateway is left as it is. */
  stop(): Promise<void>;
}

export interface WatcherAppOptions {
  /** dockerode honours DOCKER_HOST (e.g. a filtering socket proxy), else the local socket. */
  docker?: Docker;
  env?: NodeJS.ProcessEnv;
}

/** The policy a configuration asks for (the backoffs are fixed: POLICY_DEFAULTS). */
export function policyFromConfig(config: Config): Policy {
  return policyWith({
    failThreshold: config.failThreshold,
    recoverThreshold: config.recoverThreshold,
    partitionGuard: config.witnessUrls.length > 0,
    minPromotedMs: config.minPromotedMs,
    flapWindowMs: config.flapWindowMs,
    flapHoldDownMs: config.flapHoldDownMs,
    flapHoldDownMaxMs: config.flapHoldDownMaxMs,
  });
}

/**
 * The composition root: wires the real adapters to the watcher. Process concerns (signals, exit,
 * the shutdown deadline) belong to the caller (cli.ts).
 */
export async function buildWatcherApp(config: Config, logger: Logger, options: WatcherAppOptions = {}): Promise<WatcherApp> {
  for (const warning of configWarnings(config)) logger.warn({ event: 'config-warning' }, warning);

  const docker = options.docker ?? new Docker();
  await explainDockerAccess(docker, logger);
  const project = config.gatewayContainer ? undefined : await ownComposeProject(docker, hostname());
  const target: TargetSpec = { container: config.gatewayContainer, service: config.gatewayService, project };
  logger.info(
    { event: 'config', primaryUrl: redactUrl(config.primaryUrl), target: describeTarget(target), checkIntervalMs: config.checkIntervalMs, failThreshold: config.failThreshold, recoverThreshold: config.recoverThreshold },
    `openclaw-failover ${VERSION}: watching ${redactUrl(config.primaryUrl)} every ${config.checkIntervalMs / 1000}s; standby gateway is ${describeTarget(target)}`,
  );

  // Known secret values, masked in what the watcher passes on (hook output, notifications).
  const secrets = secretValuesFromEnv(options.env ?? process.env);
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

  const waitReady = (signal: AbortSignal): Promise<ReadyOutcome> => waitUntilReady({ probe: readiness, timeoutMs: config.promoteReadyTimeoutMs, signal });
  // cold: serving = the container runs; hot: the container always runs, serving = its channel is on.
  const rpc = config.standbyMode === 'hot' ? createResettingRpc(() => createGatewayRpc({ baseUrl: new URL(config.gatewayReadyUrl).origin, token: config.gatewayToken ?? '', timeoutMs: 30_000 })) : undefined;
  const serving = rpc ? createHotServing({ gateway, rpc, logger, readyTimeoutMs: config.promoteReadyTimeoutMs }) : createColdServing(gateway, waitReady);
  void warnOnModeMismatch(gateway, serving.mode, logger);
  const keeper = rpc ? createHotKeeper({ gateway, rpc, logger, policy: { bootAllowanceMs: Math.max(config.promoteReadyTimeoutMs, 180_000), repairBackoffMs: 30_000, repairBackoffMaxMs: 600_000 } }) : undefined;
  logger.info({ event: 'standby-mode', mode: serving.mode }, serving.mode === 'hot' ? 'standby mode hot: the standby gateway runs with its channel off; promotion switches the channel on' : 'standby mode cold: the standby gateway is started on promotion');

  // Metrics and notifications observe the watcher; neither can block it (see watcher-observer.ts).
  // The loop's liveness is its own object, so metrics and the heartbeat read it without the watcher.
  const statusContext: StatusContext = { version: VERSION, primaryUrl: redactUrl(config.primaryUrl), checkIntervalMs: config.checkIntervalMs, checkTimeoutMs: config.checkTimeoutMs };
  const liveness = createLoopLiveness(statusContext, Date.now());
  const alive = (): boolean => liveness.check(Date.now()).alive;
  const targets = { webhook: config.notifyWebhookUrl, slack: config.notifySlackUrl, discord: config.notifyDiscordUrl, ntfy: config.notifyNtfyUrl };
  const metrics = createWatcherMetrics({ version: VERSION, alive, startedAtMs: Date.now(), notifyChannels: configuredChannels(targets), heartbeat: config.heartbeatUrl !== undefined, standbyMode: serving.mode, ...(keeper ? { standbyHealthy: () => keeper.memory().health === 'healthy' } : {}) });
  const sender = { host: hostname(), version: VERSION };
  const notifier = createNotifier({
    targets,
    sender,
    timeoutMs: config.notifyTimeoutMs,
    retries: config.notifyRetries,
    logger,
    scrub: (text) => scrubSecrets(text, secrets),
    onOutcome: metrics.countNotification,
  });
  if (notifier.channels.length > 0) logger.info({ event: 'notify-channels', channels: notifier.channels }, `notifications go to: ${notifier.channels.join(', ')}`);

  const watcher = new Watcher({
    settings: {
      policy: policyFromConfig(config),
      checkIntervalMs: config.checkIntervalMs,
      stopTimeoutMs: config.stopTimeoutMs,
      strayStopTimeoutMs: 1_000,
      resyncIntervalMs: 5_000,
    },
    primary,
    serving,
    workspace: createWorkspaceSync({ dir: config.workspaceDir, remote: config.workspaceRemote, branch: config.workspaceBranch, timeoutMs: config.gitTimeoutMs }),
    store: createFileStateStore(config.stateDir),
    logger,
    witnesses,
    liveness,
    observer: combineObservers(metrics.observer, notifyingObserver(notifier, sender)),
    ...(keeper ? { upkeep: keeper.upkeep, upkeepHealth: () => { const m = keeper.memory(); return `${m.health}${m.repairs > 0 ? `, ${m.repairs} repair(s)` : ''}`; } } : {}),
    hooks: createTransitionHooks({
      onPromote: config.onPromote,
      onDemote: config.onDemote,
      timeoutMs: config.hookTimeoutMs,
      // The output goes to the log and /status: mask what the watcher knows to be secret.
      scrub: (text) => scrubSecrets(scrubCredentials(text), secrets),
    }),
  });

  let server: HttpServer | undefined;
  let control: Server | undefined;
  let heartbeat: Promise<void> = Promise.resolve();
  return {
    watcher,
    async start() {
      server = await startStatusServer({ watcher, port: config.statusPort, context: statusContext, metrics: metrics.render });
      control = await startControl(config, watcher, statusContext, logger);
      if (config.heartbeatUrl !== undefined) {
        heartbeat = runHeartbeat({
          url: config.heartbeatUrl,
          intervalMs: config.heartbeatIntervalMs,
          timeoutMs: config.notifyTimeoutMs,
          alive,
          logger,
          signal: watcher.signal,
          onOutcome: (outcome) => metrics.countHeartbeat(outcome),
        });
      }
      await watcher.run();
    },
    async stop() {
      await watcher.stop();
      control?.close();
      notifier.close();
      await heartbeat;
      if (server) {
        const open = server;
        open.closeAllConnections();
        await new Promise<void>((resolve) => open.close(() => resolve()));
      }
      await Promise.allSettled([primary.close(), readiness.close(), witnesses?.close(), rpc?.close()]);
    },
  };
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

/**
 * The standby container carries the mode compose started it in (label openclaw-failover.standby-mode).
 * A mismatch means `up -d` was not run after STANDBY_MODE changed: a cold-seeded container has its
 * channel enabled in config, so hot switching cannot work, and a hot one is never started/stopped.
 */
async function warnOnModeMismatch(gateway: { inspect(): Promise<{ labels: Record<string, string> }> }, mode: 'cold' | 'hot', logger: Logger): Promise<void> {
  try {
    const label = (await gateway.inspect()).labels['openclaw-failover.standby-mode'];
    if (label !== undefined && label !== mode) {
      logger.error(
        { event: 'standby-mode-mismatch', watcher: mode, container: label },
        `STANDBY_MODE=${mode} but the standby gateway container was created for ${label}: run \`docker compose --profile standby up -d\` so both use the same mode`,
      );
    }
  } catch {
    // Not reachable yet: the reconcile loop reports Docker problems itself.
  }
}

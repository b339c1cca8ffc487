#!/usr/bin/env node
// Command line: `openclaw-failover [run]` starts the watcher; `check` (or `--check`) validates and
// prints the configuration; `healthcheck` is the container's HEALTHCHECK.
import { describeConfig } from './config/describe-config.ts';
import { configWarnings, formatProblems, loadConfig, SETTING_TABLE } from './config/load-config.ts';
import type { Config } from './config/config.ts';
import { checkPrepared } from './standby/check-prepared.ts';
import { createLogger } from './log/logger.ts';
import { buildWatcherApp } from './watcher-app.ts';
import { loadPushConfig } from './push/push-config.ts';
import { runPushService } from './push/run-push.ts';
import { SECRET_ENV_NAMES } from './config/redact.ts';
import { formatStatus } from './status/format-status.ts';
import type { StatusReading } from './status/status-report.ts';
import { CONTROL_COMMAND_NAMES, CONTROL_USAGE, parseControlArgs, runControlCommand } from './control/control-cli.ts';
import { dockerPreflight } from './docker/preflight.ts';
import { createHttpProbe } from './probe/http-probe.ts';
import { PRIMARY_URL_HINTS } from './probe/first-contact.ts';
import { redactUrl } from './config/redact.ts';
import { leaseRun } from './lease/lease-cli.ts';

const EXIT_CONFIG = 2;
/** SIGTERM must end the process within 5 s whatever is in flight (compose's default grace is 10 s). */
const SHUTDOWN_DEADLINE_MS = 4_500;

async function main(argv: string[]): Promise<number> {
  const command = argv[0] ?? 'run';
  switch (command) {
    case 'run':
      // LEADER_ELECTION=etcd: the N-node mode (docs/multi-node.md); unset or two-node: this watcher.
      if (process.env.LEADER_ELECTION?.trim() === 'etcd') return leaseRun();
      if (!['', 'two-node', undefined].includes(process.env.LEADER_ELECTION?.trim())) {
        process.stderr.write(`openclaw-failover: LEADER_ELECTION="${process.env.LEADER_ELECTION}": expected two-node (the default) or etcd\n`);
        return EXIT_CONFIG;
      }
      return run();
    case 'lease-run':
      return leaseRun();
    case 'check':
    case '--check':
      return check(argv.includes('--config-only'));
    case 'healthcheck':
      return healthcheck();
    case 'push':
      return push();
    case 'status':
      return status(argv.includes('--json'));
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return 0;
    default:
      if (CONTROL_COMMAND_NAMES.has(command)) return control(argv);
      process.stderr.write(`openclaw-failover: unknown command "${command}"\n\n${USAGE}`);
      return EXIT_CONFIG;
  }
}

const USAGE = `usage: openclaw-failover [command]

  run          start the watcher (default)
  lease-run    start the etcd-mode watcher (LEADER_ELECTION=etcd, see docs/multi-node.md)
  check        validate the configuration from the environment, print it (secrets redacted),
               then test Docker access and the gateway target; exit 0 when all is well, 2 when
               not (--config-only: the environment only)
  push         the primary's workspace push service: commit and push the workspace every
               WORKSPACE_PUSH_INTERVAL seconds, once more on SIGTERM (docs/workspace-round-trip.md)
  healthcheck  exit 0 when the running watcher's /healthz says it is alive (the container HEALTHCHECK)
  status       print the running watcher's state (--json for the raw /status document)

Manual control of the running watcher (docker exec <watcher> openclaw-failover <command>):
${CONTROL_USAGE}`;

async function control(argv: string[]): Promise<number> {
  const parsed = parseControlArgs(argv);
  if (!parsed.ok) {
    process.stderr.write(`openclaw-failover: ${parsed.error}\n(openclaw-failover help lists the commands)\n`);
    return EXIT_CONFIG;
  }
  const socket = setting('controlSocket');
  if (!socket.ok) return configProblem(socket.problem);
  return runControlCommand(parsed.args, socket.value, { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) });
}

async function run(): Promise<number> {
  const result = loadConfig(process.env);
  if (!result.ok) {
    process.stderr.write(`${formatProblems(result.problems)}\n`);
    return EXIT_CONFIG;
  }
  const secrets = SECRET_ENV_NAMES.map((name) => process.env[name]).filter((v): v is string => typeof v === 'string' && v.length > 0);
  const logger = createLogger({ level: result.config.logLevel, format: result.config.logFormat, secrets });
  const app = await buildWatcherApp(result.config, logger);

  let stopping = false;
  const shutdown = (signalName: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ event: 'watcher-stopping', signal: signalName }, `${signalName}: stopping; the standby gateway is left as it is`);
    setTimeout(() => {
      logger.warn({ event: 'watcher-stop-deadline' }, 'shutdown deadline reached; exiting now');
      process.exit(0);
    }, SHUTDOWN_DEADLINE_MS).unref();
    void app.stop().finally(() => {
      logger.info({ event: 'watcher-stopped' }, 'watcher stopped');
      logger.flush();
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  await app.start();
  return 0;
}

async function push(): Promise<number> {
  // The service sits in the primary profile, so a primary deployed without a remote starts it too:
  // it says once that pushing is off and idles, rather than exiting 2 into a restart loop.
  if (!process.env.WORKSPACE_REMOTE?.trim()) return idleWithoutRemote();
  const result = loadPushConfig(process.env);
  if (!result.ok) {
    process.stderr.write(`${formatProblems(result.problems)}\n`);
    return EXIT_CONFIG;
  }
  const secrets = SECRET_ENV_NAMES.map((name) => process.env[name]).filter((v): v is string => typeof v === 'string' && v.length > 0);
  const logger = createLogger({ level: result.config.logLevel, format: result.config.logFormat, secrets });
  await runPushService(result.config, logger);
  return 0;
}

async function idleWithoutRemote(): Promise<number> {
  const logger = createLogger({ level: 'info', format: process.env.LOG_FORMAT?.trim() === 'pretty' ? 'pretty' : 'json', secrets: [] });
  logger.warn(
    { event: 'workspace-push-off' },
    'workspace push is OFF: WORKSPACE_REMOTE is not set, so the standby will promote with whatever workspace it last pulled; set WORKSPACE_REMOTE in .env (the same remote as the standby) and run `docker compose --profile primary up -d`',
  );
  // Signal listeners do not keep node alive; a timer does, until SIGTERM.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  clearInterval(keepAlive);
  return 0;
}

/**
 * One setting read with the config module's own strict parser (the commands that talk to a
 * running watcher need only one or two, and must not fail on the others).
 */
function setting<K extends 'statusPort' | 'controlSocket'>(key: K): { ok: true; value: Config[K] } | { ok: false; problem: string } {
  const entry = SETTING_TABLE[key];
  const raw = process.env[entry.name]?.trim() || undefined;
  const parsed = entry.parse(raw, {});
  return parsed.ok ? { ok: true, value: parsed.value } : { ok: false, problem: `${entry.name}=${JSON.stringify(raw)}: expected ${parsed.expected}` };
}

function configProblem(problem: string): number {
  process.stderr.write(`openclaw-failover: ${problem}\n`);
  return EXIT_CONFIG;
}

async function check(configOnly: boolean): Promise<number> {
  const result = loadConfig(process.env);
  if (!result.ok) {
    process.stderr.write(`${formatProblems(result.problems)}\n`);
    return EXIT_CONFIG;
  }
  process.stdout.write(describeConfig(result.config));
  // Warnings do not fail the check, but the operator reads them here before the first deploy.
  for (const warning of configWarnings(result.config)) process.stdout.write(`warning: ${warning}\n`);
  if (configOnly) return 0;
  // The standby's deploy-time preparation: a standby that could not be prepared fails the check.
  const prepared = checkPrepared(result.config.standbyPrepareReport);
  if (prepared.line) (prepared.ok ? process.stdout : process.stderr).write(`${prepared.line}\n`);
  // A valid environment is not enough: without Docker access the watcher can do nothing.
  const preflight = await dockerPreflight({ container: result.config.gatewayContainer, service: result.config.gatewayService, dockerHost: process.env.DOCKER_HOST, timeoutMs: 10_000 });
  process.stdout.write(`\n${preflight.lines.join('\n')}\n${await primaryLine(result.config.primaryUrl, result.config.checkTimeoutMs)}\n`);
  if (!preflight.ok) process.stderr.write('openclaw-failover check: the watcher could not work like this (see the FAILED lines above)\n');
  return preflight.ok && prepared.ok ? 0 : EXIT_CONFIG;
}

/** One probe of PRIMARY_URL, for information: a primary that is down is no configuration error. */
async function primaryLine(url: string, timeoutMs: number): Promise<string> {
  const probe = createHttpProbe({ url, timeoutMs });
  try {
    const result = await probe.probe();
    if (result.ok) return `primary: ok: ${redactUrl(url)} answers healthy (${Math.round(result.latencyMs)} ms)`;
    return `primary: not healthy (${result.reason}: ${result.detail}); if the primary is up, PRIMARY_URL is wrong: ${PRIMARY_URL_HINTS[result.reason] ?? 'check it'}`;
  } finally {
    await probe.close();
  }
}

async function status(json: boolean): Promise<number> {
  const statusPort = setting('statusPort');
  if (!statusPort.ok) return configProblem(statusPort.problem);
  const port = statusPort.value;
  try {
    const res = await fetch(`http://127.0.0.1:${port}/status`, { signal: AbortSignal.timeout(3_000) });
    const body = (await res.json()) as StatusReading;
    process.stdout.write(json ? `${JSON.stringify(body, null, 2)}\n` : formatStatus(body));
    return 0;
  } catch (error) {
    process.stderr.write(`watcher not answering on port ${port}: ${(error as Error).message}\n`);
    return 1;
  }
}

async function healthcheck(): Promise<number> {
  const statusPort = setting('statusPort');
  // Exit 2 is reserved in Docker's HEALTHCHECK protocol: a bad setting reads as unhealthy (1).
  if (!statusPort.ok) {
    configProblem(statusPort.problem);
    return 1;
  }
  const port = statusPort.value;
  try {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(3_000) });
    const body = (await res.json()) as { ok?: boolean; alive?: boolean; reason?: string };
    process.stdout.write(`${res.status} ${body.reason ?? ''}\n`);
    // Alive, not ok: a standby not prepared must not block its own fix (see healthcheck.ts).
    return (res.ok && body.ok === true) || body.alive === true ? 0 : 1;
  } catch (error) {
    process.stdout.write(`watcher not answering on port ${port}: ${(error as Error).message}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`openclaw-failover: fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);

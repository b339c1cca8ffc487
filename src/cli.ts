#!/usr/bin/env node
// Command line: `openclaw-failover [run]` starts the watcher; `check` (or `--check`) validates and
// prints the configuration; `healthcheck` is the container's HEALTHCHECK.
import { describeConfig } from './config/describe-config.ts';
import { formatProblems, loadConfig, SETTING_TABLE } from './config/load-config.ts';
import type { Config } from './config/config.ts';
import { createLogger } from './log/logger.ts';
import { buildWatcherApp } from './watcher-app.ts';
import { SECRET_ENV_NAMES } from './config/redact.ts';
import { formatStatus } from './status/format-status.ts';
import type { StatusReading } from './status/status-report.ts';
import { CONTROL_COMMAND_NAMES, CONTROL_USAGE, parseControlArgs, runControlCommand } from './control/control-cli.ts';
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
      return check();
    case 'healthcheck':
      return healthcheck();
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
  check        validate the configuration from the environment, print it (secrets redacted);
               exit 0 when valid, 2 when not
  healthcheck  exit 0 when the running watcher's /healthz answers ok (the container HEALTHCHECK)
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

function check(): number {
  const result = loadConfig(process.env);
  if (!result.ok) {
    process.stderr.write(`${formatProblems(result.problems)}\n`);
    return EXIT_CONFIG;
  }
  process.stdout.write(describeConfig(result.config));
  return 0;
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
    const body = (await res.json()) as { ok?: boolean; reason?: string };
    process.stdout.write(`${res.status} ${body.reason ?? ''}\n`);
    return res.ok && body.ok === true ? 0 : 1;
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

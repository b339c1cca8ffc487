#!/usr/bin/env node
// Command line: `openclaw-failover [run]` starts the watcher; `check` (or `--check`) validates and
// prints the configuration; `healthcheck` is the container's HEALTHCHECK.
import { describeConfig } from './config/describe-config.ts';
import { checkPrepared } from './standby/check-prepared.ts';
import { formatProblems, loadConfig } from './config/load-config.ts';
import { createLogger } from './log/logger.ts';
import { runWatcher } from './run-watcher.ts';
import { SECRET_ENV_NAMES } from './config/redact.ts';
import { formatStatus } from './status/format-status.ts';
import { CONTROL_COMMAND_NAMES, CONTROL_USAGE, parseControlArgs, runControlCommand } from './control/control-cli.ts';
import { DEFAULT_CONTROL_SOCKET } from './control/control-client.ts';

const EXIT_CONFIG = 2;

async function main(argv: string[]): Promise<number> {
  const command = argv[0] ?? 'run';
  switch (command) {
    case 'run':
      return run();
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
  const socket = process.env.CONTROL_SOCKET?.trim() || DEFAULT_CONTROL_SOCKET;
  return runControlCommand(parsed.args, socket, { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) });
}

async function run(): Promise<number> {
  const result = loadConfig(process.env);
  if (!result.ok) {
    process.stderr.write(`${formatProblems(result.problems)}\n`);
    return EXIT_CONFIG;
  }
  const secrets = SECRET_ENV_NAMES.map((name) => process.env[name]).filter((v): v is string => typeof v === 'string' && v.length > 0);
  const logger = createLogger({ level: result.config.logLevel, format: result.config.logFormat, secrets });
  await runWatcher(result.config, logger);
  return 0;
}

function check(): number {
  const result = loadConfig(process.env);
  if (!result.ok) {
    process.stderr.write(`${formatProblems(result.problems)}\n`);
    return EXIT_CONFIG;
  }
  process.stdout.write(describeConfig(result.config));
  // The standby's deploy-time preparation: a standby that could not be prepared fails the check.
  const prepared = checkPrepared(result.config.standbyPrepareReport);
  if (prepared.line) (prepared.ok ? process.stdout : process.stderr).write(`${prepared.line}\n`);
  return prepared.ok ? 0 : EXIT_CONFIG;
}

function statusPort(): number {
  return Number(process.env.STATUS_PORT?.trim() || 8080);
}

async function status(json: boolean): Promise<number> {
  const port = statusPort();
  try {
    const res = await fetch(`http://127.0.0.1:${port}/status`, { signal: AbortSignal.timeout(3_000) });
    const body = (await res.json()) as Record<string, unknown>;
    process.stdout.write(json ? `${JSON.stringify(body, null, 2)}\n` : formatStatus(body));
    return 0;
  } catch (error) {
    process.stderr.write(`watcher not answering on port ${port}: ${(error as Error).message}\n`);
    return 1;
  }
}

async function healthcheck(): Promise<number> {
  const port = statusPort();
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

// The operator's commands on the running watcher: pause, resume, promote, demote, drill. Each
// sends one request over the control socket and prints the answer (or the JSON with --json).
// Exit codes: 0 done, 1 failed (watcher unreachable, drill failed), 2 usage error or refused.
import { formatTimings } from '../status/format-status.ts';
import type { StatusReading } from '../status/status-report.ts';
import { sendControlRequest } from './control-client.ts';
import type { ControlRequest, ControlResponse } from './control-protocol.ts';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_REFUSED = 2;

export const CONTROL_USAGE = `  pause        maintenance mode: keep probing and reporting, promote/demote/start/stop nothing
               until resume; survives watcher restarts. [--reason "..."]
  resume       back to automatic failover (ends a pause or a manual override)
  promote      manual override: promote the standby and keep it promoted until resume
               --reason "..." (required)
  demote       manual override: stop the standby gateway and keep it stopped until resume
               --reason "..." (required)
  drill        failover test while the primary is up: promote, wait ready, demote, print the
               timings; needs --yes. Exit 0 success, 1 failed drill, 2 refused
               (all of these take --json for the machine-readable answer)
`;

export interface ControlArgs {
  command: 'pause' | 'resume' | 'promote' | 'demote' | 'drill';
  reason?: string;
  yes: boolean;
  json: boolean;
}

export const CONTROL_COMMAND_NAMES: ReadonlySet<string> = new Set(['pause', 'resume', 'promote', 'demote', 'drill']);

/** Parses `<command> [--reason R | --reason=R] [--yes] [--json]`; every mistake is one message. */
export function parseControlArgs(argv: string[]): { ok: true; args: ControlArgs } | { ok: false; error: string } {
  const [command, ...rest] = argv;
  if (command === undefined || !CONTROL_COMMAND_NAMES.has(command)) return { ok: false, error: `unknown command "${command ?? ''}"` };
  const args: ControlArgs = { command: command as ControlArgs['command'], yes: false, json: false };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] ?? '';
    if (arg === '--json') args.json = true;
    else if (arg === '--yes' && command === 'drill') args.yes = true;
    else if (arg.startsWith('--reason=') && command !== 'resume' && command !== 'drill') args.reason = arg.slice('--reason='.length);
    else if (arg === '--reason' && command !== 'resume' && command !== 'drill') {
      const value = rest[++i];
      if (value === undefined) return { ok: false, error: `${command}: --reason needs a value, e.g. --reason "primary host maintenance"` };
      args.reason = value;
    } else return { ok: false, error: `${command}: unexpected argument "${arg}"` };
  }
  if ((command === 'promote' || command === 'demote') && !args.reason?.trim()) {
    return { ok: false, error: `${command} needs a reason: openclaw-failover ${command} --reason "why, for the log and /status"` };
  }
  return { ok: true, args };
}

export const DRILL_EXPLANATION = `drill: not started without --yes. A drill is a controlled failover test; it would
  1. promote the standby while the primary is up: git-sync the workspace, start the standby gateway,
  2. wait for the standby gateway's /readyz (bounded by PROMOTE_READY_TIMEOUT),
  3. demote: stop the standby gateway again (STOP_TIMEOUT),
  4. print how long sync, start, ready and stop took.
While it runs the standby gateway is up next to the primary (on its own channels). If the primary
fails during the drill, the drill becomes a real promotion. It is refused while paused, under a
manual override, or while the primary is not healthy.
Run it with: openclaw-failover drill --yes
`;

export interface Output {
  out: (text: string) => void;
  err: (text: string) => void;
}

export async function runControlCommand(args: ControlArgs, socketPath: string, io: Output, pollMs = 250): Promise<number> {
  if (args.command === 'drill' && !args.yes) {
    io.err(DRILL_EXPLANATION);
    return EXIT_REFUSED;
  }
  const request: ControlRequest =
    args.command === 'promote' || args.command === 'demote'
      ? { command: args.command, reason: args.reason ?? '' }
      : args.command === 'pause'
        ? args.reason === undefined ? { command: 'pause' } : { command: 'pause', reason: args.reason }
        : { command: args.command };
  let response: ControlResponse;
  try {
    response = await sendControlRequest(socketPath, request);
  } catch (error) {
    io.err(`openclaw-failover ${args.command}: ${(error as Error).message}\n`);
    return EXIT_FAILED;
  }
  if (!response.ok) {
    if (args.json) io.out(`${JSON.stringify(response, null, 2)}\n`);
    io.err(`${args.command} ${response.refused ? 'refused' : 'failed'}: ${response.error}\n`);
    return EXIT_REFUSED;
  }
  if (args.command === 'drill') return followDrill(response, socketPath, io, args.json, pollMs);
  io.out(args.json ? `${JSON.stringify(response, null, 2)}\n` : `${response.message}\n${summary(response.status)}`);
  return EXIT_OK;
}

type DrillDoc = NonNullable<NonNullable<StatusReading['lastDrill']>>;

/** Polls the watcher until the drill it accepted has finished, bounded by the watcher's own estimate. */
async function followDrill(accepted: ControlResponse & { ok: true }, socketPath: string, io: Output, json: boolean, pollMs: number): Promise<number> {
  const id = accepted.status?.lastDrill?.id;
  if (!json) io.out(`${accepted.message}\n`);
  const deadline = Date.now() + (accepted.waitMs ?? 180_000);
  let drill: DrillDoc | undefined;
  let shown = 'promoting';
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    try {
      const answer = await sendControlRequest(socketPath, { command: 'status' });
      drill = answer.ok ? (answer.status?.lastDrill ?? undefined) : undefined;
    } catch {
      continue; // a watcher restarting mid-drill answers again, and reports the drill as failed
    }
    if (drill === undefined || drill.id !== id) continue;
    if (drill.status !== shown && !json && drill.status === 'demoting') io.out(`standby ${drill.timings?.readyMs === undefined ? 'NOT ready' : 'ready'}; demoting\n`);
    shown = drill.status ?? shown;
    if (drill.status !== 'promoting' && drill.status !== 'demoting') break;
  }
  const finished = drill !== undefined && drill.id === id && drill.status !== 'promoting' && drill.status !== 'demoting' ? drill : undefined;
  if (json) io.out(`${JSON.stringify({ ok: finished?.status === 'succeeded', drill: drill ?? null }, null, 2)}\n`);
  if (finished === undefined) {
    io.err(`drill ${id ?? '?'}: no result within ${Math.round((accepted.waitMs ?? 0) / 1000)} s; see openclaw-failover status\n`);
    return EXIT_FAILED;
  }
  if (!json) {
    io.out(`drill ${finished.id} ${finished.status}\n`);
    const timings = formatTimings(finished.timings);
    if (timings) io.out(`  timings:  ${timings}\n`);
    for (const problem of finished.problems ?? []) io.out(`  problem:  ${problem}\n`);
  }
  return finished.status === 'succeeded' ? EXIT_OK : EXIT_FAILED;
}

function summary(status: StatusReading | undefined): string {
  if (!status) return '';
  const { control, gateway } = status;
  const running = gateway?.running === null || gateway?.running === undefined ? 'unknown' : gateway.running ? 'running' : 'stopped';
  return `now: mode ${control?.mode ?? '?'}${control?.since ? ` since ${control.since}` : ''}, phase ${status.phase ?? '?'}, standby gateway ${running}\n`;
}

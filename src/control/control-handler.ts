// Answers control requests from the running watcher: `status` reads, every other command goes
// through decide() (Watcher.command), which accepts or refuses it. Every command is logged.
import type { Logger } from 'pino';
import { buildStatusReport, type StatusContext, type StatusReport } from '../status/status-report.ts';
import type { Watcher } from '../watcher/watcher.ts';
import type { ControlHandler } from './control-server.ts';
import { toCommand } from './control-protocol.ts';

export interface ControlHandlerOptions {
  watcher: Watcher;
  context: StatusContext;
  logger: Logger;
  /** How long a client should wait for a drill to finish: sync + readiness + stop bounds, plus slack. */
  drillWaitMs: number;
  now?: () => number;
}

export function createControlHandler(options: ControlHandlerOptions): ControlHandler {
  const now = options.now ?? Date.now;
  const status = (): StatusReport => buildStatusReport(options.watcher, options.context, now());
  return (request) => {
    const command = toCommand(request);
    if (command === undefined) return { ok: true, message: 'status', status: status() };
    const reply = options.watcher.command(command);
    options.logger.info(
      { event: 'control-command', command, accepted: reply.accepted },
      `control: ${command.name}${'reason' in command && command.reason ? ` (${command.reason})` : ''} ${reply.accepted ? 'accepted' : 'refused'}: ${reply.message}`,
    );
    if (!reply.accepted) return { ok: false, refused: true, error: reply.message };
    return command.name === 'drill'
      ? { ok: true, message: reply.message, status: status(), waitMs: options.drillWaitMs }
      : { ok: true, message: reply.message, status: status() };
  };
}

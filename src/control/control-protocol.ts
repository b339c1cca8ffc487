// The control socket's wire format: one JSON request line in, one JSON response line out, one
// request per connection. Pure parsing and validation here; the socket lives in control-server.ts.
import type { Command } from '../decision/model.ts';
import type { StatusReading } from '../status/status-report.ts';

/** Requests are tiny; anything larger is a mistake or an attack and is refused unread. */
export const MAX_REQUEST_BYTES = 4_096;
/** A response carries at most the /status document. */
export const MAX_RESPONSE_BYTES = 1_048_576;
/** Reasons end up in logs and /status; keep them a line. */
export const MAX_REASON_CHARS = 500;

export type ControlRequest =
  | { command: 'status' }
  | { command: 'pause'; reason?: string }
  | { command: 'resume' }
  | { command: 'promote' | 'demote'; reason: string }
  | { command: 'drill' };

export type ControlResponse =
  | { ok: true; message: string; status?: StatusReading; waitMs?: number }
  | { ok: false; error: string; refused?: boolean };

export const CONTROL_COMMANDS = ['status', 'pause', 'resume', 'promote', 'demote', 'drill'] as const;

export function parseControlRequest(text: string): { ok: true; request: ControlRequest } | { ok: false; error: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, error: 'request is not JSON' };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, error: 'request must be a JSON object' };
  const { command, reason } = raw as Record<string, unknown>;
  if (typeof command !== 'string' || !(CONTROL_COMMANDS as readonly string[]).includes(command)) {
    return { ok: false, error: `unknown command ${JSON.stringify(command)}; one of ${CONTROL_COMMANDS.join(', ')}` };
  }
  if (reason !== undefined && typeof reason !== 'string') return { ok: false, error: 'reason must be a string' };
  if (reason !== undefined && reason.length > MAX_REASON_CHARS) return { ok: false, error: `reason is longer than ${MAX_REASON_CHARS} characters` };
  // eslint-disable-next-line no-control-regex -- control characters would forge log lines
  if (reason !== undefined && /[\u0000-\u001f\u007f]/.test(reason)) return { ok: false, error: 'reason must be one line of text' };
  switch (command) {
    case 'promote':
    case 'demote':
      return { ok: true, request: { command, reason: reason ?? '' } };
    case 'pause':
      return { ok: true, request: reason === undefined ? { command } : { command, reason } };
    case 'status':
    case 'resume':
    case 'drill':
      return { ok: true, request: { command } };
    default:
      return { ok: false, error: `unknown command ${command}` };
  }
}

/** The decide() command a request stands for; undefined for `status`, which only reads. */
export function toCommand(request: ControlRequest): Command | undefined {
  switch (request.command) {
    case 'status':
      return undefined;
    case 'pause':
      return request.reason === undefined ? { name: 'pause' } : { name: 'pause', reason: request.reason };
    case 'promote':
    case 'demote':
      return { name: request.command, reason: request.reason };
    case 'resume':
    case 'drill':
      return { name: request.command };
  }
}

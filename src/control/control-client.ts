// The CLI's side of the control socket: one request, one response, bounded in size and time,
// and errors phrased for the operator who typed the command.
import { createConnection } from 'node:net';
import { MAX_RESPONSE_BYTES, type ControlRequest, type ControlResponse } from './control-protocol.ts';

export class ControlUnavailableError extends Error {}

export function sendControlRequest(path: string, request: ControlRequest, timeoutMs = 5_000): Promise<ControlResponse> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    const chunks: Buffer[] = [];
    let size = 0;
    const fail = (error: Error): void => {
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(timeoutMs, () => fail(new ControlUnavailableError(`the watcher did not answer on ${path} within ${timeoutMs} ms`)));
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_RESPONSE_BYTES) fail(new Error(`response larger than ${MAX_RESPONSE_BYTES} bytes`));
      else chunks.push(chunk);
    });
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8').trim();
      try {
        resolve(JSON.parse(text) as ControlResponse);
      } catch {
        reject(new Error(`the watcher's answer is not JSON: ${text.slice(0, 200)}`));
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => fail(explain(error, path)));
  });
}

function explain(error: NodeJS.ErrnoException, path: string): Error {
  switch (error.code) {
    case 'ENOENT':
      return new ControlUnavailableError(`no control socket at ${path}: is the watcher running in this container? (run it as: docker exec <watcher> openclaw-failover <command>)`);
    case 'ECONNREFUSED':
      return new ControlUnavailableError(`nothing listens on ${path}: the watcher is not running (stale socket)`);
    case 'EACCES':
      return new ControlUnavailableError(`permission denied on ${path}: run the command as the watcher's user (docker exec runs as it by default)`);
    default:
      return new ControlUnavailableError(`cannot reach the watcher on ${path}: ${error.message}`);
  }
}

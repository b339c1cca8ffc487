// The control channel: a unix socket inside the watcher's container. Only processes in the
// container (i.e. `docker exec`, which needs Docker access) can reach it: the directory is 0700
// and the socket 0600, both owned by the watcher's user. One bounded request per connection.
import { chmod, lstat, mkdir, unlink } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { MAX_REQUEST_BYTES, parseControlRequest, type ControlRequest, type ControlResponse } from './control-protocol.ts';

export type ControlHandler = (request: ControlRequest) => ControlResponse | Promise<ControlResponse>;

export interface ControlServerOptions {
  path: string;
  handle: ControlHandler;
  /** A connection that has not sent a whole request by then is closed. */
  timeoutMs?: number;
  onError?: (error: unknown) => void;
}

export async function startControlServer(options: ControlServerOptions): Promise<Server> {
  await prepareSocketPath(options.path);
  // Half-open: a client may end its side right after the request and still read the answer.
  const server = createServer({ allowHalfOpen: true }, (socket) => serve(socket, options));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // The 0700 directory already shuts others out in the instant before this chmod.
  await chmod(options.path, 0o600);
  return server;
}

/** A private directory, and no stale socket from a previous run; anything else there is left alone. */
async function prepareSocketPath(path: string): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const info = await lstat(dir);
  if (!info.isDirectory()) throw new Error(`control socket directory ${dir} is not a directory`);
  if (typeof process.getuid === 'function' && info.uid !== process.getuid()) {
    throw new Error(`control socket directory ${dir} belongs to uid ${info.uid}, not to the watcher (uid ${process.getuid()})`);
  }
  await chmod(dir, 0o700);
  try {
    const existing = await lstat(path);
    if (!existing.isSocket()) throw new Error(`${path} exists and is not a socket; not replacing it`);
    await unlink(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function serve(socket: Socket, options: ControlServerOptions): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let answered = false;
  // One request per connection: whatever follows the first line is ignored.
  let dispatched = false;
  socket.setTimeout(options.timeoutMs ?? 5_000, () => socket.destroy());
  socket.on('error', () => socket.destroy());

  const answer = (response: ControlResponse): void => {
    if (answered) return;
    answered = true;
    socket.end(`${JSON.stringify(response)}\n`);
  };
  const dispatch = (text: string): void => {
    dispatched = true;
    const parsed = parseControlRequest(text);
    if (!parsed.ok) {
      answer({ ok: false, error: parsed.error });
      return;
    }
    Promise.resolve()
      .then(() => options.handle(parsed.request))
      .then(answer, (error: unknown) => {
        options.onError?.(error);
        answer({ ok: false, error: `internal error: ${error instanceof Error ? error.message : String(error)}` });
      });
  };

  socket.on('data', (chunk: Buffer) => {
    if (dispatched || answered) return;
    size += chunk.length;
    if (size > MAX_REQUEST_BYTES) {
      answer({ ok: false, error: `request larger than ${MAX_REQUEST_BYTES} bytes` });
      return;
    }
    chunks.push(chunk);
    const text = Buffer.concat(chunks).toString('utf8');
    const newline = text.indexOf('\n');
    if (newline >= 0) dispatch(text.slice(0, newline));
  });
  // A client may half-close instead of sending a newline.
  socket.on('end', () => {
    if (dispatched || answered) return;
    if (size > 0) dispatch(Buffer.concat(chunks).toString('utf8'));
    else socket.end();
  });
}

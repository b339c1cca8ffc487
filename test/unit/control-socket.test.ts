// The control channel over a real unix socket in a temp dir: permissions, the one-request
// protocol and its bounds, the client's errors, and the CLI commands' output and exit codes.
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createConnection, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseControlArgs, runControlCommand, type Output } from '../../src/control/control-cli.ts';
import { sendControlRequest } from '../../src/control/control-client.ts';
import { MAX_REQUEST_BYTES, parseControlRequest, type ControlRequest, type ControlResponse } from '../../src/control/control-protocol.ts';
import { startControlServer, type ControlHandler } from '../../src/control/control-server.ts';
import type { Drill } from '../../src/decision/model.ts';

let base: string;
let socketPath: string;
const servers: Server[] = [];

beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'ocf-ctl-'));
  socketPath = join(base, 'ctl', 'control.sock');
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  rmSync(base, { recursive: true, force: true });
});

async function serve(handle: ControlHandler, timeoutMs?: number): Promise<Server> {
  const server = await startControlServer({ path: socketPath, handle, timeoutMs });
  servers.push(server);
  return server;
}

/** Writes raw bytes, returns what the server answered before closing (or '' when it just hung up). */
function raw(payload: string | Buffer, options: { halfClose?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(socketPath);
    const chunks: Buffer[] = [];
    socket.on('connect', () => {
      socket.write(payload);
      if (options.halfClose) socket.end();
    });
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
  });
}

describe('control server', () => {
  it('creates its directory 0700 and the socket 0600', async () => {
    await serve(() => ({ ok: true, message: 'x' }));
    expect(statSync(join(base, 'ctl')).mode & 0o777).toBe(0o700);
    const sock = statSync(socketPath);
    expect(sock.isSocket()).toBe(true);
    expect(sock.mode & 0o777).toBe(0o600);
  });

  it('tightens an existing directory and replaces a socket left at its path', async () => {
    mkdirSync(join(base, 'ctl'), { mode: 0o755 });
    const first = await serve(() => ({ ok: true, message: 'first' }));
    expect(statSync(join(base, 'ctl')).mode & 0o777).toBe(0o700);
    const second = await startControlServer({ path: socketPath, handle: () => ({ ok: true, message: 'second' }) });
    servers.push(second);
    expect(first.listening).toBe(true);
    expect(await sendControlRequest(socketPath, { command: 'status' })).toEqual({ ok: true, message: 'second' });
  });

  it('refuses to replace something that is not a socket', async () => {
    await serve(() => ({ ok: true, message: 'x' }));
    await new Promise((resolve) => servers.pop()?.close(resolve));
    writeFileSync(socketPath, 'precious');
    await expect(startControlServer({ path: socketPath, handle: () => ({ ok: true, message: 'x' }) })).rejects.toThrow(/not a socket/);
  });

  it('answers one request per connection with the handler, ignoring what follows', async () => {
    const seen: ControlRequest[] = [];
    await serve((request) => {
      seen.push(request);
      return { ok: true, message: `got ${request.command}` };
    });
    const answer = await raw('{"command":"pause","reason":"disk swap"}\n{"command":"resume"}\n');
    expect(JSON.parse(answer)).toEqual({ ok: true, message: 'got pause' });
    expect(seen).toEqual([{ command: 'pause', reason: 'disk swap' }]);
  });

  it('accepts a request ended by a half-close instead of a newline', async () => {
    await serve((request) => ({ ok: true, message: request.command }));
    expect(JSON.parse(await raw('{"command":"drill"}', { halfClose: true }))).toEqual({ ok: true, message: 'drill' });
  });

  it('answers malformed and unknown requests with an error, never calling the handler', async () => {
    let calls = 0;
    await serve(() => {
      calls++;
      return { ok: true, message: '' };
    });
    expect(JSON.parse(await raw('not json\n'))).toEqual({ ok: false, error: 'request is not JSON' });
    expect((JSON.parse(await raw('{"command":"rm -rf"}\n')) as { error: string }).error).toMatch(/unknown command/);
    expect(calls).toBe(0);
  });

  it('refuses a request larger than the bound without waiting for the rest', async () => {
    await serve(() => ({ ok: true, message: '' }));
    const answer = await raw(Buffer.alloc(MAX_REQUEST_BYTES + 1, 'a'));
    expect(JSON.parse(answer)).toEqual({ ok: false, error: `request larger than ${MAX_REQUEST_BYTES} bytes` });
  });

  it('closes a connection that sends nothing within its time bound', async () => {
    await serve(() => ({ ok: true, message: '' }), 200);
    const began = Date.now();
    expect(await raw('')).toBe('');
    expect(Date.now() - began).toBeLessThan(5_000);
  });

  it('turns a handler that throws into an error answer', async () => {
    await serve(() => {
      throw new Error('boom');
    });
    expect(await sendControlRequest(socketPath, { command: 'resume' })).toEqual({ ok: false, error: 'internal error: boom' });
  });
});

describe('control client', () => {
  it('says plainly that no watcher listens when there is no socket', async () => {
    await expect(sendControlRequest(join(base, 'missing.sock'), { command: 'status' })).rejects.toThrow(/no control socket at .*is the watcher running/);
  });

  it('gives up on a server that never answers, bounded', async () => {
    await serve(() => new Promise<ControlResponse>(() => undefined), 1_000);
    await expect(sendControlRequest(socketPath, { command: 'status' }, 300)).rejects.toThrow(/did not answer/);
  });
});

describe('parseControlRequest', () => {
  it.each<[string, ControlRequest]>([
    ['{"command":"status"}', { command: 'status' }],
    ['{"command":"pause"}', { command: 'pause' }],
    ['{"command":"pause","reason":"x"}', { command: 'pause', reason: 'x' }],
    ['{"command":"resume"}', { command: 'resume' }],
    ['{"command":"promote","reason":"y"}', { command: 'promote', reason: 'y' }],
    ['{"command":"demote"}', { command: 'demote', reason: '' }],
    ['{"command":"drill","extra":1}', { command: 'drill' }],
  ])('%s', (text, request) => {
    expect(parseControlRequest(text)).toEqual({ ok: true, request });
  });

  it.each([
    ['[]', /JSON object/],
    ['{"command":"pause","reason":5}', /string/],
    ['{"command":"pause","reason":"a\\nforged log line"}', /one line/],
    [`{"command":"promote","reason":"${'r'.repeat(501)}"}`, /longer than 500/],
  ])('refuses %s', (text, error) => {
    const parsed = parseControlRequest(text);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.error).toMatch(error);
  });
});

describe('CLI control commands', () => {
  function capture(): Output & { stdout: string; stderr: string } {
    const io = { stdout: '', stderr: '', out: (t: string) => (io.stdout += t), err: (t: string) => (io.stderr += t) };
    return io;
  }

  it('parses reasons both ways and refuses what is wrong', () => {
    expect(parseControlArgs(['promote', '--reason', 'move', '--json'])).toEqual({ ok: true, args: { command: 'promote', reason: 'move', yes: false, json: true } });
    expect(parseControlArgs(['pause', '--reason=disk'])).toEqual({ ok: true, args: { command: 'pause', reason: 'disk', yes: false, json: false } });
    expect(parseControlArgs(['drill', '--yes'])).toMatchObject({ ok: true, args: { yes: true } });
    for (const bad of [['promote'], ['demote', '--reason', '  '], ['demote', '--reason'], ['resume', '--reason', 'x'], ['pause', '--yes'], ['explode']]) {
      expect(parseControlArgs(bad).ok).toBe(false);
    }
    const missing = parseControlArgs(['promote']);
    expect(missing.ok ? '' : missing.error).toContain('needs a reason');
  });

  it('drill without --yes explains itself and exits 2 without touching the watcher', async () => {
    const io = capture();
    expect(await runControlCommand({ command: 'drill', yes: false, json: false }, join(base, 'none.sock'), io)).toBe(2);
    expect(io.stderr).toContain('--yes');
    expect(io.stderr).toContain('promote the standby while the primary is up');
  });

  it('exits 1 with a clear message when the watcher is not running', async () => {
    const io = capture();
    expect(await runControlCommand({ command: 'pause', yes: false, json: false }, join(base, 'none.sock'), io)).toBe(1);
    expect(io.stderr).toMatch(/pause: no control socket/);
  });

  it('exits 2 on a refusal and prints the reason', async () => {
    await serve(() => ({ ok: false, refused: true, error: 'a drill is under way' }));
    const io = capture();
    expect(await runControlCommand({ command: 'resume', yes: false, json: false }, socketPath, io)).toBe(2);
    expect(io.stderr).toBe('resume refused: a drill is under way\n');
  });

  it.each([
    ['succeeded', 0],
    ['failed', 1],
    ['became-promotion', 1],
  ] as const)('follows an accepted drill to %s and exits %d with its timings', async (final, code) => {
    let polls = 0;
    const drill = (status: Drill['status']) => ({ id: 7, status, problems: final === 'succeeded' ? [] : ['gateway not ready'], timings: { syncMs: 100, startMs: 200, readyMs: 300, stopMs: 400 } });
    await serve((request) => {
      if (request.command === 'drill') return { ok: true, message: 'drill 7 started', status: { lastDrill: drill('promoting') }, waitMs: 10_000 };
      polls++;
      return { ok: true, message: 'status', status: { lastDrill: drill(polls < 2 ? 'promoting' : polls < 3 ? 'demoting' : final) } };
    });
    const io = capture();
    expect(await runControlCommand({ command: 'drill', yes: true, json: false }, socketPath, io, 10)).toBe(code);
    expect(io.stdout).toContain('drill 7 started');
    expect(io.stdout).toContain(`drill 7 ${final}`);
    expect(io.stdout).toContain('timings:  sync 0.1s, start 0.2s, ready 0.3s, stop 0.4s');
  });

  it('gives up on a drill that never finishes, bounded by the watcher estimate, exit 1', async () => {
    await serve((request) =>
      request.command === 'drill'
        ? { ok: true, message: 'drill 8 started', status: { lastDrill: { id: 8, status: 'promoting' } }, waitMs: 300 }
        : { ok: true, message: 'status', status: { lastDrill: { id: 8, status: 'promoting' } } },
    );
    const io = capture();
    expect(await runControlCommand({ command: 'drill', yes: true, json: true }, socketPath, io, 20)).toBe(1);
    expect(io.stderr).toMatch(/no result within/);
    expect(JSON.parse(io.stdout) as unknown).toMatchObject({ ok: false, drill: { id: 8, status: 'promoting' } });
  });
});

// The hot dead-man wrapper (deadman/hot-mode.mjs) around a tiny fake gateway: the channels are
// switched on only while the lease file's deadline lies ahead; at the deadline (watcher paused:
// nobody moves it) or when the file is cleared, the gateway is killed, and every start of the
// gateway is seeded from the operator's file with the channels off. The real gateway does the
// same in test/e2e/multinode-openclaw.test.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hostMonotonicMs, writeLeaseFile } from '../../src/lease/lease-file.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const TOKEN = 'hot-deadman-test-token';

interface Ev {
  at: number;
  pid: number;
  kind: 'boot' | 'patch';
  ircEnabled?: unknown;
  rpcPlugin?: unknown;
  raw?: string;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function until<T>(what: string, check: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const v = check();
    if (v !== undefined && v !== false) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

let wrapper: ChildProcess | null = null;
let dir = '';
afterEach(() => {
  wrapper?.kill('SIGKILL');
  wrapper = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function startWrapper(source: object | null) {
  dir = mkdtempSync(join(tmpdir(), 'hot-deadman-'));
  const state = join(dir, 'state');
  mkdirSync(state);
  writeFileSync(join(state, 'openclaw.json.bak'), '{"channels":{"irc":{"enabled":true}}}'); // a last-good copy the gateway would restore
  const sourcePath = join(dir, 'source.json');
  if (source) writeFileSync(sourcePath, JSON.stringify(source));
  const leaseFile = join(dir, 'lease.json');
  const eventsFile = join(dir, 'events.jsonl');
  const [gwPort, statusPort] = [await freePort(), await freePort()];
  const out: string[] = [];
  wrapper = spawn(process.execPath, [`${ROOT}deadman/serve-while-leased.mjs`, leaseFile, '--', process.execPath, `${ROOT}test/fixtures/hot-deadman/fake-hot-gateway.mjs`], {
    env: {
      ...process.env,
      DEADMAN_MODE: 'hot',
      DEADMAN_SOURCE_CONFIG: sourcePath,
      DEADMAN_READY_URL: `http://127.0.0.1:${gwPort}/readyz`,
      DEADMAN_STATUS_PORT: String(statusPort),
      OPENCLAW_STATE_DIR: state,
      OPENCLAW_GATEWAY_TOKEN: TOKEN,
      FAKE_PORT: String(gwPort),
      EVENTS_FILE: eventsFile,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  wrapper.stdout!.on('data', (b: Buffer) => out.push(b.toString()));
  wrapper.stderr!.on('data', (b: Buffer) => out.push(b.toString()));
  const events = (): Ev[] => (existsSync(eventsFile) ? readFileSync(eventsFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Ev) : []);
  const lease = (deadlineMono: number | null): void => writeLeaseFile(leaseFile, { deadlineMono, holder: 'node-t', revision: 7, writtenAt: new Date().toISOString() });
  const status = async (): Promise<Record<string, unknown>> => (await (await fetch(`http://127.0.0.1:${statusPort}/`)).json()) as Record<string, unknown>;
  const logs = (): string => out.join('');
  return { events, lease, status, logs, state };
}

const SOURCE = { channels: { irc: { enabled: true, host: 'ircd', nick: 'sharedbot' }, slack: { enabled: false } }, plugins: { entries: { irc: { enabled: true } } } };

describe('hot dead-man wrapper', () => {
  it('boots the gateway seeded with every channel off, the admin API on and the backups gone; no switch without a lease', async () => {
    const w = await startWrapper(SOURCE);
    const boot = await until('the first boot', () => w.events().find((e) => e.kind === 'boot'));
    expect(boot).toMatchObject({ ircEnabled: false, rpcPlugin: true });
    expect(existsSync(join(w.state, 'openclaw.json.bak'))).toBe(false);
    await new Promise((r) => setTimeout(r, 1_500)); // readiness probes have seen the gateway up
    expect(w.events().filter((e) => e.kind === 'patch')).toEqual([]);
    expect(await w.status()).toMatchObject({ mode: 'hot', child: 'running', channels: 'off' });
  });

  it('switches the operator\'s enabled channels on while leased, kills at the deadline when nobody renews, and restarts with them off', async () => {
    const w = await startWrapper(SOURCE);
    await until('the first boot', () => w.events().find((e) => e.kind === 'boot'));
    await until('the gateway ready', () => w.logs().includes('starting the gateway') || undefined);
    await new Promise((r) => setTimeout(r, 1_200)); // one readiness probe
    const deadline = hostMonotonicMs() + 3_000;
    w.lease(deadline); // then nobody moves it: the watcher "is paused"
    const patch = await until('the switch-on', () => w.events().find((e) => e.kind === 'patch'));
    expect(JSON.parse(patch.raw!)).toEqual({ channels: { irc: { enabled: true } } }); // slack stays as the operator left it
    expect(patch.at).toBeLessThan(deadline);
    const first = w.events().find((e) => e.kind === 'boot')!;
    const reboot = await until('a new gateway process', () => w.events().find((e) => e.kind === 'boot' && e.pid !== first.pid), 20_000);
    expect(reboot.ircEnabled).toBe(false);
    expect(w.logs()).toMatch(/killing the gateway.*deadline passed/);
    const late = /deadline passed (\d+) ms ago/.exec(w.logs())?.[1];
    console.log(`[hot-deadman] killed ${late} ms after the deadline (stated worst-case stop: 1000 ms)`);
    expect(() => process.kill(first.pid, 0)).toThrow(); // the old process is gone
    expect(w.events().filter((e) => e.kind === 'patch' && e.at >= deadline)).toEqual([]);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await w.status()).toMatchObject({ channels: 'off' });
  });

  it('kills at once when the watcher clears the file before the deadline', async () => {
    const w = await startWrapper(SOURCE);
    await until('the first boot', () => w.events().find((e) => e.kind === 'boot'));
    await new Promise((r) => setTimeout(r, 1_500));
    w.lease(hostMonotonicMs() + 60_000);
    await until('the switch-on', () => w.events().find((e) => e.kind === 'patch'));
    const first = w.events().find((e) => e.kind === 'boot')!;
    w.lease(null);
    await until('the kill', () => w.logs().includes('lease file cleared') || undefined, 5_000);
    const reboot = await until('a new gateway process', () => w.events().find((e) => e.kind === 'boot' && e.pid !== first.pid), 20_000);
    expect(reboot.ircEnabled).toBe(false);
  });

  it('does not start a gateway it cannot seed', async () => {
    const w = await startWrapper(null);
    await until('the seed failure', () => w.logs().includes('seed failed') || undefined);
    w.lease(hostMonotonicMs() + 60_000);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(w.events()).toEqual([]);
    expect(await w.status()).toMatchObject({ child: 'stopped', channels: 'off' });
  });
});

// The IRC test bed: how a test reaches the chat server on an internal Docker network, reads the
// server's own record of connections, and keeps OpenClaw's DM pairing queue from filling up.
import { run } from './run.ts';

export const IRC_CHANNEL = '#ops';
export const PRIMARY_BOT = 'primarybot';
export const STANDBY_BOT = 'standbybot';
/** The IRC plugin version that exists on the npm registry (the gateway is 2026.9.6). */
export const IRC_PLUGIN = '@openclaw/irc@2026.9.5';

/**
 * The container's address on `network`. On Linux the host reaches a container's IP on an
 * internal bridge (the bridge is local; `internal` only removes the route beyond it), so the
 * test process talks to the ircd directly, and the ircd still reaches nothing outside.
 */
export async function containerIp(container: string, network?: string): Promise<string> {
  const format = network ? `{{(index .NetworkSettings.Networks "${network}").IPAddress}}` : '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}';
  const out = (await run('docker', ['inspect', '--format', format, container])).stdout.trim().split(/\s+/)[0] ?? '';
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(out)) throw new Error(`container ${container} has no IPv4 address${network ? ` on ${network}` : ''} (got "${out}")`);
  return out;
}

export interface IrcdLogEntry {
  /** Server clock (docker logs -t), epoch ms. */
  at: number;
  kind: 'registered' | 'closed' | 'accepted';
  nick?: string;
  connection: number;
}

/**
 * The ircd's own record of registrations and closed connections, from `docker logs -t`: the
 * oracle of who was on the server, independent of the test client.
 */
export async function ircdLog(container: string, since?: Date): Promise<IrcdLogEntry[]> {
  const args = ['logs', '-t', ...(since ? ['--since', since.toISOString()] : []), container];
  const out = await run('docker', args, { timeoutMs: 30_000 });
  const entries: IrcdLogEntry[] = [];
  for (const line of `${out.stdout}\n${out.stderr}`.split('\n')) {
    const stamp = line.slice(0, line.indexOf(' '));
    const at = Date.parse(stamp);
    if (Number.isNaN(at)) continue;
    const registered = /User "([^"!]+)![^"]*" registered \(connection (\d+)\)/.exec(line);
    if (registered) entries.push({ at, kind: 'registered', nick: registered[1], connection: Number(registered[2]) });
    const closed = /Connection (\d+) with "?([^"\s]*)"? closed/.exec(line) ?? /Shutting down connection (\d+)/.exec(line);
    if (closed) entries.push({ at, kind: 'closed', connection: Number(closed[1]) });
    const accepted = /Accepted connection (\d+) from/.exec(line);
    if (accepted) entries.push({ at, kind: 'accepted', connection: Number(accepted[1]) });
  }
  return entries.sort((a, b) => a.at - b.at);
}

/** Registrations of `nick` on the server (its own clock), e.g. "did standbybot ever connect?". */
export async function registrationsOf(container: string, nick: string, since?: Date): Promise<number[]> {
  return (await ircdLog(container, since)).filter((e) => e.kind === 'registered' && e.nick?.toLowerCase() === nick.toLowerCase()).map((e) => e.at);
}

/**
 * Empties OpenClaw's pending DM pairing requests in a gateway's state database. The gateway
 * caps pending requests at 3 per channel account and answers only new requests, so tests that
 * DM the bot more than three times within an hour clear the queue after each answered DM.
 * Runs the image's own node (node:sqlite) inside the running gateway container.
 */
export async function clearPairingRequests(gatewayContainer: string): Promise<void> {
  const script = [
    "const { DatabaseSync } = require('node:sqlite');",
    "const db = new DatabaseSync(process.env.OPENCLAW_STATE_DIR + '/state/openclaw.sqlite');",
    'db.exec("PRAGMA busy_timeout = 5000");',
    "db.exec('DELETE FROM channel_pairing_requests');",
    'db.close();',
  ].join(' ');
  await run('docker', ['exec', gatewayContainer, 'node', '-e', script], { timeoutMs: 30_000 });
}

/**
 * Installs the IRC channel plugin into a gateway state volume, as uid 1000 on the default bridge
 * (the npm registry is reachable there; the gateway itself later runs on internal networks only).
 * `openclaw plugins install` records itself in the config file, so it gets a scratch copy of
 * `config` (the JSON5 text of the gateway's config), never the gateway's own file.
 */
export async function installIrcPlugin(volume: string, config: string, image: string): Promise<void> {
  // A fresh install is minutes on a loaded machine: the first one is kept in a cache volume
  // (per test tag) and copied into later volumes. The standby's own install is never cached:
  // openclaw-standby-prepare, the thing under test, does it.
  const cache = `openclaw-failover-irc-plugin-${process.env.OCF_TEST_TAG ?? 'test'}`;
  const cached = (await run('docker', ['volume', 'inspect', cache], { allowFailure: true })).code === 0;
  if (cached) {
    await copyVolume(cache, volume);
    return;
  }
  await installFresh(volume, config, image);
  await run('docker', ['volume', 'create', cache]);
  await copyVolume(volume, cache).catch(async (error: unknown) => {
    await run('docker', ['volume', 'rm', '-f', cache], { allowFailure: true });
    throw error;
  });
}

/** Copies a volume's files, owners kept (root in a throwaway container; the files stay uid 1000's). */
async function copyVolume(from: string, to: string): Promise<void> {
  await run('docker', ['run', '--rm', '--user', '0', '--network', 'none', '-v', `${from}:/from:ro`, '-v', `${to}:/to`, 'node:24-bookworm-slim', 'sh', '-c', 'cp -a /from/. /to/ && chown 1000:1000 /to'], { timeoutMs: 300_000 });
}

async function installFresh(volume: string, config: string, image: string): Promise<void> {
  const script = 'mkdir -p /tmp/scratch && cat > /tmp/scratch/openclaw.json && exec node openclaw.mjs plugins install "$0"';
  const child = await import('node:child_process');
  await new Promise<void>((resolve, reject) => {
    const proc = child.spawn('docker', [
      'run', '-i', '--rm', '--user', '1000:1000',
      '-v', `${volume}:/home/node/.openclaw`,
      '-e', 'OPENCLAW_STATE_DIR=/home/node/.openclaw', '-e', 'OPENCLAW_CONFIG_PATH=/tmp/scratch/openclaw.json',
      '-e', 'OPENCLAW_NO_AUTO_UPDATE=1', '-e', 'OPENCLAW_DISABLE_BONJOUR=1',
      '--entrypoint', 'sh', image, '-c', script, IRC_PLUGIN,
    ], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    proc.stdout.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => proc.kill('SIGKILL'), 900_000);
    proc.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`installing ${IRC_PLUGIN} into ${volume} failed (exit ${code}):\n${output.slice(-3000)}`));
    });
    proc.stdin.end(config);
  });
}

// The multi-node test bed (test/e2e/compose.multinode.yml): three nodes of etcd member + lease
// watcher + gateway behind the dead-man wrapper, and the ircd whose own log is the oracle.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../integration/support/compose-project.ts';
import { run, waitFor } from '../../integration/support/run.ts';

export const NODES = [1, 2, 3] as const;
export type NodeNo = (typeof NODES)[number];

export class MultiNode {
  readonly name: string;
  readonly env: NodeJS.ProcessEnv;
  readonly etcdPrefix: string;

  /** `overlays`: extra compose files on top of compose.multinode.yml (e.g. the real gateway). */
  constructor(prefix: string, overlays: string[] = []) {
    this.name = `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 7)}`;
    const envFile = join(mkdtempSync(join(tmpdir(), 'ocf-mn-')), 'empty.env');
    writeFileSync(envFile, '');
    const files = ['test/e2e/compose.multinode.yml', ...overlays].map((f) => join(REPO_ROOT, f));
    this.etcdPrefix = `10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 256)}`;
    this.env = { ...process.env, COMPOSE_PROJECT_NAME: this.name, COMPOSE_FILE: files.join(':'), COMPOSE_ENV_FILES: envFile, MN_ETCD_PREFIX: this.etcdPrefix };
  }

  /** The fixed address of etcd member n on the etcd network (see compose.multinode.yml). */
  etcdIp(n: number): string {
    return `${this.etcdPrefix}.1${n}`;
  }

  compose(args: string[], timeoutMs = 300_000): ReturnType<typeof run> {
    return run('docker', ['compose', ...args], { env: this.env, timeoutMs, cwd: REPO_ROOT });
  }

  async up(services: string[] = []): Promise<void> {
    await this.compose(['up', '-d', '--quiet-pull', ...services]);
  }

  /** Reattaches an etcd member to the etcd network at its fixed address. */
  async reconnectEtcd(n: number): Promise<void> {
    await run('docker', ['network', 'connect', '--ip', this.etcdIp(n), this.network('etcd'), this.container(`etcd${n}`)], { allowFailure: true, timeoutMs: 60_000 });
  }

  async down(): Promise<void> {
    await this.compose(['down', '-v', '--timeout', '2', '--remove-orphans'], 180_000).catch((e: unknown) => console.warn(`[multinode] down failed: ${String(e)}`));
  }

  container(service: string): string {
    return `${this.name}-${service}-1`;
  }

  network(name: string): string {
    return `${this.name}_${name}`;
  }

  async ip(service: string, network: string): Promise<string> {
    const out = await run('docker', ['inspect', '--format', `{{(index .NetworkSettings.Networks "${this.network(network)}").IPAddress}}`, this.container(service)]);
    const ip = out.stdout.trim();
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip)) throw new Error(`${service} has no address on ${network}: "${ip}"`);
    return ip;
  }

  async etcdEndpoints(): Promise<string[]> {
    return Promise.resolve([1, 2, 3].map((n) => `http://${this.etcdIp(n)}:2379`));
  }

  async docker(args: string[], allowFailure = false): Promise<void> {
    await run('docker', args, { allowFailure, timeoutMs: 60_000 });
  }

  async watcherStatus(n: NodeNo): Promise<{ role: string; holder: string | null; serving: boolean; revision: number | null } | null> {
    const r = await run('docker', ['exec', this.container(`watcher${n}`), 'node', '-e', 'fetch("http://127.0.0.1:8080/status").then(r=>r.text()).then(t=>process.stdout.write(t))'], {
      allowFailure: true,
      timeoutMs: 15_000,
    });
    if (r.code !== 0) return null;
    try {
      return JSON.parse(r.stdout) as { role: string; holder: string | null; serving: boolean; revision: number | null };
    } catch {
      return null;
    }
  }

  async waitHealthyEtcd(): Promise<void> {
    await waitFor(
      'three healthy etcd members',
      async () => {
        const r = await run('docker', ['inspect', '--format', '{{.State.Health.Status}}', ...[1, 2, 3].map((n) => this.container(`etcd${n}`))], { allowFailure: true });
        return r.stdout.trim().split('\n').every((s) => s === 'healthy') || undefined;
      },
      { timeoutMs: 120_000, intervalMs: 1_000 },
    );
  }
}

export interface Session {
  connection: number;
  ip: string;
  from: number;
  to: number | null;
}

/** The ircd's own record: every TCP session from a gateway address, on the server's clock. */
export async function ircdSessions(bed: MultiNode, gatewayIps: Set<string>): Promise<Session[]> {
  const out = await run('docker', ['logs', '-t', bed.container('ircd')], { timeoutMs: 30_000 });
  return parseIrcdSessions(`${out.stdout}\n${out.stderr}`, gatewayIps);
}

/** Sessions from `docker logs -t` text of ngIRCd: accepted → closed, per connection number. */
export function parseIrcdSessions(text: string, gatewayIps: Set<string>): Session[] {
  const open = new Map<number, Session>();
  const sessions: Session[] = [];
  for (const line of text.split('\n')) {
    const at = Date.parse(line.slice(0, line.indexOf(' ')));
    if (Number.isNaN(at)) continue;
    const accepted = /Accepted connection (\d+) from "?(\d+\.\d+\.\d+\.\d+):\d+/.exec(line);
    if (accepted && gatewayIps.has(accepted[2] as string)) {
      const s: Session = { connection: Number(accepted[1]), ip: accepted[2] as string, from: at, to: null };
      open.set(s.connection, s);
      sessions.push(s);
    }
    const closed = /Connection (\d+) with \S+ closed/.exec(line) ?? /Shutting down connection (\d+) /.exec(line);
    if (closed) {
      const s = open.get(Number(closed[1]));
      if (s && s.to === null) {
        s.to = at;
        open.delete(s.connection);
      }
    }
  }
  return sessions;
}

/** Pairs of gateway sessions that were open at the same time (the target: none, ever). */
export function overlappingSessions(sessions: Session[], until: number): [Session, Session][] {
  const sorted = [...sessions].sort((a, b) => a.from - b.from);
  const pairs: [Session, Session][] = [];
  for (let i = 0; i < sorted.length; i++) {
    const a = sorted[i] as Session;
    for (let j = i + 1; j < sorted.length; j++) {
      const b = sorted[j] as Session;
      if (b.from >= (a.to ?? until)) break;
      pairs.push([a, b]);
    }
  }
  return pairs;
}

/** A plain IRC client on the host (it reaches the ircd's address on the internal bridge). */
export class IrcProbe {
  private sock: Socket | null = null;
  private buf = '';
  private readonly replies: string[] = [];

  private readonly host: string;
  readonly nick: string;

  constructor(host: string, nick: string) {
    this.host = host;
    this.nick = nick;
  }

  async connect(): Promise<void> {
    const sock = connect({ host: this.host, port: 6667 });
    this.sock = sock;
    sock.setEncoding('utf8');
    const registered = new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('probe client: no 001 within 20 s')), 20_000);
      sock.on('data', (chunk: string) => {
        this.buf += chunk;
        let i: number;
        while ((i = this.buf.indexOf('\r\n')) >= 0) {
          const line = this.buf.slice(0, i);
          this.buf = this.buf.slice(i + 2);
          if (line.startsWith('PING')) sock.write(`PONG${line.slice(4)}\r\n`);
          if (/^:\S+ 001 /.test(line)) {
            clearTimeout(t);
            resolve();
          }
          const m = /^:(\S+?)!\S+ (?:PRIVMSG|NOTICE) (\S+) :(.*)$/.exec(line);
          if (m && m[2] === this.nick) this.replies.push(`${m[1]}: ${m[3]}`);
        }
      });
      sock.on('error', reject);
    });
    sock.write(`NICK ${this.nick}\r\nUSER ${this.nick} 0 * :test probe\r\n`);
    await registered;
  }

  /** Sends a DM to `to` until an answer containing `token` arrives; returns the answer. */
  async dmUntilAnswered(to: string, timeoutMs: number): Promise<{ answer: string; at: number }> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const token = `ping-${Math.random().toString(36).slice(2, 8)}`;
      this.sock?.write(`PRIVMSG ${to} :${token}\r\n`);
      const until = Date.now() + 1_000;
      while (Date.now() < until) {
        const hit = this.replies.find((r) => r.includes(token));
        if (hit) return { answer: hit, at: Date.now() };
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    throw new Error(`no answer from ${to} within ${timeoutMs} ms`);
  }

  close(): void {
    this.sock?.end('QUIT :done\r\n');
    this.sock?.destroy();
  }
}

// A uniquely named compose project built from the project's own compose files, torn down with
// `down -v` so nothing (least of all a container with a restart policy) outlives the test.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, waitFor } from './run.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export interface StatusDoc {
  phase: string;
  gateway: { wanted: boolean; running: boolean | null; pendingAction: string | null };
  primary: { consecutiveFailures: number; consecutiveSuccesses: number; lastProbe: { ok: boolean; reason?: string } | null };
  lastTransition: {
    kind: string;
    reason?: string;
    channelLiveAt?: string | null;
    outcome: string;
    decidedAt: string;
    readyAt: string | null;
    finishedAt: string | null;
    problems: string[];
    timings: Record<string, number | undefined>;
  } | null;
  lastGitSync: { ok: boolean; detail: string } | null;
  standbyPrepared?: { state: string; summary?: string; detail?: string; channels?: Array<{ channel: string; plugin: string | null; ok: boolean; why: string | null }> };
  watcher: { startedAt: string; probes: number };
  partitionGuard: { configured: boolean; checking: boolean; lastCheck: { at: string; reachable: boolean; answered: string[]; reason: string } | null };
}

export interface ContainerState {
  running: boolean;
  paused: boolean;
  startedAt: string;
  restartCount: number;
  pid: number;
}

export interface DockerEvent {
  action: string;
  id: string;
  name: string;
  at: number;
}

export class ComposeProject {
  readonly name: string;
  readonly env: NodeJS.ProcessEnv;
  readonly watcherName: string;

  constructor(prefix: string, files: string[], env: Record<string, string>) {
    this.name = `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    this.watcherName = `${this.name}-watcher`;
    // An empty env file: a developer's own .env must not leak into tests.
    const envFile = join(mkdtempSync(join(tmpdir(), 'ocf-env-')), 'empty.env');
    writeFileSync(envFile, '');
    this.env = {
      ...process.env,
      COMPOSE_PROJECT_NAME: this.name,
      COMPOSE_FILE: files.join(':'),
      COMPOSE_PROFILES: 'standby',
      WATCHER_CONTAINER_NAME: this.watcherName,
      OCF_ENV_FILE: envFile,
      ...env,
    };
  }

  compose(args: string[], options: { timeoutMs?: number; allowFailure?: boolean } = {}) {
    return run('docker', ['compose', '--project-directory', REPO_ROOT, '--env-file', this.env.OCF_ENV_FILE ?? '', ...args], {
      env: this.env,
      timeoutMs: options.timeoutMs ?? 180_000,
      allowFailure: options.allowFailure,
    });
  }

  async up(): Promise<void> {
    await this.compose(['up', '-d', '--no-build', '--quiet-pull']);
  }

  async down(): Promise<void> {
    await this.compose(['down', '-v', '--remove-orphans', '--timeout', '2'], { allowFailure: true });
  }

  async containerId(service: string): Promise<string> {
    const out = await this.compose(['ps', '-a', '-q', service]);
    const id = out.stdout.trim().split('\n')[0];
    if (!id) throw new Error(`no container for service ${service} in ${this.name}`);
    return id;
  }

  async inspect(service: string): Promise<ContainerState & { id: string }> {
    const id = await this.containerId(service);
    return { ...(await this.containerState(id)), id };
  }

  /** A container's state by id (plain `docker inspect`: compose's CLI is slow under load). */
  async containerState(id: string): Promise<ContainerState> {
    const out = await run('docker', ['inspect', '--format', '{{json .State}}|{{.RestartCount}}', id]);
    const [stateJson, restarts] = out.stdout.trim().split('|');
    const s = JSON.parse(stateJson ?? '{}') as { Running: boolean; Paused: boolean; StartedAt: string; Pid: number };
    return { running: s.Running, paused: s.Paused, startedAt: s.StartedAt, restartCount: Number(restarts), pid: s.Pid };
  }

  /** GET a path of the watcher's status port from inside its container (the port is not published). */
  async watcherGet(path: string): Promise<string> {
    const script = `fetch('http://127.0.0.1:8080${path}').then((r) => r.text()).then((t) => process.stdout.write(t))`;
    return (await run('docker', ['exec', this.watcherName, 'node', '-e', script], { timeoutMs: 15_000 })).stdout;
  }

  async status(): Promise<StatusDoc> {
    const out = await run('docker', ['exec', this.watcherName, 'openclaw-failover', 'status', '--json'], { timeoutMs: 15_000 });
    return JSON.parse(out.stdout) as StatusDoc;
  }

  waitForPhase(phase: string, timeoutMs: number): Promise<StatusDoc> {
    return waitFor(`watcher phase ${phase}`, async () => {
      const status = await this.status();
      return status.phase === phase ? status : undefined;
    }, { timeoutMs, intervalMs: 250 });
  }

  async logs(service: string): Promise<string> {
    const out = await this.compose(['logs', '--no-color', '--no-log-prefix', service], { allowFailure: true });
    return out.stdout + out.stderr;
  }

  /** Lifecycle events of one container between two instants, from the engine's own record. */
  async events(containerId: string, since: Date, until: Date): Promise<DockerEvent[]> {
    const out = await run('docker', [
      'events',
      '--filter', `container=${containerId}`,
      '--filter', 'type=container',
      '--since', since.toISOString(),
      '--until', until.toISOString(),
      '--format', '{{json .}}',
    ]);
    return out.stdout
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as { Action: string; id: string; Actor: { Attributes: { name: string } }; timeNano: number })
      .map((e) => ({ action: e.Action, id: e.id, name: e.Actor.Attributes.name, at: e.timeNano / 1e6 }));
  }
}

/**
 * [open, close) intervals between an opening and a closing lifecycle event, e.g. start→die for
 * "was running" and die→start for "was down". An interval still open ends at `until`.
 */
export function intervalsBetween(events: DockerEvent[], open: string, close: string, until: number): Array<{ start: number; end: number }> {
  const intervals: Array<{ start: number; end: number }> = [];
  let openedAt: number | undefined;
  for (const event of events) {
    if (event.action === open && openedAt === undefined) openedAt = event.at;
    if (event.action === close && openedAt !== undefined) {
      intervals.push({ start: openedAt, end: event.at });
      openedAt = undefined;
    }
  }
  if (openedAt !== undefined) intervals.push({ start: openedAt, end: until });
  return intervals;
}

/** When a container ran, from its start/die events. */
export function runningIntervals(events: DockerEvent[], until: number): Array<{ start: number; end: number }> {
  return intervalsBetween(events, 'start', 'die', until);
}

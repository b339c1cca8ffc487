// What the workspace round-trip e2e reads and writes on the simulated hosts: the primary's
// workspace (in its state volume), the standby's (shared by its gateway and the watcher), the
// push service's /status, and the bare repository behind the git remote.
import { run, waitFor } from '../../integration/support/run.ts';
import type { FailoverPair } from './failover-pair.ts';

const PRIMARY_WS = '/home/node/.openclaw/workspace';
const REPO = '/srv/git/workspace.git';
/** A local image with sh, ls and cat, to read a volume while its containers are dead. */
const BASE_IMAGE = 'node:24-bookworm-slim';

export interface PushStatus {
  health: string;
  lastSuccessAt: string | null;
  lastSuccessAgeSeconds: number;
  lastPushedHead: string | null;
  consecutiveFailures: number;
  lastError: string | null;
  diverged: { local: string; remote: string } | null;
  unmergedStandbyBranches: string[];
}

export interface HandbackStatus {
  state: string;
  failures: number;
  lastOutcome: { kind: string; branch?: string; head?: string; sideBranch?: boolean; error?: string } | null;
}

export class WorkspaceProbe {
  private readonly pair: FailoverPair;

  constructor(pair: FailoverPair) {
    this.pair = pair;
  }

  pushId(): Promise<string> {
    return this.pair.serviceId('workspace-push');
  }

  async pushStatus(): Promise<PushStatus> {
    const script = "fetch('http://127.0.0.1:8080/status').then((r) => r.text()).then((t) => process.stdout.write(t))";
    const out = await run('docker', ['exec', await this.pushId(), 'node', '-e', script], { timeoutMs: 15_000 });
    return JSON.parse(out.stdout) as PushStatus;
  }

  async handback(): Promise<HandbackStatus> {
    const status = (await this.pair.status()) as unknown as { workspaceHandback: HandbackStatus };
    return status.workspaceHandback;
  }

  /** Writes a file as the gateway's user, inside a running gateway's workspace. */
  async writeInGateway(containerId: string, file: string, text: string): Promise<void> {
    await run('docker', ['exec', containerId, 'sh', '-c', `mkdir -p "$(dirname "${PRIMARY_WS}/${file}")" && printf '%s\\n' "${text}" > "${PRIMARY_WS}/${file}"`], { timeoutMs: 30_000 });
  }

  /** Starts a writer inside the primary gateway: one file a half second, named by its write time (ms). */
  async startPrimaryWriter(count: number): Promise<void> {
    const loop = `mkdir -p ${PRIMARY_WS}/rpo; i=0; while [ $i -lt ${count} ]; do t=$(date +%s%3N); echo "$t" > ${PRIMARY_WS}/rpo/$t.md; sleep 0.5; i=$((i+1)); done`;
    await run('docker', ['exec', '-d', this.pair.primaryId, 'sh', '-c', loop], { timeoutMs: 30_000 });
  }

  /** Files of a directory of the primary's workspace, read from its state volume (works while the primary is dead). */
  async primaryFiles(dir: string): Promise<string[]> {
    const volume = `${this.pair.project.name}_primary-state`;
    const out = await run('docker', ['run', '--rm', '--network', 'none', '-v', `${volume}:/s:ro`, BASE_IMAGE, 'sh', '-c', `ls -1 /s/workspace/${dir} 2>/dev/null || true`], { timeoutMs: 60_000 });
    return out.stdout.split('\n').filter(Boolean).sort();
  }

  async primaryFile(file: string): Promise<string | undefined> {
    const volume = `${this.pair.project.name}_primary-state`;
    const out = await run('docker', ['run', '--rm', '--network', 'none', '-v', `${volume}:/s:ro`, BASE_IMAGE, 'cat', `/s/workspace/${file}`], { timeoutMs: 60_000, allowFailure: true });
    return out.code === 0 ? out.stdout.trim() : undefined;
  }

  /** Files of a directory of the standby's workspace, as the watcher sees it. */
  async standbyFiles(dir: string): Promise<string[]> {
    const out = await run('docker', ['exec', this.pair.project.watcherName, 'sh', '-c', `ls -1 /workspace/${dir} 2>/dev/null || true`], { timeoutMs: 15_000 });
    return out.stdout.split('\n').filter(Boolean).sort();
  }

  async remoteFile(ref: string, file: string): Promise<string | undefined> {
    const out = await run('docker', ['exec', await this.pair.serviceId('git-remote'), 'git', '-C', REPO, 'show', `${ref}:${file}`], { timeoutMs: 15_000, allowFailure: true });
    return out.code === 0 ? out.stdout.trim() : undefined;
  }

  async remoteBranches(): Promise<string[]> {
    const out = await run('docker', ['exec', await this.pair.serviceId('git-remote'), 'git', '-C', REPO, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/'], { timeoutMs: 15_000 });
    return out.stdout.split('\n').filter(Boolean);
  }

  /** Waits for the push service to answer and report a success after `after` (epoch ms). */
  waitPushedSince(after: number, timeoutMs: number): Promise<PushStatus> {
    return waitFor(`workspace push succeeded after ${new Date(after).toISOString()}`, async () => {
      const s = await this.pushStatus().catch(() => undefined);
      return s && s.health === 'ok' && s.lastSuccessAt !== null && Date.parse(s.lastSuccessAt) > after ? s : undefined;
    }, { timeoutMs, intervalMs: 1_000 });
  }
}

// A failover pair with a real channel, in either standby mode: the project's compose files plus
// the e2e and IRC overlays (every gateway network internal), the primary channel-free, the
// standby owning IRC nick standbybot, its plugin installed into its state volume before `up -d`.
// Shared by test/e2e/hot-standby.test.ts and bench/hot-runs.ts, so both measure one deployment.
import { ComposeProject, type StatusDoc } from '../../integration/support/compose-project.ts';
import { dockerSocketGid, IRCD_IMAGE, OPENCLAW_IMAGE, WATCHER_TEST_IMAGE } from '../../integration/support/engine.ts';
import { readFileSync } from 'node:fs';
import { REPO_ROOT } from '../../integration/support/compose-project.ts';
import { containerIp, installIrcPlugin, IRC_CHANNEL, registrationsOf, STANDBY_BOT } from '../../integration/support/irc-bed.ts';
import { IrcClient } from '../../integration/support/irc-client.ts';
import { run, waitFor } from '../../integration/support/run.ts';
import { E2E_FILES } from './failover-pair.ts';

export const HOT_FILES = [...E2E_FILES, 'test/e2e/compose.irc.yml'];
export const TOKEN = 'e2e-gateway-token-0123456789abcdef';

export class ChannelPair {
  readonly project: ComposeProject;
  readonly mode: 'hot' | 'cold';
  primaryId = '';
  standbyId = '';
  ircdId = '';
  ircdIp = '';
  /** An IRC user in #ops that sees the standby bot join and quit (the chat server's view). */
  observer: IrcClient | undefined;

  private constructor(project: ComposeProject, mode: 'hot' | 'cold') {
    this.project = project;
    this.mode = mode;
  }

  static async create(prefix: string, mode: 'hot' | 'cold', env: Record<string, string> = {}): Promise<ChannelPair> {
    const project = new ComposeProject(prefix, HOT_FILES, {
      COMPOSE_PROFILES: 'primary,standby',
      WATCHER_IMAGE: WATCHER_TEST_IMAGE,
      IRCD_IMAGE,
      OPENCLAW_IMAGE,
      OPENCLAW_GATEWAY_HOST: '127.0.0.1',
      OPENCLAW_GATEWAY_PORT: '',
      OPENCLAW_PRIMARY_CONFIG_DIR: './config/ci',
      OPENCLAW_STANDBY_CONFIG_DIR: './config/ci-irc/standby',
      OPENCLAW_SKIP_CHANNELS: '',
      OPENCLAW_GATEWAY_TOKEN: TOKEN,
      DOCKER_GID: await dockerSocketGid(),
      WATCHER_DOCKER_HOST: 'tcp://docker-relay:2375',
      PRIMARY_URL: 'http://openclaw-gateway:18789/healthz',
      WORKSPACE_REMOTE: 'git://git-remote/workspace.git',
      WORKSPACE_BRANCH: 'main',
      PROMOTE_READY_TIMEOUT: '180',
      GIT_TIMEOUT: '5',
      MIN_PROMOTED: '0',
      FLAP_WINDOW: '0',
      STANDBY_MODE: mode,
      ...env,
    });
    return new ChannelPair(project, mode);
  }

  /** Primary first and healthy, then the standby side (the watcher, then the gateway). */
  async up(): Promise<void> {
    // The standby's state volume, made as compose would (its labels), with the IRC plugin in it.
    const volume = `${this.project.name}_standby-state`;
    await run('docker', ['volume', 'create', '--label', `com.docker.compose.project=${this.project.name}`, '--label', 'com.docker.compose.volume=standby-state', volume]);
    await installIrcPlugin(volume, readFileSync(`${REPO_ROOT}config/ci-irc/standby/openclaw.json`, 'utf8'), OPENCLAW_IMAGE);
    await this.project.compose(['up', '-d', '--no-build', 'ircd', 'openclaw-gateway'], { timeoutMs: 300_000 });
    this.primaryId = await this.project.containerId('openclaw-gateway');
    this.ircdId = await this.project.containerId('ircd');
    this.ircdIp = await containerIp(this.ircdId);
    await this.waitPrimaryHealthy(600_000);
    await this.project.compose(['up', '-d', '--no-build'], { timeoutMs: 600_000 });
    this.standbyId = await this.project.containerId('openclaw-standby');
    this.observer = await IrcClient.connect({ host: this.ircdIp, nick: `obs${process.pid % 1000}` });
    await this.observer.join(IRC_CHANNEL);
  }

  async down(): Promise<void> {
    this.observer?.close();
    await this.project.down();
  }

  status(): Promise<StatusDoc> {
    return this.project.status();
  }

  /** The primary's /healthz, asked from inside its own container (its networks are internal). */
  async primaryHealthy(): Promise<boolean> {
    const script = "fetch('http://127.0.0.1:18789/healthz').then(r=>r.json()).then(b=>process.stdout.write(String(b.ok===true)),()=>process.stdout.write('false'))";
    const out = await run('docker', ['exec', this.primaryId, 'node', '-e', script], { allowFailure: true, timeoutMs: 20_000 });
    return out.stdout.trim() === 'true';
  }

  /**
   * On a host at load average 40 a first boot's state migrations can time out and leave the
   * gateway in `maintenance_required` for good; a restart re-runs them. So a primary not healthy
   * after `restartAfterMs` is restarted (at most twice) within the overall bound.
   */
  async waitPrimaryHealthy(timeoutMs: number, restartAfterMs = 240_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (let restarts = 0; ; restarts++) {
      const slice = restarts < 2 ? Math.min(restartAfterMs, deadline - Date.now()) : deadline - Date.now();
      try {
        await waitFor('primary /healthz', async () => (await this.primaryHealthy()) || undefined, { timeoutMs: Math.max(1, slice), intervalMs: 250 });
        return Date.now();
      } catch (error) {
        if (restarts >= 2 || Date.now() >= deadline) throw error;
        console.log(`[hot-pair] primary not healthy after ${Math.round(slice / 1000)} s; restarting it (state migrations under load)`);
        await run('docker', ['restart', '-t', '2', this.primaryId], { timeoutMs: 120_000 });
      }
    }
  }

  /** The standby gateway's own admin RPC, from the host over the chat network's bridge. */
  async standbyRpc(method: string, params: unknown = {}): Promise<{ ok: boolean; payload?: unknown; error?: unknown }> {
    const ip = await containerIp(this.standbyId, `${this.project.name}_chat`);
    try {
      const res = await fetch(`http://${ip}:18789/api/v1/admin/rpc`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ method, params }),
        signal: AbortSignal.timeout(15_000),
      });
      return (await res.json()) as { ok: boolean; payload?: unknown };
    } catch (error) {
      return { ok: false, error: String(error) };
    }
  }

  /** Hot standby at rest: the container runs, its config API answers, no channel account runs. */
  async waitHotAtRest(timeoutMs: number): Promise<void> {
    await waitFor('hot standby at rest (running, API answering, channel off)', async () => {
      if (!(await this.project.containerState(this.standbyId)).running) return undefined;
      const st = await this.standbyRpc('channels.status');
      if (!st.ok) return undefined;
      return channelRunning(st.payload) ? undefined : true;
    }, { timeoutMs, intervalMs: 1_000 });
  }

  /** Registrations of the standby bot on the chat server (its own log) since `since`. */
  standbySessions(since: Date): Promise<number[]> {
    return registrationsOf(this.ircdId, STANDBY_BOT, since);
  }

  async standbyOnline(): Promise<boolean> {
    return (await this.observer?.online(STANDBY_BOT)) ?? false;
  }
}

/** Any channel account running, per channels.status. */
export function channelRunning(payload: unknown): boolean {
  const accounts = (payload as { channelAccounts?: Record<string, Array<{ running?: boolean }>> } | undefined)?.channelAccounts ?? {};
  return Object.values(accounts).some((list) => Array.isArray(list) && list.some((a) => a.running === true));
}

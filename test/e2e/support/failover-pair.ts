// Two simulated hosts on one engine, deployed from the project's own compose files: the primary
// (profile primary) on a network standing in for the tailnet, and the standby side (watcher +
// openclaw-standby) with a git remote and a Docker socket relay. Shared by the e2e scenarios and
// the benchmark, so both measure the same deployment.
// With `channels: true` (the default for the real gateway) both gateways run OpenClaw's real IRC
// plugin against the tests' ircd on internal networks (test/e2e/compose.irc.yml), and the chat
// server is the oracle: a test user sits in #ops and records who joins and leaves.
import { readFileSync } from 'node:fs';
import { ComposeProject, REPO_ROOT, runningIntervals, type DockerEvent, type StatusDoc } from '../../integration/support/compose-project.ts';
import { dockerSocketGid, IRCD_IMAGE, OPENCLAW_IMAGE, WATCHER_TEST_IMAGE } from '../../integration/support/engine.ts';
import { clearPairingRequests, containerIp, installIrcPlugin, IRC_CHANNEL, IRC_PLUGIN, PRIMARY_BOT, STANDBY_BOT } from '../../integration/support/irc-bed.ts';
import { dmUntilAnswered, IrcClient, type DmResult, type IrcEvent } from '../../integration/support/irc-client.ts';
import { run, waitFor } from '../../integration/support/run.ts';
import { EventRecorder } from './event-recorder.ts';

export const E2E_FILES = ['docker-compose.yml', 'compose.standby.yml', 'test/e2e/compose.e2e.yml'];
export const IRC_FILES = [...E2E_FILES, 'test/e2e/compose.irc.yml'];

export interface PairOptions {
  /** Name prefix of the compose project (a unique suffix is added). */
  prefix: string;
  /** Gateway image for both sides: the real OpenClaw image unless a fake is asked for. */
  gatewayImage?: string;
  /** Extra or overriding watcher/gateway environment. */
  env?: Record<string, string>;
  /** More compose files after E2E_FILES (an overlay of one suite's own). */
  extraFiles?: string[];
  /** Both gateways on the tests' IRC server (default: true with the real gateway image). */
  channels?: boolean;
}

export interface ProbeTimes {
  /** When the test saw the condition (epoch ms). */
  at: number;
}

export class FailoverPair {
  readonly project: ComposeProject;
  primaryId = '';
  standbyId = '';
  /** The standby gateway's lifecycle, recorded live from `up` on. */
  private standbyEvents: EventRecorder | undefined;
  readonly channels: boolean;
  /** The test user in #ops (channels only): its record of joins and quits is the oracle. */
  irc: IrcClient | undefined;
  ircdId = '';
  ircdIp = '';
  /** When `up` began (epoch ms). */
  upAt = 0;

  private constructor(project: ComposeProject, channels: boolean) {
    this.project = project;
    this.channels = channels;
  }

  static async create(options: PairOptions): Promise<FailoverPair> {
    const image = options.gatewayImage ?? OPENCLAW_IMAGE;
    const channels = options.channels ?? image === OPENCLAW_IMAGE;
    const project = new ComposeProject(options.prefix, [...(channels ? IRC_FILES : E2E_FILES), ...(options.extraFiles ?? [])], {
      COMPOSE_PROFILES: 'primary,standby',
      WATCHER_IMAGE: WATCHER_TEST_IMAGE,
      OPENCLAW_IMAGE: options.gatewayImage ?? OPENCLAW_IMAGE,
      OPENCLAW_GATEWAY_HOST: '127.0.0.1',
      OPENCLAW_GATEWAY_PORT: '',
      OPENCLAW_PRIMARY_CONFIG_DIR: './config/ci',
      OPENCLAW_STANDBY_CONFIG_DIR: './config/ci',
      OPENCLAW_SKIP_CHANNELS: '1',
      OPENCLAW_GATEWAY_TOKEN: 'e2e-gateway-token-0123456789abcdef',
      DOCKER_GID: await dockerSocketGid(),
      WATCHER_DOCKER_HOST: 'tcp://docker-relay:2375',
      PRIMARY_URL: 'http://openclaw-gateway:18789/healthz',
      WORKSPACE_REMOTE: 'git://git-remote/workspace.git',
      WORKSPACE_BRANCH: 'main',
      CHECK_INTERVAL: '2',
      CHECK_TIMEOUT: '2',
      FAIL_THRESHOLD: '3',
      RECOVER_THRESHOLD: '3',
      PROMOTE_READY_TIMEOUT: '120',
      GIT_TIMEOUT: '5',
      // The scenarios run a dozen promote/demote cycles back to back: flap damping would hold
      // later promotions down and MIN_PROMOTED would add up to a minute to every demotion. Both
      // are pinned by the decision core's unit tests; here they are off to measure the rest.
      MIN_PROMOTED: '0',
      FLAP_WINDOW: '0',
      ...(channels
        ? {
            OPENCLAW_PRIMARY_CONFIG_DIR: './config/ci-irc/primary',
            OPENCLAW_STANDBY_CONFIG_DIR: './config/ci-irc/standby',
            OPENCLAW_SKIP_CHANNELS: '',
            IRCD_IMAGE,
            STANDBY_PLUGINS: `irc=${IRC_PLUGIN}`,
            // A real channel under a loaded machine: generous, never a timed assertion.
            PROMOTE_READY_TIMEOUT: '240',
            CHANNEL_LIVE_TIMEOUT: '120',
          }
        : {}),
      ...options.env,
    });
    return new FailoverPair(project, channels);
  }

  async up(): Promise<void> {
    this.upAt = Date.now();
    if (this.channels) {
      // The primary's own IRC plugin: on a real primary the operator installed it long ago
      // (the standby gets its own from openclaw-standby-prepare at `up -d`).
      const volume = `${this.project.name}_primary-state`;
      await run('docker', ['volume', 'create', '--label', `com.docker.compose.project=${this.project.name}`, '--label', 'com.docker.compose.volume=primary-state', volume]);
      await installIrcPlugin(volume, readFileSync(`${REPO_ROOT}config/ci-irc/primary/openclaw.json`, 'utf8'), OPENCLAW_IMAGE);
      await this.project.compose(['up', '-d', '--no-build', 'ircd']);
      this.ircdId = await this.project.containerId('ircd');
      this.ircdIp = await containerIp(this.ircdId);
      this.irc = await waitFor('the test user in #ops', async () => {
        const client = await IrcClient.connect({ host: this.ircdIp, nick: `tester${process.pid % 1000}` });
        await client.join(IRC_CHANNEL);
        return client;
      }, { timeoutMs: 30_000, intervalMs: 500 });
    }
    // The primary first, so the watcher does not start while the primary is still booting
    // (on a real pair the primary has been up for days when the standby is deployed).
    await this.project.compose(['up', '-d', '--no-build', 'openclaw-gateway']);
    this.primaryId = await this.project.containerId('openclaw-gateway');
    // A first boot of a gateway with a channel plugin takes 20 s on an idle 2-core host, minutes
    // on a loaded one: generous bounds, never a timed assertion.
    await this.waitPrimaryHealthyFromHost(600_000);
    if (this.irc) await this.irc.waitForEvent(PRIMARY_BOT, ['join'], this.upAt, 600_000);
    // `up -d` of the standby side runs openclaw-standby-prepare (plugin install, warm-up boot).
    await this.project.compose(['up', '-d', '--no-build', '--quiet-pull'], { timeoutMs: 900_000 });
    this.standbyId = await this.project.containerId('openclaw-standby');
    this.standbyEvents = await EventRecorder.start(this.standbyId);
  }

  async down(): Promise<void> {
    this.standbyEvents?.stop();
    this.irc?.close();
    await this.project.down();
    if (this.channels) await run('docker', ['volume', 'rm', '-f', `${this.project.name}_primary-state`], { allowFailure: true });
  }

  // ---- the chat server's view (channels only) ----

  /** The standby bot's joins of #ops between two instants, as the test user saw them. */
  standbyJoins(since: number, until = Date.now()): IrcEvent[] {
    return (this.irc?.eventsOf(STANDBY_BOT) ?? []).filter((e) => e.kind === 'join' && e.at >= since && e.at <= until);
  }

  async waitStandbyJoined(since: number, timeoutMs: number): Promise<number> {
    if (!this.irc) throw new Error('no IRC on this pair');
    return (await this.irc.waitForEvent(STANDBY_BOT, ['join'], since, timeoutMs)).at;
  }

  /** The standby bot answers a DM (OpenClaw's pairing reply), then its pairing queue is emptied. */
  async waitStandbyAnswers(timeoutMs: number): Promise<DmResult> {
    const dm = await dmUntilAnswered({ host: this.ircdIp, bot: STANDBY_BOT, timeoutMs });
    await clearPairingRequests(this.standbyId).catch(() => undefined);
    return dm;
  }

  /** The standby bot left the server (quit seen by the test user, and WHOIS says gone). */
  async waitStandbyGone(since: number, timeoutMs: number): Promise<number> {
    if (!this.irc) throw new Error('no IRC on this pair');
    const left = await this.irc.waitForEvent(STANDBY_BOT, ['quit', 'part'], since, timeoutMs);
    if (await this.irc.online(STANDBY_BOT)) throw new Error(`${STANDBY_BOT} quit but is still on the server`);
    return left.at;
  }

  async botOnline(nick: string): Promise<boolean> {
    if (!this.irc) throw new Error('no IRC on this pair');
    return this.irc.online(nick);
  }

  status(): Promise<StatusDoc> {
    return this.project.status();
  }

  /** The primary answers its health probe on its published loopback port. */
  primaryHealthy(): Promise<boolean> {
    return this.answers(this.primaryId, '/healthz', 'ok');
  }

  async waitPrimaryHealthyFromHost(timeoutMs: number): Promise<number> {
    await waitFor('primary /healthz from the host', async () => (await this.primaryHealthy()) || undefined, { timeoutMs, intervalMs: 100 });
    return Date.now();
  }

  /** The primary's unauthenticated /readyz, as a PRIMARY_URL of .../readyz would ask it. */
  primaryReady(): Promise<boolean> {
    return this.answers(this.primaryId, '/readyz', 'ready');
  }

  /** The standby gateway's /readyz, asked directly on its published loopback port. */
  standbyReady(): Promise<boolean> {
    return this.answers(this.standbyId, '/readyz', 'ready');
  }

  async waitStandbyReady(timeoutMs: number): Promise<number> {
    await waitFor('standby /readyz 200 from the host', async () => (await this.standbyReady()) || undefined, { timeoutMs, intervalMs: 100 });
    return Date.now();
  }

  /** A gateway probe answered 200 with `{<field>: true}` (the body, not just the status, as the watcher reads it). */
  private async answers(containerId: string, path: string, field: 'ok' | 'ready'): Promise<boolean> {
    // Gateways with a channel are on internal networks only (no published port): the host
    // reaches them at their container address on the internal bridge.
    const port = (await this.publishedPort(containerId)) ?? (this.channels ? await containerIp(containerId).then((ip) => `${ip}:18789`, () => undefined) : undefined);
    if (!port) return false;
    try {
      const res = await fetch(`http://${port}${path}`, { signal: AbortSignal.timeout(1_000) });
      const body = (await res.json()) as Record<string, unknown>;
      return res.status === 200 && body[field] === true;
    } catch {
      return false;
    }
  }

  async standbyRunning(): Promise<boolean> {
    return (await this.project.containerState(this.standbyId)).running;
  }

  async waitStandbyStopped(timeoutMs: number): Promise<number> {
    await waitFor('standby gateway stopped', async () => !(await this.standbyRunning()) || undefined, { timeoutMs, intervalMs: 100 });
    return Date.now();
  }

  /** Steady state: watcher watching a healthy primary, standby gateway stopped. */
  async waitBaseline(timeoutMs: number): Promise<StatusDoc> {
    return waitFor('baseline: watching a healthy primary, standby stopped', async () => {
      const s = await this.status();
      if (s.phase !== 'watching' || s.primary.lastProbe?.ok !== true || s.primary.consecutiveSuccesses < 1) return undefined;
      return (await this.standbyRunning()) ? undefined : s;
    }, { timeoutMs, intervalMs: 500 });
  }

  /**
   * Undoes whatever fault a scenario left behind (a failed assertion must not cascade into the
   * next scenario): paused or stopped containers, the primary cut off the tailnet.
   */
  async restore(timeoutMs: number): Promise<void> {
    const tailnet = `${this.project.name}_tailnet`;
    for (const service of ['docker-relay', 'git-remote', 'watcher', 'openclaw-gateway']) {
      const id = await this.serviceId(service);
      const state = await this.project.containerState(id);
      if (state.paused) await run('docker', ['unpause', id]);
      else if (!state.running) await run('docker', ['start', id]);
    }
    const networks = await run('docker', ['inspect', '--format', '{{json .NetworkSettings.Networks}}', this.primaryId]);
    if (!(tailnet in (JSON.parse(networks.stdout) as Record<string, unknown>))) {
      await run('docker', ['network', 'connect', '--alias', 'openclaw-gateway', tailnet, this.primaryId]);
    }
    await this.waitPrimaryHealthyFromHost(timeoutMs);
    await this.waitBaseline(timeoutMs);
    if (this.irc) {
      // The baseline on the chat server too: the primary bot there, the standby bot not.
      await waitFor('primary bot on the server, standby bot gone', async () => (await this.botOnline(PRIMARY_BOT)) && !(await this.botOnline(STANDBY_BOT)), { timeoutMs, intervalMs: 1_000 });
    }
  }

  /** Pushes a commit to the workspace remote from the primary, as its workspace sync would. */
  async pushFromPrimary(mark: string): Promise<string> {
    const script = [
      'set -e',
      'rm -rf /tmp/ws',
      'git clone -q git://git-remote/workspace.git /tmp/ws',
      'cd /tmp/ws',
      `printf '%s\\n' "${mark}" >> memory.md`,
      'git add memory.md',
      `git -c user.name=primary -c user.email=primary@example.invalid commit -q -m "${mark}"`,
      'git push -q origin HEAD:main',
      'git rev-parse HEAD',
    ].join('\n');
    const out = await run('docker', ['exec', this.primaryId, 'sh', '-c', script], { timeoutMs: 60_000 });
    return out.stdout.trim().split('\n').at(-1) ?? '';
  }

  /** HEAD of the standby's workspace checkout, as the watcher left it. */
  async workspaceHead(): Promise<string> {
    const out = await run('docker', ['exec', this.project.watcherName, 'git', '-C', '/workspace', 'rev-parse', 'HEAD'], { timeoutMs: 15_000 });
    return out.stdout.trim();
  }

  /** When the standby gateway first had a lifecycle event of a kind after an instant (engine time, ms). */
  standbyEvent(action: string, since: number): number | undefined {
    return this.recorded(since).find((e) => e.action === action)?.at;
  }

  async waitStandbyEvent(action: string, since: number, timeoutMs: number): Promise<number> {
    return waitFor(`standby gateway event ${action}`, () => Promise.resolve(this.standbyEvent(action, since)), { timeoutMs, intervalMs: 100 });
  }

  /** Times the standby gateway was started by anyone between two instants. */
  standbyStarts(since: Date, until: Date): number {
    return this.recorded(since.getTime(), until.getTime()).filter((e) => e.action === 'start').length;
  }

  /** Intervals the standby gateway ran between two instants. */
  standbyRuns(since: Date, until: Date): Array<{ start: number; end: number }> {
    return runningIntervals(this.recorded(since.getTime(), until.getTime()), until.getTime());
  }

  private recorded(since: number, until?: number): DockerEvent[] {
    if (!this.standbyEvents) throw new Error('the pair is not up: no standby events recorded');
    return this.standbyEvents.between(since, until);
  }

  async serviceId(service: string): Promise<string> {
    return this.project.containerId(service);
  }

  async watcherLogLines(since: Date): Promise<Array<Record<string, unknown>>> {
    const out = await run('docker', ['logs', '--since', since.toISOString(), this.project.watcherName], { timeoutMs: 30_000 });
    return (out.stdout + out.stderr)
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => {
        try {
          return JSON.parse(l) as Record<string, unknown>;
        } catch {
          return {};
        }
      });
  }

  /** host:port the container's 18789 is published on (plain docker: compose's CLI is slow under load). */
  private async publishedPort(containerId: string): Promise<string | undefined> {
    const out = await run('docker', ['port', containerId, '18789/tcp'], { allowFailure: true });
    const port = out.stdout.trim().split('\n')[0];
    return out.code === 0 && port && !port.endsWith(':0') ? port : undefined;
  }
}

export function seconds(ms: number | undefined): string {
  return ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`;
}

// Misconfiguration is loud: a watcher given the wrong DOCKER_GID (the .env.example's 999 on a host
// whose socket group is another) cannot open the Docker socket. It must turn unhealthy within
// seconds, log one error naming DOCKER_GID with the socket's real group id, make `check` exit 2,
// and `docker compose up -d` must fail instead of leaving a standby gateway running that nothing
// would stop. Fixing DOCKER_GID and running `up -d` again must bring it all back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerSocketGid } from './support/engine.ts';
import { fakeStandbyEnv, FAKE_STANDBY_FILES } from './support/fake-standby.ts';
import { ComposeProject } from './support/compose-project.ts';
import { run, waitFor } from './support/run.ts';

interface LogLine {
  level: string;
  event?: string;
  msg?: string;
  lasting?: string;
  setting?: string;
  socketGid?: number;
}

describe('a watcher with the wrong DOCKER_GID', () => {
  let project: ComposeProject;
  let realGid: string;
  let wrongGid: string;
  let firstUp: { code: number; stdout: string; stderr: string };
  let upMs: number;

  beforeAll(async () => {
    realGid = await dockerSocketGid();
    wrongGid = realGid === '999' ? '998' : '999';
    project = new ComposeProject(`ocf-it-misconf-${process.env.OCF_TEST_TAG ?? 'test'}`, FAKE_STANDBY_FILES, await fakeStandbyEnv({ DOCKER_GID: wrongGid }));
    const began = Date.now();
    firstUp = await project.compose(['up', '-d', '--no-build', '--quiet-pull'], { allowFailure: true, timeoutMs: 240_000 });
    upMs = Date.now() - began;
  });

  afterAll(async () => {
    const logs = await project.logs('watcher');
    console.log(`--- watcher logs (${project.name}) ---\n${logs.split('\n').slice(-15).join('\n')}`);
    await project.down();
  });

  async function logLines(): Promise<LogLine[]> {
    return (await project.logs('watcher'))
      .split('\n')
      .filter((line) => line.includes('{"level"'))
      .map((line) => JSON.parse(line.slice(line.indexOf('{"level"'))) as LogLine);
  }

  async function health(): Promise<{ status: string; startedAt: string }> {
    const out = await run('docker', ['inspect', '--format', '{{.State.Health.Status}}|{{.State.StartedAt}}', project.watcherName]);
    const [status = '', startedAt = ''] = out.stdout.trim().split('|');
    return { status, startedAt };
  }

  it('docker compose up -d fails because the watcher is unhealthy, and the standby gateway is never started', async () => {
    expect(firstUp.code).not.toBe(0);
    expect(firstUp.stderr + firstUp.stdout).toMatch(/unhealthy/);
    const { status, startedAt } = await health();
    expect(status).toBe('unhealthy');
    const unhealthyAfterS = (Date.now() - Date.parse(startedAt)) / 1000;
    console.log(`[misconfig] up -d gave up after ${(upMs / 1000).toFixed(1)} s; watcher unhealthy at most ${unhealthyAfterS.toFixed(1)} s after its start`);
    expect(unhealthyAfterS).toBeLessThan(120);
    const standby = await run('docker', ['inspect', '--format', '{{.State.Running}}|{{.State.StartedAt}}', await project.containerId('openclaw-standby')]);
    const [running, standbyStartedAt = ''] = standby.stdout.trim().split('|');
    expect(running).toBe('false');
    expect(standbyStartedAt.startsWith('0001-01-01')).toBe(true);
  });

  it('logs one error naming DOCKER_GID and the socket\'s real group id, and no per-retry noise', async () => {
    const lines = await logLines();
    const unreachable = lines.filter((l) => l.event === 'docker-unreachable');
    expect(unreachable.filter((l) => l.lasting === 'started')).toHaveLength(1);
    const first = unreachable[0];
    expect(first?.level).toBe('error');
    expect(first?.setting).toBe('DOCKER_GID');
    expect(first?.socketGid).toBe(Number(realGid));
    expect(first?.msg).toContain(`DOCKER_GID=${realGid}`);
    expect(first?.msg).toContain('docker compose up -d watcher');
    expect(first?.msg).toMatch(new RegExp(`groups [0-9, ]*\\b${wrongGid}\\b`));
    // Reminders at most once a minute; the watcher has run for well under five.
    expect(unreachable.length).toBeLessThanOrEqual(5);
    const noisy = lines.filter((l) => (l.level === 'warn' || l.level === 'error') && (l.event === 'docker-retry' || l.event === 'gateway-inspect-failed' || l.event === 'docker-events-lost'));
    expect(noisy).toEqual([]);
  });

  it('status shows it and check exits 2 with the fix', async () => {
    const status = JSON.parse((await run('docker', ['exec', project.watcherName, 'openclaw-failover', 'status', '--json'])).stdout) as { docker: { reachable: boolean; setting: string; fix: string } };
    expect(status.docker).toMatchObject({ reachable: false, setting: 'DOCKER_GID' });
    expect(status.docker.fix).toContain(`DOCKER_GID=${realGid}`);
    const check = await run('docker', ['exec', project.watcherName, 'openclaw-failover', 'check'], { allowFailure: true });
    expect(check.code).toBe(2);
    expect(check.stdout).toMatch(/docker: {2}FAILED .*DOCKER_GID=\d+/);
    expect(check.stdout).toContain(`DOCKER_GID=${realGid}`);
  });

  it('with DOCKER_GID fixed, up -d succeeds, the watcher is healthy and stops the gateway up -d started', async () => {
    project.env.DOCKER_GID = realGid;
    await project.compose(['up', '-d', '--no-build', '--quiet-pull'], { timeoutMs: 240_000 });
    expect((await health()).status).toBe('healthy');
    const check = await run('docker', ['exec', project.watcherName, 'openclaw-failover', 'check'], { allowFailure: true });
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/gateway: ok: compose service "openclaw-standby"/);
    await waitFor('the stray standby gateway stopped', async () => {
      const state = await project.inspect('openclaw-standby');
      return state.running ? undefined : state;
    }, { timeoutMs: 30_000 });
    const status = (await project.status()) as unknown as { phase: string; docker: { reachable: boolean } };
    expect(status).toMatchObject({ phase: 'watching', docker: { reachable: true } });
  });
});

// The partition guard against a real network cut: the watcher, a fake primary and a witness share
// a network standing in for the tailnet. Cutting the WATCHER off (docker network disconnect) makes
// both the primary and the witness unreachable: the standby is the isolated one and must not
// promote. Cutting only the PRIMARY off leaves the witness answering: the standby must promote.
// The watcher reaches Docker through the mounted unix socket, which no network cut touches.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeStandbyEnv, FAKE_STANDBY_FILES } from './support/fake-standby.ts';
import { ComposeProject, runningIntervals, type StatusDoc } from './support/compose-project.ts';
import { run, waitFor } from './support/run.ts';

// Credentials in a witness URL must never reach /status or the logs.
const WITNESS_SECRET = 'witness-secret-4f9c1e';

describe('partition guard with a real network cut', () => {
  let project: ComposeProject;
  let network: string;
  let gatewayId: string;
  let primaryId: string;

  beforeAll(async () => {
    project = new ComposeProject(
      'ocf-guard',
      [...FAKE_STANDBY_FILES, 'test/fixtures/compose.witness.yml'],
      await fakeStandbyEnv({
        WITNESS_URLS: `http://probe:${WITNESS_SECRET}@witness:18789/`,
        WITNESS_TIMEOUT: '1',
        STOP_TIMEOUT: '5',
        LOG_LEVEL: 'debug',
      }),
    );
    network = `${project.name}_tailnet`;
    await project.up();
    gatewayId = await project.containerId('openclaw-standby');
    primaryId = await project.containerId('fake-primary');
    await project.waitForPhase('watching', 30_000);
    await waitFor('standby gateway stopped', async () => !(await project.inspect('openclaw-standby')).running, { timeoutMs: 10_000 });
  });

  afterAll(async () => {
    if (process.env.OCF_KEEP_LOGS !== '0') {
      const logs = await project.logs('watcher');
      console.log(`--- watcher logs (${project.name}) ---\n${logs.split('\n').slice(-60).join('\n')}`);
    }
    await project.down();
  });

  it('case A: the watcher cut off from the network sees neither primary nor witness, and does NOT promote', async () => {
    const cutAt = new Date();
    await run('docker', ['network', 'disconnect', network, project.watcherName]);
    try {
      // Two withheld checks in a row, at least a second apart: it keeps watching and re-checking.
      const first = await waitFor('a withheld promotion', async () => {
        const s = await project.status();
        return s.partitionGuard.lastCheck?.reachable === false ? s : undefined;
      }, { timeoutMs: 30_000, intervalMs: 250 });
      const second = await waitFor('a later withheld check', async () => {
        const s = await project.status();
        const last = s.partitionGuard.lastCheck;
        return last && last.reachable === false && Date.parse(last.at) - Date.parse(first.partitionGuard.lastCheck?.at ?? '') >= 1_000 ? s : undefined;
      }, { timeoutMs: 30_000, intervalMs: 250 });
      for (const s of [first, second]) {
        expect(s.phase).toBe('watching');
        expect(s.partitionGuard.configured).toBe(true);
        expect(s.partitionGuard.lastCheck?.reason).toContain('isolated one, NOT promoting');
      }
      expect(second.primary.consecutiveFailures).toBeGreaterThanOrEqual(3);
      console.log(`[partition A] ${second.primary.consecutiveFailures} failed probes, guard: ${second.partitionGuard.lastCheck?.reason}`);
      // The standby gateway never ran while the watcher was cut off.
      const runs = runningIntervals(await project.events(gatewayId, cutAt, new Date()), Date.now());
      expect(runs).toEqual([]);
      expect((await project.inspect('openclaw-standby')).running).toBe(false);
    } finally {
      await run('docker', ['network', 'connect', network, project.watcherName]);
    }
    // Back to normal: the primary answers again and nothing was promoted.
    const healed = await waitFor('primary healthy again', async () => {
      const s = await project.status();
      return s.primary.lastProbe?.ok === true && s.primary.consecutiveSuccesses >= 3 ? s : undefined;
    }, { timeoutMs: 30_000, intervalMs: 250 });
    expect(healed.phase).toBe('watching');
    expect(healed.lastTransition).toBeNull();
  });

  it('case B: only the primary cut off, the witness answers: promotes; and hands back once the primary is reachable', async () => {
    await run('docker', ['network', 'disconnect', network, primaryId]);
    let promoted: StatusDoc;
    try {
      promoted = await project.waitForPhase('promoted', 30_000);
    } finally {
      // Reconnect under the service name the watcher resolves (a bare connect would drop the alias).
      await run('docker', ['network', 'connect', '--alias', 'fake-primary', network, primaryId]);
    }
    expect((await project.inspect('openclaw-standby')).running).toBe(true);
    expect(promoted.partitionGuard.lastCheck?.reachable).toBe(true);
    expect(promoted.partitionGuard.lastCheck?.answered).toEqual(['http://***:***@witness:18789/']);
    expect(promoted.lastTransition).toMatchObject({ kind: 'promotion' });
    console.log(`[partition B] promoted; guard: ${promoted.partitionGuard.lastCheck?.reason}`);

    await project.waitForPhase('watching', 30_000);
    await waitFor('gateway stopped after demotion', async () => !(await project.inspect('openclaw-standby')).running, { timeoutMs: 10_000 });
  });

  it('never shows the witness credentials in /status or the logs', async () => {
    const status = await run('docker', ['exec', project.watcherName, 'openclaw-failover', 'status', '--json']);
    const logs = await project.logs('watcher');
    expect(logs).toContain('partition guard on');
    expect(status.stdout).not.toContain(WITNESS_SECRET);
    expect(logs).not.toContain(WITNESS_SECRET);
  });
});

// Manual control on a real engine: the project's compose files, the fake gateway, and the CLI
// driven as an operator drives it (docker exec <watcher> openclaw-failover <command>). One compose
// project for all steps; each step starts from where the previous one left the pair.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeStandbyEnv, FAKE_STANDBY_FILES } from './support/fake-standby.ts';
import { ComposeProject, runningIntervals, type StatusDoc } from './support/compose-project.ts';
import { run, waitFor, type RunResult } from './support/run.ts';

const FAIL_THRESHOLD = 3;
const RECOVER_THRESHOLD = 3;

describe('manual control through docker exec', () => {
  let project: ComposeProject;
  let gatewayId: string;
  let primaryId: string;

  /** Every command run through ctl(), as an operator's console would show it (the README's samples). */
  const transcript: string[] = [];
  const ctl = async (...args: string[]): Promise<RunResult> => {
    const r = await run('docker', ['exec', project.watcherName, 'openclaw-failover', ...args], { allowFailure: true, timeoutMs: 240_000 });
    const quoted = args.map((a) => (/\s/.test(a) ? `"${a}"` : a)).join(' ');
    transcript.push(`$ docker exec watcher openclaw-failover ${quoted}\n${r.stdout}${r.stderr}${r.code === 0 ? '' : `(exit ${r.code})\n`}`);
    return r;
  };
  const status = (): Promise<StatusDoc> => project.status();
  /** Waits until `n` more probes were counted, then returns the status. */
  const afterProbes = async (n: number): Promise<StatusDoc> => {
    const from = (await status()).watcher.probes;
    return waitFor(`${n} more probes`, async () => {
      const s = await status();
      return s.watcher.probes >= from + n ? s : undefined;
    }, { timeoutMs: 30_000 });
  };
  const gatewayRunning = async (): Promise<boolean> => (await project.inspect('openclaw-standby')).running;

  beforeAll(async () => {
    project = new ComposeProject('ocf-ctl', FAKE_STANDBY_FILES, await fakeStandbyEnv({
      FAIL_THRESHOLD: String(FAIL_THRESHOLD),
      RECOVER_THRESHOLD: String(RECOVER_THRESHOLD),
      STOP_TIMEOUT: '5',
    }));
    await project.up();
    gatewayId = await project.containerId('openclaw-standby');
    primaryId = await project.containerId('fake-primary');
    await project.waitForPhase('watching', 30_000);
    await waitFor('stray from up -d stopped', async () => !(await gatewayRunning()), { timeoutMs: 15_000 });
  });

  afterAll(async () => {
    console.log(`--- transcript ---\n${transcript.join('\n')}--- end of transcript ---`);
    if (process.env.OCF_KEEP_LOGS !== '0') {
      const logs = await project.logs('watcher');
      console.log(`--- watcher logs (${project.name}) ---\n${logs.split('\n').slice(-60).join('\n')}`);
    }
    await project.down();
  });

  it('the control socket is private to the watcher user: directory 0700, socket 0600', async () => {
    const r = await run('docker', ['exec', project.watcherName, 'stat', '-c', '%a %U %F', '/tmp/openclaw-failover', '/tmp/openclaw-failover/control.sock']);
    expect(r.stdout.trim().split('\n')).toEqual(['700 node directory', '600 node socket']);
  });

  it('explains unknown commands and an unreachable watcher, with non-zero exits', async () => {
    const unknown = await ctl('explode');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "explode"');
    const nowhere = await run('docker', ['exec', '-e', 'CONTROL_SOCKET=/tmp/nowhere.sock', project.watcherName, 'openclaw-failover', 'pause'], { allowFailure: true });
    expect(nowhere.code).toBe(1);
    expect(nowhere.stderr).toContain('no control socket at /tmp/nowhere.sock');
  });

  it('drill is refused without --yes, and explains what it would do', async () => {
    const r = await ctl('drill');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('openclaw-failover drill --yes');
    expect((await status()).lastDrill).toBeNull();
    expect(await gatewayRunning()).toBe(false);
  });

  it('drill --yes promotes, waits ready, demotes and prints the timings', async () => {
    const from = new Date();
    const r = await ctl('drill', '--yes');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/drill \d+ succeeded/);
    expect(r.stdout).toMatch(/timings: {2}sync \d+\.\ds, start \d+\.\ds, ready \d+\.\ds, stop \d+\.\ds/);
    const s = await status();
    expect(s.phase).toBe('watching');
    expect(s.lastDrill).toMatchObject({ status: 'succeeded' });
    expect(s.lastDrill?.timings.readyMs).toBeTypeOf('number');
    expect(await gatewayRunning()).toBe(false);
    // The gateway really ran once, for the drill.
    expect(runningIntervals(await project.events(gatewayId, from, new Date()), Date.now())).toHaveLength(1);
    console.log(`[drill] timings ${JSON.stringify(s.lastDrill?.timings)}`);
    const json = await ctl('status', '--json');
    expect((JSON.parse(json.stdout) as StatusDoc).lastDrill?.status).toBe('succeeded');
  });

  it('while paused, a dead primary is not failed over, and the pause survives a watcher restart; resume promotes', async () => {
    const paused = await ctl('pause', '--reason', 'primary kernel upgrade');
    expect(paused.code).toBe(0);
    expect((await status()).control).toMatchObject({ mode: 'paused', reason: 'primary kernel upgrade' });
    const pausedAt = new Date();

    await run('docker', ['stop', '-t', '1', primaryId]);
    const during = await waitFor('failures well past FAIL_THRESHOLD', async () => {
      const s = await status();
      return s.primary.consecutiveFailures >= FAIL_THRESHOLD + 3 ? s : undefined;
    }, { timeoutMs: 30_000 });
    expect(during.phase).toBe('watching');
    await ctl('status');

    const drill = await ctl('drill', '--yes');
    expect(drill.code).toBe(2);
    expect(drill.stderr).toContain('paused');

    await run('docker', ['restart', '-t', '5', project.watcherName]);
    const restarted = await waitFor('restarted watcher probing', async () => {
      const s = await status();
      return s.watcher.startedAt !== during.watcher.startedAt && s.primary.consecutiveFailures >= FAIL_THRESHOLD + 2 ? s : undefined;
    }, { timeoutMs: 45_000 });
    expect(restarted.control).toMatchObject({ mode: 'paused', reason: 'primary kernel upgrade' });
    expect(restarted.phase).toBe('watching');
    expect(await gatewayRunning()).toBe(false);
    // The engine's own record: the standby gateway never started during the pause.
    expect(runningIntervals(await project.events(gatewayId, pausedAt, new Date()), Date.now())).toHaveLength(0);

    const resumed = await ctl('resume');
    expect(resumed.code).toBe(0);
    const promoted = await project.waitForPhase('promoted', 30_000);
    expect(promoted.control.mode).toBe('auto');
    expect(await gatewayRunning()).toBe(true);
  });

  it('demote --reason holds the standby stopped against a dead primary until resume', async () => {
    const noReason = await ctl('demote');
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toContain('needs a reason');

    const r = await ctl('demote', '--reason', 'standby workspace is stale');
    expect(r.code).toBe(0);
    await project.waitForPhase('watching', 30_000);
    await waitFor('gateway stopped', async () => !(await gatewayRunning()), { timeoutMs: 15_000 });
    const held = await afterProbes(FAIL_THRESHOLD + 3);
    expect(held.phase).toBe('watching');
    expect(held.primary.consecutiveFailures).toBeGreaterThanOrEqual(FAIL_THRESHOLD + 3);
    expect(held.control).toMatchObject({ mode: 'override-demoted', reason: 'standby workspace is stale' });
    expect(await gatewayRunning()).toBe(false);
  });

  it('promote --reason holds the standby promoted against a healthy primary until resume', async () => {
    await run('docker', ['start', primaryId]);
    const r = await ctl('promote', '--reason', 'moving the primary to a new VPS');
    expect(r.code).toBe(0);
    await project.waitForPhase('promoted', 30_000);
    const held = await waitFor('healthy probes well past RECOVER_THRESHOLD', async () => {
      const s = await status();
      return s.primary.consecutiveSuccesses >= RECOVER_THRESHOLD + 3 ? s : undefined;
    }, { timeoutMs: 30_000 });
    expect(held.phase).toBe('promoted');
    expect(held.control).toMatchObject({ mode: 'override-promoted', reason: 'moving the primary to a new VPS' });
    expect(await gatewayRunning()).toBe(true);
    await ctl('status');

    const resumed = await ctl('resume', '--json');
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ ok: true });
    await project.waitForPhase('watching', 30_000);
    await waitFor('gateway stopped after resume', async () => !(await gatewayRunning()), { timeoutMs: 15_000 });
    expect((await status()).control.mode).toBe('auto');
  });
});

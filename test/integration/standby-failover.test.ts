// The standby project as users deploy it (docker-compose.yml + compose.standby.yml), on a real
// engine, with a fake primary on its own network and the fast fake gateway as openclaw-standby.
// The project is shared, but every test after the first starts from the same baseline (primary
// up, watcher watching, gateway stopped) and judges only what happened since its own start, so
// each can run alone (-t) and none depends on what an earlier one left behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeStandbyEnv, FAKE_STANDBY_FILES } from './support/fake-standby.ts';
import { ComposeProject, runningIntervals } from './support/compose-project.ts';
import { run, waitFor } from './support/run.ts';

const STRAY_LIMIT_MS = 2_000;

describe('standby watcher on a real Docker engine', () => {
  let project: ComposeProject;
  let gatewayId: string;
  let primaryId: string;
  const began = new Date();

  beforeAll(async () => {
    project = new ComposeProject('ocf-it', FAKE_STANDBY_FILES, await fakeStandbyEnv({
      STOP_TIMEOUT: '5',
      LOG_LEVEL: 'debug',
      // Hooks through the real image's /bin/sh; each fails if the watcher's environment leaked in.
      ON_PROMOTE: 'test -z "$PRIMARY_URL" && test -z "$OPENCLAW_GATEWAY_TOKEN" && echo "on-promote $OCF_EVENT in $OCF_PHASE: $OCF_REASON"',
      ON_DEMOTE: 'test -z "$PRIMARY_URL" && echo "on-demote $OCF_EVENT in $OCF_PHASE"',
      HOOK_TIMEOUT: '10',
      // Each test's promotion must not be held down by the cycles of the tests before it (or by a
      // false failover on a loaded host); flap damping has its own unit tests.
      FLAP_WINDOW: '0',
    }));
    await project.up();
    gatewayId = await project.containerId('openclaw-standby');
    primaryId = await project.containerId('fake-primary');
  });

  /** Primary up, watcher running and watching, standby gateway stopped; the time it holds from. */
  async function baseline(): Promise<Date> {
    if (!(await project.containerState(primaryId)).running) await run('docker', ['start', primaryId]);
    if (!(await project.containerState(project.watcherName)).running) await run('docker', ['start', project.watcherName]);
    // Generous: each status read is a `docker exec` of another Node process in the container.
    await project.waitForPhase('watching', 60_000);
    await waitFor('standby gateway stopped', async () => !(await project.containerState(gatewayId)).running, { timeoutMs: 15_000 });
    return new Date();
  }

  afterAll(async () => {
    if (process.env.OCF_KEEP_LOGS !== '0') {
      const logs = await project.logs('watcher');
      console.log(`--- watcher logs (${project.name}) ---\n${logs.split('\n').slice(-80).join('\n')}`);
    }
    await project.down();
  });

  // `up -d` starts the gateway right after the watcher's container, before the watcher's Node
  // process can see anything (seconds on a loaded host): the 2 s are counted from the watcher's
  // own start (/status watcher.startedAt), the time before it is logged.
  it('stops the standby gateway that `up -d` started within 2 s of the watcher starting, and settles watching', async () => {
    const status = await project.waitForPhase('watching', 60_000);
    await waitFor('standby gateway stopped', async () => !(await project.inspect('openclaw-standby')).running, { timeoutMs: 10_000 });
    expect(status.gateway.wanted).toBe(false);
    const watcherStart = Date.parse(status.watcher.startedAt);
    const runs = runningIntervals(await project.events(gatewayId, began, new Date()), Date.now());
    expect(runs.length).toBeGreaterThanOrEqual(1); // compose did start it
    for (const r of runs) expect(r.end - Math.max(r.start, watcherStart)).toBeLessThan(STRAY_LIMIT_MS);
    console.log(`[stray after up -d] ran ${runs.map((r) => `${Math.round(r.end - r.start)} ms (${Math.round(r.end - Math.max(r.start, watcherStart))} ms after the watcher started)`).join(', ')}`);
  });

  it('stops a hand-started standby gateway within 2 s while the primary is healthy', async () => {
    const from = await baseline();
    await run('docker', ['start', gatewayId]);
    await waitFor('hand-started gateway stopped', async () => !(await project.inspect('openclaw-standby')).running, { timeoutMs: 10_000 });
    const runs = runningIntervals(await project.events(gatewayId, from, new Date()), Date.now());
    expect(runs).toHaveLength(1);
    expect(runs[0]!.end - runs[0]!.start).toBeLessThan(STRAY_LIMIT_MS);
    console.log(`[stray hand-started] ran ${Math.round(runs[0]!.end - runs[0]!.start)} ms`);
  });

  it('promotes when the primary stops, and demotes when it is healthy again', async () => {
    await baseline();
    const stoppedAt = Date.now();
    await run('docker', ['stop', '-t', '1', primaryId]);
    const promoted = await project.waitForPhase('promoted', 30_000);
    const promotedSeenAt = Date.now();
    expect((await project.inspect('openclaw-standby')).running).toBe(true);
    expect(promoted.lastTransition).toMatchObject({ kind: 'promotion', outcome: 'succeeded' });
    expect(promoted.lastTransition?.timings.readyMs).toBeTypeOf('number');
    expect(promoted.lastTransition?.timings.hookMs).toBeTypeOf('number');
    const promoteHook = (promoted as unknown as { hooks: Record<string, { ok: boolean; exitCode: number; outputTail: string }> }).hooks.promote;
    expect(promoteHook).toMatchObject({ ok: true, exitCode: 0 });
    expect(promoteHook?.outputTail).toMatch(/^on-promote promote in promoting: 3 consecutive failed probes/);
    console.log(`[promotion] seen ${promotedSeenAt - stoppedAt} ms after docker stop; timings ${JSON.stringify(promoted.lastTransition?.timings)}`);

    const restartedAt = Date.now();
    await run('docker', ['start', primaryId]);
    const demoted = await project.waitForPhase('watching', 30_000);
    await waitFor('gateway stopped after demotion', async () => !(await project.inspect('openclaw-standby')).running, { timeoutMs: 10_000 });
    expect(demoted.lastTransition).toMatchObject({ kind: 'demotion', outcome: 'succeeded' });
    const demoteHook = (demoted as unknown as { hooks: Record<string, { ok: boolean; outputTail: string }> }).hooks.demote;
    expect(demoteHook).toMatchObject({ ok: true, outputTail: 'on-demote demote in demoting\n' });
    console.log(`[demotion] done ${Date.now() - restartedAt} ms after docker start; timings ${JSON.stringify(demoted.lastTransition?.timings)}`);
  });

  it('a watcher restarted while promoted keeps the gateway up without restarting it', async () => {
    await baseline();
    await run('docker', ['stop', '-t', '1', primaryId]);
    await project.waitForPhase('promoted', 30_000);
    const before = await project.inspect('openclaw-standby');
    const statusBefore = await project.status();
    expect(before.running).toBe(true);

    await run('docker', ['restart', '-t', '5', project.watcherName]);
    const after = await waitFor('restarted watcher reporting', async () => {
      const s = await project.status();
      return s.watcher.startedAt !== statusBefore.watcher.startedAt && s.watcher.probes >= 3 ? s : undefined;
    }, { timeoutMs: 30_000 });
    expect(after.phase).toBe('promoted');
    const gateway = await project.inspect('openclaw-standby');
    expect(gateway.running).toBe(true);
    expect(gateway.startedAt).toBe(before.startedAt); // not restarted

    await run('docker', ['start', primaryId]);
    await project.waitForPhase('watching', 30_000);
    await waitFor('gateway stopped after demotion', async () => !(await project.inspect('openclaw-standby')).running, { timeoutMs: 10_000 });
  });

  it('a watcher restarted while the primary is healthy stops a stray gateway it finds, within 2 s of its start', async () => {
    await baseline();
    // SIGTERM: the watcher exits 0 well within its 5 s budget, leaving the gateway as it is.
    const stopBegan = Date.now();
    await run('docker', ['stop', '-t', '10', project.watcherName]);
    const stopMs = Date.now() - stopBegan;
    const exitCode = (await run('docker', ['inspect', '--format', '{{.State.ExitCode}}', project.watcherName])).stdout.trim();
    expect(exitCode).toBe('0');
    expect(stopMs).toBeLessThan(5_000);
    console.log(`[sigterm] watcher stopped in ${stopMs} ms, exit code ${exitCode}`);
    const strayFrom = new Date();
    await run('docker', ['start', gatewayId]);
    const containerStart = Date.now();
    await run('docker', ['start', project.watcherName]);
    await waitFor('stray gateway stopped by the restarted watcher', async () => !(await project.containerState(gatewayId)).running, {
      timeoutMs: 30_000,
    });
    // Generous: each status read is a `docker exec` of another Node process in the container.
    const status = await project.waitForPhase('watching', 30_000);
    expect(status.gateway.wanted).toBe(false);
    // The stray's run as the engine recorded it, against the restarted watcher's own start: what
    // came before (Node booting in the container, seconds on a loaded host) no watcher can help.
    const runs = runningIntervals(await project.events(gatewayId, strayFrom, new Date()), Date.now());
    expect(runs).toHaveLength(1);
    const watcherStart = Date.parse(status.watcher.startedAt);
    const afterStart = runs[0]!.end - Math.max(runs[0]!.start, watcherStart);
    console.log(`[stray at watcher start] stopped ${Math.round(runs[0]!.end - containerStart)} ms after docker start of the watcher, ${Math.round(afterStart)} ms after the watcher started`);
    expect(afterStart).toBeLessThan(STRAY_LIMIT_MS);
  });

  it('the watcher runs with least privilege: non-root, read-only root fs, no capabilities, no-new-privileges', async () => {
    const out = await run('docker', ['inspect', '--format', '{{json .HostConfig}}|{{json .Config.User}}', project.watcherName]);
    const [hostConfigJson, userJson] = out.stdout.trim().split('|');
    const hostConfig = JSON.parse(hostConfigJson ?? '{}') as { ReadonlyRootfs: boolean; CapDrop: string[] | null; CapAdd: string[] | null; SecurityOpt: string[] | null; Privileged: boolean; Tmpfs: Record<string, string> | null };
    expect(hostConfig.ReadonlyRootfs).toBe(true);
    expect(hostConfig.CapDrop).toEqual(['ALL']);
    expect(hostConfig.CapAdd ?? []).toEqual([]);
    expect(hostConfig.Privileged).toBe(false);
    expect(hostConfig.SecurityOpt).toContain('no-new-privileges:true');
    expect(Object.keys(hostConfig.Tmpfs ?? {})).toEqual(['/tmp']);
    expect(JSON.parse(userJson ?? '""')).toBe('node');
    // What the kernel says about the running process, not just what was asked for.
    const ids = await run('docker', ['exec', project.watcherName, 'id', '-u']);
    expect(ids.stdout.trim()).toBe('1000');
    const status = await run('docker', ['exec', project.watcherName, 'grep', '-E', '^(CapEff|NoNewPrivs):', '/proc/1/status']);
    expect(status.stdout).toMatch(/CapEff:\s+0000000000000000/);
    expect(status.stdout).toMatch(/NoNewPrivs:\s+1/);
    const write = await run('docker', ['exec', project.watcherName, 'touch', '/app/x'], { allowFailure: true });
    expect(write.code).not.toBe(0);
    expect(write.stderr).toMatch(/Read-only file system/);
    // /tmp is writable for the watcher's user (the control socket lives under it).
    await run('docker', ['exec', project.watcherName, 'sh', '-c', 'mkdir -p /tmp/ocf-it && rmdir /tmp/ocf-it']);
  });

  it('the shared workspace volume is writable by the gateway user (uid 1000) in both containers', async () => {
    const owner = await run('docker', ['exec', project.watcherName, 'stat', '-c', '%u', '/workspace']);
    expect(owner.stdout.trim()).toBe('1000');
  });

  // The same promise audited from the engine's own record, over this test's own window: every run
  // of the standby gateway while the primary is up and the watcher runs is shorter than 2 s. A
  // stray started while no watcher runs cannot be stopped before the watcher is up; that case is
  // bounded from the watcher's start in the test above, not here.
  it('never lets the standby gateway run 2 s or longer while the primary is up and the watcher runs (engine events)', async () => {
    const from = await baseline();
    const HAND_STARTS = 3;
    for (let i = 1; i <= HAND_STARTS; i++) {
      await run('docker', ['start', gatewayId]);
      await waitFor(`hand start ${i} stopped`, async () => !(await project.containerState(gatewayId)).running, { timeoutMs: 10_000 });
    }
    const until = new Date();
    // The premise held throughout: neither the primary nor the watcher stopped in this window.
    expect((await project.events(primaryId, from, until)).filter((e) => e.action === 'die')).toEqual([]);
    expect((await project.events(project.watcherName, from, until)).filter((e) => e.action === 'die')).toEqual([]);
    const runs = runningIntervals(await project.events(gatewayId, from, until), until.getTime());
    expect(runs).toHaveLength(HAND_STARTS); // exactly the starts made here, each ended
    const durations = runs.map((r) => Math.round(r.end - r.start));
    console.log(`[stray audit] ${HAND_STARTS} hand starts ran ${durations.join(', ')} ms`);
    for (const ms of durations) expect(ms).toBeLessThan(STRAY_LIMIT_MS);
  });
});

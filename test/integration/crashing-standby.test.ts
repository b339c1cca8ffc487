// A standby gateway that crashes while booting (a broken config, a plugin that throws at start-up)
// is seen at once, from the container's exit on the engine's events stream, with the last lines of
// its log in the reason, not after PROMOTE_READY_TIMEOUT. The fake gateway stands in: with
// FAKE_EXIT_AFTER_MS it logs why and exits 1 0.8 s into every boot.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeStandbyEnv, FAKE_STANDBY_FILES } from './support/fake-standby.ts';
import { ComposeProject } from './support/compose-project.ts';
import { run, waitFor } from './support/run.ts';

// Far longer than the crash takes to be seen: a wait that ran into it would fail the test.
const PROMOTE_READY_TIMEOUT_S = 300;

describe('a standby gateway that crashes while booting', () => {
  let project: ComposeProject;

  beforeAll(async () => {
    project = new ComposeProject('ocf-crash', [...FAKE_STANDBY_FILES, 'test/fixtures/compose.crashing-standby.yml'], await fakeStandbyEnv({
      PROMOTE_READY_TIMEOUT: String(PROMOTE_READY_TIMEOUT_S),
      FLAP_WINDOW: '0',
    }));
    await project.up();
    await project.waitForPhase('watching', 60_000);
  });

  afterAll(async () => {
    const logs = await project.logs('watcher');
    console.log(`--- watcher logs (${project.name}) ---\n${logs.split('\n').slice(-30).join('\n')}`);
    await project.down();
  });

  it('ends the promotion at the exit, degraded, with the exit code and the log tail in the reason', async () => {
    const primaryId = await project.containerId('fake-primary');
    const stoppedAt = Date.now();
    await run('docker', ['stop', '-t', '1', primaryId]);
    const status = await waitFor('the promotion to finish', async () => {
      const s = await project.status();
      return s.lastTransition?.kind === 'promotion' && s.lastTransition.finishedAt ? s : undefined;
    }, { timeoutMs: 120_000, intervalMs: 250 });
    const t = status.lastTransition!;
    expect(t.outcome).toBe('degraded');
    const problem = t.problems.find((p) => p.includes('exited'));
    expect(problem).toMatch(/gateway not ready: the standby gateway exited with code 1 while booting; last log lines: .*plugin failed to load/);
    // Finished from the exit, not from the bound: well inside PROMOTE_READY_TIMEOUT.
    const waitedMs = Date.parse(t.finishedAt!) - Date.parse(t.startedAt!);
    expect(waitedMs).toBeLessThan((PROMOTE_READY_TIMEOUT_S * 1000) / 3);
    console.log(`[crash while booting] seen ${waitedMs} ms after the start (${Date.now() - stoppedAt} ms after the primary stopped): ${problem}`);
  });
});

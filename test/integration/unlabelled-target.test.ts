// The watcher touches only the one labelled container it is configured for: pointed at a container
// without the openclaw-failover.role label (GATEWAY_CONTAINER), it says so and never starts or stops
// it, not even on promotion; the labelled standby gateway it was not pointed at is left alone too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeStandbyEnv, FAKE_STANDBY_FILES } from './support/fake-standby.ts';
import { ComposeProject } from './support/compose-project.ts';
import { run, waitFor } from './support/run.ts';

describe('a GATEWAY_CONTAINER without the project label', () => {
  let project: ComposeProject;
  let decoy: string;
  const began = new Date();

  beforeAll(async () => {
    const files = [...FAKE_STANDBY_FILES, 'test/fixtures/compose.unlabelled-decoy.yml'];
    project = new ComposeProject('ocf-it-decoy', files, await fakeStandbyEnv({
      PROMOTE_READY_TIMEOUT: '5',
    }));
    decoy = `${project.name}-decoy`;
    project.env.DECOY_CONTAINER_NAME = decoy;
    project.env.GATEWAY_CONTAINER = decoy;
    await project.up();
  });

  afterAll(async () => {
    const logs = await project.logs('watcher');
    console.log(`--- watcher logs (${project.name}) ---\n${logs.split('\n').slice(-30).join('\n')}`);
    await project.down();
  });

  /** The `msg` of every JSON line the watcher logged. */
  async function logMessages(): Promise<string[]> {
    // compose may prefix lines with a terminal "erase line" sequence; the JSON starts at the first brace.
    return (await project.logs('watcher'))
      .split('\n')
      .filter((line) => line.includes('{"level"'))
      .map((line) => (JSON.parse(line.slice(line.indexOf('{"level"'))) as { msg?: string }).msg ?? '');
  }

  it('logs the refusal and leaves the running, unlabelled container running', async () => {
    const refusal = `refusing to manage container "${decoy}": it lacks the label openclaw-failover.role=standby-gateway`;
    await waitFor('the refusal in the watcher log', async () => (await logMessages()).some((m) => m.includes(refusal)), { timeoutMs: 30_000 });
    const before = await project.containerState(decoy);
    expect(before.running).toBe(true);
    // Longer than the 5 s safety-net resync, with a dozen probes of a healthy primary in between.
    await new Promise((r) => setTimeout(r, 7_000));
    const after = await project.containerState(decoy);
    expect(after).toMatchObject({ running: true, startedAt: before.startedAt });
    const status = await project.status();
    expect(status.phase).toBe('watching');
    expect(status.dockerProblem?.error).toContain('refusing to manage container');
  });

  it('does not start it on promotion: the promotion fails and says why', async () => {
    await run('docker', ['stop', '-t', '1', decoy]);
    const stoppedAt = new Date();
    await run('docker', ['stop', '-t', '1', await project.containerId('fake-primary')]);
    const failed = await waitFor('a failed promotion', async () => {
      const status = await project.status();
      return status.lastTransition?.kind === 'promotion' && status.lastTransition.outcome === 'failed' ? status : undefined;
    }, { timeoutMs: 30_000 });
    expect(failed.lastTransition?.problems.join(' ')).toContain(`refusing to manage container "${decoy}"`);
    expect((await project.containerState(decoy)).running).toBe(false);
    // The engine's own record: nothing started the decoy after we stopped it.
    const events = await project.events(decoy, stoppedAt, new Date());
    expect(events.filter((e) => e.action === 'start')).toEqual([]);
  });

  it('never touched the labelled standby gateway it was not configured for', async () => {
    const standby = await project.containerId('openclaw-standby');
    const events = await project.events(standby, began, new Date());
    // compose created and started it; nobody stopped, killed or restarted it since.
    expect(events.map((e) => e.action).filter((a) => ['stop', 'kill', 'die', 'restart'].includes(a))).toEqual([]);
    expect((await project.containerState(standby)).running).toBe(true);
  });
});

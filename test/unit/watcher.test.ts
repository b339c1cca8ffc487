// The Watcher over fake adapters (watcher-fakes.ts): what it asks the adapters to do and in which
// order, concurrent inspects, a stop in the middle of a promotion, and a promotion or demotion step
// that throws (the phase must still converge, never stay promoting / demoting for good).
import { afterEach, describe, expect, it } from 'vitest';
import { gate, healthy, phase, probe, refused, settle, startWorld, type Gate, type World } from './watcher-fakes.ts';

let world: World | undefined;

afterEach(async () => {
  await world?.watcher.stop();
  await world?.running;
  world = undefined;
});

async function started(options?: Parameters<typeof startWorld>[0]): Promise<World> {
  world = startWorld(options);
  const w = world;
  await settle('the first probe to be asked for', () => w.primary.starved);
  return w;
}

async function failTimes(w: World, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await probe(w, refused);
}

async function healthyTimes(w: World, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await probe(w, healthy);
}

describe('Watcher: dispatch and ordering', () => {
  it('runs a failover in order: sync, ON_PROMOTE, start, readiness, then on recovery stop and ON_DEMOTE; each phase persisted', async () => {
    const w = await started();
    w.hooks.behaviour = { promote: 'ok', demote: 'ok' };
    expect(w.gateway.calls).toEqual(['inspect']);
    await failTimes(w, 2);
    expect(w.workspace.syncs).toBe(0);

    await probe(w, refused);
    await settle('promoted', () => phase(w) === 'promoted');
    expect(w.workspace.syncs).toBe(1);
    expect(w.hooks.runs).toEqual(['promote']);
    expect(w.gateway.calls).toEqual(['inspect', 'start', 'started']);
    expect(w.readyCalls).toBe(1);
    // The first save is the start itself (nothing was persisted before).
    expect(w.store.phases).toEqual(['watching', 'promoting', 'promoted']);
    expect(w.watcher.snapshot().state.transition).toMatchObject({ kind: 'promotion', outcome: 'succeeded', hookMs: 7 });

    await healthyTimes(w, 3);
    await settle('watching again', () => phase(w) === 'watching');
    expect(w.gateway.calls).toEqual(['inspect', 'start', 'started', 'stop(10)', 'stopped']);
    expect(w.hooks.runs).toEqual(['promote', 'demote']);
    expect(w.store.phases).toEqual(['watching', 'promoting', 'promoted', 'demoting', 'watching']);
    // One log line per decision, in order.
    const events = w.log.lines().map((l) => l.event);
    expect(events.filter((e) => ['promote', 'promoted', 'demote', 'demoted'].includes(e as string))).toEqual(['promote', 'promoted', 'demote', 'demoted']);
  });

  /** A stray found at start whose stop is held open, and the first probe asked for. */
  async function strayStopHeld(): Promise<{ w: World; stop: Gate }> {
    world = startWorld({ gatewayRunning: true, failThreshold: 1 });
    const w = world;
    const stop = gate();
    w.gateway.holdStop = stop;
    await settle('the stray stop to be issued', () => w.gateway.calls.includes('stop(1)'));
    await settle('the first probe to be asked for', () => w.primary.starved);
    return { w, stop };
  }

  it('a stray stop still under way is finished before the promotion starts the gateway', async () => {
    const { w, stop } = await strayStopHeld();

    await probe(w, refused);
    await settle('the promotion to sync', () => w.workspace.syncs === 1);
    // The start is queued behind the stop, not sent next to it.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(w.gateway.calls).toEqual(['inspect', 'stop(1)']);

    stop.open();
    await settle('promoted', () => phase(w) === 'promoted');
    expect(w.gateway.calls).toEqual(['inspect', 'stop(1)', 'stopped', 'start', 'started']);
  });

  it('the primary back before a queued switch-on: the promotion is cancelled and the standby never serves', async () => {
    const { w, stop } = await strayStopHeld();
    await probe(w, refused);
    await settle('the promotion to sync', () => w.workspace.syncs === 1);
    // The switch-on waits in the container queue behind the stray stop; the primary comes back.
    await healthyTimes(w, 3);
    await settle('demoting', () => phase(w) === 'demoting');
    stop.open();
    await settle('watching again', () => phase(w) === 'watching');
    expect(w.gateway.calls).toEqual(['inspect', 'stop(1)', 'stopped', 'stop(10)', 'stopped']);
    expect(w.store.phases).toEqual(['watching', 'promoting', 'demoting', 'watching']);
    const events = w.log.lines().map((l) => l.event);
    expect(events).toContain('promotion-cancelled');
    expect(events).toContain('promotion-aborted');
    expect(events).not.toContain('promoted');
  });

  it('the primary back while the started standby is not ready yet: the wait is aborted and the demotion stops it', async () => {
    const w = await started();
    w.holdReady = gate();
    await failTimes(w, 3);
    await settle('waiting for readiness', () => w.readyCalls === 1);
    await healthyTimes(w, 3);
    await settle('watching again', () => phase(w) === 'watching');
    expect(w.gateway.calls).toEqual(['inspect', 'start', 'started', 'stop(10)', 'stopped']);
    expect(w.store.phases).toEqual(['watching', 'promoting', 'demoting', 'watching']);
    expect(w.watcher.snapshot().state.transition).toMatchObject({ kind: 'demotion', outcome: 'succeeded' });
  });

  it('a command is answered by decide() and its actions carried out: pause persists the mode, nothing starts', async () => {
    const w = await started();
    const reply = w.watcher.command({ name: 'pause', reason: 'kernel upgrade' });
    expect(reply).toMatchObject({ accepted: true });
    expect(w.store.saves.at(-1)?.control?.mode).toMatchObject({ kind: 'paused', reason: 'kernel upgrade' });
    await failTimes(w, 4);
    expect(phase(w)).toBe('watching');
    expect(w.gateway.calls).toEqual(['inspect']);
  });
});

describe('Watcher: overlapping resyncs', () => {
  it('a slow inspect answered after a newer one is dropped: it cannot undo what the newer one saw', async () => {
    const w = await started();
    const slow = gate<boolean>();
    const fast = gate<boolean>();
    w.gateway.holdInspect = [slow, fast];
    w.gateway.emit('start');
    w.gateway.emit('die');
    await settle('both inspects asked', () => w.gateway.calls.filter((c) => c === 'inspect').length === 3);
    fast.open(false);
    await settle('the newer answer used', () => w.watcher.snapshot().state.gatewayRunning === false);
    slow.open(true); // stale: the container ran when the first event came, not any more
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(w.watcher.snapshot().state.gatewayRunning).toBe(false);
    expect(w.gateway.calls.some((c) => c.startsWith('stop'))).toBe(false);
  });

  it('a burst of events while a stray runs stops it once, not once per inspect', async () => {
    const w = await started();
    const stop = gate();
    w.gateway.holdStop = stop;
    w.gateway.running = true;
    for (const action of ['create', 'start', 'start']) w.gateway.emit(action);
    await settle('three inspects answered', () => w.gateway.calls.filter((c) => c === 'inspect').length === 4);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(w.gateway.calls.filter((c) => c.startsWith('stop'))).toEqual(['stop(1)']);
    stop.open();
    await settle('the stray stopped', () => w.watcher.snapshot().state.pendingGatewayAction === null);
  });
});

describe('Watcher: stop in the middle of a promotion', () => {
  it('abandons the readiness wait, reports nothing, leaves the gateway running and the phase persisted as promoting', async () => {
    const w = await started();
    w.holdReady = gate();
    await failTimes(w, 3);
    await settle('waiting for readiness', () => w.readyCalls === 1);
    expect(phase(w)).toBe('promoting');

    await w.watcher.stop();
    await w.running;
    expect(phase(w)).toBe('promoting');
    expect(w.store.phases).toEqual(['watching', 'promoting']);
    expect(w.gateway.calls).toEqual(['inspect', 'start', 'started']);
    expect(w.gateway.running).toBe(true);
  });
});

describe('Watcher: a step that throws still ends its transition', () => {
  it('a workspace adapter that throws: the promotion fails like a failed start and is retried later, not stuck in promoting', async () => {
    const w = await started();
    w.workspace.outcome = () => Promise.reject(new Error('simple-git exploded'));
    await failTimes(w, 3);
    await settle('the promotion to end', () => phase(w) !== 'promoting');
    const { state } = w.watcher.snapshot();
    expect(state.phase).toBe('watching');
    expect(state.promotionFailures).toBe(1);
    expect(state.transition).toMatchObject({ kind: 'promotion', outcome: 'failed' });
    expect(state.transition?.problems.at(-1)).toContain('simple-git exploded');
    expect(w.store.phases).toEqual(['watching', 'promoting', 'watching']);
    expect(w.log.lines().map((l) => l.event)).toContain('internal-error');
  });

  it('readiness that throws after the start: promoted, degraded, with the error as its problem', async () => {
    const w = await started();
    w.readyThrows = new Error('readiness probe bug');
    await failTimes(w, 3);
    await settle('the promotion to end', () => phase(w) !== 'promoting');
    const { state } = w.watcher.snapshot();
    expect(state.phase).toBe('promoted');
    expect(state.transition).toMatchObject({ kind: 'promotion', outcome: 'degraded' });
    expect(state.transition?.problems.at(-1)).toContain('readiness probe bug');
  });

  it('an ON_DEMOTE runner that throws after the stop: watching, the demotion degraded', async () => {
    const w = await started();
    w.hooks.behaviour = { demote: 'throw' };
    await failTimes(w, 3);
    await settle('promoted', () => phase(w) === 'promoted');
    await healthyTimes(w, 3);
    await settle('the demotion to end', () => phase(w) !== 'demoting');
    const { state } = w.watcher.snapshot();
    expect(state.phase).toBe('watching');
    expect(state.transition).toMatchObject({ kind: 'demotion', outcome: 'degraded' });
    expect(state.transition?.problems.at(-1)).toContain('hook runner bug in demote');
    expect(w.gateway.running).toBe(false);
  });
});

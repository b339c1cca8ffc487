// Fake adapters for Watcher unit tests: a scripted primary, a container that records every call
// (and can be made to block or fail), a workspace, hooks, a state store, and a virtual clock whose
// sleeps end only when the test advances it. Nothing here touches the network or Docker.
import { createColdServing } from '../../src/serving/serving-switch.ts';
import type { Phase, Transition } from '../../src/decision/model.ts';
import type { ContainerEvent } from '../../src/docker/container-events.ts';
import type { GatewayControl } from '../../src/docker/gateway-control.ts';
import type { LocatedGateway } from '../../src/docker/gateway-target.ts';
import type { SyncOutcome, WorkspaceSync } from '../../src/git/workspace-sync.ts';
import type { HookEvent, HookOutcome } from '../../src/hooks/run-hook.ts';
import type { TransitionHooks } from '../../src/hooks/transition-hooks.ts';
import type { Probe, ProbeResult } from '../../src/probe/probe-result.ts';
import type { PersistedControl, PersistedState, StateStore } from '../../src/watcher/state-store.ts';
import type { ReadyOutcome } from '../../src/watcher/wait-ready.ts';
import { POLICY_DEFAULTS } from '../../src/decision/policy-defaults.ts';
import { Watcher, type WatcherDeps } from '../../src/watcher/watcher.ts';
import { capturingLogger } from './local-receiver.ts';

export const T0 = Date.UTC(2026, 0, 1, 3, 0, 0);
export const CHECK_INTERVAL_MS = 1_000;

/** A promise the test settles from outside. */
export interface Gate<T = void> {
  promise: Promise<T>;
  open: (value: T) => void;
  fail: (error: unknown) => void;
}

export function gate<T = void>(): Gate<T> {
  let open!: (value: T) => void;
  let fail!: (error: unknown) => void;
  const promise = new Promise<T>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

/** Virtual time: `now()` moves only by `advance`; a sleep ends when the clock passes its end, or on abort. */
export class FakeClock {
  private time = T0;
  private sleepers: Array<{ until: number; wake: () => void }> = [];

  now = (): number => this.time;

  sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise<void>((resolve) => {
      const sleeper = { until: this.time + ms, wake: resolve };
      this.sleepers.push(sleeper);
      signal?.addEventListener('abort', () => resolve(), { once: true });
    });

  /** Moves time on and wakes every sleeper whose end has come. */
  advance(ms: number): void {
    this.time += ms;
    const due = this.sleepers.filter((s) => s.until <= this.time);
    this.sleepers = this.sleepers.filter((s) => s.until > this.time);
    for (const s of due) s.wake();
  }
}

export const healthy = (at: number): ProbeResult => ({ ok: true, status: 200, latencyMs: 5, startedAt: at - 5 });
export const refused = (at: number): ProbeResult => ({ ok: false, reason: 'refused', detail: 'connect ECONNREFUSED', latencyMs: 5, startedAt: at - 5 });

/** The primary: each probe waits for the next scripted answer (or the abort). */
export class ScriptedProbe implements Probe {
  probes = 0;
  private queue: Array<(at: number) => ProbeResult> = [];
  private waiting: (() => void) | undefined;

  private readonly clock: FakeClock;

  constructor(clock: FakeClock) {
    this.clock = clock;
  }

  answer(...results: Array<(at: number) => ProbeResult>): void {
    this.queue.push(...results);
    this.waiting?.();
  }

  /** True while the loop waits for an answer the script does not have yet. */
  get starved(): boolean {
    return this.waiting !== undefined;
  }

  async probe(signal?: AbortSignal): Promise<ProbeResult> {
    while (this.queue.length === 0) {
      if (signal?.aborted) return refused(this.clock.now());
      await new Promise<void>((resolve) => {
        this.waiting = resolve;
        signal?.addEventListener('abort', () => resolve(), { once: true });
      });
      this.waiting = undefined;
    }
    this.probes++;
    const next = this.queue.shift() as (at: number) => ProbeResult;
    return next(this.clock.now());
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** The standby container: records calls in order; start/stop/inspect may be held or made to fail. */
export class FakeGateway implements GatewayControl {
  running: boolean;
  calls: string[] = [];
  /** When set, the next start / stop / inspect waits for it (each is used once). */
  holdStart: Gate | undefined;
  holdStop: Gate | undefined;
  holdInspect: Gate<boolean>[] = [];
  failStart: Error | undefined;
  private onEvent: ((event: ContainerEvent) => void) | undefined;

  constructor(running = false) {
    this.running = running;
  }

  logTail(): Promise<string> {
    this.calls.push('logTail');
    return Promise.resolve('');
  }

  async inspect(): Promise<LocatedGateway> {
    this.calls.push('inspect');
    const held = this.holdInspect.shift();
    const running = held ? await held.promise : this.running;
    return located(running);
  }

  async start(): Promise<LocatedGateway> {
    this.calls.push('start');
    const held = this.holdStart;
    this.holdStart = undefined;
    if (held) await held.promise;
    if (this.failStart) throw this.failStart;
    this.running = true;
    this.calls.push('started');
    return located(true);
  }

  async stop(timeoutSeconds: number): Promise<void> {
    this.calls.push(`stop(${timeoutSeconds})`);
    const held = this.holdStop;
    this.holdStop = undefined;
    if (held) await held.promise;
    this.running = false;
    this.calls.push('stopped');
  }

  watch(onEvent: (event: ContainerEvent) => void, signal: AbortSignal): Promise<void> {
    this.onEvent = onEvent;
    return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  }

  /** A Docker event, as the engine would send it. */
  emit(action: string): void {
    this.onEvent?.({ action, id: 'c0ffee', name: 'standby', exitCode: undefined, at: 0 });
  }
}

function located(running: boolean): LocatedGateway {
  return { id: 'c0ffee', name: 'standby', running, status: running ? 'running' : 'exited', startedAt: '', labels: {} };
}

export class FakeWorkspace implements WorkspaceSync {
  syncs = 0;
  outcome: SyncOutcome | (() => Promise<SyncOutcome>) = { ok: true, summary: 'up to date', head: 'abc123' };

  async sync(): Promise<SyncOutcome> {
    this.syncs++;
    return typeof this.outcome === 'function' ? this.outcome() : this.outcome;
  }
}

export class FakeHooks implements TransitionHooks {
  runs: HookEvent[] = [];
  behaviour: Partial<Record<HookEvent, 'ok' | 'fail' | 'throw'>> = {};

  run(event: HookEvent): Promise<HookOutcome | undefined> {
    this.runs.push(event);
    const how = this.behaviour[event];
    if (how === undefined) return Promise.resolve(undefined);
    if (how === 'throw') return Promise.reject(new Error(`hook runner bug in ${event}`));
    const ok = how === 'ok';
    return Promise.resolve({ event, ok, exitCode: ok ? 0 : 3, signal: null, timedOut: false, durationMs: 7, output: ok ? 'fine' : 'boom', truncated: false });
  }
}

export class MemoryStore implements StateStore {
  saves: Array<{ phase: Phase; transition: Transition | null; control?: PersistedControl }> = [];

  private readonly restored: PersistedState | null;

  constructor(restored: PersistedState | null = null) {
    this.restored = restored;
  }

  load(): Promise<{ state: PersistedState | null }> {
    return Promise.resolve({ state: this.restored });
  }

  save(phase: Phase, transition: Transition | null, control?: PersistedControl): Promise<void> {
    this.saves.push({ phase, transition, control });
    return Promise.resolve();
  }

  get phases(): Phase[] {
    return this.saves.map((s) => s.phase);
  }
}

/** One watcher over fresh fakes; readiness answers from `ready` (a gate the test may hold). */
export interface World {
  watcher: Watcher;
  clock: FakeClock;
  primary: ScriptedProbe;
  gateway: FakeGateway;
  workspace: FakeWorkspace;
  hooks: FakeHooks;
  store: MemoryStore;
  log: ReturnType<typeof capturingLogger>;
  readyCalls: number;
  /** When set, the next readiness wait waits for it (or the abort). */
  holdReady: Gate<ReadyOutcome> | undefined;
  /** When set, readiness throws this (a bug in the readiness adapter). */
  readyThrows: Error | undefined;
  running: Promise<void>;
}

export function startWorld(options: { gatewayRunning?: boolean; restored?: PersistedState | null; failThreshold?: number } = {}): World {
  const clock = new FakeClock();
  const log = capturingLogger();
  const world = {
    clock,
    primary: new ScriptedProbe(clock),
    gateway: new FakeGateway(options.gatewayRunning ?? false),
    workspace: new FakeWorkspace(),
    hooks: new FakeHooks(),
    store: new MemoryStore(options.restored ?? null),
    log,
    readyCalls: 0,
    holdReady: undefined,
    readyThrows: undefined,
  } as Omit<World, 'watcher' | 'running'> as World;
  const deps: WatcherDeps = {
    settings: {
      policy: { ...POLICY_DEFAULTS, failThreshold: options.failThreshold ?? 3, minPromotedMs: 0, flapWindowMs: 0 },
      checkIntervalMs: CHECK_INTERVAL_MS,
      stopTimeoutMs: 10_000,
      strayStopTimeoutMs: 1_000,
      // Never due within a test: resyncs come from startup and events only.
      resyncIntervalMs: 1e12,
    },
    primary: world.primary,
    // The cold serving switch over the fake container: what the watcher has always done.
    serving: createColdServing(world.gateway, async (signal) => {
      world.readyCalls++;
      if (world.readyThrows) throw world.readyThrows;
      const held = world.holdReady;
      world.holdReady = undefined;
      if (!held) return { ok: true, at: clock.now(), attempts: 1 };
      return Promise.race([
        held.promise,
        new Promise<ReadyOutcome>((resolve) => signal.addEventListener('abort', () => resolve({ ok: false, at: clock.now(), error: 'aborted', attempts: 1 }), { once: true })),
      ]);
    }),
    workspace: world.workspace,
    hooks: world.hooks,
    store: world.store,
    logger: log.logger,
    now: clock.now,
    sleep: clock.sleep,
  };
  world.watcher = new Watcher(deps);
  world.running = world.watcher.run();
  return world;
}

/** Polls (real time, bounded) until `check` holds: the watcher's tasks are real promises. */
export async function settle(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Feeds one probe answer and lets the loop come round to the next probe. */
export async function probe(world: World, result: (at: number) => ProbeResult): Promise<void> {
  const before = world.primary.probes;
  world.primary.answer(result);
  await settle('the probe to be taken', () => world.primary.probes > before);
  // The loop sleeps CHECK_INTERVAL after each probe; move the clock so the next one begins.
  await new Promise((resolve) => setTimeout(resolve, 1));
  world.clock.advance(CHECK_INTERVAL_MS);
  await settle('the loop to ask for the next probe', () => world.primary.starved);
}

export function phase(world: World): Phase {
  return world.watcher.snapshot().state.phase;
}

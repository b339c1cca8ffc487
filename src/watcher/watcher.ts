// The reconciler: feeds observations (probes, Docker events, inspects, action results) into the
// pure decision core and carries out the actions it returns. All I/O sits behind the injected
// adapters, wired once in main, so this loop runs the same against fakes and the real engine.
import type { Logger } from 'pino';
import { decide, gatewayWanted, initialState } from '../decision/decide.ts';
import type { Action, Command, CommandReply, HookReport, Observation, Policy, PromotionReport, State, Step, Transition } from '../decision/model.ts';
import type { Probe } from '../probe/probe-result.ts';
import type { GatewayControl } from '../docker/gateway-control.ts';
import type { ContainerEvent } from '../docker/container-events.ts';
import { sleep as realSleep, type Sleep } from '../docker/backoff.ts';
import type { WorkspaceSync } from '../git/workspace-sync.ts';
import { describeHookOutcome, describeHookRun, type HookEvent, type HookOutcome } from '../hooks/run-hook.ts';
import type { TransitionHooks } from '../hooks/transition-hooks.ts';
import type { StateStore } from './state-store.ts';
import type { ReadyOutcome } from './wait-ready.ts';
import { drillTimings, transitionTimings } from './transition-timings.ts';
import { dampingView } from '../decision/damping.ts';
import type { WitnessCheck } from '../probe/witness-check.ts';
import { observe, type DockerOperation, type WatcherObserver } from './watcher-observer.ts';

export interface WatcherSettings {
  policy: Policy;
  checkIntervalMs: number;
  stopTimeoutMs: number;
  /** How long a stray gateway gets to stop before SIGKILL: it must be gone within 2 s. */
  strayStopTimeoutMs: number;
  /** Safety-net inspect, in case an event is lost. */
  resyncIntervalMs: number;
}

export interface WatcherDeps {
  settings: WatcherSettings;
  primary: Probe;
  gateway: GatewayControl;
  workspace: WorkspaceSync;
  waitReady: (signal: AbortSignal) => Promise<ReadyOutcome>;
  store: StateStore;
  logger: Logger;
  /** Partition guard: asked before promoting when the policy has partitionGuard on. */
  witnesses?: WitnessCheck;
  /** ON_PROMOTE / ON_DEMOTE; absent means no hooks. */
  hooks?: TransitionHooks;
  now?: () => number;
  sleep?: Sleep;
  /** Metrics and notifications listen here; never blocks, never throws into the loop. */
  observer?: WatcherObserver;
}

export class Watcher {
  private state: State;
  private readonly deps: WatcherDeps;
  private readonly now: () => number;
  private readonly sleep: Sleep;
  private readonly abort = new AbortController();
  private readonly tasks = new Set<Promise<unknown>>();
  /** Container operations run one after another: a late stray stop must not land after a promotion's start. */
  private gatewayQueue: Promise<unknown> = Promise.resolve();
  private loopAliveAt = 0;
  private probesDone = 0;
  private lastGitSync: { at: number; ok: boolean; detail: string } | null = null;
  private dockerProblem: { at: number; error: string } | null = null;
  /** Commands wait for the persisted state: one taken before the restore would be overwritten by it. */
  private restored = false;
  private lastHooks: Partial<Record<HookEvent, LastHook>> = {};
  readonly startedAt: number;

  constructor(deps: WatcherDeps) {
    this.deps = deps;
    this.now = deps.now ?? Date.now;
    this.sleep = deps.sleep ?? realSleep;
    this.startedAt = this.now();
    this.state = initialState(deps.settings.policy, null, this.startedAt);
  }

  /** Restores the persisted phase, reconciles the gateway, then probes until stopped. */
  async run(): Promise<void> {
    const { logger, store } = this.deps;
    const restored = await store.load();
    if (restored.problem) logger.warn({ event: 'state-restore-problem' }, restored.problem);
    const control = restored.state ? { mode: restored.state.mode, drill: restored.state.drill } : undefined;
    this.state = initialState(this.deps.settings.policy, restored.state?.phase ?? null, this.now(), control);
    this.restored = true;
    logger.info(
      { event: 'watcher-started', phase: this.state.phase, restoredPhase: restored.state?.phase ?? null, mode: this.state.mode },
      `watcher started in phase ${this.state.phase}${restored.state ? ` (restored from ${restored.state.phase})` : ''}${this.state.mode.kind === 'auto' ? '' : `, mode ${describeMode(this.state)}`}`,
    );
    if (this.state.phase !== restored.state?.phase || this.state.drill !== (restored.state?.drill ?? null)) this.persist();
    observe(this.deps, 'onStart', this.state, restored.state?.phase ?? null);

    this.track(this.watchEvents());
    // Reconcile before the first probe: a stray gateway is stopped without waiting for the network.
    await this.resync('startup');
    this.track(this.resyncLoop());
    await this.probeLoop();
  }

  /** SIGTERM: stop probing and watching, abandon waits, leave the gateway as it is. */
  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled([...this.tasks]);
  }

  /** An operator command from the control socket; decide() accepts or refuses it. */
  command(command: Command): CommandReply {
    if (!this.restored) return { accepted: false, message: 'the watcher is still starting; try again in a moment' };
    const step = this.dispatch({ type: 'command', command });
    return step.reply ?? { accepted: false, message: 'no answer from the decision core' };
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  snapshot(): {
    state: State;
    gatewayWanted: boolean;
    loopAliveAt: number;
    probesDone: number;
    startedAt: number;
    lastGitSync: { at: number; ok: boolean; detail: string } | null;
    dockerProblem: { at: number; error: string } | null;
    lastHooks: Partial<Record<HookEvent, LastHook>>;
  } {
    return {
      state: this.state,
      gatewayWanted: gatewayWanted(this.state),
      loopAliveAt: this.loopAliveAt,
      probesDone: this.probesDone,
      startedAt: this.startedAt,
      lastGitSync: this.lastGitSync,
      dockerProblem: this.dockerProblem,
      lastHooks: this.lastHooks,
    };
  }

  // -------------------------------------------------------------------------------------------

  private async probeLoop(): Promise<void> {
    const { settings, primary } = this.deps;
    const signal = this.abort.signal;
    while (!signal.aborted) {
      const began = this.now();
      this.loopAliveAt = began;
      const result = await primary.probe(signal);
      if (signal.aborted) break;
      this.probesDone++;
      this.loopAliveAt = this.now();
      observe(this.deps, 'onProbe', result);
      this.dispatch({ type: 'probe', result });
      const wait = Math.max(0, began + settings.checkIntervalMs - this.now());
      await this.sleep(wait, signal);
    }
  }

  private async watchEvents(): Promise<void> {
    const { gateway, logger } = this.deps;
    await gateway.watch(
      (event: ContainerEvent) => {
        logger.debug({ event: 'docker-event', action: event.action, container: event.name }, `docker event ${event.action}`);
        // The event says something changed; inspect says what is true now.
        void this.resync(`docker event ${event.action}`);
      },
      this.abort.signal,
      {
        onConnected: (reconnect) => {
          if (reconnect) {
            logger.info({ event: 'docker-events-reconnected' }, 'docker events stream reconnected; re-inspecting');
            void this.resync('events reconnected');
          }
        },
        onDisconnected: (error, retryInMs) => {
          this.noteDockerProblem('events', error);
          logger.warn(
            { event: 'docker-events-lost', retryInMs, err: errorText(error) },
            `docker events stream lost (${errorText(error)}); reconnecting in ${retryInMs} ms`,
          );
        },
      },
    );
  }

  private async resyncLoop(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      await this.sleep(this.deps.settings.resyncIntervalMs, signal);
      if (!signal.aborted) await this.resync('periodic');
    }
  }

  private async resync(why: string): Promise<void> {
    try {
      const target = await this.deps.gateway.inspect();
      this.dockerProblem = null;
      this.dispatch({ type: 'gateway', running: target.running, source: 'inspect', detail: `${target.name} ${target.status}; ${why}` });
    } catch (error) {
      if (this.abort.signal.aborted) return;
      this.noteDockerProblem('inspect', error);
      this.deps.logger.error({ event: 'gateway-inspect-failed', why, err: errorText(error) }, `cannot inspect the standby gateway: ${errorText(error)}`);
    }
  }

  private dispatch(observation: Observation): Step {
    const previous = this.state;
    const step = decide(previous, observation, this.now());
    this.state = step.state;
    observe(this.deps, 'onStep', previous, step);
    this.logDecision(step, observation);
    for (const action of step.actions) this.execute(action);
    return step;
  }

  private execute(action: Action): void {
    switch (action.type) {
      case 'persist':
        this.persist();
        return;
      case 'promote':
        this.track(this.promote());
        return;
      case 'demote':
        this.track(this.demote());
        return;
      case 'start-gateway':
        this.track(this.reconcileStart());
        return;
      case 'stop-gateway':
        this.track(this.reconcileStop());
        return;
      case 'check-witnesses':
        this.track(this.checkWitnesses());
        return;
    }
  }

  private async promote(): Promise<void> {
    const { workspace, gateway, waitReady, logger } = this.deps;
    const signal = this.abort.signal;
    const sync = await workspace.sync(signal);
    const syncedAt = this.now();
    // One branch per outcome: the report for decide, /status's lastGitSync, and the log line.
    let syncReport: PromotionReport['sync'];
    if ('skipped' in sync) {
      syncReport = { skipped: true, at: syncedAt };
      this.lastGitSync = { at: syncedAt, ok: true, detail: sync.reason };
      logger.info({ event: 'workspace-sync-skipped' }, `workspace sync skipped: ${sync.reason}`);
      observe(this.deps, 'onGitSync', 'skipped', sync.reason);
    } else if (sync.ok) {
      syncReport = { ok: true, at: syncedAt, summary: sync.summary };
      this.lastGitSync = { at: syncedAt, ok: true, detail: sync.summary };
      logger.info({ event: 'workspace-synced', summary: sync.summary }, `workspace ${sync.summary}`);
      observe(this.deps, 'onGitSync', 'ok', sync.summary);
    } else {
      syncReport = { ok: false, at: syncedAt, error: sync.error };
      this.lastGitSync = { at: syncedAt, ok: false, detail: sync.error };
      logger.error({ event: 'workspace-sync-failed', err: sync.error }, `WORKSPACE SYNC FAILED, promoting anyway with the workspace as it is: ${sync.error}`);
      observe(this.deps, 'onGitSync', 'failed', sync.error);
    }
    if (signal.aborted) return;
    // After the sync, before the start: e.g. secrets synced by ON_PROMOTE are there when it boots.
    const hook = await this.runHook('promote');
    if (signal.aborted) return;
    const withHook = hook ? { hook } : {};
    const startIssuedAt = this.now();

    let start: PromotionReport['start'];
    try {
      await this.serial(() => gateway.start());
      start = { ok: true, at: this.now() };
    } catch (error) {
      this.noteDockerProblem('start', error);
      this.dispatch({ type: 'promotion-finished', report: { sync: syncReport, ...withHook, start: { ok: false, at: this.now(), error: errorText(error) } } });
      return;
    }
    logger.info({ event: 'gateway-started', startMs: start.at - startIssuedAt }, `standby gateway started in ${start.at - startIssuedAt} ms; waiting for it to be ready`);
    const ready = await waitReady(signal);
    // A watcher told to stop mid-wait abandons the wait and leaves the gateway running.
    if (signal.aborted) return;
    this.dispatch({
      type: 'promotion-finished',
      report: { sync: syncReport, ...withHook, start, ready: ready.ok ? { ok: true, at: ready.at, channelLiveAt: ready.channelLiveAt, channelError: ready.channelError } : { ok: false, at: ready.at, error: ready.error } },
    });
  }

  private async demote(): Promise<void> {
    try {
      await this.serial(() => this.deps.gateway.stop(this.deps.settings.stopTimeoutMs / 1000));
    } catch (error) {
      this.noteDockerProblem('stop', error);
      this.dispatch({ type: 'demotion-finished', ok: false, error: errorText(error) });
      return;
    }
    // Only once the gateway is down: ON_DEMOTE may clean up what it used.
    const hook = await this.runHook('demote');
    if (this.abort.signal.aborted) return;
    this.dispatch(hook ? { type: 'demotion-finished', ok: true, hook } : { type: 'demotion-finished', ok: true });
  }

  /** Runs ON_PROMOTE / ON_DEMOTE if configured: one log line, kept for /status, reported to decide. */
  private async runHook(event: HookEvent): Promise<HookReport | undefined> {
    const { hooks, logger } = this.deps;
    const reason = this.state.transition?.reason ?? event;
    const outcome = await hooks?.run(event, reason, this.abort.signal);
    if (!outcome) return undefined;
    const summary = describeHookOutcome(outcome);
    this.lastHooks = { ...this.lastHooks, [event]: { ...lastHookOf(outcome), at: this.now(), summary } };
    logger[outcome.ok ? 'info' : 'error'](
      {
        event: 'hook-finished',
        hook: `ON_${event.toUpperCase()}`,
        ok: outcome.ok,
        exitCode: outcome.exitCode,
        signal: outcome.signal,
        timedOut: outcome.timedOut,
        durationMs: outcome.durationMs,
        outputTail: outcome.output.slice(-1_000),
        outputTruncated: outcome.truncated,
      },
      summary,
    );
    return outcome.ok ? { ok: true, durationMs: outcome.durationMs } : { ok: false, durationMs: outcome.durationMs, error: describeHookRun(outcome) };
  }

  private async reconcileStart(): Promise<void> {
    try {
      await this.serial(() => this.deps.gateway.start());
      this.dispatch({ type: 'gateway-action-finished', action: 'start', ok: true });
    } catch (error) {
      this.noteDockerProblem('start', error);
      this.dispatch({ type: 'gateway-action-finished', action: 'start', ok: false, error: errorText(error) });
      return;
    }
    const ready = await this.deps.waitReady(this.abort.signal);
    if (this.abort.signal.aborted) return;
    if (ready.ok) this.deps.logger.info({ event: 'gateway-ready-again' }, 'standby gateway is ready again');
    else this.deps.logger.error({ event: 'gateway-not-ready-again', err: ready.error }, `re-started standby gateway is not ready: ${ready.error}`);
  }

  private async checkWitnesses(): Promise<void> {
    const { witnesses } = this.deps;
    const answer = witnesses
      ? await witnesses.check(this.abort.signal)
      : { answered: [], total: 0, detail: 'no witness adapter wired' };
    if (this.abort.signal.aborted) return;
    this.dispatch({ type: 'witnesses-checked', ...answer });
  }

  private async reconcileStop(): Promise<void> {
    const began = this.now();
    try {
      await this.serial(() => this.deps.gateway.stop(this.deps.settings.strayStopTimeoutMs / 1000));
      this.deps.logger.info({ event: 'stray-gateway-stopped', stopMs: this.now() - began }, `stray standby gateway stopped in ${this.now() - began} ms`);
      this.dispatch({ type: 'gateway-action-finished', action: 'stop', ok: true });
    } catch (error) {
      this.noteDockerProblem('stop', error);
      this.dispatch({ type: 'gateway-action-finished', action: 'stop', ok: false, error: errorText(error) });
    }
  }

  private persist(): void {
    const { phase, transition, mode, drill } = this.state;
    this.deps.store.save(phase, transition, { mode, drill }).catch((error: unknown) => {
      this.deps.logger.error({ event: 'state-save-failed', err: errorText(error) }, `cannot save watcher state: ${errorText(error)}`);
    });
  }

  private logDecision(step: Step, observation: Observation): void {
    const { decision, state } = step;
    if (!decision) return;
    const fields: Record<string, unknown> = {
      event: decision.event,
      reason: decision.reason,
      phase: state.phase,
      failures: state.consecutiveFailures,
      successes: state.consecutiveSuccesses,
    };
    // Flap damping state on every decision line, so a held-back transition explains itself.
    const damping = dampingView(state, this.now());
    if (damping.recentCycles > 0 || damping.promotionFailures > 0) fields.damping = damping;
    if (observation.type === 'witnesses-checked') fields.witnesses = { answered: observation.answered, total: observation.total, detail: observation.detail };
    if (observation.type === 'probe') {
      fields.probe = observation.result.ok
        ? { ok: true, latencyMs: observation.result.latencyMs }
        : { ok: false, reason: observation.result.reason, detail: observation.result.detail, latencyMs: observation.result.latencyMs };
    }
    if (state.transition && isTransitionEvent(decision.event)) fields.timings = transitionTimings(state.transition);
    if (observation.type === 'command') fields.command = observation.command;
    if (state.mode.kind !== 'auto') fields.mode = state.mode;
    if (state.drill && decision.event.startsWith('drill-')) fields.drill = { id: state.drill.id, status: state.drill.status, timings: drillTimings(state.drill) };
    this.deps.logger[decision.level](fields, headline(decision.event, decision.reason, state.transition));
  }

  private noteDockerProblem(operation: DockerOperation, error: unknown): void {
    this.dockerProblem = { at: this.now(), error: errorText(error) };
    observe(this.deps, 'onDockerError', operation, errorText(error));
  }

  private serial<T>(operation: () => Promise<T>): Promise<T> {
    const next = this.gatewayQueue.then(operation, operation);
    this.gatewayQueue = next.catch(() => undefined);
    return next;
  }

  private track(task: Promise<unknown>): void {
    const guarded = task.catch((error: unknown) => {
      this.deps.logger.error({ event: 'internal-error', err: errorText(error) }, `unexpected error: ${errorText(error)}`);
    });
    this.tasks.add(guarded);
    void guarded.finally(() => this.tasks.delete(guarded));
  }
}

const TRANSITION_EVENTS = new Set(['promote', 'promoted', 'promotion-failed', 'demote', 'demoted', 'demotion-failed', 'manual-promote', 'manual-demote', 'drill-promote', 'drill-demote']);

function isTransitionEvent(event: string): boolean {
  return TRANSITION_EVENTS.has(event);
}

function headline(event: string, reason: string, transition: Transition | null): string {
  const t = transition ? transitionTimings(transition) : undefined;
  switch (event) {
    case 'promote':
      return `PROMOTING: primary declared down after ${reason}`;
    case 'promoted':
      return `PROMOTED: ${reason}; down→decision ${seconds(t?.detectionMs)}, sync ${seconds(t?.syncMs)}, start ${seconds(t?.startMs)}, ready ${seconds(t?.readyMs)}${t?.channelMs === undefined ? '' : `, channel live ${seconds(t.channelMs)}`}, total ${seconds(t?.totalMs)}`;
    case 'demote':
      return `DEMOTING: primary healthy again, ${reason}`;
    case 'demoted':
      return `DEMOTED: ${reason}; recovery→decision ${seconds(t?.detectionMs)}, stop ${seconds(t?.stopMs)}`;
    default:
      return `${event}: ${reason}`;
  }
}

export function describeMode(state: State): string {
  const { mode } = state;
  if (mode.kind === 'auto') return 'auto';
  const since = new Date(mode.since).toISOString();
  return mode.kind === 'paused' ? `paused since ${since} (${mode.reason})` : `manual override: ${mode.target} since ${since} (${mode.reason})`;
}

function seconds(ms: number | undefined): string {
  return ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(1)}s`;
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0] ?? error.name;
  return String(error);
}

/** What /status shows of the last run of each hook (the output tail is already scrubbed). */
export interface LastHook {
  at: number;
  ok: boolean;
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
  summary: string;
  outputTail: string;
}

function lastHookOf(outcome: HookOutcome): Omit<LastHook, 'at' | 'summary'> {
  return {
    ok: outcome.ok,
    exitCode: outcome.exitCode,
    timedOut: outcome.timedOut,
    durationMs: outcome.durationMs,
    outputTail: outcome.output.slice(-1_000),
  };
}

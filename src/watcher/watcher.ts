// The reconciler: feeds observations (probes, Docker events, inspects, action results) into the
// pure decision core and carries out the actions it returns. All I/O sits behind the injected
// adapters, wired once in main, so this loop runs the same against fakes and the real engine.
import type { Logger } from 'pino';
import { decide, gatewayWanted, initialState } from '../decision/decide.ts';
import type { Action, Command, CommandReply, HookReport, Observation, Policy, State, Step } from '../decision/model.ts';
import type { Probe } from '../probe/probe-result.ts';
import type { ServingSwitch } from '../serving/serving-switch.ts';
import type { ContainerEvent } from '../docker/container-events.ts';
import { sleep as realSleep, type Sleep } from '../docker/backoff.ts';
import type { WorkspaceSync } from '../git/workspace-sync.ts';
import type { HookEvent } from '../hooks/run-hook.ts';
import type { TransitionHooks } from '../hooks/transition-hooks.ts';
import { runTransitionHook, type LastHook } from './hook-runs.ts';
import { createLoopLiveness, type LoopLiveness } from './loop-liveness.ts';
import type { StateStore } from './state-store.ts';
import { CalmDecisionLog, inspectFailure } from './calm-decisions.ts';
import { ConditionTracker } from '../log/lasting-condition.ts';
import { demotionCutShort, errorText, promotionCutShort, runDemotion, runPromotion, type DemotionProgress, type PromotionProgress, type TransitionAdapters } from './promotion-steps.ts';
import type { WitnessCheck } from '../probe/witness-check.ts';
import { observe, type DockerOperation, type GitSyncOutcome, type WatcherObserver } from './watcher-observer.ts';
import { dockerAccessReported } from '../docker/docker-access-monitor.ts';

export { errorText } from './promotion-steps.ts';
export type { LastHook } from './hook-runs.ts';

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
  /** How the standby is switched to serving and back (cold: container start/stop; hot: channel on/off). */
  serving: ServingSwitch;
  workspace: WorkspaceSync;
  store: StateStore;
  logger: Logger;
  /** Partition guard: asked before promoting when the policy has partitionGuard on. */
  witnesses?: WitnessCheck;
  /** ON_PROMOTE / ON_DEMOTE; absent means no hooks. */
  hooks?: TransitionHooks;
  now?: () => number;
  sleep?: Sleep;
  /** Marks each turn of the probe loop, for /healthz, metrics and the heartbeat (shared with them). */
  liveness?: LoopLiveness;
  /** Metrics and notifications listen here; never blocks, never throws into the loop. */
  observer?: WatcherObserver;
  /**
   * Hot standby upkeep (serving/hot-keeper.ts): keeps the standby container running and healthy
   * while watching. Run after each resync, in the container queue, so it never races a promotion.
   */
  upkeep?: (state: () => State) => Promise<void>;
  /** The upkeep's verdict on the hot standby (healthy, down, failing), for /status. */
  upkeepHealth?: () => string;
}

export class Watcher {
  private state: State;
  private readonly deps: WatcherDeps;
  private readonly now: () => number;
  private readonly sleep: Sleep;
  private readonly abort = new AbortController();
  /** The promotion under way, so that decide() can cancel it (the primary came back first). */
  private promotionAbort: AbortController | null = null;
  private readonly tasks = new Set<Promise<unknown>>();
  /** Container operations run one after another: a late stray stop must not land after a promotion's start. */
  private gatewayQueue: Promise<unknown> = Promise.resolve();
  /** Sequence numbers of inspects asked, and of the latest whose answer was used. */
  private inspectsAsked = 0;
  private inspectUsed = 0;
  private readonly liveness: LoopLiveness;
  /** Lasting conditions (held transitions; a missing or unlabelled target), logged calmly. */
  private readonly decisionLog: CalmDecisionLog;
  private readonly inspectProblems: ConditionTracker;
  private probesDone = 0;
  private lastGitSync: { at: number; ok: boolean; detail: string } | null = null;
  private dockerProblem: { at: number; error: string } | null = null;
  /** Commands wait for the persisted state: one taken before the restore would be overwritten by it. */
  private restored = false;
  private lastHooks: Partial<Record<HookEvent, LastHook>> = {};
  /** The serving switch's last answer, e.g. "running; channel off" (for /status). */
  private lastInspect: string | null = null;
  readonly startedAt: number;

  constructor(deps: WatcherDeps) {
    this.deps = deps;
    this.now = deps.now ?? Date.now;
    this.sleep = deps.sleep ?? realSleep;
    this.startedAt = this.now();
    // Without a shared one (tests), the watcher keeps its own; the budget only matters to readers.
    this.liveness = deps.liveness ?? createLoopLiveness({ checkIntervalMs: deps.settings.checkIntervalMs, checkTimeoutMs: 0 }, this.startedAt);
    this.state = initialState(deps.settings.policy, null, this.startedAt);
    this.decisionLog = new CalmDecisionLog(deps.logger, this.now);
    this.inspectProblems = new ConditionTracker({ now: this.now, log: (line) => deps.logger[line.level](line.fields, line.message) });
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
    this.track(this.runUpkeep());
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
    serving: { mode: ServingSwitch['mode']; lastInspect: string | null; standbyHealth: string | null };
  } {
    return {
      state: this.state,
      gatewayWanted: gatewayWanted(this.state),
      loopAliveAt: this.liveness.lastTurnAt(),
      probesDone: this.probesDone,
      startedAt: this.startedAt,
      lastGitSync: this.lastGitSync,
      dockerProblem: this.dockerProblem,
      lastHooks: this.lastHooks,
      serving: { mode: this.deps.serving.mode, lastInspect: this.lastInspect, standbyHealth: this.deps.upkeepHealth?.() ?? null },
    };
  }

  // -------------------------------------------------------------------------------------------

  private async probeLoop(): Promise<void> {
    const { settings, primary } = this.deps;
    const signal = this.abort.signal;
    while (!signal.aborted) {
      const began = this.now();
      this.liveness.turned(began);
      const result = await primary.probe(signal);
      if (signal.aborted) break;
      this.probesDone++;
      this.liveness.turned(this.now());
      observe(this.deps, 'onProbe', result);
      this.dispatch({ type: 'probe', result });
      const wait = Math.max(0, began + settings.checkIntervalMs - this.now());
      await this.sleep(wait, signal);
    }
  }

  private async watchEvents(): Promise<void> {
    const { serving, logger } = this.deps;
    await serving.watch(
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
          // Docker out of reach was logged once, with its fix, by the access monitor.
          logger[dockerAccessReported(error) ? 'debug' : 'warn'](
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
      if (!signal.aborted) await this.runUpkeep();
    }
  }

  /**
   * Inspects run concurrently (an event burst starts several); an answer older than one already
   * used is stale and dropped, so a slow inspect cannot undo what a later one saw.
   */
  private async resync(why: string): Promise<void> {
    const asked = ++this.inspectsAsked;
    try {
      const target = await this.deps.serving.inspect();
      if (asked < this.inspectUsed) return;
      this.inspectUsed = asked;
      this.dockerProblem = null;
      this.inspectProblems.report('inspect', null, 'the standby gateway can be inspected again');
      this.lastInspect = target.status;
      this.dispatch({ type: 'gateway', running: target.serving, source: 'inspect', detail: `${target.name} ${target.status}; ${why}` });
    } catch (error) {
      if (this.abort.signal.aborted) return;
      this.noteDockerProblem('inspect', error);
      if (dockerAccessReported(error)) {
        this.deps.logger.debug({ event: 'gateway-inspect-failed', why, err: errorText(error) }, `cannot inspect the standby gateway: ${errorText(error)}`);
        return;
      }
      this.inspectProblems.report('inspect', inspectFailure(why, errorText(error)));
    }
  }

  private async runUpkeep(): Promise<void> {
    const { upkeep } = this.deps;
    if (!upkeep) return;
    try {
      await this.serial(() => upkeep(() => this.state));
    } catch (error) {
      if (this.abort.signal.aborted) return;
      this.noteDockerProblem('start', error);
      this.deps.logger.error({ event: 'hot-standby-upkeep-failed', err: errorText(error) }, `hot standby upkeep failed: ${errorText(error)}`);
    }
  }

  private dispatch(observation: Observation): Step {
    const previous = this.state;
    const step = decide(previous, observation, this.now());
    this.state = step.state;
    observe(this.deps, 'onStep', previous, step);
    this.decisionLog.log(step, observation);
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
      case 'abort-promotion':
        if (this.promotionAbort && !this.promotionAbort.signal.aborted) {
          this.deps.logger.info({ event: 'promotion-aborted', reason: action.reason }, `aborting the promotion under way: ${action.reason}`);
          this.promotionAbort.abort();
        }
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

  /**
   * The promotion's steps (promotion-steps.ts), then its report. A step that throws still ends in a
   * report (a failed start, or not ready once started), so the phase never stays promoting.
   */
  private async promote(): Promise<void> {
    const progress: PromotionProgress = {};
    const own = new AbortController();
    this.promotionAbort = own;
    // Either the watcher stops, or decide() cancels this promotion (abort-promotion).
    const signal = AbortSignal.any([this.abort.signal, own.signal]);
    let report: Observation | undefined;
    try {
      report = await runPromotion(this.transitionAdapters(), signal, progress);
    } catch (error) {
      this.logInternalError('promotion', error);
      report = promotionCutShort(progress, this.now(), errorText(error));
    } finally {
      if (this.promotionAbort === own) this.promotionAbort = null;
    }
    // A cancelled promotion reports nothing: the demotion decided with its cancellation settles it.
    if (report && !signal.aborted) this.dispatch(report);
  }

  /** Likewise for a demotion: it always ends in a demotion-finished report. */
  private async demote(): Promise<void> {
    const progress: DemotionProgress = {};
    let report: Observation | undefined;
    try {
      report = await runDemotion(this.transitionAdapters(), this.abort.signal, progress);
    } catch (error) {
      this.logInternalError('demotion', error);
      report = demotionCutShort(progress, errorText(error));
    }
    if (report && !this.abort.signal.aborted) this.dispatch(report);
  }

  private transitionAdapters(): TransitionAdapters {
    const { workspace, serving, logger, settings } = this.deps;
    return {
      workspace,
      serving,
      logger,
      now: this.now,
      stopTimeoutMs: settings.stopTimeoutMs,
      serial: (operation) => this.serial(operation),
      runHook: (event) => this.runHook(event),
      noteGitSync: (outcome: GitSyncOutcome, detail: string, at: number) => {
        this.lastGitSync = { at, ok: outcome !== 'failed', detail };
        observe(this.deps, 'onGitSync', outcome, detail);
      },
      noteDockerError: (operation, error) => this.noteDockerProblem(operation, error),
    };
  }

  /** Runs ON_PROMOTE / ON_DEMOTE if configured: one log line, kept for /status, reported to decide. */
  private async runHook(event: HookEvent): Promise<HookReport | undefined> {
    const reason = this.state.transition?.reason ?? event;
    const run = await runTransitionHook(this.deps.hooks, event, reason, this.abort.signal, this.deps.logger, this.now);
    if (run) this.lastHooks = { ...this.lastHooks, [event]: run.last };
    return run?.report;
  }

  private async reconcileStart(): Promise<void> {
    try {
      await this.serial(() => this.deps.serving.serve());
      this.dispatch({ type: 'gateway-action-finished', action: 'start', ok: true });
    } catch (error) {
      this.noteDockerProblem('start', error);
      this.dispatch({ type: 'gateway-action-finished', action: 'start', ok: false, error: errorText(error) });
      return;
    }
    const ready = await this.deps.serving.waitServing(this.abort.signal);
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
      await this.serial(() => this.deps.serving.unserve(this.deps.settings.strayStopTimeoutMs / 1000));
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

  private noteDockerProblem(operation: DockerOperation, error: unknown): void {
    this.dockerProblem = { at: this.now(), error: errorText(error) };
    observe(this.deps, 'onDockerError', operation, errorText(error));
  }

  private logInternalError(where: string, error: unknown): void {
    this.deps.logger.error({ event: 'internal-error', where, err: errorText(error) }, `unexpected error in ${where}: ${errorText(error)}`);
  }

  private serial<T>(operation: () => Promise<T>): Promise<T> {
    const next = this.gatewayQueue.then(operation, operation);
    this.gatewayQueue = next.catch(() => undefined);
    return next;
  }

  private track(task: Promise<unknown>): void {
    const guarded = task.catch((error: unknown) => this.logInternalError('task', error));
    this.tasks.add(guarded);
    void guarded.finally(() => this.tasks.delete(guarded));
  }
}

export function describeMode(state: State): string {
  const { mode } = state;
  if (mode.kind === 'auto') return 'auto';
  const since = new Date(mode.since).toISOString();
  return mode.kind === 'paused' ? `paused since ${since} (${mode.reason})` : `manual override: ${mode.target} since ${since} (${mode.reason})`;
}

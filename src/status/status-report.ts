// The JSON served at /status and printed by `openclaw-failover status`: everything an operator
// needs to see at a glance, with secrets already redacted by the caller.
import type { LastHook, Watcher } from '../watcher/watcher.ts';
import { drillTimings, transitionTimings, type DrillTimings, type TransitionTimings } from '../watcher/transition-timings.ts';
import { gatewayWanted } from '../decision/decide.ts';
import { dampingView } from '../decision/damping.ts';
import type { Drill, LastProbe, Mode, PendingGatewayAction, Phase, State, Transition } from '../decision/model.ts';
import type { HookEvent } from '../hooks/run-hook.ts';
import { loopAlive } from '../watcher/loop-liveness.ts';
import { describeProblem } from '../docker/docker-access.ts';
import type { DockerAccessView } from '../docker/docker-access-monitor.ts';
import type { PrepareView } from '../standby/prepare-report.ts';

/** An epoch-ms timestamp as ISO 8601 text, null when there is none. */
type Iso = string | null;

/**
 * The /status document: served as JSON, returned by the control socket, printed by
 * `openclaw-failover status`. The one definition; readers that may face another version of the
 * watcher use StatusReading.
 */
export interface StatusReport {
  role: 'standby';
  version: string;
  phase: Phase;
  phaseSince: string;
  /**
   * running: the standby serves (cold: its container runs; hot: its channel is live). mode: how it
   * is switched; detail: the last inspect ("running; channel off"); standbyHealth: hot only.
   */
  gateway: { wanted: boolean; running: boolean | null; pendingAction: PendingGatewayAction; mode?: 'cold' | 'hot'; detail?: string | null; standbyHealth?: string | null };
  primary: {
    url: string;
    consecutiveFailures: number;
    consecutiveSuccesses: number;
    failThreshold: number;
    recoverThreshold: number;
    lastProbe: (Omit<LastProbe, 'at'> & { at: string }) | null;
  };
  lastTransition: {
    kind: Transition['kind'];
    outcome: Transition['outcome'];
    reason: string;
    problems: string[];
    streakStartedAt: string;
    decidedAt: string;
    syncedAt: Iso;
    startedAt: Iso;
    readyAt: Iso;
    /** The gateway itself reported its configured channels running: reachable. */
    channelLiveAt: Iso;
    finishedAt: Iso;
    timings: TransitionTimings;
  } | null;
  /** The standby's deploy-time preparation (docs/reachable.md); state 'off' when not configured. */
  standbyPrepared: PrepareView;
  partitionGuard: {
    configured: boolean;
    checking: boolean;
    lastCheck: { at: string; reachable: boolean; answered: string[]; reason: string } | null;
  };
  flapDamping: {
    windowMs: number;
    minPromotedMs: number;
    recentCycles: number;
    holdDownMs: number;
    demotionAllowedAt: Iso;
    promotionFailures: number;
    nextPromotionAt: Iso;
    restartAttempts: number;
  };
  control: { mode: 'auto' | 'paused' | `override-${Extract<Mode, { kind: 'override' }>['target']}`; reason?: string; since?: string; drift: boolean };
  lastDrill: { id: number; status: Drill['status']; requestedAt: string; finishedAt: Iso; problems: string[]; timings: DrillTimings } | null;
  lastGitSync: { at: string; ok: boolean; detail: string } | null;
  dockerProblem: { at: string; error: string } | null;
  /** Whether the watcher can reach Docker; null where no monitor is wired (tests). */
  docker: { reachable: true } | { reachable: false; since: Iso; problem: string; setting: string; fix: string } | null;
  hooks: Partial<Record<HookEvent, Omit<LastHook, 'at'> & { at: string }>>;
  watcher: { startedAt: string; uptimeMs: number; probes: number; loopAliveAt: Iso };
}

/** An always-present timestamp as ISO text; an optional one as ISO text or null. */
function iso(ms: number): string;
function iso(ms: number | null | undefined): Iso;
function iso(ms: number | null | undefined): Iso {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}

type DeepPartial<T> = T extends readonly (infer U)[] ? DeepPartial<U>[] : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/** StatusReport as a client reads it: a watcher of another version may leave any field out. */
export type StatusReading = DeepPartial<StatusReport>;

export interface StatusContext {
  version: string;
  primaryUrl: string; // redacted
  checkIntervalMs: number;
  checkTimeoutMs: number;
  /** Whether Docker is within reach; absent in tests without an engine. */
  dockerAccess?: () => DockerAccessView;
  /** The standby's deploy-time preparation (openclaw-standby-prepare's report), when wired. */
  standby?: () => PrepareView;
}

export function buildStatusReport(watcher: Watcher, context: StatusContext, now: number): StatusReport {
  const snap = watcher.snapshot();
  const { state } = snap;

  return {
    role: 'standby',
    version: context.version,
    phase: state.phase,
    phaseSince: iso(state.phaseSince),
    gateway: {
      wanted: snap.gatewayWanted,
      running: state.gatewayRunning,
      pendingAction: state.pendingGatewayAction,
      mode: snap.serving.mode,
      detail: snap.serving.lastInspect,
      standbyHealth: snap.serving.standbyHealth,
    },
    primary: {
      url: context.primaryUrl,
      consecutiveFailures: state.consecutiveFailures,
      consecutiveSuccesses: state.consecutiveSuccesses,
      failThreshold: state.policy.failThreshold,
      recoverThreshold: state.policy.recoverThreshold,
      lastProbe: state.lastProbe && { ...state.lastProbe, at: iso(state.lastProbe.at) },
    },
    lastTransition: state.transition && {
      kind: state.transition.kind,
      outcome: state.transition.outcome,
      reason: state.transition.reason,
      problems: state.transition.problems,
      streakStartedAt: iso(state.transition.streakStartedAt),
      decidedAt: iso(state.transition.decidedAt),
      syncedAt: iso(state.transition.syncedAt),
      startedAt: iso(state.transition.startedAt),
      readyAt: iso(state.transition.readyAt),
      channelLiveAt: iso(state.transition.channelLiveAt),
      finishedAt: iso(state.transition.finishedAt),
      timings: transitionTimings(state.transition),
    },
    standbyPrepared: context.standby?.() ?? { state: 'off' },
    partitionGuard: {
      configured: state.policy.partitionGuard,
      checking: state.partitionGuard.checking,
      // Witness URLs in here were redacted by the witness adapter before they reached decide().
      lastCheck: state.partitionGuard.lastCheck && { ...state.partitionGuard.lastCheck, at: iso(state.partitionGuard.lastCheck.at) },
    },
    flapDamping: flapDampingReport(state, now),
    control: controlReport(state),
    lastDrill: state.drill && {
      id: state.drill.id,
      status: state.drill.status,
      requestedAt: iso(state.drill.requestedAt),
      finishedAt: iso(state.drill.finishedAt),
      problems: state.drill.problems,
      timings: drillTimings(state.drill),
    },
    lastGitSync: snap.lastGitSync && { ...snap.lastGitSync, at: iso(snap.lastGitSync.at) },
    dockerProblem: snap.dockerProblem && { ...snap.dockerProblem, at: iso(snap.dockerProblem.at) },
    docker: dockerAccessReport(context),
    hooks: Object.fromEntries(Object.entries(snap.lastHooks).map(([event, hook]) => [event, { ...hook, at: iso(hook.at) }])),
    watcher: {
      startedAt: iso(snap.startedAt),
      uptimeMs: now - snap.startedAt,
      probes: snap.probesDone,
      loopAliveAt: iso(snap.loopAliveAt || null),
    },
  };
}

/** /healthz: the probe loop's liveness (loop-liveness.ts), from the watcher's own record. */
export function watcherAlive(watcher: Watcher, context: StatusContext, now: number): { alive: boolean; reason: string } {
  // A watcher that cannot reach Docker can neither stop a stray standby nor promote one: not alive.
  const docker = context.dockerAccess?.();
  if (docker?.problem) return { alive: false, reason: describeProblem(docker.problem) };
  const snap = watcher.snapshot();
  return loopAlive(snap.loopAliveAt || snap.startedAt, context, now);
}

function flapDampingReport(state: State, now: number): StatusReport['flapDamping'] {
  const view = dampingView(state, now);
  return {
    windowMs: state.policy.flapWindowMs,
    minPromotedMs: state.policy.minPromotedMs,
    recentCycles: view.recentCycles,
    holdDownMs: view.holdDownMs,
    demotionAllowedAt: iso(view.demotionAllowedAt),
    promotionFailures: view.promotionFailures,
    nextPromotionAt: iso(view.nextPromotionAt),
    restartAttempts: state.restartAttempts,
  };
}

/** Who is in charge, and (when paused) whether what runs drifted from what the phase wants. */
function controlReport(state: State): StatusReport['control'] {
  const { mode } = state;
  // Only settled phases can drift; mid-transition the gateway is on its way by design.
  const settled = state.phase === 'watching' || state.phase === 'promoted';
  const drift = settled && state.gatewayRunning !== null && state.gatewayRunning !== gatewayWanted(state);
  if (mode.kind === 'auto') return { mode: 'auto', drift };
  return {
    mode: mode.kind === 'paused' ? 'paused' : `override-${mode.target}`,
    reason: mode.reason,
    since: iso(mode.since),
    drift,
  };
}

function dockerAccessReport(context: StatusContext): StatusReport['docker'] {
  const view = context.dockerAccess?.();
  if (!view) return null;
  if (!view.problem) return { reachable: true };
  return { reachable: false, since: iso(view.since), problem: view.problem.summary, setting: view.problem.setting, fix: view.problem.fix };
}

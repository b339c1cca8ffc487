// The JSON served at /status and printed by `openclaw-failover status`: everything an operator
// needs to see at a glance, with secrets already redacted by the caller.
import type { Watcher } from '../watcher/watcher.ts';
import { drillTimings, transitionTimings } from '../watcher/transition-timings.ts';
import { gatewayWanted } from '../decision/decide.ts';
import { dampingView } from '../decision/damping.ts';
import type { State } from '../decision/model.ts';
import type { PrepareView } from '../standby/prepare-report.ts';

export interface StatusContext {
  version: string;
  primaryUrl: string; // redacted
  checkIntervalMs: number;
  checkTimeoutMs: number;
  /** The standby's deploy-time preparation (openclaw-standby-prepare's report), when wired. */
  standby?: () => PrepareView;
}

export function buildStatusReport(watcher: Watcher, context: StatusContext, now: number): Record<string, unknown> {
  const snap = watcher.snapshot();
  const { state } = snap;
  const iso = (ms: number | null | undefined): string | null => (ms === null || ms === undefined ? null : new Date(ms).toISOString());
  return {
    role: 'standby',
    version: context.version,
    phase: state.phase,
    phaseSince: iso(state.phaseSince),
    gateway: {
      wanted: snap.gatewayWanted,
      running: state.gatewayRunning,
      pendingAction: state.pendingGatewayAction,
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
    flapDamping: flapDampingReport(state, now, iso),
    control: controlReport(state, iso),
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
    hooks: Object.fromEntries(Object.entries(snap.lastHooks).map(([event, hook]) => [event, { ...hook, at: iso(hook.at) }])),
    watcher: {
      startedAt: iso(snap.startedAt),
      uptimeMs: now - snap.startedAt,
      probes: snap.probesDone,
      loopAliveAt: iso(snap.loopAliveAt || null),
    },
  };
}

/**
 * Alive means the probe loop has turned recently: a probe takes at most CHECK_TIMEOUT and the
 * loop sleeps at most CHECK_INTERVAL, so twice their sum plus slack is generous but bounded.
 */
export function watcherAlive(watcher: Watcher, context: StatusContext, now: number): { alive: boolean; reason: string } {
  const snap = watcher.snapshot();
  const budget = 2 * (context.checkIntervalMs + context.checkTimeoutMs) + 1_000;
  const last = snap.loopAliveAt || snap.startedAt;
  const age = now - last;
  return age <= budget
    ? { alive: true, reason: `probe loop turned ${age} ms ago` }
    : { alive: false, reason: `probe loop has not turned for ${age} ms (budget ${budget} ms)` };
}

function flapDampingReport(state: State, now: number, iso: (ms: number | null) => string | null): Record<string, unknown> {
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
function controlReport(state: State, iso: (ms: number | null | undefined) => string | null): Record<string, unknown> {
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

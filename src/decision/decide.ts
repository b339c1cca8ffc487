// The promotion/demotion state machine: decide(state, observation, now) -> {state, actions}.
// Pure: no clocks, timers or I/O; `now` is injected, so every edge is unit-testable.
// One function per kind of observation, and one per transition edge, so each rule reads alone.
import type { ProbeResult } from '../probe/probe-result.ts';
import type { Decision, HookReport, Observation, Phase, Policy, PromotionReport, State, Step, Transition } from './model.ts';

export const DEFAULT_POLICY: Policy = {
  failThreshold: 3,
  recoverThreshold: 3,
  restartBackoffMs: 2_000,
  restartBackoffMaxMs: 60_000,
};

/**
 * The state a watcher starts in. `restored` is the phase a previous watcher persisted:
 * a promotion that was under way is resumed as promoted (the gateway is wanted), a
 * demotion as watching (the gateway is not), so a crash mid-transition converges.
 */
export function initialState(policy: Policy, restored: Phase | null, now: number): State {
  const phase: Phase = restored === 'promoting' || restored === 'promoted' ? 'promoted' : 'watching';
  return {
    policy,
    phase,
    phaseSince: now,
    consecutiveFailures: 0,
    consecutiveSuccesses: 0,
    streakStartedAt: null,
    lastProbe: null,
    gatewayRunning: null,
    pendingGatewayAction: null,
    restartAttempts: 0,
    nextRestartAt: now,
    transition: null,
  };
}

export function decide(state: State, observation: Observation, now: number): Step {
  switch (observation.type) {
    case 'probe':
      return reconcile(onProbe(state, observation.result, now), now);
    case 'gateway':
      return reconcile(onGatewayObserved(state, observation.running, observation.detail, now), now);
    case 'promotion-finished':
      return reconcile(onPromotionFinished(state, observation.report, now), now);
    case 'demotion-finished':
      return reconcile(onDemotionFinished(state, observation.ok, observation.error, now, observation.hook), now);
    case 'gateway-action-finished':
      // Not reconciled here: a start/stop that fails at once would otherwise be re-issued in a
      // hot loop. The next probe (one CHECK_INTERVAL later) reconciles and retries it.
      return onGatewayActionFinished(state, observation.action, observation.ok, observation.error);
  }
}

/**
 * Whatever an observation did, what runs must converge on what should run: in watching a gateway
 * known to run is stopped, in promoted one known to be down is re-started (with backoff) while the
 * primary fails. Only acts when no start/stop is already in flight and nothing else was decided.
 */
function reconcile(step: Step, now: number): Step {
  const { state } = step;
  if (step.actions.length > 0 || state.pendingGatewayAction !== null) return step;
  if (state.phase === 'watching' && state.gatewayRunning === true) {
    const stop = stopStrayGateway(state, undefined);
    return { ...stop, decision: step.decision ?? stop.decision };
  }
  if (shouldRestartGateway(state, now)) {
    const restart = restartGateway(state, now);
    return { ...restart, decision: step.decision?.level === 'error' ? step.decision : restart.decision };
  }
  return step;
}

// ---------------------------------------------------------------------------------------------
// Observations

function onProbe(previous: State, result: ProbeResult, now: number): Step {
  const state = countProbe(previous, result, now);
  const { policy } = state;
  switch (state.phase) {
    case 'watching':
      if (state.consecutiveFailures >= policy.failThreshold) return beginPromotion(state, now);
      if (!result.ok) return noted(state, probeFailureDecision(state, 'warn'));
      if (previous.consecutiveFailures > 0) {
        return noted(state, {
          event: 'primary-answering-again',
          reason: `primary healthy again after ${previous.consecutiveFailures} failed probe(s), below FAIL_THRESHOLD=${policy.failThreshold}`,
          level: 'info',
        });
      }
      return { state, actions: [] };
    case 'promoted':
      if (state.consecutiveSuccesses >= policy.recoverThreshold) return beginDemotion(state, now);
      if (result.ok) {
        return noted(state, {
          event: 'primary-answering',
          reason: `primary healthy ${state.consecutiveSuccesses}/${policy.recoverThreshold} while promoted`,
          level: 'info',
        });
      }
      if (shouldRestartGateway(state, now)) return restartGateway(state, now);
      return noted(state, previous.lastProbe?.ok === false ? undefined : probeFailureDecision(state, 'info'));
    case 'promoting':
    case 'demoting':
      // The transition in flight settles first; the counters it leaves behind decide what follows.
      return noted(state, result.ok ? undefined : probeFailureDecision(state, 'debug'));
  }
}

function onGatewayObserved(previous: State, running: boolean, detail: string | undefined, now: number): Step {
  const state: State = { ...previous, gatewayRunning: running };
  switch (state.phase) {
    case 'watching':
      if (running && state.pendingGatewayAction !== 'stop') return stopStrayGateway(state, detail);
      return { state, actions: [] };
    case 'promoted':
      if (running || state.pendingGatewayAction === 'start') return { state, actions: [] };
      if (shouldRestartGateway(state, now)) return restartGateway(state, now);
      return noted(state, {
        event: 'gateway-down-while-promoted',
        reason:
          state.lastProbe === null
            ? 'standby gateway is not running; it is re-started if the first probe of the primary fails'
            : state.lastProbe.ok
              ? 'standby gateway is not running; the primary answers, so it is not re-started while recovery is counted'
              : `standby gateway is not running; re-start held back for ${Math.max(0, state.nextRestartAt - now)} ms (backoff)`,
        level: 'warn',
      });
    case 'promoting':
    case 'demoting':
      // The promote/demote action owns the container until it reports back.
      return { state, actions: [] };
  }
}

function onPromotionFinished(previous: State, report: PromotionReport, now: number): Step {
  if (previous.phase !== 'promoting' || previous.transition === null) return { state: previous, actions: [] };
  const problems = [...previous.transition.problems];
  if ('ok' in report.sync && !report.sync.ok) problems.push(`workspace sync failed: ${report.sync.error}`);
  if (report.hook && !report.hook.ok) problems.push(`ON_PROMOTE hook failed: ${report.hook.error}`);
  const base: Transition = {
    ...previous.transition,
    syncedAt: report.sync.at,
    startedAt: report.start.at,
    ...(report.hook ? { hookMs: report.hook.durationMs } : {}),
    problems,
  };

  if (!report.start.ok) {
    const transition: Transition = {
      ...base,
      outcome: 'failed',
      finishedAt: now,
      problems: [...problems, `gateway start failed: ${report.start.error}`],
    };
    // Back to watching with the failure streak intact: the next failed probe promotes again.
    const state = enterPhase({ ...previous, transition }, 'watching', now);
    return {
      state,
      actions: [{ type: 'persist' }],
      decision: { event: 'promotion-failed', reason: report.start.error, level: 'error' },
    };
  }

  const ready = report.ready;
  const readyOk = ready !== undefined && ready.ok;
  if (ready !== undefined && !ready.ok) problems.push(`gateway not ready: ${ready.error}`);
  const transition: Transition = {
    ...base,
    readyAt: readyOk ? ready.at : undefined,
    finishedAt: now,
    outcome: readyOk ? (problems.length > 0 ? 'degraded' : 'succeeded') : 'degraded',
    problems,
  };
  const state = enterPhase(
    { ...previous, transition, gatewayRunning: true, restartAttempts: 0, nextRestartAt: now },
    'promoted',
    now,
  );
  const decision: Decision = {
    event: 'promoted',
    reason: readyOk ? 'standby gateway started and ready' : `standby gateway started but ${problems.at(-1) ?? 'not ready'}`,
    level: transition.outcome === 'succeeded' ? 'info' : 'warn',
  };
  // The primary may have come back while the standby booted: hand back at once.
  if (state.consecutiveSuccesses >= state.policy.recoverThreshold) {
    const demotion = beginDemotion(state, now);
    return { ...demotion, actions: [{ type: 'persist' }, ...demotion.actions] };
  }
  return { state, actions: [{ type: 'persist' }], decision };
}

function onDemotionFinished(previous: State, ok: boolean, error: string | undefined, now: number, hook?: HookReport): Step {
  if (previous.phase !== 'demoting' || previous.transition === null) return { state: previous, actions: [] };
  let problems = ok ? previous.transition.problems : [...previous.transition.problems, `gateway stop failed: ${error ?? 'unknown error'}`];
  // ON_DEMOTE runs only after a successful stop; its failure degrades the demotion, never undoes it.
  const hookFailed = hook !== undefined && !hook.ok;
  if (hookFailed) problems = [...problems, `ON_DEMOTE hook failed: ${hook.error}`];
  const transition: Transition = {
    ...previous.transition,
    finishedAt: now,
    outcome: ok ? (hookFailed ? 'degraded' : 'succeeded') : 'failed',
    ...(hook ? { hookMs: hook.durationMs } : {}),
    problems,
  };
  const state = enterPhase(
    { ...previous, transition, gatewayRunning: ok ? false : previous.gatewayRunning },
    'watching',
    now,
  );
  // The primary may have died again while the standby was stopping.
  if (state.consecutiveFailures >= state.policy.failThreshold) {
    const promotion = beginPromotion(state, now);
    return { ...promotion, actions: [{ type: 'persist' }, ...promotion.actions] };
  }
  return {
    state,
    actions: [{ type: 'persist' }],
    decision: ok
      ? hookFailed
        ? { event: 'demoted', reason: `standby gateway stopped; the primary is in charge; ${problems.at(-1) ?? ''}`, level: 'warn' }
        : { event: 'demoted', reason: 'standby gateway stopped; the primary is in charge', level: 'info' }
      : { event: 'demotion-failed', reason: error ?? 'unknown error', level: 'error' },
  };
}

function onGatewayActionFinished(previous: State, action: 'start' | 'stop', ok: boolean, error: string | undefined): Step {
  const state: State = {
    ...previous,
    pendingGatewayAction: previous.pendingGatewayAction === action ? null : previous.pendingGatewayAction,
    gatewayRunning: ok ? action === 'start' : previous.gatewayRunning,
  };
  if (ok) return { state, actions: [] };
  return {
    state,
    actions: [],
    decision: { event: `gateway-${action}-failed`, reason: error ?? 'unknown error', level: 'error' },
  };
}

// ---------------------------------------------------------------------------------------------
// Transition edges

function beginPromotion(state: State, now: number): Step {
  const last = state.lastProbe;
  const reason = `${state.consecutiveFailures} consecutive failed probes (FAIL_THRESHOLD=${state.policy.failThreshold}), last: ${last?.reason ?? 'unknown'}${last?.detail ? ` (${last.detail})` : ''}`;
  const transition: Transition = {
    kind: 'promotion',
    reason,
    streakStartedAt: state.streakStartedAt ?? now,
    decidedAt: now,
    outcome: 'in-progress',
    problems: [],
  };
  return {
    state: enterPhase({ ...state, transition, pendingGatewayAction: null }, 'promoting', now),
    actions: [{ type: 'persist' }, { type: 'promote' }],
    decision: { event: 'promote', reason, level: 'warn' },
  };
}

function beginDemotion(state: State, now: number): Step {
  const reason = `${state.consecutiveSuccesses} consecutive healthy probes (RECOVER_THRESHOLD=${state.policy.recoverThreshold})`;
  const transition: Transition = {
    kind: 'demotion',
    reason,
    streakStartedAt: state.streakStartedAt ?? now,
    decidedAt: now,
    startedAt: now,
    outcome: 'in-progress',
    problems: [],
  };
  return {
    state: enterPhase({ ...state, transition, pendingGatewayAction: null }, 'demoting', now),
    actions: [{ type: 'persist' }, { type: 'demote' }],
    decision: { event: 'demote', reason, level: 'info' },
  };
}

function stopStrayGateway(state: State, detail: string | undefined): Step {
  const reason = `standby gateway is running while the primary is in charge${detail ? ` (${detail})` : ''}; stopping it now`;
  return {
    state: { ...state, pendingGatewayAction: 'stop' },
    actions: [{ type: 'stop-gateway', reason }],
    decision: { event: 'stop-stray-gateway', reason, level: 'warn' },
  };
}

function restartGateway(state: State, now: number): Step {
  const attempt = state.restartAttempts + 1;
  // The exponent is capped so that a zero base never meets 2**1024 = Infinity (0 × ∞ = NaN).
  const delay = Math.min(state.policy.restartBackoffMs * 2 ** Math.min(state.restartAttempts, 30), state.policy.restartBackoffMaxMs);
  const reason = `standby gateway is not running while promoted and the primary is failing (re-start #${attempt})`;
  return {
    state: { ...state, pendingGatewayAction: 'start', restartAttempts: attempt, nextRestartAt: now + delay },
    actions: [{ type: 'start-gateway', reason }],
    decision: { event: 'restart-gateway', reason, level: 'warn' },
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers

function countProbe(state: State, result: ProbeResult, now: number): State {
  const continuing = result.ok ? state.consecutiveSuccesses > 0 : state.consecutiveFailures > 0;
  const lastProbe = result.ok
    ? { ok: true, at: now, latencyMs: result.latencyMs, status: result.status }
    : { ok: false, at: now, latencyMs: result.latencyMs, reason: result.reason, detail: result.detail, status: result.status };
  return {
    ...state,
    consecutiveFailures: result.ok ? 0 : state.consecutiveFailures + 1,
    consecutiveSuccesses: result.ok ? state.consecutiveSuccesses + 1 : 0,
    // A streak starts when its first probe started, the best bound on when the primary changed.
    streakStartedAt: continuing ? state.streakStartedAt : result.startedAt,
    lastProbe,
  };
}

function shouldRestartGateway(state: State, now: number): boolean {
  return (
    state.phase === 'promoted' &&
    state.gatewayRunning === false &&
    state.pendingGatewayAction === null &&
    state.lastProbe?.ok === false &&
    now >= state.nextRestartAt
  );
}

function enterPhase(state: State, phase: Phase, now: number): State {
  return { ...state, phase, phaseSince: now };
}

function probeFailureDecision(state: State, level: Decision['level']): Decision {
  const last = state.lastProbe;
  return {
    event: 'primary-probe-failed',
    reason: `${last?.reason ?? 'unknown'}${last?.detail ? `: ${last.detail}` : ''} (${state.consecutiveFailures}/${state.policy.failThreshold})`,
    level,
  };
}

function noted(state: State, decision: Decision | undefined): Step {
  return decision === undefined ? { state, actions: [] } : { state, actions: [], decision };
}

/** Whether the standby gateway should be running in this state (for /status and reconcile checks). */
export function gatewayWanted(state: State): boolean {
  return state.phase === 'promoting' || state.phase === 'promoted';
}


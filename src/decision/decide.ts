// The promotion/demotion state machine: decide(state, observation, now) -> {state, actions}.
// Pure: no clocks, timers or I/O; `now` is injected, so every edge is unit-testable.
// One function per kind of observation, and one per transition edge, so each rule reads alone.
import type { ProbeResult } from '../probe/probe-result.ts';
import type { Decision, Observation, Phase, Policy, PromotionReport, State, Step, Transition, WitnessCheck } from './model.ts';
import { cyclesInWindow, demotionAllowedAt, failingForMs, holdDownMs, promotionRetryDelayMs, withStableRestartReset } from './damping.ts';

export const DEFAULT_POLICY: Policy = {
  failThreshold: 3,
  recoverThreshold: 3,
  restartBackoffMs: 2_000,
  restartBackoffMaxMs: 60_000,
  // Five times the longest re-start delay: a gateway that ran that long was not crash-looping.
  restartStableMs: 300_000,
  promoteRetryBackoffMs: 10_000,
  promoteRetryBackoffMaxMs: 300_000,
  partitionGuard: false,
  minPromotedMs: 60_000,
  flapWindowMs: 600_000,
  flapHoldDownMs: 30_000,
  flapHoldDownMaxMs: 600_000,
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
    gatewayUpSince: null,
    promotionFailures: 0,
    nextPromotionAt: now,
    recentCycles: [],
    partitionGuard: { checking: false, lastCheck: null },
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
      return reconcile(onDemotionFinished(state, observation.ok, observation.error, now), now);
    case 'gateway-action-finished':
      // Not reconciled here: a start/stop that fails at once would otherwise be re-issued in a
      // hot loop. The next probe (one CHECK_INTERVAL later) reconciles and retries it.
      return onGatewayActionFinished(state, observation.action, observation.ok, observation.error, now);
    case 'witnesses-checked':
      return reconcile(onWitnessesChecked(state, observation.answered, observation.total, observation.detail, now), now);
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
  const state = withStableRestartReset(withOutageOver(countProbe(previous, result, now)), now);
  const { policy } = state;
  switch (state.phase) {
    case 'watching':
      if (state.consecutiveFailures >= policy.failThreshold) return promoteIfAllowed(state, now);
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
      if (state.consecutiveSuccesses >= policy.recoverThreshold) return demoteIfAllowed(state, now);
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
  const upSince = running ? (previous.gatewayUpSince ?? now) : null;
  const state: State = withStableRestartReset({ ...previous, gatewayRunning: running, gatewayUpSince: upSince }, now);
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
  const base: Transition = {
    ...previous.transition,
    syncedAt: report.sync.at,
    startedAt: report.start.at,
    problems,
  };

  if (!report.start.ok) {
    const transition: Transition = {
      ...base,
      outcome: 'failed',
      finishedAt: now,
      problems: [...problems, `gateway start failed: ${report.start.error}`],
    };
    // Back to watching with the failure streak intact: the first failed probe after a growing,
    // capped delay promotes again (not every probe: each attempt also runs a git sync).
    const promotionFailures = previous.promotionFailures + 1;
    const delay = promotionRetryDelayMs(previous.policy, promotionFailures);
    const state = enterPhase({ ...previous, transition, promotionFailures, nextPromotionAt: now + delay }, 'watching', now);
    return {
      state,
      actions: [{ type: 'persist' }],
      decision: { event: 'promotion-failed', reason: `${report.start.error} (failed promotion #${promotionFailures}; next attempt not before ${delay} ms from now)`, level: 'error' },
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
    { ...previous, transition, gatewayRunning: true, gatewayUpSince: now, restartAttempts: 0, nextRestartAt: now, promotionFailures: 0, nextPromotionAt: now },
    'promoted',
    now,
  );
  const decision: Decision = {
    event: 'promoted',
    reason: readyOk ? 'standby gateway started and ready' : `standby gateway started but ${problems.at(-1) ?? 'not ready'}`,
    level: transition.outcome === 'succeeded' ? 'info' : 'warn',
  };
  // The primary may have come back while the standby booted: hand back at once, unless
  // MIN_PROMOTED holds the standby in charge (then a later healthy probe hands back).
  if (state.consecutiveSuccesses >= state.policy.recoverThreshold && now >= demotionAllowedAt(state)) {
    const demotion = beginDemotion(state, now);
    return { ...demotion, actions: [{ type: 'persist' }, ...demotion.actions] };
  }
  return { state, actions: [{ type: 'persist' }], decision };
}

function onDemotionFinished(previous: State, ok: boolean, error: string | undefined, now: number): Step {
  if (previous.phase !== 'demoting' || previous.transition === null) return { state: previous, actions: [] };
  const problems = ok ? previous.transition.problems : [...previous.transition.problems, `gateway stop failed: ${error ?? 'unknown error'}`];
  const transition: Transition = { ...previous.transition, finishedAt: now, outcome: ok ? 'succeeded' : 'failed', problems };
  const state = enterPhase(
    { ...previous, transition, gatewayRunning: ok ? false : previous.gatewayRunning },
    'watching',
    now,
  );
  // The primary may have died again while the standby was stopping. A promotion held back
  // (backoff, hold-down) is looked at again on the next failed probe.
  if (state.consecutiveFailures >= state.policy.failThreshold) {
    const promotion = promoteIfAllowed(state, now);
    if (promotion.actions.length > 0) return { ...promotion, actions: [{ type: 'persist' }, ...promotion.actions] };
  }
  return {
    state,
    actions: [{ type: 'persist' }],
    decision: ok
      ? { event: 'demoted', reason: 'standby gateway stopped; the primary is in charge', level: 'info' }
      : { event: 'demotion-failed', reason: error ?? 'unknown error', level: 'error' },
  };
}

function onGatewayActionFinished(previous: State, action: 'start' | 'stop', ok: boolean, error: string | undefined, now: number): Step {
  const state: State = {
    ...previous,
    pendingGatewayAction: previous.pendingGatewayAction === action ? null : previous.pendingGatewayAction,
    gatewayRunning: ok ? action === 'start' : previous.gatewayRunning,
    gatewayUpSince: ok ? (action === 'start' ? now : null) : previous.gatewayUpSince,
  };
  if (ok) return { state, actions: [] };
  return {
    state,
    actions: [],
    decision: { event: `gateway-${action}-failed`, reason: error ?? 'unknown error', level: 'error' },
  };
}

/**
 * Partition guard: the witnesses' answer to a check-witnesses. Any answer means this standby can
 * still see the network, so the primary's silence is the primary's; none means this standby is the
 * isolated one, and promoting it would give the users two gateways once the network heals.
 */
function onWitnessesChecked(previous: State, answered: string[], total: number, detail: string | undefined, now: number): Step {
  const reachable = answered.length > 0;
  const promotable = previous.phase === 'watching' && previous.consecutiveFailures >= previous.policy.failThreshold;
  const heard = reachable ? `${answered.length}/${total} witness(es) answered (${answered.join(', ')})` : `no witness answered (0/${total}${detail ? `: ${detail}` : ''})`;
  const reason = !promotable
    ? `${heard}; the primary answered again meanwhile: not promoting`
    : reachable
      ? `${heard}: the network is up and the primary is not, promoting`
      : `${heard}: this standby is the isolated one, NOT promoting; re-checking on the next failed probe`;
  const lastCheck: WitnessCheck = { at: now, reachable, answered, reason };
  const state: State = { ...previous, partitionGuard: { checking: false, lastCheck } };
  if (!promotable) return noted(state, { event: 'witnesses-checked', reason, level: 'info' });
  if (!reachable) return noted(state, { event: 'promotion-withheld', reason, level: 'warn' });
  return beginPromotion(state, now, heard);
}

// ---------------------------------------------------------------------------------------------
// Transition edges

/**
 * The failure threshold was reached: promote, unless a failed start's backoff or the flap hold-down
 * is still running, or the partition guard must first hear from a witness.
 */
function promoteIfAllowed(state: State, now: number): Step {
  const { policy } = state;
  if (state.promotionFailures > 0 && now < state.nextPromotionAt) {
    return noted(state, {
      event: 'promotion-backoff',
      reason: `${state.promotionFailures} promotion(s) in a row failed to start the gateway; next attempt in ${state.nextPromotionAt - now} ms (${state.consecutiveFailures} failed probes)`,
      level: 'warn',
    });
  }
  const holdDown = holdDownMs(state, now);
  const failing = failingForMs(state, now);
  if (failing < holdDown) {
    const cycles = cyclesInWindow(state.recentCycles, policy, now).length;
    return noted(state, {
      event: 'promotion-held-down',
      reason: `flap damping: ${cycles} promote/demote cycles within FLAP_WINDOW=${policy.flapWindowMs / 1000}s, so the primary must fail for ${holdDown} ms before promoting; failing for ${failing} ms (${state.consecutiveFailures} failed probes)`,
      level: 'warn',
    });
  }
  if (policy.partitionGuard) {
    if (state.partitionGuard.checking) return noted(state, probeFailureDecision(state, 'debug'));
    return {
      state: { ...state, partitionGuard: { ...state.partitionGuard, checking: true } },
      actions: [{ type: 'check-witnesses' }],
      decision: {
        event: 'check-witnesses',
        reason: `${state.consecutiveFailures} consecutive failed probes (FAIL_THRESHOLD=${policy.failThreshold}); asking the witnesses whether this standby is the isolated one before promoting`,
        level: 'warn',
      },
    };
  }
  return beginPromotion(state, now);
}

/** The recovery threshold was reached while promoted: demote, unless MIN_PROMOTED has not passed. */
function demoteIfAllowed(state: State, now: number): Step {
  const allowedAt = demotionAllowedAt(state);
  if (now < allowedAt) {
    return noted(state, {
      event: 'demotion-held',
      reason: `primary healthy ${state.consecutiveSuccesses}/${state.policy.recoverThreshold}, but MIN_PROMOTED=${state.policy.minPromotedMs / 1000}s keeps the standby in charge for ${allowedAt - now} ms more`,
      level: 'info',
    });
  }
  return beginDemotion(state, now);
}

function beginPromotion(state: State, now: number, witnesses?: string): Step {
  const last = state.lastProbe;
  const reason = `${state.consecutiveFailures} consecutive failed probes (FAIL_THRESHOLD=${state.policy.failThreshold}), last: ${last?.reason ?? 'unknown'}${last?.detail ? ` (${last.detail})` : ''}${witnesses ? `; ${witnesses}` : ''}`;
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
  // Each demotion closes one promote/demote cycle, which flap damping counts.
  const recentCycles = [...cyclesInWindow(state.recentCycles, state.policy, now), now];
  return {
    state: enterPhase({ ...state, transition, pendingGatewayAction: null, recentCycles }, 'demoting', now),
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

/** A primary healthy for RECOVER_THRESHOLD probes while watching ended the outage: failed promotions are forgotten. */
function withOutageOver(state: State): State {
  if (state.phase !== 'watching' || state.promotionFailures === 0 || state.consecutiveSuccesses < state.policy.recoverThreshold) return state;
  return { ...state, promotionFailures: 0, nextPromotionAt: state.lastProbe?.at ?? state.nextPromotionAt };
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


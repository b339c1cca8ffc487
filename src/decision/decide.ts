// The promotion/demotion state machine: decide(state, observation, now) -> {state, actions}.
// Pure: no clocks, timers or I/O; `now` is injected, so every edge is unit-testable.
// One function per kind of observation, and one per transition edge, so each rule reads alone.
import type { ProbeResult } from '../probe/probe-result.ts';
import type { Command, Decision, Drill, HookReport, Mode, Observation, Phase, Policy, PromotionReport, State, Step, Transition, WitnessCheck } from './model.ts';
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
 * `control` is the persisted operator mode and last drill; a drill cut short by the restart is
 * recorded as failed, and the phase it left behind is then handled like any other.
 */
export function initialState(policy: Policy, restored: Phase | null, now: number, control?: { mode?: Mode; drill?: Drill | null }): State {
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
    mode: control?.mode ?? { kind: 'auto' },
    drill: restoreDrill(control?.drill ?? null, now),
  };
}

export function decide(state: State, observation: Observation, now: number): Step {
  switch (observation.type) {
    case 'probe':
      if (state.mode.kind !== 'auto') return reconcile(onProbeUnderControl(state, observation.result, now), now);
      return reconcile(onProbe(state, observation.result, now), now);
    case 'gateway':
      if (state.mode.kind === 'paused') return onGatewayWhilePaused(state, observation.running, observation.detail);
      if (state.mode.kind === 'override') return reconcile({ state: { ...state, gatewayRunning: observation.running }, actions: [] }, now);
      return reconcile(onGatewayObserved(state, observation.running, observation.detail, now), now);
    case 'promotion-finished':
      if (drillRunning(state)) return reconcile(onDrillPromotionFinished(state, observation.report, now), now);
      return reconcile(onPromotionFinished(state, observation.report, now), now);
    case 'demotion-finished':
      if (drillRunning(state)) return reconcile(onDrillDemotionFinished(state, observation.ok, observation.error, now), now);
      return reconcile(onDemotionFinished(state, observation.ok, observation.error, now, observation.hook), now);
    case 'command': {
      // A mode change (persist only) is reconciled at once: resuming with a stray running stops it.
      const answered = onCommand(state, observation.command, now);
      if (!answered.actions.every((action) => action.type === 'persist')) return answered;
      const reconciled = reconcile({ ...answered, actions: [] }, now);
      return { ...reconciled, actions: [...answered.actions, ...reconciled.actions], reply: answered.reply };
    }
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
  if (state.mode.kind !== 'auto') return reconcileUnderControl(step, now);
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
  // Ready but not reachable (a channel that did not come up) is a degraded promotion, with why.
  if (readyOk && ready.channelError !== undefined) problems.push(`channel not live: ${ready.channelError}`);
  const transition: Transition = {
    ...base,
    readyAt: readyOk ? ready.at : undefined,
    ...(readyOk && ready.channelLiveAt !== undefined ? { channelLiveAt: ready.channelLiveAt } : {}),
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
    reason: !readyOk
      ? `standby gateway started but ${problems.at(-1) ?? 'not ready'}`
      : ready.channelError !== undefined
        ? `standby gateway started and ready, but ${ready.channelError}`
        : ready.channelLiveAt !== undefined
          ? 'standby gateway started, ready and its channels live'
          : 'standby gateway started and ready',
    level: transition.outcome === 'succeeded' ? 'info' : 'warn',
  };
  // The primary may have come back while the standby booted: hand back at once, unless an
  // operator or drill is in charge, or MIN_PROMOTED holds the standby in charge (then a later
  // healthy probe hands back).
  if (followsPrimary(state) && state.consecutiveSuccesses >= state.policy.recoverThreshold && now >= demotionAllowedAt(state)) {
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
  // The primary may have died again while the standby was stopping (unless an operator or drill
  // is in charge). A promotion held back (backoff, hold-down) is looked at again on the next failed probe.
  if (followsPrimary(state) && state.consecutiveFailures >= state.policy.failThreshold) {
    const promotion = promoteIfAllowed(state, now);
    if (promotion.actions.length > 0) return { ...promotion, actions: [{ type: 'persist' }, ...promotion.actions] };
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
  // An operator (pause, override) or a drill may have taken charge while the witnesses were asked.
  const promotable = followsPrimary(previous) && previous.phase === 'watching' && previous.consecutiveFailures >= previous.policy.failThreshold;
  const heard = reachable ? `${answered.length}/${total} witness(es) answered (${answered.join(', ')})` : `no witness answered (0/${total}${detail ? `: ${detail}` : ''})`;
  const reason = !promotable
    ? `${heard}; ${followsPrimary(previous) ? 'the primary answered again meanwhile' : 'an operator or a drill is in charge'}: not promoting`
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


// ---------------------------------------------------------------------------------------------
// Operator control: maintenance mode (paused), manual override, drills.
// Paused: probes are counted and reported; nothing is started or stopped, not even a stray
// (drift is reported). Override: the phase converges on the operator's target whatever the
// probes say. A drill runs in auto mode through the normal promote/demote actions.

/** Whether probes may trigger transitions: auto mode and no drill under way. */
function followsPrimary(state: State): boolean {
  return state.mode.kind === 'auto' && !drillRunning(state);
}

export function drillRunning(state: State): boolean {
  return state.drill !== null && (state.drill.status === 'promoting' || state.drill.status === 'demoting');
}

function restoreDrill(drill: Drill | null, now: number): Drill | null {
  if (drill === null || (drill.status !== 'promoting' && drill.status !== 'demoting')) return drill;
  return { ...drill, status: 'failed', finishedAt: now, problems: [...drill.problems, 'the watcher restarted during the drill'] };
}

function onProbeUnderControl(previous: State, result: ProbeResult, now: number): Step {
  const state = countProbe(previous, result, now);
  const { mode } = state;
  if (mode.kind === 'override') {
    if (mode.target === 'promoted' && state.phase === 'watching') return beginManualPromotion(state, mode.reason, now);
    if (mode.target === 'demoted' && state.phase === 'promoted') return beginManualDemotion(state, mode.reason, now);
  }
  if (result.ok || previous.lastProbe?.ok === false) return { state, actions: [] };
  const held = mode.kind === 'paused' ? 'paused: no automatic promotion' : `manual override (${mode.kind === 'override' ? mode.target : ''}) holds`;
  const failed = probeFailureDecision(state, 'warn');
  return noted(state, { ...failed, reason: `${failed.reason}; ${held}` });
}

function onGatewayWhilePaused(previous: State, running: boolean, detail: string | undefined): Step {
  const state: State = { ...previous, gatewayRunning: running };
  const settled = state.phase === 'watching' || state.phase === 'promoted';
  if (!settled || previous.gatewayRunning === running || running === gatewayWanted(state)) return { state, actions: [] };
  return noted(state, {
    event: 'drift-while-paused',
    reason: `standby gateway is ${running ? 'running' : 'not running'} in phase ${state.phase}${detail ? ` (${detail})` : ''}; paused, so it is left as it is`,
    level: 'warn',
  });
}

/** Converges on the override's target: a stray is stopped when demoted, a dead gateway re-started (with backoff) when promoted. */
function reconcileUnderControl(step: Step, now: number): Step {
  const { state } = step;
  const { mode } = state;
  if (mode.kind !== 'override') return step;
  if (mode.target === 'demoted' && state.phase === 'watching' && state.gatewayRunning === true) {
    const stop = stopStrayGateway(state, `manual override: demoted (${mode.reason})`);
    return { ...stop, decision: step.decision ?? stop.decision };
  }
  if (mode.target === 'promoted' && state.phase === 'promoted' && state.gatewayRunning === false && now >= state.nextRestartAt) {
    const restart = restartGateway(state, now);
    const reason = `standby gateway is not running under a manual promote override (re-start #${restart.state.restartAttempts})`;
    return { ...restart, actions: [{ type: 'start-gateway', reason }], decision: step.decision ?? { event: 'restart-gateway', reason, level: 'warn' } };
  }
  return step;
}

function onCommand(state: State, command: Command, now: number): Step {
  if (drillRunning(state)) {
    return refused(state, `a drill is under way (${state.drill?.status ?? ''}); wait for it to finish`);
  }
  switch (command.name) {
    case 'pause':
      return pause(state, command.reason?.trim() || 'maintenance', now);
    case 'resume':
      return resume(state, now);
    case 'promote':
    case 'demote':
      if (command.reason.trim() === '') return refused(state, `${command.name} needs a reason, e.g. --reason "primary host maintenance"`);
      return override(state, command.name === 'promote' ? 'promoted' : 'demoted', command.reason.trim(), now);
    case 'drill':
      return beginDrill(state, now);
  }
}

function pause(state: State, reason: string, now: number): Step {
  if (state.mode.kind === 'paused') {
    return { state, actions: [], reply: { accepted: true, message: `already paused since ${new Date(state.mode.since).toISOString()} (${state.mode.reason})` } };
  }
  const paused: State = { ...state, mode: { kind: 'paused', reason, since: now } };
  const message = `paused (${reason}): probing goes on, nothing is promoted, demoted, started or stopped until resume; phase ${state.phase}, standby gateway ${gatewayText(state)}`;
  return { state: paused, actions: [{ type: 'persist' }], decision: { event: 'paused', reason, level: 'warn' }, reply: { accepted: true, message } };
}

function resume(state: State, now: number): Step {
  if (state.mode.kind === 'auto') return { state, actions: [], reply: { accepted: true, message: 'already in automatic mode; nothing to resume' } };
  const was = state.mode.kind === 'paused' ? `pause (${state.mode.reason})` : `manual ${state.mode.target} override (${state.mode.reason})`;
  const resumed: State = { ...state, mode: { kind: 'auto' }, restartAttempts: 0, nextRestartAt: now };
  const message = `resumed automatic failover after ${was}; phase ${state.phase}, the next probe decides`;
  return { state: resumed, actions: [{ type: 'persist' }], decision: { event: 'resumed', reason: was, level: 'warn' }, reply: { accepted: true, message } };
}

function override(previous: State, target: 'promoted' | 'demoted', reason: string, now: number): Step {
  const state: State = { ...previous, mode: { kind: 'override', target, reason, since: now }, restartAttempts: 0, nextRestartAt: now };
  const holds = `holds until resume, whatever the primary does`;
  if (target === 'promoted' && state.phase === 'watching') {
    const step = beginManualPromotion(state, reason, now);
    return { ...step, reply: { accepted: true, message: `promoting the standby (${reason}); the override ${holds}` } };
  }
  if (target === 'demoted' && state.phase === 'promoted') {
    const step = beginManualDemotion(state, reason, now);
    return { ...step, reply: { accepted: true, message: `demoting the standby (${reason}); the override ${holds}` } };
  }
  const already = (target === 'promoted') === (state.phase === 'promoted' || state.phase === 'promoting');
  const message = already
    ? `standby already ${state.phase}; pinned ${target} (${reason}), the override ${holds}`
    : `a ${state.phase === 'promoting' ? 'promotion' : 'demotion'} is in flight; the standby is ${target === 'promoted' ? 'promoted' : 'demoted'} once it settles (${reason}); the override ${holds}`;
  return {
    state,
    actions: [{ type: 'persist' }],
    decision: { event: `override-${target}`, reason, level: 'warn' },
    reply: { accepted: true, message },
  };
}

function beginManualPromotion(state: State, reason: string, now: number): Step {
  return relabel(beginPromotion(state, now), 'manual-promote', `manual override: ${reason}`, now);
}

function beginManualDemotion(state: State, reason: string, now: number): Step {
  return relabel(beginDemotion(state, now), 'manual-demote', `manual override: ${reason}`, now);
}

/** A transition begun by an operator or a drill: its own reason, and no failure streak behind it. */
function relabel(step: Step, event: string, reason: string, now: number): Step {
  const transition = step.state.transition && { ...step.state.transition, reason, streakStartedAt: now };
  return { ...step, state: { ...step.state, transition }, decision: { event, reason, level: 'warn' } };
}

function beginDrill(state: State, now: number): Step {
  if (state.mode.kind === 'paused') return refused(state, 'paused: resume first, a drill needs automatic mode');
  if (state.mode.kind === 'override') return refused(state, `a manual ${state.mode.target} override is in force; resume first`);
  if (state.phase !== 'watching') return refused(state, `the standby is ${state.phase}; a drill starts only from watching`);
  if (state.lastProbe === null || !state.lastProbe.ok || state.consecutiveFailures > 0) {
    return refused(state, 'the primary is not answering healthy; a drill needs a healthy primary (this would be a real failover)');
  }
  if (state.pendingGatewayAction !== null || state.gatewayRunning !== false) {
    return refused(state, 'the standby gateway is not known to be stopped yet; try again in a few seconds');
  }
  const drill: Drill = { id: now, requestedAt: now, status: 'promoting', problems: [] };
  const step = relabel(beginPromotion({ ...state, drill }, now), 'drill-promote', 'drill: promoting the standby while the primary is up', now);
  return { ...step, reply: { accepted: true, message: `drill ${drill.id} started: promoting the standby` } };
}

function onDrillPromotionFinished(previous: State, report: PromotionReport, now: number): Step {
  const step = onPromotionFinished(previous, report, now);
  const problems = [...(step.state.transition?.problems ?? [])];
  const drill: Drill = {
    ...(previous.drill as Drill),
    syncedAt: report.sync.at,
    startedAt: report.start.at,
    readyAt: report.ready?.ok ? report.ready.at : undefined,
    problems,
  };
  if (!report.start.ok) {
    const failed: Drill = { ...drill, status: 'failed', finishedAt: now };
    return { ...step, state: { ...step.state, drill: failed }, decision: { event: 'drill-failed', reason: problems.join('; '), level: 'error' } };
  }
  const { policy } = step.state;
  if (step.state.consecutiveFailures >= policy.failThreshold) {
    // The primary died while the drill promoted: this is a real failover now, so stay promoted.
    const reason = `the primary failed ${step.state.consecutiveFailures} probes (FAIL_THRESHOLD=${policy.failThreshold}) during a drill; staying promoted`;
    const became: Drill = { ...drill, status: 'became-promotion', finishedAt: now, problems: [...problems, reason] };
    const transition = step.state.transition && { ...step.state.transition, reason };
    return { ...step, state: { ...step.state, drill: became, transition }, decision: { event: 'drill-became-promotion', reason, level: 'warn' } };
  }
  const demotion = relabel(beginDemotion({ ...step.state, drill: { ...drill, status: 'demoting', stopIssuedAt: now } }, now), 'drill-demote', 'drill: handing back to the primary', now);
  const ready = drill.readyAt === undefined ? `not ready (${problems.at(-1) ?? 'unknown'})` : `ready in ${drill.readyAt - report.start.at} ms`;
  return { ...demotion, decision: { event: 'drill-demote', reason: `drill: standby ${ready}; handing back to the primary`, level: 'info' } };
}

function onDrillDemotionFinished(previous: State, ok: boolean, error: string | undefined, now: number): Step {
  const running = previous.drill as Drill;
  const problems = ok ? running.problems : [...running.problems, `gateway stop failed: ${error ?? 'unknown error'}`];
  const clean = ok && running.readyAt !== undefined;
  const finished: Drill = { ...running, stoppedAt: ok ? now : undefined, finishedAt: now, status: clean ? 'succeeded' : 'failed', problems };
  // With the drill settled, the demotion's own rule applies: a primary that died meanwhile is promoted for real.
  const step = onDemotionFinished({ ...previous, drill: finished }, ok, error, now);
  if (step.state.phase === 'promoting') {
    const reason = 'the primary went down during the drill; promoting for real';
    const became: Drill = { ...finished, status: 'became-promotion', problems: [...problems, reason] };
    return { ...step, state: { ...step.state, drill: became } };
  }
  const summary = clean ? 'drill succeeded: promoted, ready and demoted' : `drill failed: ${problems.join('; ')}`;
  return { ...step, decision: { event: clean ? 'drill-succeeded' : 'drill-failed', reason: summary, level: clean ? 'info' : 'error' } };
}

function refused(state: State, message: string): Step {
  return { state, actions: [], reply: { accepted: false, message } };
}

function gatewayText(state: State): string {
  return state.gatewayRunning === null ? 'not inspected yet' : state.gatewayRunning ? 'running' : 'stopped';
}

// The promotion edges: watching → promoting (threshold reached, unless a guard holds it back),
// promoting → promoted (the gateway started) and promoting → watching (its start failed).
// What follows a settled promotion (an immediate hand-back) is the caller's rule: auto-mode.ts.
import { cyclesInWindow, failingForMs, holdDownMs, promotionRetryDelayMs } from './damping.ts';
import type { Decision, TransitionCause } from './events.ts';
import type { PromotionReport, State, Step, Transition, WitnessCheck } from './model.ts';
import { probeFailureDecision } from './probe-streaks.ts';
import { enterPhase, noted, type Report } from './step.ts';

/**
 * The failure threshold was reached: promote, unless a failed start's backoff or the flap hold-down
 * is still running, or the partition guard must first hear from a witness.
 */
export function promoteIfAllowed(state: State, now: number): Step {
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
      decisions: [
        {
          event: 'check-witnesses',
          reason: `${state.consecutiveFailures} consecutive failed probes (FAIL_THRESHOLD=${policy.failThreshold}); asking the witnesses whether this standby is the isolated one before promoting`,
          level: 'warn',
        },
      ],
    };
  }
  return beginPromotion(state, now);
}

/** The probes' reason to promote: the failure streak (and what the witnesses said). */
function probeCause(state: State, now: number, witnesses?: string): TransitionCause {
  const last = state.lastProbe;
  const reason = `${state.consecutiveFailures} consecutive failed probes (FAIL_THRESHOLD=${state.policy.failThreshold}), last: ${last?.reason ?? 'unknown'}${last?.detail ? ` (${last.detail})` : ''}${witnesses ? `; ${witnesses}` : ''}`;
  return { event: 'promote', reason, level: 'warn', streakStartedAt: state.streakStartedAt ?? now };
}

export function beginPromotion(state: State, now: number, cause: TransitionCause = probeCause(state, now)): Step {
  const transition: Transition = {
    kind: 'promotion',
    reason: cause.reason,
    streakStartedAt: cause.streakStartedAt,
    decidedAt: now,
    outcome: 'in-progress',
    problems: [],
  };
  const next = enterPhase({ ...state, transition, pendingGatewayAction: null }, 'promoting', now);
  return {
    state: next,
    actions: [{ type: 'persist' }, { type: 'promote' }],
    decisions: [{ event: cause.event, reason: cause.detail ?? cause.reason, level: cause.level, transition, ...(cause.drill ? { drill: cause.drill } : {}) }],
  };
}

/**
 * promoting → promoted when the gateway started (degraded when the sync, ON_PROMOTE or readiness
 * had problems), promoting → watching with a growing retry delay when `docker start` failed.
 * A report that arrives in any other phase is stale and changes nothing.
 */
export function settlePromotion(previous: State, report: PromotionReport, now: number): Step {
  if (previous.phase !== 'promoting' || previous.transition === null) return noted(previous, undefined);
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
    const transition: Transition = { ...base, outcome: 'failed', finishedAt: now, problems: [...problems, `gateway start failed: ${report.start.error}`] };
    // Back to watching with the failure streak intact: the first failed probe after a growing,
    // capped delay promotes again (not every probe: each attempt also runs a git sync).
    const promotionFailures = previous.promotionFailures + 1;
    const delay = promotionRetryDelayMs(previous.policy, promotionFailures);
    const state = enterPhase({ ...previous, transition, promotionFailures, nextPromotionAt: now + delay }, 'watching', now);
    const reason = `${report.start.error} (failed promotion #${promotionFailures}; next attempt not before ${delay} ms from now)`;
    return { state, actions: [{ type: 'persist' }], decisions: [{ event: 'promotion-failed', reason, level: 'error', transition }] };
  }

  const ready = report.ready;
  const readyOk = ready !== undefined && ready.ok;
  if (ready !== undefined && !ready.ok) problems.push(`gateway not ready: ${ready.error}`);
  // Ready but not reachable (a channel that did not come up) is a degraded promotion, with why.
  if (readyOk && ready.channelError !== undefined) problems.push(`channel not live: ${ready.channelError}`);
  // Reachable, but only because the watcher started a channel whose autostart was off.
  if (readyOk && ready.startedByHand !== undefined && ready.startedByHand.length > 0) {
    problems.push(`channel autostart was off (OpenClaw's crash-loop breaker after unclean boots?): the watcher started ${ready.startedByHand.join(', ')} with channels.start`);
  }
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
    transition,
  };
  return { state, actions: [{ type: 'persist' }], decisions: [decision] };
}

/**
 * Partition guard: the witnesses' answer to a check-witnesses. Any answer means this standby can
 * still see the network, so the primary's silence is the primary's; none means this standby is the
 * isolated one, and promoting it would give the users two gateways once the network heals.
 * `probesInCharge` is false when an operator (pause, override) or a drill took charge meanwhile.
 */
export function onWitnessesChecked(previous: State, report: Extract<Report, { type: 'witnesses-checked' }>, now: number, probesInCharge: boolean): Step {
  const { answered, total, detail } = report;
  const reachable = answered.length > 0;
  const promotable = probesInCharge && previous.phase === 'watching' && previous.consecutiveFailures >= previous.policy.failThreshold;
  const heard = reachable ? `${answered.length}/${total} witness(es) answered (${answered.join(', ')})` : `no witness answered (0/${total}${detail ? `: ${detail}` : ''})`;
  const reason = !promotable
    ? `${heard}; ${probesInCharge ? 'the primary answered again meanwhile' : 'an operator or a drill is in charge'}: not promoting`
    : reachable
      ? `${heard}: the network is up and the primary is not, promoting`
      : `${heard}: this standby is the isolated one, NOT promoting; re-checking on the next failed probe`;
  const lastCheck: WitnessCheck = { at: now, reachable, answered, reason };
  const state: State = { ...previous, partitionGuard: { checking: false, lastCheck } };
  if (!promotable) return noted(state, { event: 'witnesses-checked', reason, level: 'info' });
  if (!reachable) return noted(state, { event: 'promotion-withheld', reason, level: 'warn' });
  return beginPromotion(state, now, probeCause(state, now, heard));
}

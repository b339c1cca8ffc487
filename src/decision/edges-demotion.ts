// The demotion edges: promoted → demoting (the primary recovered, unless MIN_PROMOTED holds the
// standby in charge) and demoting → watching (the gateway stopped, or its stop failed).
// What follows a settled demotion (promoting again at once) is the caller's rule: auto-mode.ts.
import { cyclesInWindow, demotionAllowedAt } from './damping.ts';
import type { Decision, TransitionCause } from './events.ts';
import type { HookReport, State, Step, Transition } from './model.ts';
import { enterPhase, noted } from './step.ts';

/** The recovery threshold was reached while promoted: demote, unless MIN_PROMOTED has not passed. */
export function demoteIfAllowed(state: State, now: number): Step {
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

/**
 * promoting → demoting: the primary recovered (RECOVER_THRESHOLD healthy probes) while the promotion
 * was still under way, e.g. a false alarm on a loaded host whose standby is slow to switch. The
 * promotion is aborted before it switches the standby to serving, and a demotion undoes whatever
 * it did get done (a started container, a channel switched on by a step already in flight).
 * MIN_PROMOTED does not apply: the standby never served. It counts as a flap cycle like any other.
 */
export function cancelPromotion(state: State, now: number): Step {
  const reason = `primary healthy again (${state.consecutiveSuccesses} consecutive healthy probes, RECOVER_THRESHOLD=${state.policy.recoverThreshold}) before the promotion finished: cancelling it`;
  const demotion = beginDemotion(state, now, { event: 'demote', reason: `promotion cancelled: ${reason}`, level: 'warn', streakStartedAt: state.streakStartedAt ?? now });
  return {
    state: demotion.state,
    actions: [{ type: 'abort-promotion', reason }, ...demotion.actions],
    decisions: [{ event: 'promotion-cancelled', reason, level: 'warn' }, ...demotion.decisions],
  };
}

/** The probes' reason to demote: the recovery streak. */
function probeCause(state: State, now: number): TransitionCause {
  const reason = `${state.consecutiveSuccesses} consecutive healthy probes (RECOVER_THRESHOLD=${state.policy.recoverThreshold})`;
  return { event: 'demote', reason, level: 'info', streakStartedAt: state.streakStartedAt ?? now };
}

export function beginDemotion(state: State, now: number, cause: TransitionCause = probeCause(state, now)): Step {
  const transition: Transition = {
    kind: 'demotion',
    reason: cause.reason,
    streakStartedAt: cause.streakStartedAt,
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
    decisions: [{ event: cause.event, reason: cause.detail ?? cause.reason, level: cause.level, transition, ...(cause.drill ? { drill: cause.drill } : {}) }],
  };
}

/**
 * demoting → watching. A failed stop fails the demotion (the gateway may still run; reconcile
 * stops it); a failed ON_DEMOTE (run only after a successful stop) degrades it, never undoes it.
 * A report that arrives in any other phase is stale and changes nothing.
 */
export function settleDemotion(previous: State, report: { ok: boolean; error?: string; hook?: HookReport }, now: number): Step {
  if (previous.phase !== 'demoting' || previous.transition === null) return noted(previous, undefined);
  const { ok, error, hook } = report;
  let problems = ok ? previous.transition.problems : [...previous.transition.problems, `gateway stop failed: ${error ?? 'unknown error'}`];
  const hookFailed = hook !== undefined && !hook.ok;
  if (hookFailed) problems = [...problems, `ON_DEMOTE hook failed: ${hook.error}`];
  const transition: Transition = {
    ...previous.transition,
    finishedAt: now,
    outcome: ok ? (hookFailed ? 'degraded' : 'succeeded') : 'failed',
    ...(hook ? { hookMs: hook.durationMs } : {}),
    problems,
  };
  const state = enterPhase({ ...previous, transition, gatewayRunning: ok ? false : previous.gatewayRunning }, 'watching', now);
  const decision: Decision = ok
    ? hookFailed
      ? { event: 'demoted', reason: `standby gateway stopped; the primary is in charge; ${problems.at(-1) ?? ''}`, level: 'warn', transition }
      : { event: 'demoted', reason: 'standby gateway stopped; the primary is in charge', level: 'info', transition }
    : { event: 'demotion-failed', reason: error ?? 'unknown error', level: 'error', transition };
  return { state, actions: [{ type: 'persist' }], decisions: [decision] };
}

// Reconcile in automatic mode: whatever an observation did, what runs must converge on what should
// run. While watching a gateway known to run is stopped; while promoted one known to be down is
// re-started (with backoff) as long as the primary fails (FAIL_THRESHOLD probes in a row, as seen by
// this watcher). Under a manual override control.ts
// converges on the operator's target instead; paused, nothing is touched.
import type { State, Step } from './model.ts';
import { andThen } from './step.ts';

/** Acts only when no start/stop is already in flight and the step itself asked for nothing. */
export function reconcile(step: Step, now: number): Step {
  const { state } = step;
  if (!mayReconcile(step)) return step;
  if (state.phase === 'watching' && state.gatewayRunning === true) return andThen(step, (s) => stopStrayGateway(s, undefined));
  if (shouldRestartGateway(state, now)) return andThen(step, (s) => restartGateway(s, now));
  return step;
}

/** A step that already acts, or a start/stop in flight, is left alone: no duplicates pile up. */
export function mayReconcile(step: Step): boolean {
  return step.actions.length === 0 && step.state.pendingGatewayAction === null;
}

export function shouldRestartGateway(state: State, now: number): boolean {
  return (
    state.phase === 'promoted' &&
    state.gatewayRunning === false &&
    state.pendingGatewayAction === null &&
    primaryDownObserved(state) &&
    now >= state.nextRestartAt
  );
}

/**
 * The primary is down as this watcher has seen it: FAIL_THRESHOLD failed probes in a row, the last
 * one included. One failed probe is not enough to bring the standby back to serving: a watcher
 * restored as promoted (it crashed mid-promotion) whose first probe times out on a loaded host, or
 * a primary that answered again and then missed one probe, would put the standby's channel up
 * next to a healthy primary.
 */
export function primaryDownObserved(state: State): boolean {
  return state.lastProbe?.ok === false && state.consecutiveFailures >= state.policy.failThreshold;
}

export function stopStrayGateway(state: State, detail: string | undefined): Step {
  const reason = `standby gateway is running while the primary is in charge${detail ? ` (${detail})` : ''}; stopping it now`;
  return {
    state: { ...state, pendingGatewayAction: 'stop' },
    actions: [{ type: 'stop-gateway', reason }],
    decisions: [{ event: 'stop-stray-gateway', reason, level: 'warn' }],
  };
}

/** Re-starts a gateway that died while promoted; each attempt doubles the delay before the next. */
export function restartGateway(state: State, now: number, why = 'while promoted and the primary is failing'): Step {
  const attempt = state.restartAttempts + 1;
  // The exponent is capped so that a zero base never meets 2**1024 = Infinity (0 × ∞ = NaN).
  const delay = Math.min(state.policy.restartBackoffMs * 2 ** Math.min(state.restartAttempts, 30), state.policy.restartBackoffMaxMs);
  const reason = `standby gateway is not running ${why} (re-start #${attempt})`;
  return {
    state: { ...state, pendingGatewayAction: 'start', restartAttempts: attempt, nextRestartAt: now + delay },
    actions: [{ type: 'start-gateway', reason }],
    decisions: [{ event: 'restart-gateway', reason, level: 'warn' }],
  };
}

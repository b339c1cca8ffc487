// Pure helpers for the rules that hold a transition back: flap damping (hold-down after repeated
// promote/demote cycles), MIN_PROMOTED, the promotion retry backoff after a failed start, and the
// re-start backoff reset. decide.ts applies them; /status and the log lines show them.
import type { Policy, State } from './model.ts';

/**
 * Cycles inside FLAP_WINDOW that cost nothing: a primary that goes down and comes back once is
 * an ordinary outage. From the second cycle within the window on, the next promotion waits.
 */
export const FLAP_FREE_CYCLES = 1;

/** Exponents are capped so a zero base never meets 2**1024 = Infinity (0 × ∞ = NaN). */
function doubled(base: number, times: number, cap: number): number {
  return Math.min(base * 2 ** Math.min(Math.max(times, 0), 30), cap);
}

/** The cycles still inside the window at `now` (all of them dropped when damping is off). */
export function cyclesInWindow(cycles: readonly number[], policy: Policy, now: number): number[] {
  if (policy.flapWindowMs <= 0) return [];
  return cycles.filter((at) => now - at < policy.flapWindowMs);
}

/**
 * The extra time the primary must have been failing before the next promotion: 0 up to
 * FLAP_FREE_CYCLES cycles in the window, then FLAP_HOLD_DOWN doubling per further cycle, capped
 * at FLAP_HOLD_DOWN_MAX (never below FLAP_HOLD_DOWN, whatever the cap was set to).
 */
export function holdDownMs(state: State, now: number): number {
  const { policy } = state;
  const cycles = cyclesInWindow(state.recentCycles, policy, now).length;
  if (cycles <= FLAP_FREE_CYCLES) return 0;
  const cap = Math.max(policy.flapHoldDownMs, policy.flapHoldDownMaxMs);
  return doubled(policy.flapHoldDownMs, cycles - FLAP_FREE_CYCLES - 1, cap);
}

/** How long the current failure streak has lasted (0 without one). */
export function failingForMs(state: State, now: number): number {
  return state.consecutiveFailures > 0 && state.streakStartedAt !== null ? Math.max(0, now - state.streakStartedAt) : 0;
}

/** Delay before the next promotion attempt after `failures` failed starts in a row. */
export function promotionRetryDelayMs(policy: Policy, failures: number): number {
  return doubled(policy.promoteRetryBackoffMs, failures - 1, policy.promoteRetryBackoffMaxMs);
}

/** When a recovered primary may take over again: MIN_PROMOTED after the promotion finished. */
export function demotionAllowedAt(state: State): number {
  return state.phaseSince + state.policy.minPromotedMs;
}

/**
 * A gateway that has run for RESTART_STABLE since its last (re)start has earned a fresh backoff:
 * the next crash is re-started after the base delay again, not after the delay of crash #n.
 */
export function withStableRestartReset(state: State, now: number): State {
  if (
    state.phase !== 'promoted' ||
    state.restartAttempts === 0 ||
    state.gatewayRunning !== true ||
    state.gatewayUpSince === null ||
    now - state.gatewayUpSince < state.policy.restartStableMs
  ) {
    return state;
  }
  return { ...state, restartAttempts: 0, nextRestartAt: now };
}

/** Flap damping as shown in /status and on every decision log line. */
export interface DampingView {
  recentCycles: number;
  holdDownMs: number;
  promotionFailures: number;
  nextPromotionAt: number | null;
  demotionAllowedAt: number | null;
}

export function dampingView(state: State, now: number): DampingView {
  return {
    recentCycles: cyclesInWindow(state.recentCycles, state.policy, now).length,
    holdDownMs: holdDownMs(state, now),
    promotionFailures: state.promotionFailures,
    nextPromotionAt: state.promotionFailures > 0 ? state.nextPromotionAt : null,
    demotionAllowedAt: state.phase === 'promoted' && state.policy.minPromotedMs > 0 ? demotionAllowedAt(state) : null,
  };
}

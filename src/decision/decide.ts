// The promotion/demotion state machine: decide(state, observation, now) -> Step {state, actions,
// decisions}. Pure: no clocks, timers or I/O; `now` is injected, so every edge is unit-testable.
// This file only dispatches, on who is in charge:
//   an operator's command        → control.ts (onCommand)
//   a drill under way            → drill.ts (duringDrill)
//   paused / a manual override   → control.ts (whilePaused / underOverride)
//   automatic (the probes)       → auto-mode.ts, one edge per report: observe-probe.ts,
//                                  observe-gateway.ts, edges-promotion.ts, edges-demotion.ts, reconcile.ts
import { onCommand, underOverride, whilePaused } from './control.ts';
import { automatic } from './auto-mode.ts';
import { duringDrill, drillRunning, restoreDrill } from './drill.ts';
import type { Drill, Mode, Observation, Phase, Policy, State, Step } from './model.ts';
import { POLICY_DEFAULTS } from './policy-defaults.ts';

export { gatewayWanted } from './step.ts';
export { drillRunning } from './drill.ts';

/** The policy when nothing is configured: POLICY_DEFAULTS (policy-defaults.ts), the one source. */
export const DEFAULT_POLICY: Policy = POLICY_DEFAULTS;

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
  if (observation.type === 'command') return onCommand(state, observation.command, now);
  // A drill only ever runs in automatic mode: pause, override and drill are refused during one.
  if (drillRunning(state)) return duringDrill(state, observation, now);
  switch (state.mode.kind) {
    case 'paused':
      return whilePaused(state, observation, now);
    case 'override':
      return underOverride(state, observation, now);
    case 'auto':
      return automatic(state, observation, now);
  }
}

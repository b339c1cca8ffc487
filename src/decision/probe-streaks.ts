// Counting probes of the primary into failure / success streaks, the same in every mode, and the
// log line of a failed probe.
import type { ProbeResult } from '../probe/probe-result.ts';
import type { Decision, DecisionLevel } from './events.ts';
import type { State } from './model.ts';

/** The probe counted into the failure / success streaks, whoever is in charge. */
export function countProbe(state: State, result: ProbeResult, now: number): State {
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

export function probeFailureDecision(state: State, level: DecisionLevel): Decision {
  const last = state.lastProbe;
  return {
    event: 'primary-probe-failed',
    reason: `${last?.reason ?? 'unknown'}${last?.detail ? `: ${last.detail}` : ''} (${state.consecutiveFailures}/${state.policy.failThreshold})`,
    level,
  };
}

// A probe of the primary in automatic mode: count it into the streaks, then let the phase decide.
// Operator modes count probes the same way (probe-streaks.ts) but decide in control.ts.
import type { ProbeResult } from '../probe/probe-result.ts';
import { withStableRestartReset } from './damping.ts';
import { cancelPromotion, demoteIfAllowed } from './edges-demotion.ts';
import { promoteIfAllowed } from './edges-promotion.ts';
import type { State, Step } from './model.ts';
import { restartGateway, shouldRestartGateway } from './reconcile.ts';
import { countProbe, probeFailureDecision } from './probe-streaks.ts';
import { noted, steady } from './step.ts';

export function onProbe(previous: State, result: ProbeResult, now: number): Step {
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
      return steady(state);
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
      // The primary is back before the standby serves: cancel, rather than finish and hand back.
      // Not a drill's promotion: that one runs next to a healthy primary on purpose.
      if (state.consecutiveSuccesses >= policy.recoverThreshold && state.drill?.status !== 'promoting') return cancelPromotion(state, now);
      return noted(state, result.ok ? undefined : probeFailureDecision(state, 'debug'));
    case 'demoting':
      // The transition in flight settles first; the counters it leaves behind decide what follows.
      return noted(state, result.ok ? undefined : probeFailureDecision(state, 'debug'));
  }
}

/** A primary healthy for RECOVER_THRESHOLD probes while watching ended the outage: failed promotions are forgotten. */
function withOutageOver(state: State): State {
  if (state.phase !== 'watching' || state.promotionFailures === 0 || state.consecutiveSuccesses < state.policy.recoverThreshold) return state;
  return { ...state, promotionFailures: 0, nextPromotionAt: state.lastProbe?.at ?? state.nextPromotionAt };
}

// Automatic mode: the probes are in charge. Every report of the world is one edge of the state
// machine, then reconcile converges the gateway on the phase. The follow-ups here are the two
// rules that chain transitions: a promotion that finds the primary back hands back at once, and
// a demotion that finds it down again promotes at once.
import { demotionAllowedAt } from './damping.ts';
import { beginDemotion } from './edges-demotion.ts';
import { onWitnessesChecked, promoteIfAllowed, settlePromotion } from './edges-promotion.ts';
import { settleDemotion } from './edges-demotion.ts';
import type { State, Step } from './model.ts';
import { onGatewayActionFinished, onGatewayObserved } from './observe-gateway.ts';
import { onProbe } from './observe-probe.ts';
import { reconcile } from './reconcile.ts';
import { steady, andThen, type Report } from './step.ts';

export function automatic(state: State, report: Report, now: number): Step {
  switch (report.type) {
    case 'probe':
      return reconcile(onProbe(state, report.result, now), now);
    case 'gateway':
      return reconcile(onGatewayObserved(state, report.running, report.detail, now), now);
    case 'promotion-finished':
      return reconcile(afterPromotion(state, settlePromotion(state, report.report, now), now), now);
    case 'demotion-finished':
      return reconcile(afterDemotion(state, settleDemotion(state, report, now), now), now);
    case 'gateway-action-finished':
      return onGatewayActionFinished(state, report.action, report.ok, report.error, now);
    case 'witnesses-checked':
      return reconcile(onWitnessesChecked(state, report, now, true), now);
  }
}

/**
 * The primary may have come back while the standby booted: hand back at once, unless MIN_PROMOTED
 * holds the standby in charge (then a later healthy probe hands back).
 */
export function afterPromotion(previous: State, settled: Step, now: number): Step {
  return andThen(settled, (state) => {
    const promotedNow = previous.phase === 'promoting' && state.phase === 'promoted';
    if (promotedNow && state.consecutiveSuccesses >= state.policy.recoverThreshold && now >= demotionAllowedAt(state)) return beginDemotion(state, now);
    return steady(state);
  });
}

/**
 * The primary may have died again while the standby was stopping: promote again at once. A
 * promotion held back (backoff, hold-down) is looked at again on the next failed probe.
 */
export function afterDemotion(previous: State, settled: Step, now: number): Step {
  return andThen(settled, (state) => {
    const demotedNow = previous.phase === 'demoting' && state.phase === 'watching';
    if (!demotedNow || state.consecutiveFailures < state.policy.failThreshold) return steady(state);
    const promotion = promoteIfAllowed(state, now);
    return promotion.actions.length > 0 ? promotion : steady(state);
  });
}

// One pino line per decision: the decision's event, reason and level, the counters, and what the
// operator needs to read it alone (the probe, witnesses, the command, damping, the transition's or
// drill's timings). A step with two decisions (a promotion that finished into a demotion) logs two.
import type { Logger } from 'pino';
import { dampingView } from '../decision/damping.ts';
import type { Decision, Observation, State, Step } from '../decision/model.ts';
import { drillTimings, transitionTimings } from './transition-timings.ts';

export function logDecisions(logger: Logger, step: Step, observation: Observation, now: number): void {
  for (const decision of step.decisions) logDecision(logger, decision, step.state, observation, now);
}

function logDecision(logger: Logger, decision: Decision, state: State, observation: Observation, now: number): void {
  logger[decision.level](decisionFields(decision, state, observation, now), headline(decision));
}

/** The fields of a decision's line (its message is headline()). */
export function decisionFields(decision: Decision, state: State, observation: Observation, now: number): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    event: decision.event,
    reason: decision.reason,
    phase: state.phase,
    failures: state.consecutiveFailures,
    successes: state.consecutiveSuccesses,
  };
  // Flap damping state on every decision line, so a held-back transition explains itself.
  const damping = dampingView(state, now);
  if (damping.recentCycles > 0 || damping.promotionFailures > 0) fields.damping = damping;
  if (observation.type === 'witnesses-checked') fields.witnesses = { answered: observation.answered, total: observation.total, detail: observation.detail };
  if (observation.type === 'probe') {
    fields.probe = observation.result.ok
      ? { ok: true, latencyMs: observation.result.latencyMs }
      : { ok: false, reason: observation.result.reason, detail: observation.result.detail, latencyMs: observation.result.latencyMs };
  }
  if ('transition' in decision) fields.timings = transitionTimings(decision.transition);
  if (observation.type === 'command') fields.command = observation.command;
  if (state.mode.kind !== 'auto') fields.mode = state.mode;
  if ('drill' in decision && decision.drill) fields.drill = { id: decision.drill.id, status: decision.drill.status, timings: drillTimings(decision.drill) };
  return fields;
}

/** The message of the line: the four transition milestones read at a glance, the rest as `event: reason`. */
export function headline(decision: Decision): string {
  const t = 'transition' in decision ? transitionTimings(decision.transition) : undefined;
  switch (decision.event) {
    case 'promote':
      return `PROMOTING: primary declared down after ${decision.reason}`;
    case 'promoted':
      return `PROMOTED: ${decision.reason}; down→decision ${seconds(t?.detectionMs)}, sync ${seconds(t?.syncMs)}, start ${seconds(t?.startMs)}, ready ${seconds(t?.readyMs)}${t?.channelMs === undefined ? '' : `, channel live ${seconds(t.channelMs)}`}, total ${seconds(t?.totalMs)}`;
    case 'demote':
      return `DEMOTING: primary healthy again, ${decision.reason}`;
    case 'demoted':
      return `DEMOTED: ${decision.reason}; recovery→decision ${seconds(t?.detectionMs)}, stop ${seconds(t?.stopMs)}`;
    default:
      return `${decision.event}: ${decision.reason}`;
  }
}

function seconds(ms: number | undefined): string {
  return ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(1)}s`;
}

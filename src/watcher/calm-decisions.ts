// The decision log, calm: a held-back transition repeats its decision on every probe (every CHECK_INTERVAL),
// so those decisions are lasting conditions. Each is logged when it starts and when it changes
// (another event, e.g. backoff → hold-down), with a reminder at most once a minute, and one line
// when it ends. Every other decision is logged as it comes (decision-log.ts).
import type { Logger } from 'pino';
import type { Decision, Observation, Step } from '../decision/model.ts';
import { ConditionTracker, type Condition } from '../log/lasting-condition.ts';
import { decisionFields, headline, logDecisions } from './decision-log.ts';

/** Which lasting condition a decision event belongs to, and the line that says it is over. */
const CONDITIONS: Record<string, { condition: string; ended: string }> = {
  'demotion-held': { condition: 'demotion-held', ended: 'demotion no longer held by MIN_PROMOTED' },
  'promotion-held-down': { condition: 'promotion-held', ended: 'promotion no longer held back' },
  'promotion-backoff': { condition: 'promotion-held', ended: 'promotion no longer held back' },
  'promotion-withheld': { condition: 'partition-guard', ended: 'partition guard no longer withholding the promotion' },
};
const CONDITION_NAMES = [...new Set(Object.values(CONDITIONS).map((c) => c.condition))];
const ENDED = Object.fromEntries(Object.values(CONDITIONS).map((c) => [c.condition, c.ended]));

export class CalmDecisionLog {
  private readonly tracker: ConditionTracker;
  private readonly logger: Logger;
  private readonly now: () => number;

  constructor(logger: Logger, now: () => number, reminderMs?: number) {
    this.logger = logger;
    this.now = now;
    this.tracker = new ConditionTracker({ now, reminderMs, log: (line) => logger[line.level](line.fields, line.message) });
  }

  log(step: Step, observation: Observation): void {
    const now = this.now();
    const plain: Decision[] = [];
    const seen = new Set<string>();
    for (const decision of step.decisions) {
      const lasting = CONDITIONS[decision.event];
      // While the partition guard withholds, asking the witnesses again is part of the same condition.
      const guardCycle = decision.event === 'check-witnesses' && this.tracker.active('partition-guard') !== undefined;
      if (guardCycle) {
        seen.add('partition-guard');
        continue;
      }
      if (!lasting) {
        plain.push(decision);
        continue;
      }
      seen.add(lasting.condition);
      this.tracker.report(lasting.condition, {
        key: decision.event,
        level: decision.level,
        event: decision.event,
        message: headline(decision),
        fields: decisionFields(decision, step.state, observation, now),
      });
    }
    // Only a probe (or the witnesses' answer) can tell that a condition is over: the next one
    // either repeats it or not. Other steps (inspects, commands) leave the conditions as they are.
    if (observation.type === 'probe' || observation.type === 'witnesses-checked') {
      for (const name of CONDITION_NAMES) {
        if (seen.has(name)) continue;
        // The guard is still asking (a probe while the check is in flight): not over yet.
        if (name === 'partition-guard' && step.state.partitionGuard.checking) continue;
        this.tracker.report(name, null, ENDED[name]);
      }
    }
    if (plain.length > 0) logDecisions(this.logger, { ...step, decisions: plain }, observation, now);
  }
}

/**
 * A failing inspect of the gateway target, retried every 5 s and on every event: a lasting problem
 * (a missing or unlabelled target) is logged when it starts or changes, then at most once a minute.
 */
export function inspectFailure(why: string, error: string): Condition {
  return { key: error, level: 'error', event: 'gateway-inspect-failed', message: `cannot inspect the standby gateway: ${error}`, fields: { why, err: error } };
}

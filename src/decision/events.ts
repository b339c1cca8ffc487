// The vocabulary of decisions: every event decide() can log, as a closed union, so the compiler
// finds every consumer (log headlines, notifications, metrics) when one is added. A decision that
// begins or ends a promotion / demotion carries that transition, and one about a drill carries the
// drill, as they were at that moment: a step that finishes one transition and begins the next
// reports both, each with its own timings.
import type { Drill, Transition } from './model.ts';

/** Decisions that begin a promotion or a demotion (by the probes, an operator or a drill). */
export type TransitionBeginEvent = 'promote' | 'manual-promote' | 'drill-promote' | 'demote' | 'manual-demote' | 'drill-demote';

/** Decisions that end one. */
export type TransitionEndEvent = 'promoted' | 'promotion-failed' | 'demoted' | 'demotion-failed';

export type TransitionDecisionEvent = TransitionBeginEvent | TransitionEndEvent;

/** How a drill ended (its promotion and demotion are transition decisions of their own). */
export type DrillOutcomeEvent = 'drill-succeeded' | 'drill-failed' | 'drill-became-promotion';

/** Everything else worth a log line: probe streaks, reconcile, guards, operator mode changes. */
export type NoteEvent =
  | 'primary-probe-failed'
  | 'primary-answering-again'
  | 'primary-answering'
  | 'gateway-down-while-promoted'
  | 'gateway-start-failed'
  | 'gateway-stop-failed'
  | 'stop-stray-gateway'
  | 'restart-gateway'
  | 'check-witnesses'
  | 'witnesses-checked'
  | 'promotion-withheld'
  | 'promotion-backoff'
  | 'promotion-held-down'
  | 'demotion-held'
  | 'promotion-cancelled'
  | 'drift-while-paused'
  | 'paused'
  | 'resumed'
  | 'override-promoted'
  | 'override-demoted';

export type DecisionEvent = TransitionDecisionEvent | DrillOutcomeEvent | NoteEvent;

export type DecisionLevel = 'debug' | 'info' | 'warn' | 'error';

/** One decision, the unit logged as a single line. */
export type Decision =
  | { event: TransitionDecisionEvent; reason: string; level: DecisionLevel; transition: Transition; drill?: Drill }
  | { event: DrillOutcomeEvent; reason: string; level: DecisionLevel; drill: Drill }
  | { event: NoteEvent; reason: string; level: DecisionLevel };

export type TransitionOutcomeEvent = 'started' | 'succeeded' | 'degraded' | 'failed';

/** A promotion or demotion starting or finishing, as metrics and notifications count them. */
export interface TransitionEvent {
  kind: Transition['kind'];
  outcome: TransitionOutcomeEvent;
  transition: Transition;
}

/** The transitions begun and ended in one step, in the order decided: each start and finish once. */
export function transitionEvents(decisions: readonly Decision[]): TransitionEvent[] {
  return decisions.flatMap((decision): TransitionEvent[] => {
    if (!('transition' in decision)) return [];
    const { transition } = decision;
    return [{ kind: transition.kind, outcome: transition.outcome === 'in-progress' ? 'started' : transition.outcome, transition }];
  });
}

/**
 * Who began a transition, and why: the probes (a streak behind it), or an operator or a drill (no
 * streak: streakStartedAt is the decision time). `detail` is the log line's reason when it should
 * say more than the transition's own reason.
 */
export interface TransitionCause {
  event: TransitionBeginEvent;
  reason: string;
  level: DecisionLevel;
  streakStartedAt: number;
  detail?: string;
  /** The drill this transition belongs to, for the log line. */
  drill?: Drill;
}

// Building blocks of decide()'s answers: a Step is the next state, the actions for the adapters and
// the decisions to log. Edges compose with `andThen` (never name an export `then`: a module namespace with one is a thenable), so a step that settles one transition and begins
// the next keeps both decisions (and both transitions' notifications and counters).
import type { Decision } from './events.ts';
import type { Observation, Phase, State, Step } from './model.ts';

/** What the world reports (everything but an operator's command). */
export type Report = Exclude<Observation, { type: 'command' }>;

/** Nothing to do and nothing worth a line. */
export function steady(state: State): Step {
  return { state, actions: [], decisions: [] };
}

/** A new state and, maybe, one line about it; no action. */
export function noted(state: State, decision: Decision | undefined): Step {
  return { state, actions: [], decisions: decision === undefined ? [] : [decision] };
}

/** `first`, then whatever `next` decides from the state it left: actions and decisions in order. */
export function andThen(first: Step, next: (state: State) => Step): Step {
  const second = next(first.state);
  return {
    ...first,
    state: second.state,
    actions: [...first.actions, ...second.actions],
    decisions: [...first.decisions, ...second.decisions],
  };
}

export function enterPhase(state: State, phase: Phase, now: number): State {
  return { ...state, phase, phaseSince: now };
}

/** Whether the standby gateway should be running in this state (for /status and reconcile checks). */
export function gatewayWanted(state: State): boolean {
  return state.phase === 'promoting' || state.phase === 'promoted';
}

/** The standby gateway as words, for replies to the operator. */
export function gatewayText(state: State): string {
  return state.gatewayRunning === null ? 'not inspected yet' : state.gatewayRunning ? 'running' : 'stopped';
}

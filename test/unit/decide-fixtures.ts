// Builders shared by the decide*.test.ts suites: observations, promotion reports, a fold of
// observations through decide(), deep-freezing (to prove decide never mutates its input) and a
// tiny seeded LCG for deterministic randomized runs.
import { decide, initialState } from '../../src/decision/decide.ts';
import type { Action, Decision, Observation, Phase, Policy, PromotionReport, State, Step } from '../../src/decision/model.ts';
import type { ProbeFailureReason } from '../../src/probe/probe-result.ts';
import { POLICY_DEFAULTS } from '../../src/decision/policy-defaults.ts';

/** An arbitrary fixed epoch so timestamps are realistic and never zero. */
export const T0 = Date.UTC(2025, 0, 1, 3, 0, 0);
export const STEP_MS = 1_000;
/** Each probe's answer arrives this long after it started, so `startedAt` ≠ `now`. */
export const LATENCY_MS = 25;

// The defaults, with the guards off, so the suites that pin the thresholds' own behaviour read
// alone; decide-guards.test.ts turns them on.
export const POLICY: Policy = Object.freeze({ ...POLICY_DEFAULTS, minPromotedMs: 0, flapWindowMs: 0 });

export function policy(overrides: Partial<Policy> = {}): Policy {
  return { ...POLICY, ...overrides };
}

// ---------------------------------------------------------------------------------------------
// Observations

/** A healthy probe whose answer arrived at `now`. */
export function ok(now: number): Observation {
  return { type: 'probe', result: { ok: true, status: 200, latencyMs: LATENCY_MS, startedAt: now - LATENCY_MS } };
}

/** A failed probe whose verdict arrived at `now`. */
export function fail(now: number, reason: ProbeFailureReason = 'refused'): Observation {
  return {
    type: 'probe',
    result: { ok: false, reason, detail: `${reason} at ${now}`, latencyMs: LATENCY_MS, startedAt: now - LATENCY_MS },
  };
}

export function gatewayUp(detail?: string): Observation {
  return detail === undefined
    ? { type: 'gateway', running: true, source: 'inspect' }
    : { type: 'gateway', running: true, source: 'event', detail };
}

export function gatewayDown(detail?: string): Observation {
  return detail === undefined
    ? { type: 'gateway', running: false, source: 'inspect' }
    : { type: 'gateway', running: false, source: 'event', detail };
}

export type SyncVariant = 'ok' | 'failed' | 'skipped';
export type StartVariant = 'ok' | 'failed';
export type ReadyVariant = 'ok' | 'failed' | 'absent';

export interface ReportShape {
  sync: SyncVariant;
  start: StartVariant;
  ready: ReadyVariant;
}

/** Offsets (from the report's base time) of the sync, start and ready timestamps. */
export const SYNC_OFFSET = 100;
export const START_OFFSET = 200;
export const READY_OFFSET = 300;

export function report(shape: ReportShape, at: number): PromotionReport {
  const syncAt = at + SYNC_OFFSET;
  const startAt = at + START_OFFSET;
  const readyAt = at + READY_OFFSET;
  const sync: PromotionReport['sync'] =
    shape.sync === 'ok'
      ? { ok: true, at: syncAt, summary: 'fast-forwarded 2 commits' }
      : shape.sync === 'failed'
        ? { ok: false, at: syncAt, error: 'git fetch timed out' }
        : { skipped: true, at: syncAt };
  const start: PromotionReport['start'] =
    shape.start === 'ok' ? { ok: true, at: startAt } : { ok: false, at: startAt, error: 'no such container' };
  if (shape.ready === 'absent') return { sync, start };
  const ready: NonNullable<PromotionReport['ready']> =
    shape.ready === 'ok' ? { ok: true, at: readyAt } : { ok: false, at: readyAt, error: 'readyz timed out after 60s' };
  return { sync, start, ready };
}

export const FULL_OK: ReportShape = { sync: 'ok', start: 'ok', ready: 'ok' };

export function promotionFinished(shape: ReportShape = FULL_OK, at = 0): Observation {
  return { type: 'promotion-finished', report: report(shape, at) };
}

export function demotionFinished(okay: boolean, error?: string): Observation {
  return error === undefined ? { type: 'demotion-finished', ok: okay } : { type: 'demotion-finished', ok: okay, error };
}

export function actionFinished(action: 'start' | 'stop', okay: boolean, error?: string): Observation {
  return error === undefined
    ? { type: 'gateway-action-finished', action, ok: okay }
    : { type: 'gateway-action-finished', action, ok: okay, error };
}

/** Every PromotionReport variant: sync × start × ready. */
export const ALL_REPORT_SHAPES: ReportShape[] = (['ok', 'failed', 'skipped'] as const).flatMap((sync) =>
  (['ok', 'failed'] as const).flatMap((start) =>
    (['ok', 'failed', 'absent'] as const).map((ready) => ({ sync, start, ready })),
  ),
);

// ---------------------------------------------------------------------------------------------
// Purity

/** Recursively freezes a value; returns it for chaining. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

/** A plain deep copy of JSON-like data (faster than structuredClone for these small objects). */
export function deepCopy<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(deepCopy) as T;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) copy[key] = deepCopy((value as Record<string, unknown>)[key]);
  return copy as T;
}

/** Strict structural equality of JSON-like data; `undefined`-valued keys count as present. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => Object.hasOwn(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * decide() on a deep-frozen input (any write would throw in strict-mode ESM), and a check that
 * the input still deep-equals a copy taken before the call.
 */
export function step(state: State, observation: Observation, now: number): Step {
  const snapshot = deepCopy(state);
  const result = decide(deepFreeze(state), deepFreeze(observation), now);
  if (!deepEqual(state, snapshot)) throw new Error('decide() mutated its input state');
  return result;
}

// ---------------------------------------------------------------------------------------------
// Folding observations

export type ObservationAt = Observation | ((now: number) => Observation);

export interface Timed<T> {
  at: number;
  value: T;
}

export interface RunResult {
  state: State;
  steps: Array<{ at: number; observation: Observation; step: Step }>;
  actions: Array<Timed<Action>>;
  decisions: Array<Timed<Decision>>;
  /** The time the next observation would be fed at (start + n × step). */
  next: number;
}

/**
 * Folds observations through decide(), the i-th at `startTime + i × stepMs`. An entry may be an
 * observation or a function of the time (`ok`, `fail`), so `run(s, [fail, fail, ok])` works.
 */
export function run(state: State, observations: ObservationAt[], startTime = T0, stepMs = STEP_MS): RunResult {
  const result: RunResult = { state, steps: [], actions: [], decisions: [], next: startTime };
  let now = startTime;
  for (const entry of observations) {
    const observation = typeof entry === 'function' ? entry(now) : entry;
    const s = step(result.state, observation, now);
    result.steps.push({ at: now, observation, step: s });
    for (const action of s.actions) result.actions.push({ at: now, value: action });
    for (const decision of s.decisions) result.decisions.push({ at: now, value: decision });
    result.state = s.state;
    now += stepMs;
  }
  result.next = now;
  return result;
}

export function repeat<T>(n: number, ...items: T[]): T[] {
  return Array.from({ length: n }, () => items).flat();
}

export function types(actions: ReadonlyArray<Action | Timed<Action>>): string[] {
  return actions.map((a) => ('value' in a ? a.value.type : a.type));
}

export function events(decisions: ReadonlyArray<Timed<Decision>>): string[] {
  return decisions.map((d) => d.value.event);
}

// ---------------------------------------------------------------------------------------------
// States reached through decide() itself, never hand-built

export function watchingState(p: Policy = POLICY, now = T0): State {
  return initialState(p, null, now);
}

/** Watching, then failThreshold failed probes at T0, T0+1s, … */
export function reachPromoting(p: Policy = POLICY): RunResult {
  return run(watchingState(p), repeat(p.failThreshold, fail));
}

/** …then a fully successful promotion report. The primary is still failing. */
export function reachPromoted(p: Policy = POLICY, shape: ReportShape = FULL_OK): RunResult {
  const r = reachPromoting(p);
  return run(r.state, [promotionFinished(shape, r.next - 1_000)], r.next);
}

/** …then recoverThreshold healthy probes. */
export function reachDemoting(p: Policy = POLICY): RunResult {
  const r = reachPromoted(p);
  return run(r.state, repeat(p.recoverThreshold, ok), r.next);
}

export function reachPhase(phase: Phase, p: Policy = POLICY): RunResult {
  switch (phase) {
    case 'watching':
      return run(watchingState(p), []);
    case 'promoting':
      return reachPromoting(p);
    case 'promoted':
      return reachPromoted(p);
    case 'demoting':
      return reachDemoting(p);
  }
}

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

/** Numerical Recipes LCG on 32 bits; `next()` returns a float in [0, 1). */
export function lcg(seed: number): { next: () => number; int: (maxExclusive: number) => number; chance: (p: number) => boolean } {
  let s = seed >>> 0;
  const next = (): number => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
  return { next, int: (max) => Math.floor(next() * max), chance: (p) => next() < p };
}

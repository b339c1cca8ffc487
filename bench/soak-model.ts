// The deterministic model behind bench/soak.ts: a seeded network that loses and delays individual
// attempts, a primary that may die at a given instant, and the watcher's loop around the REAL
// decision core. A check is played by the REAL hedge rules (src/probe/hedge-rules.ts: stepCheck,
// classifyAttempt, summarizeCheck) on a simulated clock, so what is measured is the check as the
// watcher runs it, not a formula. Pure: no timers, no I/O, same seed → same figures.
import { decide, initialState } from '../src/decision/decide.ts';
import type { Observation, Policy, State } from '../src/decision/model.ts';
import { CHECK_START, classifyAttempt, stepCheck, summarizeCheck } from '../src/probe/hedge-rules.ts';
import type { CheckEvent, CheckState, HedgePolicy } from '../src/probe/hedge-rules.ts';
import type { ProbeResult } from '../src/probe/probe-result.ts';

/** Uniform [0, 1) from a seed: sfc32 seeded through splitmix32 (a 128-bit state, unlike an LCG). */
export function createRng(seed: number): () => number {
  let x = seed >>> 0;
  const splitmix = (): number => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  return () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t / 4_294_967_296;
  };
}

export interface NetworkModel {
  /** Probability that one attempt gets no answer at all (independent per attempt). */
  loss: number;
  /** An answered attempt takes uniform [0, jitterMs) ms. */
  jitterMs: number;
}

/**
 * killed: the process is gone, the host refuses connections (answered after the network latency).
 * hung:   the host takes the connection and never answers (paused container, black-holed route).
 */
export type OutageMode = 'killed' | 'hung';

export interface PrimaryModel {
  /** Simulated ms at which the primary stops serving; Infinity for one that never does. */
  diesAt: number;
  mode: OutageMode;
}

export const HEALTHY_PRIMARY: PrimaryModel = { diesAt: Number.POSITIVE_INFINITY, mode: 'killed' };

export interface ModelledAttempt {
  /** Absolute simulated time of the answer; Infinity when none ever comes. */
  answerAt: number;
  result: ProbeResult | null;
}

/**
 * One attempt launched at `launchAt`. It always draws two numbers (loss, latency) so that runs
 * with different outcomes stay aligned. The answer reflects the primary at the moment it would
 * arrive: an attempt in flight when the primary dies gets the dead primary's answer.
 */
export function modelAttempt(rng: () => number, network: NetworkModel, primary: PrimaryModel, launchAt: number): ModelledAttempt {
  const lost = rng() < network.loss;
  const latency = rng() * network.jitterMs;
  const answerAt = launchAt + latency;
  if (lost) return { answerAt: Number.POSITIVE_INFINITY, result: null };
  if (answerAt < primary.diesAt) return { answerAt, result: { ok: true, status: 200, latencyMs: latency, startedAt: launchAt } };
  if (primary.mode === 'hung') return { answerAt: Number.POSITIVE_INFINITY, result: null };
  return { answerAt, result: { ok: false, reason: 'refused', detail: 'connect ECONNREFUSED (modelled)', latencyMs: latency, startedAt: launchAt } };
}

export interface ModelledCheck {
  result: ProbeResult;
  /** How long the check took (its result reaches decide() this long after it started). */
  durationMs: number;
  attempts: number;
}

/** One hedged check starting at `startAt`, played event by event through the real hedge rules. */
export function simulateCheck(policy: HedgePolicy, rng: () => number, network: NetworkModel, primary: PrimaryModel, startAt: number): ModelledCheck {
  let state: CheckState = CHECK_START;
  const results: (ProbeResult | undefined)[] = [];
  const inFlight: { attempt: number; at: number; result: ProbeResult }[] = [];
  let wakeAt: number | null = null;
  const apply = (event: CheckEvent, now: number): void => {
    const first = state.launched;
    const step = stepCheck(policy, state, event, now);
    state = step.state;
    wakeAt = step.wakeAt;
    for (let i = 0; i < step.launch; i++) {
      const attempt = modelAttempt(rng, network, primary, startAt + now);
      results[first + i] = undefined;
      if (attempt.result !== null) inFlight.push({ attempt: first + i, at: attempt.answerAt - startAt, result: attempt.result });
    }
  };
  apply({ type: 'start' }, 0);
  // Bounded: every event either decides, launches one of a bounded number of attempts, or moves
  // the clock to the next hedge slot or the deadline.
  for (let guard = 0; state.verdict === null && guard < 4 * policy.attempts + 8; guard++) {
    let next = -1;
    for (let i = 0; i < inFlight.length; i++) if (next < 0 || inFlight[i]!.at < inFlight[next]!.at) next = i;
    const answer = next < 0 ? undefined : inFlight[next];
    if (answer !== undefined && (wakeAt === null || answer.at <= wakeAt)) {
      inFlight.splice(next, 1);
      results[answer.attempt] = answer.result;
      apply({ type: 'attempt-finished', attempt: answer.attempt, outcome: classifyAttempt(answer.result) }, answer.at);
    } else if (wakeAt !== null) {
      apply({ type: 'wake' }, wakeAt);
    }
  }
  const verdict = state.verdict ?? { ok: false as const, why: 'deadline' as const, at: policy.timeoutMs };
  return { result: summarizeCheck(policy, verdict, results, startAt), durationMs: verdict.at, attempts: state.launched };
}

export interface WatcherModel {
  policy: Policy;
  hedge: HedgePolicy;
  checkIntervalMs: number;
  network: NetworkModel;
  primary: PrimaryModel;
}

export interface WatcherRun {
  checks: number;
  failedChecks: number;
  /** Checks that ended a run of two or more failed ones (how close the watcher came to promoting). */
  failedPairs: number;
  attempts: number;
  /** Simulated times of the promotion decisions. */
  promotions: number[];
  endedAt: number;
}

/**
 * The watcher's probe loop (watcher.ts probeLoop) on a simulated clock: a check starts, its result
 * goes to decide() when it ends, the next starts CHECK_INTERVAL after the previous start (or at
 * once if the check took longer). A promotion is completed at once and a demotion likewise, so the
 * loop keeps running through the whole horizon; `stop` ends it early (e.g. at the first detection).
 */
export function simulateWatcher(
  model: WatcherModel,
  rng: () => number,
  horizonMs: number,
  stop: (promotionAt: number) => boolean = () => false,
): WatcherRun {
  let state: State = initialState(model.policy, null, 0);
  const feed = (observation: Observation, now: number): string[] => {
    const step = decide(state, observation, now);
    state = step.state;
    return step.actions.map((action) => action.type);
  };
  feed({ type: 'gateway', running: false, source: 'inspect' }, 0);
  const run: WatcherRun = { checks: 0, failedChecks: 0, failedPairs: 0, attempts: 0, promotions: [], endedAt: 0 };
  let began = 0;
  let previousFailed = false;
  while (began < horizonMs) {
    const check = simulateCheck(model.hedge, rng, model.network, model.primary, began);
    const end = began + check.durationMs;
    run.checks++;
    run.attempts += check.attempts;
    if (!check.result.ok) {
      run.failedChecks++;
      if (previousFailed) run.failedPairs++;
    }
    previousFailed = !check.result.ok;
    const actions = feed({ type: 'probe', result: check.result }, end);
    if (actions.includes('promote')) {
      run.promotions.push(end);
      if (stop(end)) {
        run.endedAt = end;
        return run;
      }
      feed({ type: 'promotion-finished', report: { sync: { skipped: true, at: end }, start: { ok: true, at: end }, ready: { ok: true, at: end } } }, end);
    }
    if (actions.includes('demote')) feed({ type: 'demotion-finished', ok: true }, end);
    began = Math.max(end, began + model.checkIntervalMs);
  }
  run.endedAt = began;
  return run;
}

export interface DetectionTrial {
  /** From the primary's death to the promotion decision, ms; null if none came within the horizon. */
  detectionMs: number | null;
  /** Promotions decided while the primary was still healthy (false ones, before the outage). */
  falseBefore: number;
}

/**
 * The primary dies at a random instant (uniform over ten check intervals after a one-minute
 * warm-up, so every phase of the check schedule is hit); the first promotion after that is the
 * detection.
 */
export function detectionTrial(model: Omit<WatcherModel, 'primary'>, rng: () => number, mode: OutageMode): DetectionTrial {
  const diesAt = 60_000 + rng() * 10 * model.checkIntervalMs;
  const run = simulateWatcher({ ...model, primary: { diesAt, mode } }, rng, diesAt + 120_000, (at) => at >= diesAt);
  const detected = run.promotions.find((at) => at >= diesAt);
  return { detectionMs: detected === undefined ? null : detected - diesAt, falseBefore: run.promotions.filter((at) => at < diesAt).length };
}

/** Nearest-rank percentile of unsorted values; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((x, y) => x - y);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

// The pure rules of one hedged check: when to launch another attempt, when the check is decided,
// and what it reports. No timers or sockets: hedged-probe.ts drives these rules with real attempts
// and real time, and bench/soak.ts drives the very same functions with modelled attempts and a
// simulated clock, so the soak measures the check exactly as it runs.
//
// Why hedge at all: with independent 5 % loss, a single-attempt check fails 5 % of the time and
// FAIL_THRESHOLD=3 consecutive failures happen about once every 8 000 checks: several false
// promotions a day at one check a second. Lost packets are answered by asking again on a fresh
// connection *within the same deadline*: a check now fails only when every attempt is lost
// (0.05³ per check), so three failed checks in a row need nine losses in a row.
import type { ProbeFailureReason, ProbeResult } from './probe-result.ts';

export interface HedgePolicy {
  /** Most attempts in one check (CHECK_ATTEMPTS); 1 disables hedging. */
  attempts: number;
  /** Wait for an answer this long after the last launch before launching the next attempt. */
  hedgeDelayMs: number;
  /** The check's one deadline (CHECK_TIMEOUT), measured from its start, for every attempt. */
  timeoutMs: number;
}

/**
 * Attempts are spread over the first half of the deadline, so the last one still has at least half
 * of CHECK_TIMEOUT to answer: with the defaults (3 attempts, 2 s) they start at 0, 0.5 and 1.0 s.
 * An attempt launched later would mostly be too late to help against slow answers.
 */
export function hedgePolicy(attempts: number, timeoutMs: number): HedgePolicy {
  const count = Math.max(1, Math.floor(attempts));
  return { attempts: count, hedgeDelayMs: count === 1 ? timeoutMs : timeoutMs / (2 * (count - 1)), timeoutMs };
}

/**
 * What one attempt's result means for the check:
 * - healthy:    the primary serves; the check succeeds at once and the other attempts are aborted.
 * - conclusive: connection refused. The host's kernel answered that nothing listens on the port: the
 *               gateway process is gone (killed, crashed, restarting, which takes OpenClaw well over
 *               ten seconds). Another attempt a few milliseconds later cannot find a listener, so the
 *               check fails at once and a killed primary is detected after FAIL_THRESHOLD checks with
 *               no added delay.
 * - answered:   any other failure where something answered (reset, HTTP error status, wrong body,
 *               redirect, TLS, DNS, unreachable): the next attempt starts at once, without waiting for
 *               the hedge delay. These can be brief blips of one connection (a reset by a NAT or a
 *               tailnet path change, a 503 from a busy or reloading gateway) and a retry costs one
 *               round trip; a persistent failure still fails the check within a few round trips.
 * - silent:     no answer (the attempt ran into the deadline or was aborted). Lost packets look like
 *               this; it is the case the hedge delay covers.
 */
export type AttemptClass = 'healthy' | 'conclusive' | 'answered' | 'silent';

export function classifyAttempt(result: ProbeResult): AttemptClass {
  if (result.ok) return 'healthy';
  if (result.reason === 'refused') return 'conclusive';
  if (result.reason === 'timeout') return 'silent';
  return 'answered';
}

export interface CheckState {
  /** Attempts launched so far (their indexes are 0 … launched-1). */
  launched: number;
  /** Attempts that ended without a healthy answer. */
  failed: number;
  /** Time of the last launch, for the hedge delay. */
  lastLaunchAt: number;
  verdict: CheckVerdict | null;
}

export type CheckVerdict =
  | { ok: true; attempt: number; at: number }
  | { ok: false; why: 'conclusive' | 'exhausted' | 'deadline' | 'cancelled'; at: number };

/** Times are milliseconds since the check started. */
export type CheckEvent =
  | { type: 'start' }
  | { type: 'attempt-finished'; attempt: number; outcome: AttemptClass }
  /** A wake-up asked for by the previous step (hedge delay or deadline). Early wake-ups are harmless. */
  | { type: 'wake' }
  /** The caller gave up (the watcher is stopping). */
  | { type: 'cancel' };

export interface CheckStep {
  state: CheckState;
  /** Attempts to launch now; their indexes continue from the previous `launched`. */
  launch: number;
  /** When to deliver the next `wake`, or null once decided. */
  wakeAt: number | null;
}

export const CHECK_START: CheckState = { launched: 0, failed: 0, lastLaunchAt: 0, verdict: null };

export function stepCheck(policy: HedgePolicy, state: CheckState, event: CheckEvent, now: number): CheckStep {
  if (state.verdict !== null) return { state, launch: 0, wakeAt: null };
  const decided = (verdict: CheckVerdict): CheckStep => ({ state: { ...state, verdict }, launch: 0, wakeAt: null });
  if (event.type === 'cancel') return decided({ ok: false, why: 'cancelled', at: now });
  if (now >= policy.timeoutMs) return decided({ ok: false, why: 'deadline', at: now });

  let next = state;
  let launch = 0;
  const launchOne = (): void => {
    next = { ...next, launched: next.launched + 1, lastLaunchAt: now };
    launch++;
  };
  switch (event.type) {
    case 'start':
      launchOne();
      break;
    case 'attempt-finished':
      if (event.outcome === 'healthy') return decided({ ok: true, attempt: event.attempt, at: now });
      if (event.outcome === 'conclusive') return decided({ ok: false, why: 'conclusive', at: now });
      next = { ...next, failed: next.failed + 1 };
      // Nothing is in flight any more and nothing answered: try again now rather than idle until
      // the next hedge slot.
      if (next.launched < policy.attempts) launchOne();
      else if (next.failed >= next.launched) return { state: { ...next, verdict: { ok: false, why: 'exhausted', at: now } }, launch: 0, wakeAt: null };
      break;
    case 'wake':
      if (next.launched < policy.attempts && now >= next.lastLaunchAt + policy.hedgeDelayMs) launchOne();
      break;
  }
  const hedgeAt = next.launched < policy.attempts ? next.lastLaunchAt + policy.hedgeDelayMs : Number.POSITIVE_INFINITY;
  return { state: next, launch, wakeAt: Math.min(hedgeAt, policy.timeoutMs) };
}

/**
 * The check's one result for decide(): the winning answer, or the failure that says most. The
 * failure prefers the last answer the host gave (refused, reset, status …) over silence, and lists
 * every attempt's reason so a log line shows that, say, two of three attempts were lost.
 */
export function summarizeCheck(
  policy: HedgePolicy,
  verdict: CheckVerdict,
  attempts: readonly (ProbeResult | undefined)[],
  startedAt: number,
): ProbeResult {
  const latencyMs = Math.round(verdict.at * 10) / 10;
  if (verdict.ok) {
    const winner = attempts[verdict.attempt];
    const status = winner?.ok === true ? winner.status : 200;
    return { ok: true, status, latencyMs, startedAt };
  }
  const reasons = attempts.map((result) => (result === undefined || result.ok ? 'timeout' : result.reason));
  const trail = policy.attempts > 1 ? ` [attempts: ${reasons.join(', ')}]` : '';
  if (verdict.why === 'cancelled') return { ok: false, reason: 'timeout', detail: `aborted${trail}`, latencyMs, startedAt };
  const answered = attempts.filter((result): result is Extract<ProbeResult, { ok: false }> => result !== undefined && !result.ok && result.reason !== 'timeout');
  const last = answered.at(-1);
  if (last !== undefined) {
    const failure: ProbeResult = { ok: false, reason: last.reason, detail: `${last.detail}${trail}`, latencyMs, startedAt };
    return last.status === undefined ? failure : { ...failure, status: last.status };
  }
  const reason: ProbeFailureReason = 'timeout';
  return { ok: false, reason, detail: `no complete answer within ${policy.timeoutMs} ms${trail}`, latencyMs, startedAt };
}

// The pure rules of a hedged check: when attempts are launched, when the check is decided and what
// it reports. hedged-probe.ts and the soak simulation both run exactly these rules.
import { describe, expect, it } from 'vitest';
import { CHECK_START, classifyAttempt, hedgePolicy, stepCheck, summarizeCheck } from '../../src/probe/hedge-rules.ts';
import type { AttemptClass, CheckEvent, CheckState, CheckStep, HedgePolicy } from '../../src/probe/hedge-rules.ts';
import type { ProbeFailureReason, ProbeResult } from '../../src/probe/probe-result.ts';

const POLICY = hedgePolicy(3, 2_000);

/** Plays events in order; returns every step. */
function play(policy: HedgePolicy, events: [CheckEvent, number][]): CheckStep[] {
  let state: CheckState = CHECK_START;
  return events.map(([event, now]) => {
    const step = stepCheck(policy, state, event, now);
    state = step.state;
    return step;
  });
}

const finished = (attempt: number, outcome: AttemptClass): CheckEvent => ({ type: 'attempt-finished', attempt, outcome });
const failed = (reason: ProbeFailureReason, detail: string, status?: number): ProbeResult =>
  status === undefined ? { ok: false, reason, detail, latencyMs: 1, startedAt: 0 } : { ok: false, reason, detail, status, latencyMs: 1, startedAt: 0 };

describe('hedgePolicy', () => {
  it.each([
    [3, 2_000, 500],
    [2, 2_000, 1_000],
    [5, 2_000, 250],
    [3, 800, 200],
  ])('%i attempts in %i ms: a hedge every %i ms, the last launch at half the deadline', (attempts, timeoutMs, delay) => {
    const policy = hedgePolicy(attempts, timeoutMs);
    expect(policy).toEqual({ attempts, hedgeDelayMs: delay, timeoutMs });
    expect((attempts - 1) * policy.hedgeDelayMs).toBe(timeoutMs / 2);
  });

  it('one attempt is no hedging at all', () => {
    expect(hedgePolicy(1, 2_000)).toEqual({ attempts: 1, hedgeDelayMs: 2_000, timeoutMs: 2_000 });
  });
});

describe('classifyAttempt', () => {
  it('healthy, conclusive (refused), silent (timeout), answered (everything else)', () => {
    expect(classifyAttempt({ ok: true, status: 200, latencyMs: 1, startedAt: 0 })).toBe('healthy');
    expect(classifyAttempt(failed('refused', 'ECONNREFUSED'))).toBe('conclusive');
    expect(classifyAttempt(failed('timeout', 'no complete answer'))).toBe('silent');
    for (const reason of ['reset', 'status', 'body', 'redirect', 'tls', 'dns', 'unreachable', 'error'] as const) {
      expect(classifyAttempt(failed(reason, reason))).toBe('answered');
    }
  });
});

describe('stepCheck', () => {
  it('launches one attempt at once and one more per hedge delay while nothing answers, then fails at the deadline', () => {
    const steps = play(POLICY, [
      [{ type: 'start' }, 0],
      [{ type: 'wake' }, 500],
      [{ type: 'wake' }, 1_000],
      [{ type: 'wake' }, 2_000],
    ]);
    expect(steps.map((s) => [s.launch, s.wakeAt])).toEqual([
      [1, 500],
      [1, 1_000],
      [1, 2_000],
      [0, null],
    ]);
    expect(steps.at(-1)?.state).toMatchObject({ launched: 3, verdict: { ok: false, why: 'deadline', at: 2_000 } });
  });

  it('an early wake-up launches nothing', () => {
    const [, early] = play(POLICY, [
      [{ type: 'start' }, 0],
      [{ type: 'wake' }, 499],
    ]);
    expect(early).toMatchObject({ launch: 0, wakeAt: 500 });
  });

  it('the first healthy answer decides, whichever attempt gives it', () => {
    const steps = play(POLICY, [
      [{ type: 'start' }, 0],
      [{ type: 'wake' }, 500],
      [finished(1, 'healthy'), 620],
    ]);
    expect(steps.at(-1)).toEqual({ state: { launched: 2, failed: 0, lastLaunchAt: 500, verdict: { ok: true, attempt: 1, at: 620 } }, launch: 0, wakeAt: null });
  });

  it('a refusal ends the check at once, launching nothing more', () => {
    const steps = play(POLICY, [
      [{ type: 'start' }, 0],
      [finished(0, 'conclusive'), 3],
    ]);
    expect(steps.at(-1)).toMatchObject({ launch: 0, wakeAt: null, state: { launched: 1, verdict: { ok: false, why: 'conclusive', at: 3 } } });
  });

  it('an answered failure launches the next attempt at once and restarts the hedge clock', () => {
    const steps = play(POLICY, [
      [{ type: 'start' }, 0],
      [finished(0, 'answered'), 40],
    ]);
    expect(steps.at(-1)).toMatchObject({ launch: 1, wakeAt: 540, state: { launched: 2, failed: 1, lastLaunchAt: 40, verdict: null } });
  });

  it('fails as exhausted once every attempt failed, without waiting for the deadline', () => {
    const steps = play(POLICY, [
      [{ type: 'start' }, 0],
      [finished(0, 'answered'), 10],
      [finished(1, 'answered'), 20],
      [finished(2, 'answered'), 30],
    ]);
    expect(steps.map((s) => s.launch)).toEqual([1, 1, 1, 0]);
    expect(steps.at(-1)?.state.verdict).toEqual({ ok: false, why: 'exhausted', at: 30 });
  });

  it('with every attempt launched, a failure waits for the others until the deadline', () => {
    const steps = play(POLICY, [
      [{ type: 'start' }, 0],
      [{ type: 'wake' }, 500],
      [{ type: 'wake' }, 1_000],
      [finished(2, 'answered'), 1_100],
    ]);
    expect(steps.at(-1)).toMatchObject({ launch: 0, wakeAt: 2_000, state: { failed: 1, verdict: null } });
  });

  it('an answer at or after the deadline is too late', () => {
    const steps = play(POLICY, [
      [{ type: 'start' }, 0],
      [finished(0, 'healthy'), 2_000],
    ]);
    expect(steps.at(-1)?.state.verdict).toEqual({ ok: false, why: 'deadline', at: 2_000 });
  });

  it('a cancel decides at once, and nothing changes a decided check', () => {
    const steps = play(POLICY, [
      [{ type: 'start' }, 0],
      [{ type: 'cancel' }, 50],
      [finished(0, 'healthy'), 60],
      [{ type: 'wake' }, 500],
    ]);
    expect(steps[1]?.state.verdict).toEqual({ ok: false, why: 'cancelled', at: 50 });
    expect(steps[2]).toEqual({ state: steps[1]?.state, launch: 0, wakeAt: null });
    expect(steps[3]).toEqual({ state: steps[1]?.state, launch: 0, wakeAt: null });
  });

  it('CHECK_ATTEMPTS=1: one attempt, the deadline is the only wake-up', () => {
    const policy = hedgePolicy(1, 2_000);
    const steps = play(policy, [
      [{ type: 'start' }, 0],
      [finished(0, 'answered'), 100],
    ]);
    expect(steps[0]).toMatchObject({ launch: 1, wakeAt: 2_000 });
    expect(steps[1]?.state.verdict).toEqual({ ok: false, why: 'exhausted', at: 100 });
  });

  it('random event orders never exceed the attempts, never wake past the deadline, always decide by it', () => {
    let seed = 12_345;
    const random = (): number => {
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
      return seed / 2 ** 32;
    };
    const outcomes: AttemptClass[] = ['answered', 'silent', 'healthy', 'conclusive'];
    for (let run = 0; run < 500; run++) {
      const policy = hedgePolicy(1 + Math.floor(random() * 5), 200 + Math.floor(random() * 3_000));
      let state: CheckState = CHECK_START;
      let step = stepCheck(policy, state, { type: 'start' }, 0);
      let now = 0;
      for (let i = 0; i < 50 && step.state.verdict === null; i++) {
        state = step.state;
        expect(step.wakeAt).not.toBeNull();
        expect(step.wakeAt!).toBeLessThanOrEqual(policy.timeoutMs);
        const answerFirst = random() < 0.3 && state.launched > state.failed;
        now = answerFirst ? now + random() * (step.wakeAt! - now) : step.wakeAt!;
        const event: CheckEvent = answerFirst ? finished(state.failed, outcomes[Math.floor(random() * 4)]!) : { type: 'wake' };
        step = stepCheck(policy, state, event, now);
        expect(step.state.launched).toBeLessThanOrEqual(policy.attempts);
      }
      expect(step.state.verdict).not.toBeNull();
      expect(step.state.verdict!.at).toBeLessThanOrEqual(policy.timeoutMs);
    }
  });
});

describe('summarizeCheck', () => {
  it('a success carries the winner status, the check latency and the check start', () => {
    const attempts = [undefined, { ok: true as const, status: 204, latencyMs: 90, startedAt: 5_500 }];
    expect(summarizeCheck(POLICY, { ok: true, attempt: 1, at: 590.04 }, attempts, 5_000)).toEqual({ ok: true, status: 204, latencyMs: 590, startedAt: 5_000 });
  });

  it('silence everywhere is a timeout listing the attempts', () => {
    const result = summarizeCheck(POLICY, { ok: false, why: 'deadline', at: 2_000 }, [undefined, failed('timeout', 'aborted'), undefined], 0);
    expect(result).toEqual({ ok: false, reason: 'timeout', detail: 'no complete answer within 2000 ms [attempts: timeout, timeout, timeout]', latencyMs: 2_000, startedAt: 0 });
  });

  it("the host's last answer beats silence, with its status", () => {
    const attempts = [failed('reset', 'other side closed'), undefined, failed('status', 'HTTP 503', 503)];
    expect(summarizeCheck(POLICY, { ok: false, why: 'deadline', at: 2_000 }, attempts, 0)).toMatchObject({
      reason: 'status',
      status: 503,
      detail: 'HTTP 503 [attempts: reset, timeout, status]',
    });
  });

  it('a refusal is reported as refused', () => {
    const result = summarizeCheck(POLICY, { ok: false, why: 'conclusive', at: 2 }, [failed('refused', 'connect ECONNREFUSED 127.0.0.1:1')], 0);
    expect(result).toMatchObject({ reason: 'refused', detail: 'connect ECONNREFUSED 127.0.0.1:1 [attempts: refused]' });
    expect(result).not.toHaveProperty('status');
  });

  it('single-attempt checks keep the plain detail', () => {
    const result = summarizeCheck(hedgePolicy(1, 2_000), { ok: false, why: 'deadline', at: 2_000 }, [undefined], 0);
    expect(result).toMatchObject({ reason: 'timeout', detail: 'no complete answer within 2000 ms' });
  });

  it('a cancelled check says aborted', () => {
    expect(summarizeCheck(POLICY, { ok: false, why: 'cancelled', at: 7 }, [undefined], 0)).toMatchObject({ reason: 'timeout', detail: 'aborted [attempts: timeout]' });
  });
});

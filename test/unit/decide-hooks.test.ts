// ON_PROMOTE / ON_DEMOTE outcomes in the decision core: a failed hook is a problem of its
// transition (degraded), never a blocker; a successful one leaves the outcome as it was.
import { describe, expect, it } from 'vitest';
import type { HookReport, Observation } from '../../src/decision/model.ts';
import { transitionTimings } from '../../src/watcher/transition-timings.ts';
import { FULL_OK, reachDemoting, reachPromoting, report, START_OFFSET, step, STEP_MS, SYNC_OFFSET, types } from './decide-fixtures.ts';

const HOOK_OK: HookReport = { ok: true, durationMs: 40 };
const HOOK_FAILED: HookReport = { ok: false, durationMs: 30_000, error: 'timed out after 30s' };

function promotionWithHook(hook: HookReport, at: number, shape = FULL_OK): Observation {
  return { type: 'promotion-finished', report: { ...report(shape, at), hook } };
}

describe('ON_PROMOTE outcome in promotion-finished', () => {
  it('a successful hook: promoted, succeeded, hook time recorded and kept out of the start time', () => {
    const base = reachPromoting();
    const decidedAt = base.next - STEP_MS;
    const s = step(base.state, promotionWithHook(HOOK_OK, decidedAt), base.next + 5_000);
    expect(s.state.phase).toBe('promoted');
    expect(s.state.transition).toMatchObject({ outcome: 'succeeded', problems: [], hookMs: 40 });
    const timings = transitionTimings(s.state.transition!);
    expect(timings.hookMs).toBe(40);
    expect(timings.startMs).toBe(START_OFFSET - SYNC_OFFSET - 40);
  });

  it('a failed hook never blocks: promoted anyway, degraded, the failure listed as a problem', () => {
    const base = reachPromoting();
    const decidedAt = base.next - STEP_MS;
    const s = step(base.state, promotionWithHook(HOOK_FAILED, decidedAt), base.next + 5_000);
    expect(s.state.phase).toBe('promoted');
    expect(s.state.gatewayRunning).toBe(true);
    expect(types(s.actions)).toEqual(['persist']);
    expect(s.decisions).toMatchObject([{ event: 'promoted', level: 'warn' }]);
    expect(s.state.transition).toMatchObject({ outcome: 'degraded', problems: ['ON_PROMOTE hook failed: timed out after 30s'] });
  });

  it('a failed hook and a failed start: both problems, back to watching', () => {
    const base = reachPromoting();
    const decidedAt = base.next - STEP_MS;
    const s = step(base.state, promotionWithHook(HOOK_FAILED, decidedAt, { sync: 'ok', start: 'failed', ready: 'absent' }), base.next + 5_000);
    expect(s.state.phase).toBe('watching');
    expect(s.state.transition?.problems).toEqual(['ON_PROMOTE hook failed: timed out after 30s', 'gateway start failed: no such container']);
  });
});

describe('ON_DEMOTE outcome in demotion-finished', () => {
  it('a successful hook: demoted, succeeded, hook time recorded and kept out of the stop time', () => {
    const base = reachDemoting();
    const at = base.next + 1_000;
    const s = step(base.state, { type: 'demotion-finished', ok: true, hook: HOOK_OK }, at);
    expect(s.state).toMatchObject({ phase: 'watching', gatewayRunning: false });
    expect(s.decisions).toMatchObject([{ event: 'demoted', level: 'info' }]);
    expect(s.state.transition).toMatchObject({ outcome: 'succeeded', problems: [], hookMs: 40 });
    const timings = transitionTimings(s.state.transition!);
    expect(timings.stopMs).toBe(at - s.state.transition!.decidedAt - 40);
  });

  it('a failed hook degrades the demotion but the gateway is known stopped', () => {
    const base = reachDemoting();
    const s = step(base.state, { type: 'demotion-finished', ok: true, hook: HOOK_FAILED }, base.next);
    expect(s.state).toMatchObject({ phase: 'watching', gatewayRunning: false });
    expect(s.decisions).toMatchObject([{ event: 'demoted', level: 'warn' }]);
    expect(s.decisions[0]?.reason).toContain('ON_DEMOTE hook failed: timed out after 30s');
    expect(s.state.transition).toMatchObject({ outcome: 'degraded', problems: ['ON_DEMOTE hook failed: timed out after 30s'] });
  });
});

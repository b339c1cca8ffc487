// decide() on a promotion report that carries the channel verdict: live → succeeded with the
// channel-live instant; ready but not reachable → degraded with the reason.
import { describe, expect, it } from 'vitest';
import type { PromotionReport } from '../../src/decision/model.ts';
import { transitionTimings } from '../../src/watcher/transition-timings.ts';
import { reachPromoting, report, FULL_OK, step } from './decide-fixtures.ts';

function finish(ready: (decidedAt: number) => PromotionReport['ready']) {
  const base = reachPromoting();
  const decidedAt = base.next - 1_000;
  const full = report(FULL_OK, decidedAt);
  return { decidedAt, s: step(base.state, { type: 'promotion-finished', report: { ...full, ready: ready(decidedAt) } }, base.next + 5_000) };
}

describe('promotion with a channel verdict', () => {
  it('channels live: succeeded, channelLiveAt kept, timings carry ready → live and total to live', () => {
    const { decidedAt, s } = finish((d) => ({ ok: true, at: d + 10_000, channelLiveAt: d + 12_500 }));
    expect(s.state.phase).toBe('promoted');
    expect(s.state.transition).toMatchObject({ outcome: 'succeeded', readyAt: decidedAt + 10_000, channelLiveAt: decidedAt + 12_500, problems: [] });
    expect(s.decisions[0]?.reason).toBe('standby gateway started, ready and its channels live');
    const t = transitionTimings(s.state.transition!);
    expect(t.channelMs).toBe(2_500);
    expect(t.totalMs).toBe(decidedAt + 12_500 - s.state.transition!.streakStartedAt);
  });

  it('ready but the channel did not come up: degraded, the reason names it, no channelLiveAt', () => {
    const { s } = finish((d) => ({ ok: true, at: d + 10_000, channelError: 'channel(s) irc not live within 60s after ready: the gateway has no irc channel' }));
    expect(s.state.phase).toBe('promoted');
    expect(s.state.transition?.outcome).toBe('degraded');
    expect(s.state.transition?.channelLiveAt).toBeUndefined();
    expect(s.state.transition?.problems).toEqual(['channel not live: channel(s) irc not live within 60s after ready: the gateway has no irc channel']);
    expect(s.decisions[0]?.level).toBe('warn');
    expect(s.decisions[0]?.reason).toMatch(/ready, but channel\(s\) irc not live/);
  });

  it('a gateway that exited while booting: degraded with its log tail in the problem', () => {
    const { s } = finish((d) => ({ ok: false, at: d + 10_000, error: 'the standby gateway exited with code 1 while booting; last log lines: boom' }));
    expect(s.state.transition?.outcome).toBe('degraded');
    expect(s.state.transition?.problems.at(-1)).toBe('gateway not ready: the standby gateway exited with code 1 while booting; last log lines: boom');
  });
});

describe('promotion reachable only after the watcher started a channel by hand', () => {
  it('is degraded, and the problem says which channel and why', () => {
    const { s } = finish((d) => ({ ok: true, at: d + 10_000, channelLiveAt: d + 21_000, startedByHand: ['irc'] }));
    expect(s.state.transition?.outcome).toBe('degraded');
    expect(s.state.transition?.channelLiveAt).toBeDefined();
    expect(s.state.transition?.problems).toEqual([expect.stringMatching(/autostart was off .*started irc with channels.start/)]);
  });
});

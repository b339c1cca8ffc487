// The verdict on the gateway's own `channels.status` answer. The first payload is the real one
// from a 2026.9.6 gateway with @openclaw/irc connected to the tests' ircd (trimmed).
import { describe, expect, it } from 'vitest';
import { judgeChannels } from '../../src/gateway/channel-status.ts';

const live = {
  channelOrder: ['irc'],
  channels: { irc: { configured: true, running: true, lastStartAt: 1796158889931, lastError: null, host: 'ircd', nick: 'standbybot' } },
  channelAccounts: { irc: [{ accountId: 'default', enabled: true, running: true, connected: true, lifecycle: 'ready', lastError: null, configured: true }] },
};

describe('judgeChannels', () => {
  it('a running, connected account is live', () => {
    const v = judgeChannels(live, ['irc']);
    expect(v).toMatchObject({ live: true, configured: ['irc'], notLive: [] });
    expect(v.accounts).toEqual([{ channel: 'irc', account: 'default', running: true, connected: true, lastError: null }]);
  });

  it('a gateway that reports no channel at all is not live when one is expected (plugin never loaded)', () => {
    const v = judgeChannels({ channels: {}, channelAccounts: {} }, ['irc']);
    expect(v.live).toBe(false);
    expect(v.notLive[0]).toMatchObject({ channel: 'irc' });
    expect(v.notLive[0]!.why).toMatch(/no irc channel/);
  });

  it('running but not connected, or not running, is not live, with the last error', () => {
    const connecting = structuredClone(live);
    connecting.channelAccounts.irc[0]!.connected = false;
    expect(judgeChannels(connecting, ['irc']).notLive[0]!.why).toMatch(/running but not connected/);
    const stopped = structuredClone(live) as { channelAccounts: { irc: Array<Record<string, unknown>> } };
    stopped.channelAccounts.irc[0]!.running = false;
    stopped.channelAccounts.irc[0]!.lastError = 'ECONNREFUSED ircd:6667';
    const v = judgeChannels(stopped, ['irc']);
    expect(v.live).toBe(false);
    expect(v.notLive[0]!.why).toMatch(/not running \(ECONNREFUSED ircd:6667\)/);
  });

  it('without an expected list, judges what the gateway reports configured; nothing configured is live', () => {
    expect(judgeChannels(live).live).toBe(true);
    expect(judgeChannels({ channels: {}, channelAccounts: {} }).live).toBe(true);
    const one = judgeChannels({ channels: { irc: { configured: true } }, channelAccounts: {} });
    expect(one.live).toBe(false);
  });

  it('a disabled account does not count, and garbage is not live when a channel is expected', () => {
    const disabled = structuredClone(live);
    (disabled.channelAccounts.irc[0] as Record<string, unknown>).enabled = false;
    expect(judgeChannels(disabled, ['irc']).live).toBe(false);
    expect(judgeChannels('nonsense', ['irc']).live).toBe(false);
    expect(judgeChannels(null, ['irc']).live).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { allConnected, channelSwitchState, channelsToSwitch, configuredChannels, enablePatch } from '../../src/serving/hot-channel-state.ts';

// Payloads as openclaw 2026.9.6 answered them (docs/hot-standby.md), trimmed to what is read.
const CONFIG_GET = {
  hash: 'hmac-sha256:v1:abc',
  parsed: { gateway: { mode: 'local' }, channels: { defaults: { groupPolicy: 'disabled' }, irc: { enabled: false, host: 'ircd' }, discord: { token: 'x' } } },
};
const STATUS_OFF_ABSENT = { channels: {}, channelAccounts: {} };
const STATUS_OFF_LISTED = { channels: { irc: { configured: true } }, channelAccounts: { irc: [{ accountId: 'default', enabled: false, running: false, lifecycle: 'stopped' }] } };
const STATUS_STARTING = { channels: { irc: { configured: true, running: true } }, channelAccounts: { irc: [{ accountId: 'default', enabled: true, running: true, lifecycle: 'starting', connected: null }] } };
const STATUS_READY = { channels: { irc: { configured: true, running: true } }, channelAccounts: { irc: [{ accountId: 'default', enabled: true, running: true, lifecycle: 'ready', connected: true }] } };
const STATUS_LOGIN_FAILED = { channels: { irc: { configured: true, running: false, lastError: 'IRC login failed (432)' } }, channelAccounts: { irc: [{ accountId: 'default', enabled: true, running: false, lifecycle: 'recovering' }] } };

describe('hot channel state', () => {
  it('owns every channel block of the config, not the shared channels.defaults', () => {
    expect(configuredChannels(CONFIG_GET)).toEqual(['discord', 'irc']);
    expect(configuredChannels({ parsed: {} })).toEqual([]);
    expect(configuredChannels(null)).toEqual([]);
  });

  it('switches only channels not already in the wanted state (no enabled key means enabled)', () => {
    expect(channelsToSwitch(CONFIG_GET, ['discord', 'irc'], true)).toEqual(['irc']);
    expect(channelsToSwitch(CONFIG_GET, ['discord', 'irc'], false)).toEqual(['discord']);
  });

  it('writes a merge patch that touches only enabled', () => {
    expect(JSON.parse(enablePatch(['irc', 'discord'], true))).toEqual({ channels: { irc: { enabled: true }, discord: { enabled: true } } });
  });

  it('reads off, starting, ready and a failed login from channels.status', () => {
    expect(channelSwitchState(STATUS_OFF_ABSENT)).toEqual({ running: [], connected: [] });
    expect(channelSwitchState(STATUS_OFF_LISTED)).toEqual({ running: [], connected: [] });
    // Starting counts as live (the bot may join any moment) but not yet as serving users.
    expect(channelSwitchState(STATUS_STARTING)).toEqual({ running: ['irc'], connected: [] });
    expect(channelSwitchState(STATUS_READY)).toEqual({ running: ['irc'], connected: ['irc'] });
    expect(channelSwitchState(STATUS_LOGIN_FAILED)).toEqual({ running: [], connected: [] });
  });

  it('counts a disabled account that still runs (a half-applied disable) as live', () => {
    const half = { channels: { irc: { configured: true } }, channelAccounts: { irc: [{ enabled: false, running: true, connected: true, lifecycle: 'ready' }] } };
    expect(channelSwitchState(half).running).toEqual(['irc']);
  });

  it('serves only when every owned channel is connected', () => {
    expect(allConnected(channelSwitchState(STATUS_READY), ['irc'])).toBe(true);
    expect(allConnected(channelSwitchState(STATUS_READY), ['irc', 'discord'])).toBe(false);
    expect(allConnected(channelSwitchState(STATUS_READY), [])).toBe(false);
  });
});

// Pure helpers of the hot standby: which channels the standby owns (from the gateway's own
// `config.get`), the config patch that switches them, and whether any of them is live (from
// `channels.status`). Shapes as observed on openclaw 2026.9.6 (docs/hot-standby.md):
//   config.get      → payload: { hash, parsed: { channels: { irc: { enabled, ... } } }, ... }
//   channels.status → payload: { channels: { irc: { configured, running } },
//                                channelAccounts: { irc: [{ accountId, enabled, running, connected, lifecycle }] } }
//   A disabled channel is either absent from both maps or listed with enabled:false, running:false.

/** Keys under `channels` that configure all channels rather than being a channel. */
const NOT_A_CHANNEL = new Set(['defaults', 'modelByChannel']);

/** The channel ids configured in the gateway's config (enabled or not). */
export function configuredChannels(configGetPayload: unknown): string[] {
  const parsed = (configGetPayload as { parsed?: { channels?: unknown } } | null)?.parsed;
  const channels = parsed?.channels;
  if (typeof channels !== 'object' || channels === null) return [];
  return Object.entries(channels as Record<string, unknown>)
    .filter(([id, value]) => !NOT_A_CHANNEL.has(id) && typeof value === 'object' && value !== null)
    .map(([id]) => id)
    .sort();
}

/** The channels whose `enabled` in the config differs from `on` (undefined counts as enabled). */
export function channelsToSwitch(configGetPayload: unknown, channels: readonly string[], on: boolean): string[] {
  const parsed = (configGetPayload as { parsed?: { channels?: Record<string, { enabled?: unknown }> } } | null)?.parsed;
  return channels.filter((id) => {
    const enabled = parsed?.channels?.[id]?.enabled !== false;
    return enabled !== on;
  });
}

/** The `config.patch` raw text (JSON is valid JSON5) that sets `enabled` on each channel. */
export function enablePatch(channels: readonly string[], on: boolean): string {
  const patch: Record<string, { enabled: boolean }> = {};
  for (const id of channels) patch[id] = { enabled: on };
  return JSON.stringify({ channels: patch });
}

export interface ChannelSwitchState {
  /** Channels with at least one account running (connecting counts: it may join any moment). */
  running: string[];
  /** Channels with at least one account running and connected (the user can reach it). */
  connected: string[];
}

/** From `channels.status`: every account counts, enabled or not, so a half-applied disable still shows. */
export function channelSwitchState(channelsStatusPayload: unknown): ChannelSwitchState {
  const doc = (channelsStatusPayload ?? {}) as { channels?: Record<string, { running?: unknown }>; channelAccounts?: Record<string, unknown> };
  const running = new Set<string>();
  const connected = new Set<string>();
  const accounts = typeof doc.channelAccounts === 'object' && doc.channelAccounts !== null ? doc.channelAccounts : {};
  for (const [id, list] of Object.entries(accounts)) {
    if (!Array.isArray(list)) continue;
    for (const account of list as Array<{ running?: unknown; connected?: unknown; lifecycle?: unknown }>) {
      if (account?.running !== true) continue;
      running.add(id);
      // IRC says connected:null while "starting" and true once "ready"; a channel that never
      // reports `connected` counts as connected once its lifecycle is "ready".
      if (account.connected === true || (account.connected !== false && account.lifecycle === 'ready')) connected.add(id);
    }
  }
  const summary = typeof doc.channels === 'object' && doc.channels !== null ? doc.channels : {};
  for (const [id, s] of Object.entries(summary)) if (s?.running === true) running.add(id);
  return { running: [...running].sort(), connected: [...connected].sort() };
}

/** All wanted channels connected: the standby serves. */
export function allConnected(state: ChannelSwitchState, wanted: readonly string[]): boolean {
  return wanted.length > 0 && wanted.every((id) => state.connected.includes(id));
}

// Reads the gateway's own answer to `channels.status` (admin-http-rpc): is every configured
// channel actually running and connected? Pure: the watcher's promotion waits on this verdict,
// because /readyz says ready with no channel at all when a channel plugin failed to load.
//
// The answer (2026.9.6) carries, per channel id, a list of accounts:
//   channelAccounts: { irc: [{ accountId, enabled, configured, running, connected, lifecycle, lastError }] }
// and a summary per channel: channels: { irc: { configured, running, lastError } }.

export interface ChannelAccountState {
  channel: string;
  account: string;
  running: boolean;
  connected: boolean | null;
  lastError: string | null;
}

export interface ChannelsVerdict {
  /** Every expected channel has an enabled account that runs and (where reported) is connected. */
  live: boolean;
  /** Channel ids the gateway itself reports as configured. */
  configured: string[];
  /** Expected channels not live, each with the reason. */
  notLive: Array<{ channel: string; why: string }>;
  accounts: ChannelAccountState[];
}

interface AccountDoc {
  accountId?: unknown;
  enabled?: unknown;
  configured?: unknown;
  running?: unknown;
  connected?: unknown;
  lastError?: unknown;
}

/**
 * `expected`: the channels the standby's config enables (from the prepare report). Empty or
 * undefined: whatever the gateway reports as configured. A gateway that reports no channel
 * while some are expected is not live (the "no plugin loaded" case).
 */
export function judgeChannels(payload: unknown, expected?: readonly string[]): ChannelsVerdict {
  const doc = (payload ?? {}) as { channels?: Record<string, { configured?: unknown; running?: unknown; lastError?: unknown }>; channelAccounts?: Record<string, AccountDoc[]> };
  const summary = typeof doc.channels === 'object' && doc.channels !== null ? doc.channels : {};
  const perChannel = typeof doc.channelAccounts === 'object' && doc.channelAccounts !== null ? doc.channelAccounts : {};
  const accounts: ChannelAccountState[] = [];
  for (const [channel, list] of Object.entries(perChannel)) {
    if (!Array.isArray(list)) continue;
    for (const a of list) {
      if (a.enabled === false) continue;
      accounts.push({
        channel,
        account: typeof a.accountId === 'string' ? a.accountId : 'default',
        running: a.running === true,
        connected: typeof a.connected === 'boolean' ? a.connected : null,
        lastError: typeof a.lastError === 'string' ? a.lastError.slice(0, 200) : null,
      });
    }
  }
  const configured = Object.entries(summary).filter(([, s]) => s?.configured === true).map(([id]) => id);
  const wanted = expected && expected.length > 0 ? [...expected] : configured;
  const notLive: Array<{ channel: string; why: string }> = [];
  for (const channel of wanted) {
    const mine = accounts.filter((a) => a.channel === channel);
    const s = summary[channel];
    if (mine.length === 0) {
      notLive.push({ channel, why: s ? `the gateway reports no running account for ${channel}${typeof s.lastError === 'string' ? ` (${s.lastError.slice(0, 200)})` : ''}` : `the gateway has no ${channel} channel (plugin not installed or not loadable?)` });
      continue;
    }
    const live = mine.some((a) => a.running && a.connected !== false);
    if (!live) {
      const a = mine[0]!;
      notLive.push({ channel, why: `${channel} account ${a.account}: ${a.running ? 'running but not connected' : 'not running'}${a.lastError ? ` (${a.lastError})` : ''}` });
    }
  }
  return { live: notLive.length === 0, configured, notLive, accounts };
}

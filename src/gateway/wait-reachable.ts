// "Promoted" means reachable: after `docker start`, wait until the standby gateway says ready
// (/readyz) AND its configured channels run according to the gateway itself (channels.status
// over admin-http-rpc), bounded. Unauthenticated /readyz answers ready with no channel at all
// when a channel plugin failed to load, so readiness alone is never taken for reachability.
// A gateway that exits while booting ends the wait at once, with the tail of its log.
import type { ReadyOutcome } from '../watcher/wait-ready.ts';
import { judgeChannels, type ChannelsVerdict } from './channel-status.ts';
import type { RpcResult } from './gateway-rpc.ts';

/** What the promotion reports: ready (or not), and when the channels went live (or why not). */
export type ReachableOutcome =
  | { ok: true; at: number; attempts: number; channelLiveAt?: number; channels?: string[]; channelError?: string; startedByHand?: string[] }
  | { ok: false; at: number; error: string; attempts: number };

export interface ExitNotice {
  exitCode: string | undefined;
  /** The last lines of the container's log (scrubbed by the caller's adapter). */
  logTail: string;
}

export interface WaitReachableDeps {
  /** The /readyz waiter (bounded by PROMOTE_READY_TIMEOUT). */
  waitReady: (signal: AbortSignal) => Promise<ReadyOutcome>;
  /** Resolves when the started gateway's container exits; never resolves otherwise. */
  exited: (signal: AbortSignal) => Promise<ExitNotice>;
  /** channels.status over the gateway's RPC; absent: channels are not checked. */
  channelsStatus?: (signal: AbortSignal) => Promise<RpcResult>;
  /**
   * Channels the standby must have live (from the prepare report): [] means none (no check);
   * undefined (no report) means whatever the gateway reports as configured.
   */
  expectedChannels: () => readonly string[] | undefined;
  /** Bound on the channels going live after ready. */
  channelTimeoutMs: number;
  /**
   * channels.start for one channel: asked once per channel that is still not running
   * `startAfterMs` after ready (OpenClaw's crash-loop breaker suppresses channel autostart after
   * 3 unclean boots within 5 min; its own remedy is a manual channels.start). Absent: never asked.
   */
  startChannel?: (channel: string, signal: AbortSignal) => Promise<RpcResult>;
  /** How long a channel may stay not running after ready before it is started by hand (10 s). */
  startAfterMs?: number;
  pollMs?: number;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const defaultSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });

export async function waitReachable(deps: WaitReachableDeps, signal: AbortSignal): Promise<ReachableOutcome> {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? defaultSleep;
  const local = new AbortController();
  const onOuterAbort = (): void => local.abort();
  signal.addEventListener('abort', onOuterAbort, { once: true });
  const inner = local.signal;
  // The exit watch runs over the whole wait: ready first, then channels.
  const exit = deps.exited(inner).then((notice) => ({ kind: 'exit' as const, notice }));
  exit.catch(() => undefined);
  const crashed = (notice: ExitNotice): ReachableOutcome => ({
    ok: false,
    at: now(),
    attempts: 0,
    error: `the standby gateway exited${notice.exitCode === undefined ? '' : ` with code ${notice.exitCode}`} while booting${notice.logTail ? `; last log lines: ${notice.logTail}` : ''}`,
  });
  try {
    const first = await Promise.race([deps.waitReady(inner).then((ready) => ({ kind: 'ready' as const, ready })), exit]);
    if (first.kind === 'exit') return crashed(first.notice);
    const ready = first.ready;
    if (!ready.ok) return ready;
    const expected = deps.expectedChannels();
    // The prepare report says the standby has no channel: nothing to wait for.
    if (expected !== undefined && expected.length === 0) return ready;
    if (!deps.channelsStatus) {
      return expected && expected.length > 0
        ? { ...ready, channels: [...expected], channelError: `cannot confirm channel(s) ${expected.join(', ')}: the watcher has no way to ask the gateway (set GATEWAY_TOKEN)` }
        : ready;
    }
    const deadline = now() + deps.channelTimeoutMs;
    let last: { verdict?: ChannelsVerdict; rpc?: RpcResult } = {};
    let polls = 0;
    const readyAt = now();
    const startAfterMs = deps.startAfterMs ?? 10_000;
    const startedByHand: string[] = [];
    const withStarts = <T extends object>(outcome: T): T => (startedByHand.length > 0 ? { ...outcome, startedByHand: [...startedByHand] } : outcome);
    const maxPolls = Math.ceil(deps.channelTimeoutMs / (deps.pollMs ?? 250)) + 2;
    while (polls < maxPolls) {
      polls += 1;
      const answer = await Promise.race([deps.channelsStatus(inner).then((rpc) => ({ kind: 'rpc' as const, rpc })), exit]);
      if (answer.kind === 'exit') return crashed(answer.notice);
      const rpc = answer.rpc;
      last = { rpc };
      if (rpc.ok) {
        const verdict = judgeChannels(rpc.payload, expected);
        last.verdict = verdict;
        if (verdict.live) {
          const channels = expected && expected.length > 0 ? [...expected] : verdict.configured;
          return withStarts(channels.length > 0 ? { ...ready, channelLiveAt: now(), channels } : { ...ready, channels: [] });
        }
        // A channel the gateway knows but does not run, long after ready: its autostart was
        // suppressed (or it gave up). Start it once, as OpenClaw's own recovery SOP says.
        if (deps.startChannel && now() - readyAt >= startAfterMs) {
          for (const channel of notRunning(verdict)) {
            if (startedByHand.includes(channel)) continue;
            startedByHand.push(channel);
            await deps.startChannel(channel, inner);
          }
        }
      } else if (rpc.reason === 'not-enabled' || rpc.reason === 'unauthorized') {
        // Asking again will not change the answer. Without a report naming channels there is
        // nothing this gateway was expected to have: judged by /readyz, as before.
        if (expected === undefined) return ready;
        break;
      }
      if (now() >= deadline || inner.aborted) break;
      await Promise.race([sleep(Math.min(deps.pollMs ?? 250, Math.max(0, deadline - now())), inner), exit]);
    }
    const channels = expected && expected.length > 0 ? [...expected] : (last.verdict?.configured ?? []);
    const why = last.verdict
      ? last.verdict.notLive.map((n) => n.why).join('; ')
      : last.rpc && !last.rpc.ok
        ? `channels.status: ${last.rpc.reason}: ${last.rpc.detail}`
        : 'no answer';
    const tried = startedByHand.length > 0 ? ` (channels.start asked for ${startedByHand.join(', ')})` : '';
    return withStarts({ ...ready, channels, channelError: `channel(s) ${channels.join(', ') || '(none reported)'} not live within ${deps.channelTimeoutMs / 1000}s after ready: ${why}${tried}` });
  } finally {
    signal.removeEventListener('abort', onOuterAbort);
    local.abort();
  }
}

/** Expected channels whose accounts the gateway reports but none of which runs. */
function notRunning(verdict: ChannelsVerdict): string[] {
  return verdict.notLive
    .map((n) => n.channel)
    .filter((channel) => {
      const accounts = verdict.accounts.filter((a) => a.channel === channel);
      return accounts.length > 0 && accounts.every((a) => !a.running);
    });
}

// Polls the started standby gateway's own readiness endpoint until it says ready, bounded.
import type { Probe, ProbeResult } from '../probe/probe-result.ts';
import { sleep as realSleep, type Sleep } from '../docker/backoff.ts';

// channelLiveAt / channels / channelError: set by the reachability wait (src/gateway/wait-reachable.ts).
export type ReadyOutcome =
  | { ok: true; at: number; attempts: number; channelLiveAt?: number; channels?: string[]; channelError?: string; startedByHand?: string[] }
  | { ok: false; at: number; error: string; attempts: number };

export interface WaitReadyOptions {
  probe: Probe;
  timeoutMs: number;
  pollMs?: number;
  now?: () => number;
  sleep?: Sleep;
  signal?: AbortSignal;
}

export async function waitUntilReady(options: WaitReadyOptions): Promise<ReadyOutcome> {
  const now = options.now ?? Date.now;
  const pause = options.sleep ?? realSleep;
  const pollMs = options.pollMs ?? 250;
  const deadline = now() + options.timeoutMs;
  let attempts = 0;
  let last: ProbeResult | undefined;
  while (now() < deadline) {
    if (options.signal?.aborted) return { ok: false, at: now(), error: 'aborted', attempts };
    attempts++;
    last = await options.probe.probe(options.signal);
    if (last.ok) return { ok: true, at: now(), attempts };
    await pause(Math.min(pollMs, Math.max(0, deadline - now())), options.signal);
  }
  const lastText = last && !last.ok ? `; last answer: ${last.reason}: ${last.detail}` : '';
  return {
    ok: false,
    at: now(),
    error: `not ready within PROMOTE_READY_TIMEOUT (${options.timeoutMs / 1000}s)${lastText}`,
    attempts,
  };
}

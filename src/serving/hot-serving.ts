// The hot standby's serving switch: the gateway container runs all the time with its channels
// disabled (its compose wrapper seeds them disabled at every boot, docs/hot-standby.md); serving
// means its channels are enabled and live. Switched through the gateway's own config API
// (admin-http-rpc: config.get / config.patch with baseHash), judged by channels.status, never
// by what the patch answered. When the config API fails, it falls back to the container: a
// restart (boot seeds the channel off) then the patch again to serve; a `docker stop` to unserve.
import type { Logger } from 'pino';
import { sleep as realSleep, type Sleep } from '../docker/backoff.ts';
import type { GatewayControl } from '../docker/gateway-control.ts';
import type { GatewayRpc, RpcResult } from '../gateway/gateway-rpc.ts';
import type { ReadyOutcome } from '../watcher/wait-ready.ts';
import { allConnected, channelSwitchState, channelsToSwitch, configuredChannels, enablePatch, type ChannelSwitchState } from './hot-channel-state.ts';
import type { ServingSwitch, ServingView } from './serving-switch.ts';

export interface HotServingOptions {
  gateway: GatewayControl;
  rpc: GatewayRpc;
  logger: Logger;
  /** PROMOTE_READY_TIMEOUT: bound on a boot (RPC answering) and on the channel becoming live. */
  readyTimeoutMs: number;
  /** Bound on one RPC call; a config.patch waits for the gateway to apply it. */
  rpcTimeoutMs?: number;
  /** How long a disable gets to show in channels.status before the container is stopped instead. */
  offGraceMs?: number;
  /** How long the running gateway's config API gets before the container is restarted instead. */
  hotAttemptMs?: number;
  /** Inspects in a row whose channel state is unknown before it counts as live (safe side). */
  unknownAsLiveAfter?: number;
  pollMs?: number;
  now?: () => number;
  sleep?: Sleep;
}

/** An RPC answer meaning "the gateway is not up yet": no listener, or still starting. No channel can be live. */
export function gatewayNotUp(result: RpcResult): boolean {
  return !result.ok && (result.reason === 'refused' || (result.reason === 'rpc-error' && result.code === 'UNAVAILABLE'));
}

export function createHotServing(options: HotServingOptions): ServingSwitch & { lastChannels(): ChannelSwitchState | null } {
  const { gateway, rpc, logger } = options;
  const now = options.now ?? Date.now;
  const pause = options.sleep ?? realSleep;
  const rpcTimeoutMs = options.rpcTimeoutMs ?? 30_000;
  const offGraceMs = options.offGraceMs ?? 10_000;
  const pollMs = options.pollMs ?? 250;
  const unknownAsLiveAfter = options.unknownAsLiveAfter ?? 3;
  const hotAttemptMs = options.hotAttemptMs ?? 60_000;
  let unknownInARow = 0;
  let lastServing = false;
  let last: ChannelSwitchState | null = null;
  let owned: string[] = [];

  const status = async (): Promise<RpcResult> => rpc.call('channels.status', {}, { timeoutMs: Math.min(rpcTimeoutMs, 5_000) });

  /**
   * Waits until the gateway's RPC answers config.get: a booting gateway refuses or says
   * UNAVAILABLE, a starved one (a loaded host) times out; all are asked again until the deadline.
   * A wrong token or a missing admin-http-rpc will not heal by waiting: returned at once.
   */
  async function waitConfig(deadline: number, signal?: AbortSignal): Promise<RpcResult> {
    let answer: RpcResult = { ok: false, reason: 'timeout', detail: 'not asked yet', latencyMs: 0 };
    while (now() < deadline && !signal?.aborted) {
      answer = await rpc.call('config.get', {}, { timeoutMs: Math.min(rpcTimeoutMs, Math.max(1, deadline - now())), signal });
      if (answer.ok || (!answer.ok && (answer.reason === 'unauthorized' || answer.reason === 'not-enabled'))) return answer;
      await pause(Math.min(1_000, Math.max(0, deadline - now())), signal);
    }
    return answer;
  }

  /**
   * The config's hash and channels, read at leisure while the standby idles, so that a promotion
   * is one config.patch: on a loaded host config.get of a fresh gateway took 7.5 s to over 30 s
   * while the patch itself took 2–11 s. Valid for one boot (the seed rewrites the file) and until
   * the next write (the patch answers with the new hash); a stale one is refused and re-read.
   */
  let cached: { hash: string; channels: string[]; bootedAt: string } | undefined;
  let prefetching = false;
  let bootedAt = '';

  function remember(payload: unknown, hash: unknown): void {
    const channels = configuredChannels(payload);
    if (channels.length > 0) owned = channels;
    cached = typeof hash === 'string' && owned.length > 0 ? { hash, channels: owned, bootedAt } : undefined;
  }

  function prefetch(): void {
    if (prefetching || cached?.bootedAt === bootedAt) return;
    prefetching = true;
    void rpc
      .call('config.get', {}, { timeoutMs: 120_000 })
      .then((got) => {
        if (got.ok) remember(got.payload, (got.payload as { hash?: unknown }).hash);
      })
      .finally(() => {
        prefetching = false;
      });
  }

  /** config.patch every owned channel to `on`: first with the cached hash, then with a fresh config.get per attempt. */
  async function setChannels(on: boolean, deadline: number): Promise<void> {
    let lastError = 'no attempt made';
    for (let attempt = 1; attempt <= 3 && now() < deadline; attempt++) {
      let toSwitch: string[];
      let baseHash: unknown;
      const quick = attempt === 1 && cached !== undefined && cached.bootedAt === bootedAt ? cached : undefined;
      if (quick) {
        toSwitch = quick.channels;
        baseHash = quick.hash;
      } else {
        const got = await waitConfig(deadline);
        if (!got.ok) throw new Error(`config.get failed: ${got.detail}`);
        remember(got.payload, (got.payload as { hash?: unknown }).hash);
        if (owned.length === 0) throw new Error('the hot standby gateway has no channel configured (channels.* in its config)');
        toSwitch = channelsToSwitch(got.payload, owned, on);
        if (toSwitch.length === 0) return;
        baseHash = (got.payload as { hash?: unknown }).hash;
        if (typeof baseHash !== 'string') throw new Error('config.get answered without a hash');
      }
      const patched = await rpc.call('config.patch', { raw: enablePatch(toSwitch, on), baseHash, note: `openclaw-failover: channel ${on ? 'on' : 'off'}` }, { timeoutMs: Math.max(1, Math.min(rpcTimeoutMs, deadline - now())) });
      if (patched.ok) {
        const newHash = (patched.payload as { hash?: unknown } | undefined)?.hash;
        cached = typeof newHash === 'string' ? { hash: newHash, channels: owned, bootedAt } : undefined;
        logger.info({ event: on ? 'hot-channel-enabled' : 'hot-channel-disabled', channels: toSwitch, patchMs: patched.latencyMs, cachedHash: quick !== undefined }, `config.patch ${toSwitch.join(', ')} enabled:${on} applied in ${patched.latencyMs} ms`);
        return;
      }
      cached = undefined;
      lastError = patched.detail;
      logger.warn({ event: 'hot-config-patch-failed', attempt, err: patched.detail }, `config.patch enabled:${on} failed (attempt ${attempt}): ${patched.detail}`);
    }
    throw new Error(`config.patch enabled:${on} failed: ${lastError}`);
  }

  async function readChannels(): Promise<{ known: true; state: ChannelSwitchState } | { known: false; notUp: boolean; detail: string }> {
    const answer = await status();
    if (answer.ok) {
      last = channelSwitchState(answer.payload);
      return { known: true, state: last };
    }
    return { known: false, notUp: gatewayNotUp(answer), detail: answer.detail };
  }

  async function serveOnce(deadline: number): Promise<void> {
    await gateway.start();
    await setChannels(true, deadline);
  }

  return {
    mode: 'hot',
    lastChannels: () => last,

    async inspect(): Promise<ServingView> {
      const target = await gateway.inspect();
      if (!target.running) {
        unknownInARow = 0;
        lastServing = false;
        return { serving: false, name: target.name, status: `${target.status}; channel off (container not running)` };
      }
      bootedAt = target.startedAt;
      const read = await readChannels();
      if (read.known) {
        unknownInARow = 0;
        lastServing = read.state.running.length > 0;
        prefetch();
        const live = read.state.running.length > 0 ? `channel live: ${read.state.running.join(', ')}` : 'channel off';
        const quick = cached?.bootedAt === bootedAt ? 'ready to switch' : 'config not read yet';
        return { serving: lastServing, name: target.name, status: `${target.status}; ${live}; ${quick}` };
      }
      if (read.notUp) {
        unknownInARow = 0;
        lastServing = false;
        return { serving: false, name: target.name, status: `${target.status}; gateway not up yet (${read.detail})` };
      }
      // Unknown: keep the last verdict for a few inspects, then assume live (a stray is worse than a restart).
      unknownInARow++;
      const serving = lastServing || unknownInARow >= unknownAsLiveAfter;
      return { serving, name: target.name, status: `${target.status}; channel state unknown (${read.detail})${serving && !lastServing ? ', assumed live' : ''}` };
    },

    async serve(signal?: AbortSignal): Promise<void> {
      // The running gateway gets a share of the bound; a restart (the cold path) gets all of it.
      const deadline = now() + Math.min(options.readyTimeoutMs, hotAttemptMs);
      try {
        await serveOnce(deadline);
        return;
      } catch (error) {
        if (signal?.aborted) throw new Error(`hot switch-on failed and the promotion was cancelled meanwhile: ${errorText(error)}`, { cause: error });
        // The config API refuses: the cold path, a fresh boot (channel seeded off) then the switch again.
        logger.error({ event: 'hot-serve-fallback', err: errorText(error) }, `hot switch-on failed (${errorText(error)}); restarting the standby gateway and switching on again`);
      }
      cached = undefined;
      await gateway.stop(2);
      await serveOnce(now() + options.readyTimeoutMs);
    },

    async waitServing(signal: AbortSignal): Promise<ReadyOutcome> {
      const deadline = now() + options.readyTimeoutMs;
      let attempts = 0;
      let detail = 'no answer yet';
      while (now() < deadline && !signal.aborted) {
        attempts++;
        const read = await readChannels();
        if (read.known && owned.length > 0 && allConnected(read.state, owned)) return { ok: true, at: now(), attempts };
        detail = read.known ? `connected: ${read.state.connected.join(', ') || 'none'} of ${owned.join(', ') || '(none owned)'}` : read.detail;
        await pause(Math.min(pollMs, Math.max(0, deadline - now())), signal);
      }
      if (signal.aborted) return { ok: false, at: now(), error: 'aborted', attempts };
      return { ok: false, at: now(), error: `channel not live within PROMOTE_READY_TIMEOUT (${options.readyTimeoutMs / 1000}s); last: ${detail}`, attempts };
    },

    async unserve(timeoutSeconds: number): Promise<void> {
      const target = await gateway.inspect();
      if (!target.running) return;
      try {
        await setChannels(false, now() + Math.max(offGraceMs, 30_000));
        const deadline = now() + offGraceMs;
        while (now() < deadline) {
          const read = await readChannels();
          if (read.known && read.state.running.length === 0) return;
          await pause(pollMs);
        }
        throw new Error(`channels.status still shows ${last?.running.join(', ') ?? 'an unknown state'} ${offGraceMs} ms after the disable`);
      } catch (error) {
        // The cold path: a stopped container has no channel. The keeper boots it again, channel off.
        logger.error({ event: 'hot-unserve-fallback', err: errorText(error) }, `hot switch-off not confirmed (${errorText(error)}); stopping the standby gateway container instead`);
        await gateway.stop(timeoutSeconds);
      }
    },

    watch: (onEvent, signal, hooks) => gateway.watch(onEvent, signal, hooks),
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] ?? error.name) : String(error);
}

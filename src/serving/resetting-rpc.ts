// A gateway RPC client that starts over with a fresh connection pool after a call timed out.
// Observed in the e2e run on a loaded host: after config.get timed out once, every later call
// on the same long-lived client timed out too (channels.status: 5 s timeouts for minutes) while
// a fresh client got the same answers in 0.1–7.5 s. A timed-out exchange can leave its pooled
// connection occupied; the watcher must never lose its view of the channel to that.
import type { GatewayRpc, RpcResult } from '../gateway/gateway-rpc.ts';

export function createResettingRpc(make: () => GatewayRpc): GatewayRpc & { resets(): number } {
  let current = make();
  let resets = 0;
  return {
    async call<T = unknown>(method: string, params?: unknown, options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<RpcResult<T>> {
      const client = current;
      const result = await client.call<T>(method, params, options);
      if (!result.ok && result.reason === 'timeout' && client === current) {
        current = make();
        resets++;
        void client.close();
      }
      return result;
    },
    close: () => current.close(),
    resets: () => resets,
  };
}

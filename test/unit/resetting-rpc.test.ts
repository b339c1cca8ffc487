import { describe, expect, it } from 'vitest';
import type { GatewayRpc, RpcResult } from '../../src/gateway/gateway-rpc.ts';
import { createResettingRpc } from '../../src/serving/resetting-rpc.ts';

describe('resetting gateway RPC', () => {
  it('replaces a client whose call timed out, and keeps one that answers or refuses', async () => {
    const made: Array<{ closed: boolean }> = [];
    const answers: RpcResult[] = [
      { ok: false, reason: 'timeout', detail: 'no complete answer', latencyMs: 5_000 },
      { ok: true, status: 200, payload: {}, latencyMs: 1 },
      { ok: false, reason: 'refused', detail: 'ECONNREFUSED', latencyMs: 1 },
    ];
    const rpc = createResettingRpc(() => {
      const mine = { closed: false };
      made.push(mine);
      const client: GatewayRpc = {
        call: <T>() => Promise.resolve(answers.shift() as RpcResult<T>),
        close: () => {
          mine.closed = true;
          return Promise.resolve();
        },
      };
      return client;
    });
    expect((await rpc.call('channels.status')).ok).toBe(false);
    expect(made).toHaveLength(2);
    expect(made[0]!.closed).toBe(true);
    expect((await rpc.call('channels.status')).ok).toBe(true);
    await rpc.call('channels.status');
    expect(made).toHaveLength(2);
    expect(rpc.resets()).toBe(1);
  });
});

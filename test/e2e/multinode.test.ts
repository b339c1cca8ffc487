// The multi-node partition suite, short version (CI): three nodes, each an etcd 3.5.16 member,
// a lease-run watcher and a gateway behind the dead-man wrapper, all with the SAME IRC nick.
// The ircd's own log is the oracle: every TCP session from a gateway address, on its clock.
// Gateways here are the tiny fake IRC gateway (test/fixtures/multinode) so a scenario takes
// seconds, not a gateway boot; the wrapper, the watcher and etcd are the real ones.
// Checks: never two gateway sessions at once; after a fault that leaves a quorum and a healthy
// node, a DM is answered again; after quorum loss, nothing serves.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../integration/support/run.ts';
import { MultiNode, type NodeNo } from './support/multinode.ts';
import { Bed, type FaultKind } from './support/multinode-faults.ts';

const mn = new MultiNode('ocf-etcd-mn');
const bed = new Bed(mn);
/** Generous bound for a DM answer after a fault (TTL 10 s + grace 2 s + a start under load). */
const ANSWER_BOUND_MS = 90_000;
const TTL_MS = 10_000;

async function holder(): Promise<NodeNo> {
  return waitFor(
    'exactly one gateway session on the ircd',
    async () => {
      const serving = await bed.servingNodes();
      return serving.length === 1 ? serving[0] : undefined;
    },
    { timeoutMs: ANSWER_BOUND_MS, intervalMs: 500 },
  );
}

async function expectNoOverlap(context: string): Promise<void> {
  const overlaps = await bed.overlaps();
  expect(overlaps, `${context}: overlapping sessions of the shared nick ${JSON.stringify(overlaps)}`).toEqual([]);
}

async function faultThenAnswer(kind: FaultKind): Promise<{ from: NodeNo; to: NodeNo; takeoverMs: number }> {
  const before = await holder();
  await bed.dm(ANSWER_BOUND_MS);
  const t0 = Date.now();
  const fault = await bed.apply(kind, before);
  try {
    const answered = await waitFor(
      `a DM answered by another node after ${kind} on node${before}`,
      async () => {
        const serving = await bed.servingNodes();
        if (serving.length !== 1 || serving[0] === before) return undefined;
        return bed.dm(5_000).catch(() => undefined);
      },
      { timeoutMs: ANSWER_BOUND_MS, intervalMs: 500 },
    );
    const to = (await bed.servingNodes())[0] as NodeNo;
    const takeoverMs = answered.at - t0;
    console.log(`[multinode] ${kind} on node${before}: node${to} answered a DM after ${(takeoverMs / 1000).toFixed(1)} s`);
    return { from: before, to, takeoverMs };
  } finally {
    await fault.restore();
    await bed.refreshIps();
    await expectNoOverlap(`after ${kind}`);
  }
}

beforeAll(async () => {
  await mn.up();
  await mn.waitHealthyEtcd();
  await bed.refreshIps();
  await bed.connectProbe();
}, 600_000);

afterAll(async () => {
  bed.probe?.close();
  if (process.env.MULTINODE_KEEP !== '1') await mn.down();
});

describe('multi-node leadership on etcd (fake IRC gateways, real etcd, watcher and dead-man wrapper)', () => {
  it('elects one holder whose gateway answers a DM', async () => {
    const h = await holder();
    const answer = await bed.dm(ANSWER_BOUND_MS);
    expect(answer.answer).toContain(`pong from node${h}`);
    const status = await mn.watcherStatus(h);
    expect(status).toMatchObject({ role: 'serving', holder: `node${h}`, serving: true });
    await expectNoOverlap('start');
  });

  for (const kind of ['kill-node', 'cut-from-etcd', 'pause-watcher', 'kill-gateway'] as const) {
    it(`${kind} on the holder: another node takes over, never two at once`, async () => {
      const r = await faultThenAnswer(kind);
      expect(r.to).not.toBe(r.from);
    });
  }

  it('quorum loss: the holder stops within the TTL and nothing serves; service returns with quorum', async () => {
    const h = await holder();
    const fault = await bed.apply('lose-quorum', h);
    try {
      await waitFor('no gateway session while etcd has no quorum', async () => (await bed.servingNodes()).length === 0 || undefined, { timeoutMs: TTL_MS + 20_000, intervalMs: 500 });
      // And it stays that way: sample for a while longer.
      for (let i = 0; i < 10; i++) {
        expect(await bed.servingNodes()).toEqual([]);
        await new Promise((r) => setTimeout(r, 1_000));
      }
    } finally {
      await fault.restore();
    }
    await mn.waitHealthyEtcd();
    await holder();
    await bed.dm(ANSWER_BOUND_MS);
    await expectNoOverlap('after quorum loss');
  });
});

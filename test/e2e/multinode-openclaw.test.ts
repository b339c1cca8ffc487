// The multi-node suite with the REAL OpenClaw gateway (2026.9.6 + @openclaw/irc) on all three
// nodes, all as IRC nick "sharedbot", each started only by the dead-man wrapper while its node
// holds the etcd lease. The ircd's log is the oracle (every TCP session from a gateway address).
// Fewer faults than the fake-gateway suite: each takeover here includes a real gateway boot.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../integration/support/compose-project.ts';
import { imageExists, OPENCLAW_IMAGE } from '../integration/support/engine.ts';
import { installIrcPlugin } from '../integration/support/irc-bed.ts';
import { dmUntilAnswered } from '../integration/support/irc-client.ts';
import { run, waitFor } from '../integration/support/run.ts';
import { MultiNode, type NodeNo } from './support/multinode.ts';
import { Bed, type FaultKind } from './support/multinode-faults.ts';

const mn = new MultiNode('ocf-etcd-mnoc', ['test/e2e/compose.multinode-openclaw.yml']);
const bed = new Bed(mn);
const BOUND_MS = 240_000; // a real boot on 2 loaded cores, plus TTL and grace

async function holder(not: NodeNo | null = null): Promise<NodeNo> {
  return waitFor(
    `exactly one gateway session on the ircd${not ? ` (not node${not})` : ''}`,
    async () => {
      const serving = await bed.servingNodes();
      return serving.length === 1 && serving[0] !== not ? serving[0] : undefined;
    },
    { timeoutMs: BOUND_MS, intervalMs: 1_000 },
  );
}

async function dm(timeoutMs: number): Promise<{ at: number; reply: string }> {
  const r = await dmUntilAnswered({ host: await mn.ip('ircd', 'chat'), bot: 'sharedbot', timeoutMs, replyMs: 4_000, everyMs: 1_000 });
  return { at: r.repliedAt, reply: r.reply };
}

beforeAll(async () => {
  if (!(await imageExists(OPENCLAW_IMAGE))) throw new Error(`${OPENCLAW_IMAGE} is not in the local image cache: run \`sudo ../shared/ci/docker-engine.sh --openclaw\`.`);
  // One plugin install (npm registry, default bridge), copied into the other two state volumes.
  const config = readFileSync(`${REPO_ROOT}config/ci-irc/multinode/openclaw.json`, 'utf8');
  const vol = (n: number): string => `${mn.name}-state${n}`;
  await installIrcPlugin(vol(1), config, OPENCLAW_IMAGE);
  for (const n of [2, 3]) {
    await run('docker', ['run', '--rm', '-u', '0', '-v', `${vol(1)}:/from:ro`, '-v', `${vol(n)}:/to`, '--entrypoint', 'sh', OPENCLAW_IMAGE, '-c', 'cp -a /from/. /to/ && chown -R 1000:1000 /to'], { timeoutMs: 120_000 });
  }
  await mn.up();
  await mn.waitHealthyEtcd();
  await bed.refreshIps();
}, 900_000);

afterAll(async () => {
  if (process.env.MULTINODE_KEEP === '1') return;
  for (const n of [1, 2, 3]) console.log(`--- gateway${n} ---\n${(await run('docker', ['logs', '--tail', '15', mn.container(`gateway${n}`)], { allowFailure: true })).stdout.slice(-2500)}`);
  await mn.down();
  await run('docker', ['volume', 'rm', '-f', ...[1, 2, 3].map((n) => `${mn.name}-state${n}`)], { allowFailure: true });
});

describe('multi-node leadership with the real OpenClaw gateway (same IRC nick on three nodes)', () => {
  it('one holder boots its gateway and answers a DM with the pairing reply', async () => {
    const h = await holder();
    const answer = await dm(BOUND_MS);
    expect(answer.reply).toMatch(/access not configured|pairing/i);
    expect(await mn.watcherStatus(h)).toMatchObject({ role: 'serving', holder: `node${h}` });
    expect(await bed.overlaps()).toEqual([]);
  });

  for (const kind of ['kill-node', 'cut-from-etcd'] as FaultKind[]) {
    it(`${kind} on the holder: another node's real gateway answers, never two sessions at once`, async () => {
      const before = await holder();
      const t0 = Date.now();
      const fault = await bed.apply(kind, before);
      try {
        const after = await holder(before);
        const answer = await dm(BOUND_MS);
        console.log(`[multinode-openclaw] ${kind} on node${before}: node${after}'s gateway answered a DM ${((answer.at - t0) / 1000).toFixed(1)} s after the fault`);
        expect(after).not.toBe(before);
      } finally {
        await fault.restore();
        await bed.refreshIps();
      }
      const overlaps = await bed.overlaps();
      expect(overlaps, JSON.stringify(overlaps)).toEqual([]);
    });
  }
});

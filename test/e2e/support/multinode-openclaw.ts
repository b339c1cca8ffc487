// The multi-node bed with the REAL OpenClaw gateway on every node (compose.multinode-openclaw.yml):
// the state volumes with the IRC plugin installed, a DM that fresh-nicks past OpenClaw's pairing
// limit, and the pairing queues emptied after it. Shared by test/e2e/multinode-openclaw.test.ts
// and the long randomized run (`MULTINODE_GATEWAY=real npm run bench:multinode`).
import { readFileSync } from 'node:fs';
import { REPO_ROOT } from '../../integration/support/compose-project.ts';
import { OPENCLAW_IMAGE } from '../../integration/support/engine.ts';
import { clearPairingRequests, installIrcPlugin } from '../../integration/support/irc-bed.ts';
import { dmUntilAnswered } from '../../integration/support/irc-client.ts';
import { run } from '../../integration/support/run.ts';
import { NODES, type MultiNode } from './multinode.ts';

export const OPENCLAW_OVERLAY = 'test/e2e/compose.multinode-openclaw.yml';

const stateVolume = (mn: MultiNode, n: number): string => `${mn.name}-state${n}`;

/** One plugin install (npm registry, default bridge), copied into the other two state volumes. */
export async function prepareOpenclawStates(mn: MultiNode): Promise<void> {
  const config = readFileSync(`${REPO_ROOT}config/ci-irc/multinode/openclaw.json`, 'utf8');
  await installIrcPlugin(stateVolume(mn, 1), config, OPENCLAW_IMAGE);
  for (const n of [2, 3]) {
    await run('docker', ['run', '--rm', '-u', '0', '-v', `${stateVolume(mn, 1)}:/from:ro`, '-v', `${stateVolume(mn, n)}:/to`, '--entrypoint', 'sh', OPENCLAW_IMAGE, '-c', 'cp -a /from/. /to/ && chown -R 1000:1000 /to'], { timeoutMs: 120_000 });
  }
}

/** The state volumes are external to the compose project (created before `up`): `down -v` keeps them. */
export async function removeOpenclawStates(mn: MultiNode): Promise<void> {
  await run('docker', ['volume', 'rm', '-f', ...NODES.map((n) => stateVolume(mn, n))], { allowFailure: true });
}

/**
 * A DM to the shared bot, answered by OpenClaw's pairing reply. OpenClaw answers only a new pairing
 * request (at most 3 pending per account), so each answered DM is followed by emptying every
 * reachable gateway's queue: a long run would otherwise go silent after three takeovers per node.
 */
export async function dmRealGateway(mn: MultiNode, timeoutMs: number): Promise<{ at: number; reply: string }> {
  const r = await dmUntilAnswered({ host: await mn.ip('ircd', 'chat'), bot: 'sharedbot', timeoutMs, replyMs: 4_000, everyMs: 1_000 });
  // A killed or paused node's gateway cannot be reached; its queue is emptied the next time.
  await Promise.all(NODES.map((n) => clearPairingRequests(mn.container(`gateway${n}`)).catch(() => undefined)));
  return { at: r.repliedAt, reply: r.reply };
}

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

/** The IRC plugin in every node's state volume: installIrcPlugin installs once (npm registry) and copies its cache after. */
export async function prepareOpenclawStates(mn: MultiNode): Promise<void> {
  const config = readFileSync(`${REPO_ROOT}config/ci-irc/multinode/openclaw.json`, 'utf8');
  for (const n of NODES) await installIrcPlugin(stateVolume(mn, n), config, OPENCLAW_IMAGE);
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

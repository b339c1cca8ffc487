// Hot standby end to end, judged by the chat server: the real OpenClaw gateways, the tests' IRC
// server on an internal network, the watcher in STANDBY_MODE=hot. The invariant at channel level:
// the standby bot never registers on the chat server while the primary is healthy, whatever
// happens to the hot gateway or the watcher; a failover is answered by the already-booted
// gateway (its container is not restarted), and the bot is gone once the primary is back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FULL_RUN } from '../integration/support/full-run.ts';
import { run, waitFor } from '../integration/support/run.ts';
import { STANDBY_BOT } from '../integration/support/irc-bed.ts';
import { dmUntilAnswered } from '../integration/support/irc-client.ts';
import { ChannelPair, channelRunning } from './support/hot-pair.ts';

const BOOT_MS = 600_000;
// CI's 30 min: three more windows run with OCF_FULL=1 (`npm run test:full`, docs/testing.md).
const itFull = FULL_RUN ? it : it.skip;
let pair: ChannelPair;
/** Every window in which the primary was healthy and the standby bot had no business online. */
const quietWindows: Array<{ what: string; from: Date; to: Date }> = [];

async function quietly(what: string, body: () => Promise<unknown>): Promise<void> {
  await pair.waitPrimaryHealthy(600_000);
  const from = new Date();
  await body();
  // Long enough for a boot's channel autostart (or the watcher's next reconcile) to show.
  await new Promise((r) => setTimeout(r, 20_000));
  expect(await pair.primaryHealthy()).toBe(true);
  quietWindows.push({ what, from, to: new Date() });
  expect(await pair.standbySessions(from), `standby bot registered during: ${what}`).toEqual([]);
}

describe('hot standby (STANDBY_MODE=hot, real gateways, IRC)', () => {
  beforeAll(async () => {
    pair = await ChannelPair.create('ocf-hot', 'hot');
    const from = new Date();
    await pair.up();
    await pair.waitHotAtRest(BOOT_MS);
    await pair.project.waitForPhase('watching', 60_000);
    // The watcher has read the hot gateway's config hash: a promotion is then one config.patch.
    await waitFor('watcher ready to switch the hot standby', async () => ((await pair.status()).gateway.detail ?? '').includes('ready to switch') || undefined, { timeoutMs: 300_000, intervalMs: 1_000 });
    // `up -d` itself (first boot of the hot gateway, the seed, the watcher's first inspects): no session.
    expect(await pair.primaryHealthy()).toBe(true);
    quietWindows.push({ what: 'up -d (first boot)', from, to: new Date() });
    expect(await pair.standbySessions(from), 'standby bot registered during up -d').toEqual([]);
  }, BOOT_MS + 900_000);

  afterAll(async () => {
    if (pair) {
      const logs = await pair.project.logs('watcher');
      console.log(logs.split('\n').filter((l) => /hot-|promot|demot|stray|restart-gateway/.test(l)).slice(-40).join('\n'));
      await pair.down();
    }
  }, 120_000);

  it('promotion switches the channel on in the running gateway (a DM is answered); the primary back switches it off', async () => {
    const before = await pair.project.containerState(pair.standbyId);
    const killedAt = Date.now();
    await run('docker', ['kill', pair.primaryId]);
    const dm = await dmUntilAnswered({ host: pair.ircdIp, bot: STANDBY_BOT, timeoutMs: 240_000, everyMs: 250 });
    const answeredMs = dm.repliedAt - killedAt;
    // The hot path: the same container answered, it was not restarted for the promotion.
    expect((await pair.project.containerState(pair.standbyId)).startedAt).toBe(before.startedAt);
    await pair.project.waitForPhase('promoted', 60_000);

    await run('docker', ['start', pair.primaryId]);
    const healthyAt = await pair.waitPrimaryHealthy(600_000);
    await waitFor('standby bot gone from the chat server', async () => !(await pair.standbyOnline()) || undefined, { timeoutMs: 120_000, intervalMs: 200 });
    const goneMs = Date.now() - healthyAt;
    await pair.project.waitForPhase('watching', 60_000);
    expect((await pair.project.containerState(pair.standbyId)).running).toBe(true);
    console.log(`[hot e2e] primary killed -> DM answered ${(answeredMs / 1000).toFixed(1)} s; primary healthy -> bot gone ${(goneMs / 1000).toFixed(1)} s`);
    await quietly('after the demotion', () => Promise.resolve());
  }, 900_000);

  it('a hot gateway killed and restarted by hand while the primary is healthy never brings its channel up', async () => {
    await quietly('docker kill + docker start of the hot gateway', async () => {
      await run('docker', ['kill', pair.standbyId]);
      await run('docker', ['start', pair.standbyId]);
      await pair.waitHotAtRest(BOOT_MS);
    });
    await quietly('docker restart of the hot gateway', async () => {
      await run('docker', ['restart', '-t', '1', pair.standbyId]);
      await pair.waitHotAtRest(BOOT_MS);
    });
  }, 3 * BOOT_MS);

  it('comes up with the gateway running and its channel off; `up -d` again changes nothing', async () => {
    const st = await pair.standbyRpc('channels.status');
    expect(st.ok).toBe(true);
    expect(channelRunning(st.payload)).toBe(false);
    await quietly('up -d again', async () => {
      await pair.project.compose(['up', '-d', '--no-build'], { timeoutMs: 300_000 });
    });
    expect((await pair.project.containerState(pair.standbyId)).running).toBe(true);
  }, 600_000);

  itFull('a watcher restarted while the primary is healthy leaves the channel off', async () => {
    await quietly('watcher docker restart', async () => {
      await run('docker', ['restart', '-t', '2', pair.project.watcherName]);
      await pair.project.waitForPhase('watching', 180_000);
    });
    await quietly('watcher docker kill + start', async () => {
      await run('docker', ['kill', pair.project.watcherName]);
      await run('docker', ['start', pair.project.watcherName]);
      await pair.project.waitForPhase('watching', 180_000);
    });
  }, 900_000);

  itFull('the watcher starts a hot gateway that was stopped while watching, with its channel off', async () => {
    await quietly('hot gateway stopped by hand, repaired by the watcher', async () => {
      await run('docker', ['stop', '-t', '1', pair.standbyId]);
      await waitFor('the watcher starts the hot gateway again', async () => (await pair.project.containerState(pair.standbyId)).running || undefined, { timeoutMs: 120_000, intervalMs: 1_000 });
      await pair.waitHotAtRest(BOOT_MS);
    });
  }, 2 * BOOT_MS);

  it('a watcher killed mid-promotion: once the primary is back and the watcher restarts, the channel is switched off', async () => {
    await run('docker', ['kill', pair.primaryId]);
    await pair.project.waitForPhase('promoting', 120_000);
    await run('docker', ['kill', pair.project.watcherName]);
    await run('docker', ['start', pair.primaryId]);
    const healthyAt = await pair.waitPrimaryHealthy(600_000);
    await run('docker', ['start', pair.project.watcherName]);
    await pair.project.waitForPhase('watching', 180_000);
    await waitFor('channel off after the watcher restarted', async () => {
      const st = await pair.standbyRpc('channels.status');
      return st.ok && !channelRunning(st.payload) ? true : undefined;
    }, { timeoutMs: 120_000, intervalMs: 500 });
    await waitFor('standby bot not on the chat server', async () => !(await pair.standbyOnline()) || undefined, { timeoutMs: 60_000, intervalMs: 500 });
    console.log(`[hot e2e] watcher killed mid-promotion: channel off ${((Date.now() - healthyAt) / 1000).toFixed(1)} s after the primary was healthy (watcher down meanwhile)`);
    await quietly('after a watcher crash mid-promotion', () => Promise.resolve());
  }, 900_000);

  itFull('paused: nothing is switched; resume hands control back', async () => {
    await run('docker', ['exec', pair.project.watcherName, 'openclaw-failover', 'pause', '--reason', 'e2e']);
    await quietly('paused, hot gateway restarted by hand', async () => {
      await run('docker', ['restart', '-t', '1', pair.standbyId]);
      await pair.waitHotAtRest(BOOT_MS);
    });
    await run('docker', ['exec', pair.project.watcherName, 'openclaw-failover', 'resume']);
  }, 2 * BOOT_MS);

  it('0 stray channel sessions over every window the primary was healthy', async () => {
    expect(quietWindows.length).toBeGreaterThanOrEqual(5);
    const first = quietWindows[0]!.from;
    const sessions = await pair.standbySessions(first);
    const stray = sessions.filter((at) => quietWindows.some((w) => at >= w.from.getTime() && at <= w.to.getTime()));
    console.log(`[hot e2e] standby bot sessions since ${first.toISOString()}: ${sessions.length} (all during outages), stray: ${stray.length}`);
    expect(stray).toEqual([]);
  }, 60_000);
});

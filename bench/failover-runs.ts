// Measures failover and failback on a real engine, with the deployment the e2e scenarios use:
// the primary is killed (docker kill), the standby is promoted to ready, the primary is started
// again and the standby is demoted. Every instant comes from a clock shared by the watcher, the
// engine and this script (one host), so the differences are comparable.
import { run } from '../test/integration/support/run.ts';
import type { FailoverPair } from '../test/e2e/support/failover-pair.ts';

export interface FailoverSample {
  /** docker kill of the primary → the watcher's promotion decision. */
  detectionMs: number;
  /** Decision → `docker start` issued (the watcher's own work, git sync and hook included). */
  overheadMs: number;
  /** Decision → the engine reports the standby container started. */
  startMs: number;
  /** docker kill of the primary → the standby's /readyz answers 200 (seen from the host). */
  readyMs: number;
  /** Standby container started → its /readyz 200: the gateway's own boot. */
  bootMs: number;
  /** Primary healthy again (seen from the host) → the engine reports the standby stopped. */
  demotionMs: number;
  /** Channels only: docker kill of the primary → the standby bot joined #ops (seen by the test user). */
  joinMs?: number;
  /** Channels only, the headline: docker kill of the primary → the standby bot answered a DM. */
  dmMs?: number;
  /** Channels only: the watcher's own ready → channel live (channels.status). */
  channelMs?: number;
  /** Channels only: primary healthy again (MIN_PROMOTED=0, so served at once) → standby bot gone. */
  goneMs?: number;
  /** Channels only: joins of the standby bot while the primary was healthy in this cycle (must be 0). */
  strayJoins?: number;
}

/** One kill → ready → restart → stopped cycle; leaves the pair at its baseline. */
export async function measureFailover(pair: FailoverPair, timeouts: { readyMs: number; primaryBootMs: number }): Promise<FailoverSample> {
  const cycleFrom = Date.now();
  await pair.waitBaseline(timeouts.primaryBootMs);
  if (pair.channels) await pair.restore(timeouts.primaryBootMs);
  const killedAt = Date.now();
  const strayJoins = pair.channels ? pair.standbyJoins(cycleFrom, killedAt).length : undefined;
  await run('docker', ['kill', pair.primaryId]);
  // DMs from the moment of the kill: refused ("no such nick") until the bot is on the server.
  const answered = pair.channels ? pair.waitStandbyAnswers(timeouts.readyMs) : undefined;
  answered?.catch(() => undefined);
  const readyAt = await pair.waitStandbyReady(timeouts.readyMs);
  const dm = await answered;
  const joinedAt = pair.channels ? await pair.waitStandbyJoined(killedAt, 60_000) : undefined;
  const promoted = await pair.project.waitForPhase('promoted', 120_000);
  const t = promoted.lastTransition;
  if (!t || t.kind !== 'promotion') throw new Error(`expected a promotion, /status says ${JSON.stringify(t)}`);
  const decidedAt = Date.parse(t.decidedAt);
  const startedAt = pair.standbyEvent('start', killedAt);
  if (startedAt === undefined) throw new Error('the engine reported no start of the standby gateway');

  await run('docker', ['start', pair.primaryId]);
  const healthyAt = await pair.waitPrimaryHealthyFromHost(timeouts.primaryBootMs);
  const diedAt = await pair.waitStandbyEvent('die', healthyAt - 1_000, 120_000);
  const goneAt = pair.channels ? await pair.waitStandbyGone(healthyAt - 5_000, 120_000) : undefined;
  await pair.waitBaseline(60_000);

  return {
    detectionMs: decidedAt - killedAt,
    // The start is issued once the sync and the ON_PROMOTE hook (if any) are done (promote() in
    // src/watcher/watcher.ts); the bench configures no hook, so hookMs is absent there.
    overheadMs: (t.timings.syncMs ?? 0) + (t.timings.hookMs ?? 0),
    startMs: startedAt - decidedAt,
    readyMs: readyAt - killedAt,
    bootMs: readyAt - startedAt,
    demotionMs: Math.max(0, diedAt - healthyAt),
    ...(pair.channels
      ? {
          joinMs: (joinedAt ?? NaN) - killedAt,
          dmMs: (dm?.repliedAt ?? NaN) - killedAt,
          channelMs: t.timings.channelMs ?? NaN,
          goneMs: Math.max(0, (goneAt ?? NaN) - healthyAt),
          strayJoins,
        }
      : {}),
  };
}

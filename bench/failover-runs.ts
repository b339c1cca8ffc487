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
}

/** One kill → ready → restart → stopped cycle; leaves the pair at its baseline. */
export async function measureFailover(pair: FailoverPair, timeouts: { readyMs: number; primaryBootMs: number }): Promise<FailoverSample> {
  await pair.waitBaseline(timeouts.primaryBootMs);
  const killedAt = Date.now();
  await run('docker', ['kill', pair.primaryId]);
  const readyAt = await pair.waitStandbyReady(timeouts.readyMs);
  const promoted = await pair.project.waitForPhase('promoted', 30_000);
  const t = promoted.lastTransition;
  if (!t || t.kind !== 'promotion') throw new Error(`expected a promotion, /status says ${JSON.stringify(t)}`);
  const decidedAt = Date.parse(t.decidedAt);
  const startedAt = pair.standbyEvent('start', killedAt);
  if (startedAt === undefined) throw new Error('the engine reported no start of the standby gateway');

  await run('docker', ['start', pair.primaryId]);
  const healthyAt = await pair.waitPrimaryHealthyFromHost(timeouts.primaryBootMs);
  const diedAt = await pair.waitStandbyEvent('die', healthyAt - 1_000, 60_000);
  await pair.waitBaseline(30_000);

  return {
    detectionMs: decidedAt - killedAt,
    // The start is issued once the sync and the ON_PROMOTE hook (if any) are done (promote() in
    // src/watcher/watcher.ts); the bench configures no hook, so hookMs is absent there.
    overheadMs: (t.timings.syncMs ?? 0) + (t.timings.hookMs ?? 0),
    startMs: startedAt - decidedAt,
    readyMs: readyAt - killedAt,
    bootMs: readyAt - startedAt,
    demotionMs: Math.max(0, diedAt - healthyAt),
  };
}

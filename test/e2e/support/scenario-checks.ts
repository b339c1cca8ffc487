// The checks every e2e scenario makes, judged by the chat server as well as by the containers:
// after a fault the standby bot joins #ops and answers a DM; after the primary is back it
// leaves; while the primary is healthy it never joins.
import { expect } from 'vitest';
import type { StatusDoc } from '../../integration/support/compose-project.ts';
import { waitFor } from '../../integration/support/run.ts';
import { seconds, type FailoverPair } from './failover-pair.ts';

export interface Figures {
  lines: string[];
  report(line: string): void;
}

export function figures(): Figures {
  const lines: string[] = [];
  return {
    lines,
    report(line) {
      lines.push(line);
      console.log(line);
    },
  };
}

export interface PromotionSeen {
  status: StatusDoc;
  /** Fault → the standby bot answered a DM (epoch ms difference), when the pair has channels. */
  dmMs?: number;
}

/** After a fault at `faultAt`: the standby answers /readyz, joins #ops, answers a DM, and the watcher says promoted. */
export async function expectPromotion(pair: FailoverPair, fig: Figures, label: string, faultAt: number): Promise<PromotionSeen> {
  const readyAt = await pair.waitStandbyReady(300_000);
  let dmMs: number | undefined;
  let joinedAt: number | undefined;
  if (pair.channels) {
    joinedAt = await pair.waitStandbyJoined(faultAt, 240_000);
    const dm = await pair.waitStandbyAnswers(120_000);
    dmMs = dm.repliedAt - faultAt;
  }
  const promoted = await pair.project.waitForPhase('promoted', 150_000);
  const t = promoted.lastTransition;
  expect(t?.kind).toBe('promotion');
  if (pair.channels) {
    // The watcher itself saw the channel live (channels.status), not just /readyz.
    expect(t?.timings.channelMs).toBeTypeOf('number');
    expect(t?.problems.filter((p) => p.startsWith('channel not live'))).toEqual([]);
  }
  const decidedAt = Date.parse(t?.decidedAt ?? '');
  fig.report(
    `[${label}] promotion: fault → decision ${seconds(decidedAt - faultAt)}, sync ${seconds(t?.timings.syncMs)}, ` +
      `docker start ${seconds(t?.timings.startMs)}, boot ${seconds(t?.timings.readyMs)}, channel ${seconds(t?.timings.channelMs)}; ` +
      `fault → /readyz ${seconds(readyAt - faultAt)}${joinedAt ? `, → bot joined ${seconds(joinedAt - faultAt)}, → DM answered ${seconds(dmMs)}` : ''}`,
  );
  return { status: promoted, dmMs };
}

/** Primary back (healthy from `healthyAt`): the standby is stopped, and its bot leaves the server. */
export async function expectDemotion(pair: FailoverPair, fig: Figures, label: string, healthyAt: number): Promise<void> {
  const stoppedAt = await pair.waitStandbyStopped(120_000);
  const demoted = await pair.project.waitForPhase('watching', 60_000);
  expect(demoted.lastTransition).toMatchObject({ kind: 'demotion', outcome: 'succeeded' });
  let gone = '';
  if (pair.channels) {
    const goneAt = await pair.waitStandbyGone(healthyAt - 5_000, 60_000);
    gone = `, → standby bot gone ${seconds(Math.max(0, goneAt - healthyAt))}`;
  }
  fig.report(`[${label}] demotion: primary healthy → standby stopped ${seconds(stoppedAt - healthyAt)}${gone} (decision ${seconds(demoted.lastTransition?.timings.detectionMs)}, stop ${seconds(demoted.lastTransition?.timings.stopMs)})`);
  await pair.waitBaseline(60_000);
}

/** The standby bot did not join #ops since `since` (and is not on the server now). */
export async function expectNoStandbyBot(pair: FailoverPair, since: number): Promise<void> {
  if (!pair.channels) return;
  expect(pair.standbyJoins(since)).toEqual([]);
  expect(await pair.botOnline('standbybot')).toBe(false);
}

/** A promoted standby, for the scenarios that continue one (run alone with -t, they make their own). */
export async function ensurePromoted(pair: FailoverPair, fig: Figures, label: string): Promise<void> {
  const s = await pair.status();
  if (s.phase === 'promoted' && (await pair.standbyReady())) return;
  await pair.restore(300_000);
  const killedAt = Date.now();
  const { run } = await import('../../integration/support/run.ts');
  await run('docker', ['kill', pair.primaryId]);
  await expectPromotion(pair, fig, `${label} (setup)`, killedAt);
}

/** Waits until the watcher has probed `more` times beyond `from` (bounded). */
export async function probesBeyond(pair: FailoverPair, from: number, more: number, timeoutMs: number): Promise<StatusDoc> {
  return waitFor(`${more} more probes`, async () => {
    const s = await pair.status();
    return s.watcher.probes >= from + more ? s : undefined;
  }, { timeoutMs, intervalMs: 500 });
}

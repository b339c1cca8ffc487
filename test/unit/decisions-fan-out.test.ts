// A step that settles one transition and begins the next (a promotion finishing into an immediate
// hand-back) carries both decisions: each is logged, notified and counted. Before decisions were
// a list, the `promoted` line, notification and counter of such a step were lost.
import { describe, expect, it } from 'vitest';
import { transitionEvents } from '../../src/decision/events.ts';
import type { Observation, State, Step } from '../../src/decision/model.ts';
import { createWatcherMetrics } from '../../src/metrics/watcher-metrics.ts';
import { notificationsForStep } from '../../src/notify/notification.ts';
import { logDecisions } from '../../src/watcher/decision-log.ts';
import { ok, promotionFinished, reachPromoting, run, step } from './decide-fixtures.ts';
import { capturingLogger } from './local-receiver.ts';

/**
 * Promoting, the primary back for RECOVER_THRESHOLD probes meanwhile, then the promotion's report.
 * In automatic mode the third healthy probe cancels the promotion (promotion-cancelled); a pause
 * lets the one in flight finish, so paused meanwhile and resumed before its report, it hands back.
 */
function promotionIntoHandBack(): { previous: State; handBack: Step; at: number } {
  const promoting = reachPromoting();
  const pause: Observation = { type: 'command', command: { name: 'pause', reason: 'maintenance' } };
  const resume: Observation = { type: 'command', command: { name: 'resume' } };
  const booting = run(promoting.state, [pause, ok, ok, ok, resume], promoting.next);
  expect(booting.state.phase).toBe('promoting');
  const at = booting.next;
  return { previous: booting.state, handBack: step(booting.state, promotionFinished(undefined, at - 500), at), at };
}

describe('a promotion that finishes straight into a demotion', () => {
  it('decides both edges, each carrying its own transition', () => {
    const { handBack } = promotionIntoHandBack();
    expect(handBack.state.phase).toBe('demoting');
    expect(handBack.decisions.map((d) => d.event)).toEqual(['promoted', 'demote']);
    expect(transitionEvents(handBack.decisions).map((e) => `${e.kind}:${e.outcome}`)).toEqual(['promotion:succeeded', 'demotion:started']);
  });

  it('logs two lines, the PROMOTED one with the promotion timings', () => {
    const { handBack, at } = promotionIntoHandBack();
    const log = capturingLogger();
    logDecisions(log.logger, handBack, promotionFinished(undefined, at - 500), at);
    const lines = log.lines() as Array<{ event: string; msg: string; timings?: Record<string, number> }>;
    expect(lines.map((l) => l.event)).toEqual(['promoted', 'demote']);
    expect(lines[0]?.msg).toMatch(/^PROMOTED: standby gateway started and ready; down→decision/);
    expect(lines[0]?.timings).toMatchObject({ syncMs: expect.any(Number) as number, readyMs: expect.any(Number) as number });
    expect(lines[1]?.msg).toMatch(/^DEMOTING: primary healthy again/);
  });

  it('sends the promoted notification (the demotion start has none of its own)', () => {
    const { handBack, at } = promotionIntoHandBack();
    expect(notificationsForStep(handBack, at).map((n) => n.event)).toEqual(['promoted']);
  });

  it('counts the promotion as succeeded and the demotion as started', async () => {
    const { previous, handBack } = promotionIntoHandBack();
    const metrics = createWatcherMetrics({ version: 't', alive: () => true, startedAtMs: 0 });
    metrics.observer.onStep?.(previous, handBack);
    const { body } = await metrics.render();
    expect(body).toContain('openclaw_failover_transitions_total{kind="promotion",outcome="succeeded"} 1');
    expect(body).toContain('openclaw_failover_transitions_total{kind="demotion",outcome="started"} 1');
  });
});

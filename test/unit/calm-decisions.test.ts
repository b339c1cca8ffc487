// Calm decision logs over the real decide(): a demotion held by MIN_PROMOTED, a promotion held by
// the start-retry backoff or withheld by the partition guard repeat their decision on every probe;
// the log shows each when it starts, changes and ends, with at most one reminder a minute.
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { decide } from '../../src/decision/decide.ts';
import type { Observation, State } from '../../src/decision/model.ts';
import { CalmDecisionLog } from '../../src/watcher/calm-decisions.ts';
import { fail, ok, policy, promotionFinished, reachPromoted, watchingState, FULL_OK } from './decide-fixtures.ts';

interface Line { event?: string; lasting?: string; msg?: string; level: number }

function harness(initial: State, startAt: number) {
  const lines: Line[] = [];
  const stream = new Writable({ write(chunk: Buffer, _e, done) { lines.push(JSON.parse(chunk.toString()) as Line); done(); } });
  let now = startAt;
  let state = initial;
  const log = new CalmDecisionLog(pino({ level: 'debug' }, stream), () => now);
  const feed = (make: (at: number) => Observation, stepMs = 2_000): void => {
    now += stepMs;
    const observation = make(now);
    const step = decide(state, observation, now);
    state = step.state;
    log.log(step, observation);
  };
  return { lines, feed, get state() { return state; }, flush: () => new Promise((r) => setImmediate(r)) };
}

const summary = (lines: Line[]): string[] => lines.map((l) => `${l.event ?? '?'}${l.lasting ? `/${l.lasting}` : ''}`);

describe('CalmDecisionLog', () => {
  it('MIN_PROMOTED=300 s with the primary back at once: one held line, a reminder a minute, then the end and the demotion', async () => {
    const promoted = reachPromoted(policy({ minPromotedMs: 300_000 }));
    const h = harness(promoted.state, promoted.next);
    for (let i = 0; i < 160 && h.state.phase === 'promoted'; i++) h.feed(ok);
    await h.flush();
    const s = summary(h.lines);
    expect(h.state.phase).toBe('demoting');
    // 2 "primary-answering" lines before RECOVER_THRESHOLD, then the hold for ~5 minutes.
    expect(s.filter((e) => e.startsWith('demotion-held/'))).toEqual(['demotion-held/started', 'demotion-held/reminder', 'demotion-held/reminder', 'demotion-held/reminder', 'demotion-held/reminder']);
    expect(s.slice(-2)).toEqual(['demotion-held-ended/ended', 'demote']);
    expect(h.lines.at(-2)?.msg).toMatch(/^demotion no longer held by MIN_PROMOTED \(after 4m5\ds\)$/);
    expect(h.lines.length).toBeLessThan(12);
  });

  it('a failure while held ends the hold; the next hold is a new start', async () => {
    const promoted = reachPromoted(policy({ minPromotedMs: 300_000 }));
    const h = harness(promoted.state, promoted.next);
    for (let i = 0; i < 10; i++) h.feed(ok);
    h.feed(fail);
    for (let i = 0; i < 10; i++) h.feed(ok);
    await h.flush();
    expect(summary(h.lines).filter((e) => e.startsWith('demotion-held'))).toEqual(['demotion-held/started', 'demotion-held-ended/ended', 'demotion-held/started']);
  });

  it('a failed start: the promotion-backoff repeats per probe but is logged once, and ends with the next promotion', async () => {
    const p = policy();
    const h = harness(watchingState(p), watchingState(p).phaseSince);
    h.feed(fail);
    h.feed(fail);
    h.feed(fail);
    expect(h.state.phase).toBe('promoting');
    h.feed((at) => promotionFinished({ sync: 'ok', start: 'failed', ready: 'absent' }, at), 100);
    for (let i = 0; i < 14; i++) h.feed(fail, 1_000);
    await h.flush();
    const s = summary(h.lines);
    expect(s.filter((e) => e === 'promotion-backoff/started')).toHaveLength(1);
    expect(s.filter((e) => e.startsWith('promotion-backoff/'))).toHaveLength(1);
    // The retry delay over, the next failed probe promotes again: the hold's end comes first.
    const ended = s.indexOf('promotion-backoff-ended/ended');
    expect(ended).toBeGreaterThan(s.indexOf('promotion-backoff/started'));
    expect(s[ended + 1]).toBe('promote');
  });

  it('partition guard: asking and withholding on every probe is one condition, logged once, ended by the promotion', async () => {
    const p = policy({ partitionGuard: true });
    const h = harness(watchingState(p), watchingState(p).phaseSince);
    for (let i = 0; i < 3; i++) h.feed(fail);
    const none: (at: number) => Observation = () => ({ type: 'witnesses-checked', answered: [], total: 1 });
    for (let i = 0; i < 20; i++) {
      h.feed(none, 100);
      h.feed(fail, 1_900);
    }
    h.feed(() => ({ type: 'witnesses-checked', answered: ['http://w'], total: 1 }), 100);
    await h.flush();
    const s = summary(h.lines);
    expect(s.filter((e) => e === 'check-witnesses')).toHaveLength(1);
    expect(s.filter((e) => e.startsWith('promotion-withheld/'))).toEqual(['promotion-withheld/started']);
    expect(s.slice(-2)).toEqual(['promotion-withheld-ended/ended', 'promote']);
  });

  it('ordinary decisions pass through unchanged', async () => {
    const h = harness(watchingState(policy()), watchingState(policy()).phaseSince);
    h.feed(fail);
    h.feed(ok);
    await h.flush();
    expect(summary(h.lines)).toEqual(['primary-probe-failed', 'primary-answering-again']);
    void FULL_OK;
  });
});

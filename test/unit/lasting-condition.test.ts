// Calm logs: a lasting condition is logged when it starts, changes and ends, with at most one
// reminder a minute in between, however often it is reported.
import { describe, expect, it } from 'vitest';
import { ConditionTracker, formatDuration, type Condition, type ConditionLine } from '../../src/log/lasting-condition.ts';

function setup(reminderMs?: number) {
  let now = 0;
  const lines: ConditionLine[] = [];
  const tracker = new ConditionTracker({ now: () => now, log: (l) => lines.push(l), ...(reminderMs === undefined ? {} : { reminderMs }) });
  return { tracker, lines, advance: (ms: number) => (now += ms) };
}

const held = (key: string, message = `held ${key}`): Condition => ({ key, level: 'warn', event: 'demotion-held', message, fields: { remainingMs: 1 } });

describe('ConditionTracker', () => {
  it('reported every 2 s for 5 minutes: one start line, one reminder a minute, one end line', () => {
    const { tracker, lines, advance } = setup();
    for (let t = 0; t < 300_000; t += 2_000) {
      tracker.report('hold', held('a'));
      advance(2_000);
    }
    tracker.report('hold', null, 'demotion no longer held');
    const kinds = lines.map((l) => l.fields.lasting);
    expect(kinds).toEqual(['started', 'reminder', 'reminder', 'reminder', 'reminder', 'ended']);
    expect(lines[0]).toMatchObject({ level: 'warn', message: 'held a', fields: { event: 'demotion-held', remainingMs: 1 } });
    expect(lines[1]?.message).toBe('still, for 1m00s: held a');
    expect(lines[5]).toMatchObject({ level: 'info', message: 'demotion no longer held (after 5m00s)', fields: { event: 'demotion-held-ended', lastedMs: 300_000 } });
  });

  it('a change of key is logged at once, keeping the start time', () => {
    const { tracker, lines, advance } = setup();
    expect(tracker.report('docker', held('eacces:105'))).toBe('started');
    advance(5_000);
    expect(tracker.report('docker', held('eacces:105'))).toBeUndefined();
    advance(5_000);
    expect(tracker.report('docker', held('no-socket'))).toBe('changed');
    expect(lines[1]?.fields).toMatchObject({ lasting: 'changed', forMs: 10_000 });
    expect(tracker.active('docker')?.since).toBe(0);
  });

  it('reminders follow the last logged line, and the newest wording', () => {
    const { tracker, lines, advance } = setup(10_000);
    tracker.report('x', held('k', 'first'));
    advance(9_999);
    expect(tracker.report('x', held('k', 'second'))).toBeUndefined();
    advance(1);
    expect(tracker.report('x', held('k', 'third'))).toBe('reminder');
    advance(9_999);
    expect(tracker.report('x', held('k', 'fourth'))).toBeUndefined();
    expect(lines.map((l) => l.message)).toEqual(['first', 'still, for 10s: third']);
  });

  it('an end without a start logs nothing; names are independent', () => {
    const { tracker, lines } = setup();
    expect(tracker.report('a', null)).toBeUndefined();
    tracker.report('a', held('1'));
    tracker.report('b', held('1'));
    tracker.report('a', null);
    expect(lines.map((l) => l.fields.lasting)).toEqual(['started', 'started', 'ended']);
    expect(tracker.active('b')).toBeDefined();
    expect(tracker.active('a')).toBeUndefined();
  });

  it('formats durations for people', () => {
    expect([formatDuration(400), formatDuration(59_000), formatDuration(61_000), formatDuration(3_725_000)]).toEqual(['0s', '59s', '1m01s', '1h02m']);
  });
});

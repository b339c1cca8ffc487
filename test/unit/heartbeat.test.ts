// The dead man's switch against a real receiver on 127.0.0.1: pings while the loop turns, none
// while it is stuck, failures logged once per outage, the URL never logged.
import { afterEach, describe, expect, it } from 'vitest';
import { runHeartbeat } from '../../src/notify/heartbeat.ts';
import { capturingLogger, startReceiver, until, type Answer, type Receiver } from './local-receiver.ts';

const receivers: Receiver[] = [];
const aborts: AbortController[] = [];

afterEach(async () => {
  for (const a of aborts.splice(0)) a.abort();
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

async function start(answer: (n: number) => Answer, alive: () => boolean, timeoutMs = 1_000) {
  const r = await startReceiver(answer);
  receivers.push(r);
  const abort = new AbortController();
  aborts.push(abort);
  const log = capturingLogger();
  const outcomes: string[] = [];
  const done = runHeartbeat({
    url: r.url('/ping/hb-secret-uuid'),
    intervalMs: 50,
    timeoutMs,
    alive,
    logger: log.logger,
    signal: abort.signal,
    onOutcome: (o) => outcomes.push(o),
  });
  return { r, abort, log, outcomes, done };
}

describe('heartbeat', () => {
  it('pings with GET every interval while the probe loop turns, and stops when told', async () => {
    const { r, abort, outcomes, done } = await start(() => 200, () => true);
    await until('three pings', () => r.requests.length >= 3);
    abort.abort();
    await done;
    const count = r.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(r.requests.length).toBe(count);
    expect(r.requests.every((q) => q.method === 'GET' && q.path === '/ping/hb-secret-uuid')).toBe(true);
    expect(outcomes.every((o) => o === 'ok')).toBe(true);
  });

  it('withholds the ping while the probe loop is stuck, and resumes when it turns again', async () => {
    let alive = false;
    const { r, outcomes, log } = await start(() => 200, () => alive);
    await until('three skipped', () => outcomes.filter((o) => o === 'skipped').length >= 3);
    expect(r.requests).toHaveLength(0);
    expect(log.lines().filter((l) => l.event === 'heartbeat-withheld')).toHaveLength(1);
    alive = true;
    await until('a ping', () => r.requests.length >= 1);
  });

  it('logs a failing heartbeat once per outage, then its recovery, never the URL', async () => {
    // 500 ×3, then 200 ×2, then a hang (timeout) ×2, then 200.
    const plan: Answer[] = [500, 500, 500, 200, 200, 'hang', 'hang'];
    const { r, outcomes, log } = await start((n) => plan[n] ?? 200, () => true, 150);
    await until('the plan played out', () => r.requests.length >= plan.length + 1, 10_000);
    await until('last outcome', () => outcomes.length >= plan.length + 1);
    expect(outcomes.slice(0, plan.length + 1)).toEqual(['failed', 'failed', 'failed', 'ok', 'ok', 'failed', 'failed', 'ok']);
    const events = log.lines().map((l) => l.event);
    expect(events.filter((e) => e === 'heartbeat-failed')).toHaveLength(2);
    expect(events.filter((e) => e === 'heartbeat-restored')).toHaveLength(2);
    expect(log.lines().filter((l) => l.event === 'heartbeat-failed').map((l) => l.err)).toEqual(['HTTP 500', 'no answer within 150 ms']);
    expect(log.text()).not.toMatch(/hb-secret-uuid|127\.0\.0\.1/);
  });
});

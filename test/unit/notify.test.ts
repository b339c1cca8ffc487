// Notifications: the texts come from real decide() steps; delivery is tested against real HTTP
// receivers on 127.0.0.1 that answer, fail, throttle and hang.
import { afterEach, describe, expect, it } from 'vitest';
import { notificationsForStep, type Notification } from '../../src/notify/notification.ts';
import { createNotifier, type NotifierOptions } from '../../src/notify/notifier.ts';
import { notifyingObserver } from '../../src/notify/notify-observer.ts';
import { capturingLogger, startReceiver, until, type Answer, type Receiver } from './local-receiver.ts';
import { failoverLifecycle, replay } from './notify-lifecycle.ts';

const SENDER = { host: 'standby-1', version: '0.1.0' };
const receivers: Receiver[] = [];
const closers: Array<() => void> = [];

afterEach(async () => {
  for (const close of closers.splice(0)) close();
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

async function receiver(answer: (n: number) => Answer = () => 200): Promise<Receiver> {
  const r = await startReceiver(answer);
  receivers.push(r);
  return r;
}

function notifier(options: Partial<NotifierOptions> & Pick<NotifierOptions, 'targets'>) {
  const log = capturingLogger();
  const outcomes: string[] = [];
  const n = createNotifier({
    sender: SENDER,
    timeoutMs: 1_000,
    retries: 3,
    backoffMs: 20,
    backoffMaxMs: 200,
    logger: log.logger,
    onOutcome: (channel, outcome) => outcomes.push(`${channel}:${outcome}`),
    ...options,
  });
  closers.push(() => n.close());
  return { n, log, outcomes };
}

function lifecycleNotifications(options?: Parameters<typeof failoverLifecycle>[0]): Notification[] {
  return failoverLifecycle(options).flatMap(({ step, at }) => notificationsForStep(step, at));
}

describe('notification texts from a real failover', () => {
  it('says what happened, why and how long it took, for each transition', () => {
    const list = lifecycleNotifications();
    expect(list.map((n) => n.event)).toEqual(['promotion-started', 'promoted', 'demoted']);
    const [started, promoted, demoted] = list as [Notification, Notification, Notification];
    expect(started.text).toBe(
      'Promoting standby gateway: primary down after 3 consecutive failed probes (FAIL_THRESHOLD=3), last: timeout (no complete answer within 2000 ms); detected in 4.0 s.',
    );
    expect(promoted.text).toBe(
      'Promoted standby gateway: primary down after 3 consecutive failed probes (FAIL_THRESHOLD=3), last: timeout (no complete answer within 2000 ms); ready in 24.1 s (sync 0.3 s, start 0.4 s, boot 23.4 s; detection 4.0 s).',
    );
    expect(promoted.timings).toEqual({ detectionMs: 4_000, syncMs: 300, startMs: 400, readyMs: 23_400, totalMs: 28_100 });
    expect(demoted.text).toMatch(/^Demoted standby gateway: primary healthy again after 3 consecutive healthy probes \(RECOVER_THRESHOLD=3\); stopped in \d+\.\d s \(recovery detected in \d\.\d s\)\.$/);
  });

  it('reports a failed promotion and a failed demotion as critical, with the error and what to do', () => {
    const failedStart = lifecycleNotifications({ startOk: false });
    expect(failedStart.map((n) => n.event)).toEqual(['promotion-started', 'promotion-failed']);
    expect(failedStart[1]).toMatchObject({ severity: 'critical', title: 'Promotion FAILED' });
    expect(failedStart[1]?.text).toContain('gateway start failed: no such container: openclaw-standby');
    expect(failedStart[1]?.text).toContain('docker logs watcher');

    const failedStop = lifecycleNotifications({ stopOk: false });
    expect(failedStop.at(-1)).toMatchObject({ event: 'demotion-failed', severity: 'critical' });
    expect(failedStop.at(-1)?.text).toContain('gateway stop failed: timeout stopping container');
  });
});

describe('delivery formats, against real receivers', () => {
  it('sends each service its own format', async () => {
    const r = await receiver();
    const { n, outcomes } = notifier({
      targets: { webhook: r.url('/webhook/wh-secret-token'), slack: r.url('/slack/T0/B0/slack-secret'), discord: r.url('/discord/1/discord-secret'), ntfy: r.url('/ntfy-secret-topic') },
    });
    const promoted = lifecycleNotifications()[1]!;
    n.notify(promoted);
    await until('four requests', () => r.requests.length === 4);
    await n.idle();
    expect(outcomes.sort()).toEqual(['discord:sent', 'ntfy:sent', 'slack:sent', 'webhook:sent']);
    const by = (prefix: string) => r.requests.find((q) => q.path.startsWith(prefix))!;

    const webhook = by('/webhook');
    expect(webhook.method).toBe('POST');
    expect(webhook.headers['content-type']).toBe('application/json');
    const doc = JSON.parse(webhook.body) as Record<string, unknown>;
    expect(doc).toMatchObject({
      source: 'openclaw-failover',
      event: 'promoted',
      severity: 'warning',
      phase: 'promoted',
      reason: '3 consecutive failed probes (FAIL_THRESHOLD=3), last: timeout (no complete answer within 2000 ms)',
      timings: { detectionMs: 4_000, syncMs: 300, startMs: 400, readyMs: 23_400, totalMs: 28_100 },
      host: 'standby-1',
      version: '0.1.0',
      problems: [],
    });
    expect(new Date(doc.at as string).getTime()).toBe(promoted.at);

    expect(JSON.parse(by('/slack').body)).toEqual({ text: `⚠️ ${promoted.text}` });
    expect(JSON.parse(by('/discord').body)).toEqual({ content: `⚠️ ${promoted.text}`, allowed_mentions: { parse: [] } });

    const ntfy = by('/ntfy');
    expect(ntfy.body).toBe(promoted.text);
    expect(ntfy.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(ntfy.headers.title).toBe('openclaw-failover on standby-1: Promoted standby gateway');
    expect(ntfy.headers.priority).toBe('4');
    expect(ntfy.headers.tags).toBe('warning');

    // The README's examples are these very requests.
    if (process.env.OCF_PRINT_NOTIFICATIONS === '1') {
      for (const q of r.requests) console.log(`${q.method} ${q.path}\n${JSON.stringify({ title: q.headers.title, priority: q.headers.priority, tags: q.headers.tags })}\n${q.body}\n`);
    }
  });

  it('marks a failed promotion urgent on ntfy and critical in the webhook', async () => {
    const r = await receiver();
    const { n } = notifier({ targets: { webhook: r.url('/webhook'), ntfy: r.url('/ntfy') } });
    n.notify(lifecycleNotifications({ startOk: false })[1]!);
    await until('two requests', () => r.requests.length === 2);
    const ntfy = r.requests.find((q) => q.path === '/ntfy')!;
    expect(ntfy.headers).toMatchObject({ priority: '5', tags: 'rotating_light', title: 'openclaw-failover on standby-1: Promotion FAILED' });
    expect(JSON.parse(r.requests.find((q) => q.path === '/webhook')!.body)).toMatchObject({ event: 'promotion-failed', severity: 'critical' });
  });
});

describe('timeouts, retries and giving up', () => {
  const one = (): Notification => lifecycleNotifications()[0]!;

  it('retries after a 500 and delivers on the 200', async () => {
    const r = await receiver((i) => (i === 0 ? 500 : 200));
    const { n, outcomes, log } = notifier({ targets: { webhook: r.url('/hook') } });
    n.notify(one());
    await until('sent', () => outcomes.length > 0);
    expect(outcomes).toEqual(['webhook:sent']);
    expect(r.requests).toHaveLength(2);
    expect(log.lines().find((l) => l.event === 'notify-retry')).toMatchObject({ channel: 'webhook', attempt: 1, err: 'HTTP 500' });
  });

  it('retries a 429, then a hung receiver is cut off by the timeout and retried', async () => {
    const r = await receiver((i) => (i === 0 ? { status: 429, headers: { 'retry-after': '0' } } : i === 1 ? 'hang' : 204));
    const { n, outcomes, log } = notifier({ targets: { slack: r.url('/s') }, timeoutMs: 300 });
    n.notify(one());
    await until('sent', () => outcomes.length > 0, 10_000);
    expect(outcomes).toEqual(['slack:sent']);
    expect(r.requests).toHaveLength(3);
    expect(log.lines().filter((l) => l.event === 'notify-retry').map((l) => l.err)).toEqual(['HTTP 429', 'no answer within 300 ms']);
  });

  it('gives up after NOTIFY_RETRIES retries on a receiver that always fails, and logs it once', async () => {
    const r = await receiver(() => 500);
    const { n, outcomes, log } = notifier({ targets: { discord: r.url('/d') }, retries: 2 });
    n.notify(one());
    await until('gave up', () => outcomes.length > 0);
    await new Promise((resolve) => setTimeout(resolve, 300)); // nothing more arrives afterwards
    expect(outcomes).toEqual(['discord:failed']);
    expect(r.requests).toHaveLength(3);
    const failed = log.lines().filter((l) => l.event === 'notify-failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ channel: 'discord', attempts: 3, err: 'HTTP 500' });
  });

  it('gives up on a receiver that always hangs, bounded by timeout × attempts', async () => {
    const r = await receiver(() => 'hang');
    const { n, outcomes } = notifier({ targets: { ntfy: r.url('/t') }, timeoutMs: 200, retries: 1 });
    const began = Date.now();
    n.notify(one());
    await until('gave up', () => outcomes.length > 0, 10_000);
    expect(outcomes).toEqual(['ntfy:failed']);
    expect(r.requests).toHaveLength(2);
    console.log(`[notify] hung receiver given up after ${Date.now() - began} ms (timeout 200 ms, 2 attempts)`);
  });

  it('does not retry a 4xx answer: the URL is wrong, and retrying will not fix it', async () => {
    const r = await receiver(() => 404);
    const { n, outcomes } = notifier({ targets: { webhook: r.url('/gone') } });
    n.notify(one());
    await until('failed', () => outcomes.length > 0);
    expect(outcomes).toEqual(['webhook:failed']);
    expect(r.requests).toHaveLength(1);
  });

  it('gives up at once on a closed port (network error), after its retries', async () => {
    const r = await receiver();
    const url = r.url('/x');
    await r.close();
    receivers.splice(receivers.indexOf(r), 1);
    const { n, outcomes, log } = notifier({ targets: { webhook: url }, retries: 1 });
    n.notify(one());
    await until('failed', () => outcomes.length > 0);
    expect(outcomes).toEqual(['webhook:failed']);
    expect(log.lines().find((l) => l.event === 'notify-failed')?.err).toBe('network error ECONNREFUSED');
  });
});

describe('never in the way of a failover', () => {
  it('a hung receiver does not delay the decision loop: the observer returns before any request is made', async () => {
    const r = await receiver(() => 'hang');
    const { n } = notifier({ targets: { webhook: r.url('/hang'), slack: r.url('/hang2') }, timeoutMs: 5_000 });
    const observer = notifyingObserver(n, SENDER);
    const steps = failoverLifecycle();
    const began = performance.now();
    replay(observer, steps);
    const spentMs = performance.now() - began;
    // Synchronous and without I/O: nothing can have reached the receiver yet.
    expect(r.requests).toHaveLength(0);
    await until('the first requests arrive later', () => r.requests.length === 2);
    console.log(`[notify] ${steps.length} steps replayed through the observer in ${spentMs.toFixed(2)} ms with a hung receiver`);
  });

  it('bounds the queue per channel: overflow is dropped, counted and logged', async () => {
    const r = await receiver(() => 'hang');
    const { n, outcomes, log } = notifier({ targets: { webhook: r.url('/hang') }, maxQueue: 2, timeoutMs: 5_000 });
    const msg = lifecycleNotifications()[0]!;
    for (let i = 0; i < 5; i++) n.notify(msg);
    expect(outcomes).toEqual(['webhook:dropped', 'webhook:dropped', 'webhook:dropped']);
    expect(log.lines().filter((l) => l.event === 'notify-dropped')).toHaveLength(3);
  });

  it('never logs the URLs (they carry the tokens), whatever happens', async () => {
    const ok = await receiver(() => 200);
    const bad = await receiver(() => 500);
    const { n, log } = notifier({
      targets: { webhook: ok.url('/hooks/tok-AAAA1111'), slack: bad.url('/services/tok-BBBB2222'), ntfy: bad.url('/tok-CCCC3333') },
      retries: 1,
      maxQueue: 1,
    });
    const list = lifecycleNotifications();
    for (const m of list) n.notify(m);
    await n.idle();
    expect(log.lines().length).toBeGreaterThan(3);
    expect(log.text()).not.toMatch(/tok-|127\.0\.0\.1/);
  });

  it('scrubs secret values out of the message texts', async () => {
    const r = await receiver();
    const { n } = notifier({ targets: { webhook: r.url('/w') }, scrub: (t) => t.replaceAll('2000 ms', '***') });
    n.notify(lifecycleNotifications()[0]!);
    await until('sent', () => r.requests.length === 1);
    expect(r.requests[0]!.body).not.toContain('2000 ms');
    expect(r.requests[0]!.body).toContain('***');
  });

  it('sends nothing once closed', async () => {
    const r = await receiver();
    const { n } = notifier({ targets: { webhook: r.url('/w') } });
    n.close();
    n.notify(lifecycleNotifications()[0]!);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(r.requests).toHaveLength(0);
  });
});


// The I/O retries on cockatiel (src/docker/backoff.ts): the jittered delays stay within their
// bounds and really are jittered; retry() counts attempts, stops on final errors and on abort
// (also in the middle of a delay); the docker operations and the events stream use them against a
// fake dockerode. Delays are injected (deterministic backoffs) wherever the test is not about them.
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { ConstantBackoff, ExponentialBackoff, noJitterGenerator } from 'cockatiel';
import { describe, expect, it } from 'vitest';
import { jitteredBackoff, resettableBackoff, retry, type BackoffFactory, type RetryContext } from '../../src/docker/backoff.ts';
import { watchContainerEvents } from '../../src/docker/container-events.ts';
import { createDockerGatewayControl, DOCKER_RETRY } from '../../src/docker/gateway-control.ts';
import { EVENTS_RECONNECT } from '../../src/docker/container-events.ts';
import { sendWithRetries } from '../../src/notify/http-send.ts';
import { startReceiver, until } from './local-receiver.ts';

const CONTEXT = { attempt: 1, signal: new AbortController().signal, result: { error: new Error('x') } } as RetryContext;

/** The first `n` delays a backoff would wait. */
function delays(factory: BackoffFactory, n: number): number[] {
  const out: number[] = [];
  let backoff = factory.next(CONTEXT);
  for (let i = 0; i < n; i++) {
    out.push(backoff.duration);
    backoff = backoff.next(CONTEXT);
  }
  return out;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** A deterministic backoff of 1, 2, 4, 8 … ms, for tests that count delays rather than wait. */
const doubling = (): BackoffFactory => new ExponentialBackoff({ initialDelay: 1, maxDelay: 64, generator: noJitterGenerator });

describe('jittered backoff (decorrelated jitter)', () => {
  it.each([
    ['docker operations', DOCKER_RETRY.initialMs, DOCKER_RETRY.maxMs],
    ['events reconnect', EVENTS_RECONNECT.initialMs, EVENTS_RECONNECT.maxMs],
    ['notifications', 1_000, 30_000],
  ])('%s: never above the cap, medians near initial × 1, 2, 4, spread out', (_name, initialMs, maxMs) => {
    const runs = Array.from({ length: 400 }, () => delays(jitteredBackoff(initialMs, maxMs), 8));
    const all = runs.flat();
    expect(Math.min(...all)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...all)).toBeLessThanOrEqual(maxMs);
    const byStep = [0, 1, 2].map((i) => runs.map((run) => run[i]!));
    const medians = byStep.map(median);
    expect(medians[0]).toBeGreaterThan(initialMs * 0.5);
    expect(medians[0]).toBeLessThan(initialMs * 1.6);
    expect(medians[1]).toBeGreaterThan(medians[0]!);
    expect(medians[2]).toBeGreaterThan(medians[1]!);
    // Jitter: watchers that failed together do not retry together.
    expect(new Set(byStep[0]!.map((d) => Math.round(d))).size).toBeGreaterThan(100);
    // Late steps sit at the cap.
    expect(median(runs.map((run) => run[7]!))).toBe(maxMs);
  });

  it('a resettable backoff starts over after reset()', () => {
    const backoff = resettableBackoff(doubling());
    let step = backoff.next(CONTEXT);
    const seen = [step.duration];
    step = step.next(CONTEXT);
    seen.push(step.duration);
    backoff.reset();
    step = step.next(CONTEXT);
    seen.push(step.duration);
    step = step.next(CONTEXT);
    seen.push(step.duration);
    expect(seen).toEqual([1, 2, 1, 2]);
  });
});

describe('retry()', () => {
  it('makes `attempts` attempts in all, reporting each retry with its delay, then throws the last error', async () => {
    const retries: Array<[string, number, number]> = [];
    let calls = 0;
    const failing = retry(
      () => {
        calls++;
        return Promise.reject(new Error(`failure ${calls}`));
      },
      { attempts: 4, backoff: doubling(), onRetry: (error, attempt, delayMs) => retries.push([(error as Error).message, attempt, delayMs]) },
    );
    await expect(failing).rejects.toThrow('failure 4');
    expect(calls).toBe(4);
    expect(retries).toEqual([
      ['failure 1', 1, 1],
      ['failure 2', 2, 2],
      ['failure 3', 3, 4],
    ]);
  });

  it('returns the first success', async () => {
    let calls = 0;
    expect(await retry((attempt) => (++calls < 3 ? Promise.reject(new Error('not yet')) : Promise.resolve(attempt)), { attempts: 5, backoff: doubling() })).toBe(3);
  });

  it('throws a final error at once', async () => {
    let calls = 0;
    const final = retry(() => (calls++, Promise.reject(new Error('404'))), { attempts: 5, backoff: doubling(), retryable: () => false });
    await expect(final).rejects.toThrow('404');
    expect(calls).toBe(1);
  });

  it('an abort in the middle of a long delay ends it at once with the last error', async () => {
    const controller = new AbortController();
    let calls = 0;
    const pending = retry(() => (calls++, Promise.reject(new Error('daemon down'))), {
      attempts: 3,
      backoff: new ConstantBackoff(600_000),
      signal: controller.signal,
      onRetry: () => setImmediate(() => controller.abort()),
    });
    // Without the abort this would wait ten minutes, far beyond the test's timeout.
    await expect(pending).rejects.toThrow('daemon down');
    expect(calls).toBe(1);
  });
});

/** A dockerode stand-in for one labelled container; `start` fails as scripted. */
function fakeDocker(startFailures: Array<{ statusCode?: number; message: string }>) {
  let starts = 0;
  const container = {
    inspect: () =>
      Promise.resolve({
        Id: 'abc123',
        Name: '/openclaw-standby',
        Config: { Labels: { 'openclaw-failover.role': 'standby-gateway' } },
        State: { Running: false, Paused: false, Status: 'exited', StartedAt: '' },
      }),
    start: () => {
      const failure = startFailures[starts++];
      return failure === undefined ? Promise.resolve() : Promise.reject(Object.assign(new Error(failure.message), failure));
    },
  };
  return { docker: { getContainer: () => container } as unknown as Docker, starts: () => starts };
}

describe('docker operations', () => {
  it('retries daemon errors and succeeds, reporting each retry', async () => {
    const { docker, starts } = fakeDocker([{ statusCode: 500, message: 'server error' }, { message: 'socket hang up' }]);
    const retries: string[] = [];
    const control = createDockerGatewayControl(docker, { container: 'openclaw-standby', service: 'x' }, {
      backoff: doubling(),
      onRetry: (operation, error, attempt, delayMs) => retries.push(`${operation} ${attempt} ${delayMs} ${(error as Error).message}`),
    });
    expect(await control.start()).toMatchObject({ id: 'abc123', running: true });
    expect(starts()).toBe(3);
    expect(retries).toEqual(['start 1 1 server error', 'start 2 2 socket hang up']);
  });

  it('gives up after its attempts, and never retries a missing container', async () => {
    const down = fakeDocker(Array.from({ length: 10 }, () => ({ statusCode: 500, message: 'server error' })));
    await expect(createDockerGatewayControl(down.docker, { container: 'c', service: 'x' }, { backoff: doubling() }).start()).rejects.toThrow('server error');
    expect(down.starts()).toBe(DOCKER_RETRY.attempts);

    const gone = fakeDocker([{ statusCode: 404, message: 'no such container' }]);
    await expect(createDockerGatewayControl(gone.docker, { container: 'c', service: 'x' }, { backoff: doubling() }).start()).rejects.toThrow('no such container');
    expect(gone.starts()).toBe(1);
  });
});

describe('docker events stream', () => {
  const event = (action: string) => `${JSON.stringify({ Action: action, Actor: { ID: 'abc123', Attributes: { name: 'openclaw-standby' } }, timeNano: 1e15 })}\n`;

  it('reconnects with backoff after failures and ends, resetting the delays after a good connection', async () => {
    // Script: refused, refused, connected (one event, then the stream ends), refused, connected (stays).
    const script: Array<'refuse' | 'end' | 'stay'> = ['refuse', 'refuse', 'end', 'refuse', 'stay'];
    const streams: PassThrough[] = [];
    let calls = 0;
    const docker = {
      getEvents: () => {
        const step = script[calls++] ?? 'stay';
        if (step === 'refuse') return Promise.reject(Object.assign(new Error('connect ECONNREFUSED /var/run/docker.sock'), { code: 'ECONNREFUSED' }));
        const stream = new PassThrough();
        streams.push(stream);
        if (step === 'end') setImmediate(() => stream.end(event('start')));
        return Promise.resolve(stream);
      },
    } as unknown as Docker;
    const controller = new AbortController();
    const seen: string[] = [];
    const delaysSeen: number[] = [];
    const done = watchContainerEvents(docker, { container: 'openclaw-standby', service: 'x' }, (e) => seen.push(e.action), {
      signal: controller.signal,
      backoff: doubling(),
      hooks: { onConnected: (again) => seen.push(again ? 'reconnected' : 'connected'), onDisconnected: (_error, delayMs) => delaysSeen.push(delayMs) },
    });
    await until('the last connection', () => calls === 5 && seen.length === 3, 10_000);
    streams.at(-1)!.write(event('die'));
    await until('the event on the last connection', () => seen.length === 4);
    controller.abort();
    await done;
    expect(seen).toEqual(['connected', 'start', 'reconnected', 'die']);
    // 1, 2 for the two refusals; the good connection resets, so the end and the refusal after it wait 1, 2 again.
    expect(delaysSeen).toEqual([1, 2, 1, 2]);
  });

  it('a stop during a reconnect delay ends the watch at once', async () => {
    const docker = { getEvents: () => Promise.reject(new Error('daemon down')) } as unknown as Docker;
    const controller = new AbortController();
    const done = watchContainerEvents(docker, { container: 'c', service: 'x' }, () => undefined, {
      signal: controller.signal,
      backoff: new ConstantBackoff(600_000),
      hooks: { onDisconnected: () => setImmediate(() => controller.abort()) },
    });
    await expect(done).resolves.toBeUndefined();
  });
});

describe('webhook retries', () => {
  it.each([
    [5_000, 1_000],
    [300, 300],
  ])("wait at least a 429's Retry-After, within the cap (cap %i ms: %i ms)", async (backoffMaxMs, expected) => {
    const r = await startReceiver((n) => (n === 0 ? { status: 429, headers: { 'retry-after': '1' } } : 204));
    try {
      const retries: number[] = [];
      const result = await sendWithRetries(
        { method: 'POST', url: r.url('/hook'), body: '{}' },
        { timeoutMs: 5_000, retries: 2, backoffMs: 1, backoffMaxMs, backoff: new ConstantBackoff(0) },
        undefined,
        (_error, _attempt, delayMs) => retries.push(delayMs),
      );
      expect(result).toEqual({ status: 204, attempts: 2 });
      expect(retries).toEqual([expected]);
    } finally {
      await r.close();
    }
  });
});

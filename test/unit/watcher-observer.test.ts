// The observer plumbing: a throwing listener is logged and ignored, combined observers all hear
// every hook, and transition events come from the decisions of real decide() steps.
import { describe, expect, it } from 'vitest';
import { transitionEvents } from '../../src/decision/events.ts';
import { combineObservers, observe, type WatcherObserver } from '../../src/watcher/watcher-observer.ts';
import { capturingLogger } from './local-receiver.ts';
import { failoverLifecycle } from './notify-lifecycle.ts';

describe('observe', () => {
  it('calls the hook with its arguments, and logs (never throws) what a listener throws', () => {
    const log = capturingLogger();
    const seen: string[] = [];
    const observer: WatcherObserver = {
      onGitSync: (outcome, detail) => seen.push(`${outcome}:${detail}`),
      onDockerError: () => {
        throw new Error('listener bug');
      },
    };
    observe({ observer, logger: log.logger }, 'onGitSync', 'failed', 'git fetch timed out');
    expect(() => observe({ observer, logger: log.logger }, 'onDockerError', 'start', 'x')).not.toThrow();
    observe({ logger: log.logger }, 'onProbe', { ok: true, status: 200, latencyMs: 1, startedAt: 0 });
    expect(seen).toEqual(['failed:git fetch timed out']);
    expect(log.lines()).toMatchObject([{ event: 'observer-error', hook: 'onDockerError', err: 'listener bug' }]);
  });

  it('combined observers each hear every hook, in order', () => {
    const seen: string[] = [];
    const a: WatcherObserver = { onDockerError: (op) => seen.push(`a:${op}`), onGitSync: (o) => seen.push(`a:${o}`) };
    const b: WatcherObserver = { onDockerError: (op) => seen.push(`b:${op}`) };
    const both = combineObservers(a, b);
    both.onDockerError?.('stop', 'e');
    both.onGitSync?.('ok', 'd');
    both.onProbe?.({ ok: true, status: 200, latencyMs: 1, startedAt: 0 });
    expect(seen).toEqual(['a:stop', 'b:stop', 'a:ok']);
  });
});

describe('transitionEvents over a real failover', () => {
  it('reports each start and each finish exactly once', () => {
    const events = failoverLifecycle().flatMap(({ step }) => transitionEvents(step.decisions).map((e) => `${e.kind}:${e.outcome}`));
    expect(events).toEqual(['promotion:started', 'promotion:succeeded', 'demotion:started', 'demotion:succeeded']);
  });

  it('reports a failed promotion and a failed demotion', () => {
    const outcomes = (o: Parameters<typeof failoverLifecycle>[0]) =>
      failoverLifecycle(o).flatMap(({ step }) => transitionEvents(step.decisions).map((e) => `${e.kind}:${e.outcome}`));
    expect(outcomes({ startOk: false })).toEqual(['promotion:started', 'promotion:failed']);
    expect(outcomes({ stopOk: false })).toEqual(['promotion:started', 'promotion:succeeded', 'demotion:started', 'demotion:failed']);
  });
});

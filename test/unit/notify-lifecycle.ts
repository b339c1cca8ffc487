// A whole failover, folded through the real decide(): three timed-out probes, a promotion whose
// sync, start and boot take 0.3 s, 0.4 s and 23.4 s, three healthy probes and a demotion. The
// steps are replayed into an observer the way the watcher calls it.
import type { Observation, State, Step } from '../../src/decision/model.ts';
import type { WatcherObserver } from '../../src/watcher/watcher-observer.ts';
import { demotionFinished, ok, run, T0, watchingState } from './decide-fixtures.ts';

/** A probe that hit its 2 s timeout: it started 2 s before its verdict at `now`. */
const timedOut = (now: number): Observation => ({
  type: 'probe',
  result: { ok: false, reason: 'timeout', detail: 'no complete answer within 2000 ms', latencyMs: 2_000, startedAt: now - 2_000 },
});

export interface LifecycleStep {
  previous: State;
  step: Step;
  at: number;
}

export function failoverLifecycle(options: { startOk?: boolean; stopOk?: boolean } = {}): LifecycleStep[] {
  const failing = run(watchingState(), [timedOut, timedOut, timedOut]);
  const decidedAt = failing.next - 1_000;
  const finished: Observation = {
    type: 'promotion-finished',
    report:
      options.startOk === false
        ? { sync: { ok: true, at: decidedAt + 300, summary: 'up to date' }, start: { ok: false, at: decidedAt + 700, error: 'no such container: openclaw-standby' } }
        : {
            sync: { ok: true, at: decidedAt + 300, summary: 'fast-forwarded 2 commits' },
            start: { ok: true, at: decidedAt + 700 },
            ready: { ok: true, at: decidedAt + 24_100 },
          },
  };
  const promoted = run(failing.state, [finished], decidedAt + 24_200);
  const tail: Array<Observation | ((now: number) => Observation)> =
    options.startOk === false ? [] : [ok, ok, ok, demotionFinished(options.stopOk ?? true, options.stopOk === false ? 'timeout stopping container' : undefined)];
  const recovered = run(promoted.state, tail, promoted.next);
  const all = [...failing.steps, ...promoted.steps, ...recovered.steps];
  let previous = watchingState();
  return all.map(({ at, step }) => {
    const entry = { previous, step, at };
    previous = step.state;
    return entry;
  });
}

export function replay(observer: WatcherObserver, steps: LifecycleStep[]): void {
  observer.onStart?.(watchingState(), null);
  for (const { previous, step } of steps) observer.onStep?.(previous, step);
}

export { T0 };

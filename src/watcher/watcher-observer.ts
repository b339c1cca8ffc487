// What the watcher tells listeners (metrics, notifications) as it runs. Every hook is optional and
// called synchronously from the loop, so a listener must only record or enqueue: it never does I/O
// inline. A throwing listener is logged and ignored; it can never stop a failover.
import type { Logger } from 'pino';
import type { Phase, State, Step } from '../decision/model.ts';
import type { ProbeResult } from '../probe/probe-result.ts';

/** The Docker operations whose failures are counted. */
export type DockerOperation = 'inspect' | 'start' | 'stop' | 'events';

export type GitSyncOutcome = 'ok' | 'failed' | 'skipped';

export interface WatcherObserver {
  /** The persisted phase is restored; reconciling and probing begin. */
  onStart?(state: State, restoredPhase: Phase | null): void;
  /** One probe of the primary finished (before it is fed to decide). */
  onProbe?(result: ProbeResult): void;
  /**
   * After every decide step: the state before it, and the step (new state, decisions, actions).
   * The transitions begun and ended in it are transitionEvents(step.decisions) (decision/events.ts).
   */
  onStep?(previous: State, step: Step): void;
  /** A Docker operation failed (after the adapter's own retries). */
  onDockerError?(operation: DockerOperation, error: string): void;
  /** The workspace sync of a promotion finished. */
  onGitSync?(outcome: GitSyncOutcome, detail: string): void;
}

type Hook = keyof WatcherObserver;
type HookArgs<K extends Hook> = Parameters<NonNullable<WatcherObserver[K]>>;

/** Calls one hook of the watcher's observer, if any; a listener's exception is logged, never thrown. */
export function observe<K extends Hook>(
  deps: { observer?: WatcherObserver; logger: Logger },
  hook: K,
  ...args: HookArgs<K>
): void {
  const fn = deps.observer?.[hook] as ((...a: HookArgs<K>) => void) | undefined;
  if (!fn) return;
  try {
    fn.apply(deps.observer, args);
  } catch (error) {
    deps.logger.error({ event: 'observer-error', hook, err: error instanceof Error ? error.message : String(error) }, `observer ${hook} failed`);
  }
}

/** Several observers as one, called in order. */
export function combineObservers(...observers: WatcherObserver[]): WatcherObserver {
  const each =
    <K extends Hook>(hook: K) =>
    (...args: HookArgs<K>): void => {
      for (const observer of observers) (observer[hook] as ((...a: HookArgs<K>) => void) | undefined)?.apply(observer, args);
    };
  return {
    onStart: each('onStart'),
    onProbe: each('onProbe'),
    onStep: each('onStep'),
    onDockerError: each('onDockerError'),
    onGitSync: each('onGitSync'),
  };
}

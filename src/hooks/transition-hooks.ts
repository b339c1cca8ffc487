// The watcher's view of ON_PROMOTE / ON_DEMOTE: run the configured command for a transition, or
// nothing when none is configured. Wired once in watcher-app.ts; fakes stand in for it in tests.
import { runHook, type HookEvent, type HookOutcome } from './run-hook.ts';

export interface TransitionHooks {
  /** Runs the hook for `event`; undefined when none is configured. Never throws. */
  run(event: HookEvent, reason: string, signal: AbortSignal): Promise<HookOutcome | undefined>;
}

export interface TransitionHookOptions {
  onPromote: string | undefined;
  onDemote: string | undefined;
  timeoutMs: number;
  /** Masks secrets in the captured output (the watcher's known secret values, URL credentials). */
  scrub: (text: string) => string;
}

export function createTransitionHooks(options: TransitionHookOptions): TransitionHooks {
  return {
    async run(event, reason, signal) {
      const command = event === 'promote' ? options.onPromote : options.onDemote;
      if (command === undefined) return undefined;
      return runHook({
        command,
        event,
        reason,
        phase: event === 'promote' ? 'promoting' : 'demoting',
        timeoutMs: options.timeoutMs,
        signal,
        scrub: options.scrub,
      });
    },
  };
}

// One ON_PROMOTE / ON_DEMOTE run as the watcher records it: a log line with the (scrubbed) output
// tail, the record /status shows, and the report decide() gets.
import type { Logger } from 'pino';
import type { HookReport } from '../decision/model.ts';
import { describeHookOutcome, describeHookRun, type HookEvent, type HookOutcome } from '../hooks/run-hook.ts';
import type { TransitionHooks } from '../hooks/transition-hooks.ts';

/** What /status shows of the last run of each hook (the output tail is already scrubbed). */
export interface LastHook {
  at: number;
  ok: boolean;
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
  summary: string;
  outputTail: string;
}

/** Runs the hook if one is configured for `event`; undefined when none is. */
export async function runTransitionHook(
  hooks: TransitionHooks | undefined,
  event: HookEvent,
  reason: string,
  signal: AbortSignal,
  logger: Logger,
  now: () => number,
): Promise<{ report: HookReport; last: LastHook } | undefined> {
  const outcome = await hooks?.run(event, reason, signal);
  if (!outcome) return undefined;
  const summary = describeHookOutcome(outcome);
  logger[outcome.ok ? 'info' : 'error'](
    {
      event: 'hook-finished',
      hook: `ON_${event.toUpperCase()}`,
      ok: outcome.ok,
      exitCode: outcome.exitCode,
      signal: outcome.signal,
      timedOut: outcome.timedOut,
      durationMs: outcome.durationMs,
      outputTail: outcome.output.slice(-1_000),
      outputTruncated: outcome.truncated,
    },
    summary,
  );
  const report: HookReport = outcome.ok ? { ok: true, durationMs: outcome.durationMs } : { ok: false, durationMs: outcome.durationMs, error: describeHookRun(outcome) };
  return { report, last: { ...lastHookOf(outcome), at: now(), summary } };
}

function lastHookOf(outcome: HookOutcome): Omit<LastHook, 'at' | 'summary'> {
  return {
    ok: outcome.ok,
    exitCode: outcome.exitCode,
    timedOut: outcome.timedOut,
    durationMs: outcome.durationMs,
    outputTail: outcome.output.slice(-1_000),
  };
}

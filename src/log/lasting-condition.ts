// Calm logs for conditions that last: a held demotion, a withheld promotion, Docker out of reach.
// Seen on every probe (every CHECK_INTERVAL), such a condition would otherwise fill the log with one identical
// line after another and bury what changed. It is logged when it starts, when it changes (another
// key), with a reminder at most every `reminderMs` while it lasts, and when it ends. Pure apart
// from the injected clock and sink, so the rhythm is unit-tested.

export type ConditionLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Condition {
  /** Same key = same condition (a reminder at most); another key = a change (logged at once). */
  key: string;
  level: ConditionLevel;
  event: string;
  message: string;
  fields?: Record<string, unknown>;
}

export type ConditionPhase = 'started' | 'changed' | 'reminder' | 'ended';

export interface ConditionLine {
  level: ConditionLevel;
  fields: Record<string, unknown>;
  message: string;
}

export interface ConditionTrackerOptions {
  now: () => number;
  log: (line: ConditionLine) => void;
  /** At most one reminder per this many ms while a condition lasts; default 60 s. */
  reminderMs?: number;
}

interface Current {
  condition: Condition;
  since: number;
  lastLoggedAt: number;
}

export const DEFAULT_REMINDER_MS = 60_000;

export class ConditionTracker {
  private readonly current = new Map<string, Current>();
  private readonly options: ConditionTrackerOptions;

  constructor(options: ConditionTrackerOptions) {
    this.options = options;
  }

  /**
   * The condition `name` now holds as `condition`, or no longer holds (null). Returns what was
   * logged, if anything. `endMessage` is the line for the end (default: "<event> ended").
   */
  report(name: string, condition: Condition | null, endMessage?: string): ConditionPhase | undefined {
    const now = this.options.now();
    const previous = this.current.get(name);
    if (condition === null) {
      if (!previous) return undefined;
      this.current.delete(name);
      const lastedMs = now - previous.since;
      this.options.log({
        level: 'info',
        fields: { event: `${previous.condition.event}-ended`, lasting: 'ended', lastedMs },
        message: `${endMessage ?? `${previous.condition.event} ended`} (after ${formatDuration(lastedMs)})`,
      });
      return 'ended';
    }
    if (!previous || previous.condition.key !== condition.key) {
      const phase: ConditionPhase = previous ? 'changed' : 'started';
      const since = previous ? previous.since : now;
      this.current.set(name, { condition, since, lastLoggedAt: now });
      this.emit(condition, phase, now - since);
      return phase;
    }
    // Same condition: keep the newest wording (counters move) but stay quiet until a reminder is due.
    previous.condition = condition;
    if (now - previous.lastLoggedAt < (this.options.reminderMs ?? DEFAULT_REMINDER_MS)) return undefined;
    previous.lastLoggedAt = now;
    this.emit(condition, 'reminder', now - previous.since);
    return 'reminder';
  }

  /** Whether `name` currently holds, and since when. */
  active(name: string): { since: number; condition: Condition } | undefined {
    const current = this.current.get(name);
    return current && { since: current.since, condition: current.condition };
  }

  private emit(condition: Condition, phase: ConditionPhase, forMs: number): void {
    const prefix = phase === 'reminder' ? `still, for ${formatDuration(forMs)}: ` : '';
    this.options.log({
      level: condition.level,
      fields: { ...condition.fields, event: condition.event, lasting: phase, ...(phase === 'started' ? {} : { forMs }) },
      message: `${prefix}${condition.message}`,
    });
  }
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

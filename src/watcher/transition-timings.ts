// Durations derived from a transition's timestamps, for logs and /status.
import type { Drill, Transition } from '../decision/model.ts';

export interface TransitionTimings {
  /** First probe of the streak → decision (how long the failure took to detect). */
  detectionMs?: number;
  /** Decision → git sync done. */
  syncMs?: number;
  /** ON_PROMOTE / ON_DEMOTE run time, when a hook is configured. */
  hookMs?: number;
  /** Sync done (and ON_PROMOTE run) → `docker start` returned. */
  startMs?: number;
  /** `docker start` returned → gateway ready. */
  readyMs?: number;
  /** Gateway ready → its channels live (the gateway's own channels.status): reachable. */
  channelMs?: number;
  /** Demotion: decision → gateway stopped. */
  stopMs?: number;
  /** First probe of the streak → finished (ready, or stopped). */
  totalMs?: number;
}

export function transitionTimings(t: Transition): TransitionTimings {
  const diff = (a: number | undefined, b: number | undefined): number | undefined =>
    a === undefined || b === undefined ? undefined : Math.max(0, b - a);
  if (t.kind === 'demotion') {
    return {
      detectionMs: diff(t.streakStartedAt, t.decidedAt),
      // ON_DEMOTE runs after the stop, before the demotion is reported finished.
      stopMs: diff(t.decidedAt, t.finishedAt === undefined ? undefined : t.finishedAt - (t.hookMs ?? 0)),
      ...(t.hookMs === undefined ? {} : { hookMs: t.hookMs }),
      totalMs: diff(t.streakStartedAt, t.finishedAt),
    };
  }
  return {
    detectionMs: diff(t.streakStartedAt, t.decidedAt),
    syncMs: diff(t.decidedAt, t.syncedAt),
    // ON_PROMOTE runs between the sync and the start.
    ...(t.hookMs === undefined ? {} : { hookMs: t.hookMs }),
    startMs: diff(t.syncedAt === undefined ? undefined : t.syncedAt + (t.hookMs ?? 0), t.startedAt),
    readyMs: diff(t.startedAt, t.readyAt),
    ...(t.channelLiveAt === undefined ? {} : { channelMs: diff(t.readyAt, t.channelLiveAt) }),
    // To reachable when the gateway has channels, else to ready.
    totalMs: diff(t.streakStartedAt, t.channelLiveAt ?? t.readyAt ?? t.finishedAt),
  };
}

export interface DrillTimings {
  /** Drill requested → git sync done. */
  syncMs?: number;
  /** Sync done → `docker start` returned. */
  startMs?: number;
  /** `docker start` returned → gateway ready. */
  readyMs?: number;
  /** Stop issued → gateway stopped. */
  stopMs?: number;
  /** Drill requested → finished. */
  totalMs?: number;
}

export function drillTimings(d: Drill): DrillTimings {
  return {
    syncMs: between(d.requestedAt, d.syncedAt),
    startMs: between(d.syncedAt, d.startedAt),
    readyMs: between(d.startedAt, d.readyAt),
    stopMs: between(d.stopIssuedAt, d.stoppedAt),
    totalMs: between(d.requestedAt, d.finishedAt),
  };
}

function between(from: number | undefined, to: number | undefined): number | undefined {
  return from === undefined || to === undefined ? undefined : Math.max(0, to - from);
}

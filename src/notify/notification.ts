// What is worth telling a person, derived from the watcher's steps: the transitions (started,
// finished, failed) and the watcher's own start. Pure: the text says what happened, why, and how
// long it took, from the transition's own timestamps.
import { transitionEvents, type TransitionOutcomeEvent } from '../decision/events.ts';
import type { Phase, State, Step, Transition } from '../decision/model.ts';
import { transitionTimings, type TransitionTimings } from '../watcher/transition-timings.ts';

export type NotificationEvent =
  | 'watcher-started'
  | 'promotion-started'
  | 'promoted'
  | 'promotion-degraded'
  | 'promotion-failed'
  | 'demotion-started'
  | 'demoted'
  | 'demotion-failed'
  // The workspace round trip (docs/workspace-round-trip.md): the primary's push, the standby's hand-back.
  | 'workspace-push-failing'
  | 'workspace-push-recovered'
  | 'workspace-diverged'
  | 'workspace-unmerged-branches'
  | 'workspace-handback-pushed'
  | 'workspace-handback-failed'
  // Hot standby upkeep (docs/hot-standby.md): the running standby gateway broken, repaired.
  | 'hot-standby-broken'
  | 'hot-standby-healthy'
  // The standby's deploy-time preparation (docs/reachable.md).
  | 'standby-prepared'
  | 'standby-not-prepared'
  // The etcd mode (docs/multi-node.md): this node's own leadership changes.
  | 'leadership-acquired'
  | 'leadership-lost'
  | 'leadership-released';

export type Severity = 'info' | 'warning' | 'critical';

export interface Notification {
  event: NotificationEvent;
  severity: Severity;
  /** Short, e.g. "Promoted standby gateway". */
  title: string;
  /** One or two sentences: what happened, why, how long it took. */
  text: string;
  reason: string;
  phase: Phase;
  problems: string[];
  timings: TransitionTimings;
  at: number;
}

/** Notifications for one decide step: zero, one, or two (a transition ending as the next begins). */
export function notificationsForStep(step: Pick<Step, 'state' | 'decisions'>, now: number): Notification[] {
  return transitionEvents(step.decisions).flatMap((e) => {
    const n = describeTransition(e.kind, e.outcome, e.transition, step.state.phase, now);
    return n ? [n] : [];
  });
}

export function watcherStartedNotification(state: State, restoredPhase: Phase | null, host: string, version: string, now: number, standbyMode?: 'cold' | 'hot'): Notification {
  const restored = `${restoredPhase === null ? '' : ` (restored from ${restoredPhase})`}${standbyMode ? `, ${standbyMode} standby` : ''}`;
  return {
    event: 'watcher-started',
    severity: 'info',
    title: 'Failover watcher started',
    text: `Failover watcher ${version} started on ${host} in phase ${state.phase}${restored}.`,
    reason: 'watcher start',
    phase: state.phase,
    problems: [],
    timings: {},
    at: now,
  };
}

function describeTransition(
  kind: Transition['kind'],
  outcome: TransitionOutcomeEvent,
  t: Transition,
  phase: Phase,
  now: number,
): Notification | undefined {
  const timings = transitionTimings(t);
  const base = { reason: t.reason, phase, problems: t.problems, timings, at: now };
  const problems = t.problems.length > 0 ? t.problems.join('; ') : 'unknown error';
  if (kind === 'promotion') {
    const why = `primary down after ${t.reason}`;
    switch (outcome) {
      case 'started':
        return { ...base, event: 'promotion-started', severity: 'warning', title: 'Promoting standby gateway', text: `Promoting standby gateway: ${why}; detected in ${s(timings.detectionMs)}.` };
      case 'succeeded':
        return { ...base, event: 'promoted', severity: 'warning', title: 'Promoted standby gateway', text: `Promoted standby gateway: ${why}; ${readyIn(timings)}.` };
      case 'degraded':
        return {
          ...base,
          event: 'promotion-degraded',
          severity: 'critical',
          title: 'Promoted standby gateway, with problems',
          text: `Promoted standby gateway with problems (${problems}): ${why}; ${readyIn(timings)}. Check \`docker logs watcher\`.`,
        };
      case 'failed':
        return {
          ...base,
          event: 'promotion-failed',
          severity: 'critical',
          title: 'Promotion FAILED',
          text: `Promotion FAILED, no gateway is serving: ${problems}. ${why}. The next failed probe retries; check \`docker logs watcher\` and the standby container.`,
        };
    }
  }
  switch (outcome) {
    case 'started':
      return undefined; // the finish follows within STOP_TIMEOUT; one message is enough
    case 'succeeded':
    case 'degraded':
      return {
        ...base,
        event: 'demoted',
        severity: 'info',
        title: 'Demoted standby gateway',
        text: `Demoted standby gateway: primary healthy again after ${t.reason}; stopped in ${s(timings.stopMs)} (recovery detected in ${s(timings.detectionMs)}).`,
      };
    case 'failed':
      return {
        ...base,
        event: 'demotion-failed',
        severity: 'critical',
        title: 'Demotion FAILED',
        text: `Demotion FAILED, the standby gateway may still be running next to the primary: ${problems}. Check \`docker ps\` on the standby host.`,
      };
  }
}

function readyIn(t: TransitionTimings): string {
  const total = [t.syncMs, t.startMs, t.readyMs].every((v) => v !== undefined)
    ? (t.syncMs ?? 0) + (t.startMs ?? 0) + (t.readyMs ?? 0) + (t.channelMs ?? 0)
    : undefined;
  const live = t.channelMs === undefined ? '' : `, channel live ${s(t.channelMs)} after ready`;
  return `${t.channelMs === undefined ? 'ready' : 'reachable'} in ${s(total)} (sync ${s(t.syncMs)}, start ${s(t.startMs)}, boot ${s(t.readyMs)}${live}; detection ${s(t.detectionMs)})`;
}

/** The standby's deploy-time preparation changed verdict (openclaw-standby-prepare's report). */
export function standbyPreparedNotification(ok: boolean, summary: string, phase: Phase, now: number): Notification {
  return ok
    ? { event: 'standby-prepared', severity: 'info', title: 'Standby prepared', text: `Standby gateway ${summary}.`, reason: summary, phase, problems: [], timings: {}, at: now }
    : {
        event: 'standby-not-prepared',
        severity: 'critical',
        title: 'Standby NOT prepared',
        text: `The standby gateway could not be prepared, so a failover would not make you reachable: ${summary}. Fix the standby config and run \`docker compose --profile standby up -d\` again.`,
        reason: summary,
        phase,
        problems: [summary],
        timings: {},
        at: now,
      };
}

function s(ms: number | undefined): string {
  return ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(1)} s`;
}

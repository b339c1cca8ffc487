// Turns the push service's announcements into one log line each and, for what a person must act
// on, a notification. Text names the branch and the next step; never the remote's credentials.
import type { Logger } from 'pino';
import type { Notification, NotificationEvent, Severity } from '../notify/notification.ts';
import type { Announcement } from './push-state.ts';

export interface AnnounceContext {
  branch: string;
  remote: string;
  host: string;
}

export function describeAnnouncement(a: Announcement, ctx: AnnounceContext): { level: 'info' | 'warn' | 'error'; event: string; text: string; notify?: { event: NotificationEvent; severity: Severity; title: string } } {
  switch (a.kind) {
    case 'push-failing':
      return {
        level: 'error',
        event: 'workspace-push-failing',
        text: `WORKSPACE PUSH FAILING to ${ctx.remote} (${a.error}); retrying with backoff, the workspace stays committed locally. Logged again only when it recovers.`,
        notify: { event: 'workspace-push-failing', severity: 'critical', title: 'Workspace push failing' },
      };
    case 'push-recovered':
      return {
        level: 'info',
        event: 'workspace-push-recovered',
        text: `workspace push to ${ctx.remote} works again after ${a.failures} failed attempt(s)${a.downForMs === undefined ? '' : `, ${Math.round(a.downForMs / 1000)} s without a successful push`}`,
        notify: { event: 'workspace-push-recovered', severity: 'info', title: 'Workspace push recovered' },
      };
    case 'diverged':
      return {
        level: 'error',
        event: 'workspace-diverged',
        text:
          `WORKSPACE DIVERGED: ${ctx.branch} on the remote (${a.remote.slice(0, 12)}) and the primary's (${a.local.slice(0, 12)}) both have commits the other lacks; ` +
          `nothing is pushed and neither side is changed until you merge: in the workspace, \`git fetch origin && git merge origin/${ctx.branch}\`, then the next cycle pushes.`,
        notify: { event: 'workspace-diverged', severity: 'critical', title: 'Workspace diverged from the remote' },
      };
    case 'diverge-resolved':
      return { level: 'info', event: 'workspace-diverge-resolved', text: `workspace ${ctx.branch} is a fast-forward of the remote again; pushing resumes` };
    case 'took-in':
      return { level: 'info', event: 'workspace-took-in', text: `took in the remote's newer ${ctx.branch} (the standby's hand-back) by fast-forward to ${a.head.slice(0, 12)}` };
    case 'unmerged-branches':
      return {
        level: 'warn',
        event: 'workspace-unmerged-branches',
        text: `the standby handed back work on ${a.added.join(', ')} (not a fast-forward of ${ctx.branch}): merge it with \`git fetch origin && git merge origin/${a.added[0] ?? ''}\` in the workspace; unmerged now: ${a.all.join(', ')}`,
        notify: { event: 'workspace-unmerged-branches', severity: 'warning', title: 'Standby work waiting on a branch' },
      };
  }
}

export function announce(a: Announcement, ctx: AnnounceContext, logger: Logger, notify: (n: Notification) => void, now: number): void {
  const d = describeAnnouncement(a, ctx);
  logger[d.level]({ event: d.event, branch: ctx.branch, ...('all' in a ? { branches: a.all } : {}) }, d.text);
  if (d.notify) {
    notify({ ...d.notify, text: d.text, reason: d.event, phase: 'watching', problems: a.kind === 'push-failing' ? [a.error] : [], timings: {}, at: now });
  }
}

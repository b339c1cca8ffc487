// What the push service says when the situation changes: what a person must act on is notified,
// with the branch and the fix in the text; the remote's credentials never appear.
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { announce, describeAnnouncement } from '../../src/push/push-announce.ts';
import type { Notification } from '../../src/notify/notification.ts';
import type { Announcement } from '../../src/push/push-state.ts';

const ctx = { branch: 'main', remote: 'https://***@git.example/ws.git', host: 'openclaw-primary' };

describe('push announcements', () => {
  it('failing, diverged and unmerged branches are notified; recoveries too; a take-in only logged', () => {
    const notified: Notification[] = [];
    const log = pino({ level: 'silent' });
    for (const a of [
      { kind: 'push-failing', error: 'fatal: unable to access' },
      { kind: 'push-recovered', failures: 4, downForMs: 61_000 },
      { kind: 'diverged', local: 'a'.repeat(40), remote: 'b'.repeat(40) },
      { kind: 'unmerged-branches', added: ['standby/openclaw-standby/20261201T211512Z'], all: ['standby/openclaw-standby/20261201T211512Z'] },
      { kind: 'took-in', head: 'c'.repeat(40) },
      { kind: 'diverge-resolved' },
    ] satisfies Announcement[]) announce(a, ctx, log, (n) => notified.push(n), 1_000);
    expect(notified.map((n) => [n.event, n.severity])).toEqual([
      ['workspace-push-failing', 'critical'],
      ['workspace-push-recovered', 'info'],
      ['workspace-diverged', 'critical'],
      ['workspace-unmerged-branches', 'warning'],
    ]);
    expect(notified[2]?.text).toContain('git merge origin/main');
    expect(notified[3]?.text).toContain('git merge origin/standby/openclaw-standby/20261201T211512Z');
    expect(notified[0]?.problems).toEqual(['fatal: unable to access']);
  });

  it('says how long pushes were failing when they recover', () => {
    expect(describeAnnouncement({ kind: 'push-recovered', failures: 4, downForMs: 61_000 }, ctx).text).toMatch(/after 4 failed attempt\(s\), 61 s without a successful push/);
  });
});

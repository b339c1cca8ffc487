// The etcd mode's notifications: who took over, who lost the lease and why, as the existing
// channels' payloads carry them.
import { describe, expect, it } from 'vitest';
import { servingStartedNotification, servingStoppedNotification } from '../../src/lease/lease-notifications.ts';
import { buildRequest } from '../../src/notify/payloads.ts';

const ctx = { node: 'host-b', revision: 42, leaseId: '7587', heldMs: 95_000, lastError: '/v3/lease/keepalive at http://10.0.0.1:2379: timeout', at: 1_700_000_000_000 };

describe('leadership notifications', () => {
  it('announces the new holder with its revision and the grace', () => {
    const n = servingStartedNotification(ctx, 2_000);
    expect(n).toMatchObject({ event: 'leadership-acquired', severity: 'info', title: 'host-b is now the gateway holder' });
    expect(n.text).toContain('revision 42');
    expect(n.text).toContain('2 s grace');
  });

  it.each(['renew-deadline-passed', 'lease-expired-at-etcd', 'key-taken-by-other', 'key-lost'] as const)('a %s stop is a lost lease: critical, with the last etcd error', (reason) => {
    const n = servingStoppedNotification(ctx, reason);
    expect(n).toMatchObject({ event: 'leadership-lost', severity: 'critical', reason });
    expect(n.problems).toEqual([ctx.lastError]);
    expect(n.text).toContain('after 95 s as holder');
  });

  it.each(['shutdown', 'gateway-unhealthy'] as const)('a %s stop is a release: a warning without the etcd error', (reason) => {
    const n = servingStoppedNotification(ctx, reason);
    expect(n).toMatchObject({ event: 'leadership-released', severity: 'warning', problems: [] });
  });

  it('goes through the existing payload builders (Slack, webhook)', () => {
    const n = servingStoppedNotification(ctx, 'renew-deadline-passed');
    const slack = buildRequest('slack', 'https://hooks.slack.com/services/x', n, { host: 'host-b', version: 't' });
    expect(slack.body).toContain('Node host-b stopped its gateway');
    const hook = JSON.parse(buildRequest('webhook', 'https://example.invalid/hook', n, { host: 'host-b', version: 't' }).body ?? '') as { event: string };
    expect(hook.event).toBe('leadership-lost');
  });
});

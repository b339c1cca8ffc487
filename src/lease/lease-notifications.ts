// What the etcd mode tells a person (NOTIFY_* channels, the same notifier as the two-node mode):
// each node reports its own leadership changes, so every holder change is announced once, by the
// node that took over, and every loss by the node that lost it (when it can still reach out).
// Pure: built from the leadership action and what the runner knows at that moment.
// The two-node notification shape carries a `phase`: serving maps to 'promoted', else 'watching'.
import type { Notification } from '../notify/notification.ts';
import type { StopReason } from './leadership.ts';

export interface LeaseNotifyContext {
  node: string;
  revision: number | null;
  leaseId: string | null;
  /** How long this node held the key (stops), or waited for the grace (starts). */
  heldMs: number | null;
  lastError: string | null;
  at: number;
}

/** The lease is gone (or may be): the channels were stopped so nobody serves twice. */
const LOST: ReadonlySet<StopReason> = new Set(['renew-deadline-passed', 'lease-expired-at-etcd', 'key-taken-by-other', 'key-lost']);

const WHY: Record<StopReason, string> = {
  'renew-deadline-passed': 'no lease renewal got through before its deadline (etcd unreachable, no quorum, or this node stalled)',
  'lease-expired-at-etcd': 'etcd reports the lease expired',
  'key-taken-by-other': 'another node holds the leader key',
  'key-lost': 'the leader key is gone',
  'gateway-unhealthy': "this node's gateway is not serving; it resigned so another node takes over",
  shutdown: 'the watcher is shutting down and released the key',
};

export function servingStartedNotification(ctx: LeaseNotifyContext, graceMs: number): Notification {
  return {
    event: 'leadership-acquired',
    severity: 'info',
    title: `${ctx.node} is now the gateway holder`,
    text: `Node ${ctx.node} holds the leader key (revision ${ctx.revision ?? '?'}, lease ${ctx.leaseId ?? '?'}) and switches its gateway's channels on after a ${graceMs / 1000} s grace.`,
    reason: 'won the leader key',
    phase: 'promoted',
    problems: [],
    timings: {},
    at: ctx.at,
  };
}

export function servingStoppedNotification(ctx: LeaseNotifyContext, reason: StopReason): Notification {
  const lost = LOST.has(reason);
  const held = ctx.heldMs === null ? '' : ` after ${Math.round(ctx.heldMs / 1000)} s as holder`;
  return {
    event: lost ? 'leadership-lost' : 'leadership-released',
    severity: lost ? 'critical' : 'warning',
    title: lost ? `${ctx.node} lost the gateway lease` : `${ctx.node} released the gateway lease`,
    text: `Node ${ctx.node} stopped its gateway's channels${held}: ${WHY[reason]}. Another node takes over once the lease is free.`,
    reason,
    phase: 'watching',
    problems: ctx.lastError && lost ? [ctx.lastError] : [],
    timings: {},
    at: ctx.at,
  };
}

// Prometheus metrics of the etcd leadership mode: who holds, for how long, how fast renewals
// come back, how many leases were lost. Fixed label vocabularies only.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { LeaseState, Role, StopReason } from './leadership.ts';

const P = 'openclaw_failover_lease_';
const ROLES: readonly Role[] = ['follower', 'acquired', 'serving'];
const STOPS: readonly StopReason[] = ['renew-deadline-passed', 'lease-expired-at-etcd', 'key-taken-by-other', 'key-lost', 'gateway-unhealthy', 'shutdown'];

export interface LeaseMetrics {
  registry: Registry;
  renewed: (latencyMs: number) => void;
  renewFailed: () => void;
  stopped: (reason: StopReason) => void;
  render: () => Promise<{ contentType: string; body: string }>;
}

export function createLeaseMetrics(read: () => { state: LeaseState; now: number; etcdOk: boolean }): LeaseMetrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry, prefix: 'openclaw_failover_' });
  new Gauge({
    name: `${P}role`,
    help: '1 for this node\'s current role in the etcd election (follower, acquired = in grace, serving).',
    labelNames: ['role'],
    registers,
    collect() {
      const { state } = read();
      for (const r of ROLES) this.set({ role: r }, state.role === r ? 1 : 0);
    },
  });
  new Gauge({
    name: `${P}holder_seconds`,
    help: 'How long this node has held the leader key (0 when it does not).',
    registers,
    collect() {
      const { state, now } = read();
      this.set(state.acquiredAt === null ? 0 : (now - state.acquiredAt) / 1000);
    },
  });
  new Gauge({
    name: `${P}deadline_remaining_seconds`,
    help: 'Time left before this node must stop serving unless a renewal gets through (negative: no lease).',
    registers,
    collect() {
      const { state, now } = read();
      this.set(Number.isFinite(state.deadline) ? (state.deadline - now) / 1000 : -1);
    },
  });
  new Gauge({
    name: `${P}etcd_reachable`,
    help: '1 when the last etcd call succeeded.',
    registers,
    collect() {
      this.set(read().etcdOk ? 1 : 0);
    },
  });
  const latency = new Histogram({ name: `${P}renew_latency_seconds`, help: 'Round trip of lease keepalives that succeeded.', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5], registers });
  const failed = new Counter({ name: `${P}renew_failures_total`, help: 'Lease keepalives that failed or timed out.', registers });
  const stops = new Counter({ name: `${P}stops_total`, help: 'Times this node stopped serving or gave up the key, by reason.', labelNames: ['reason'], registers });
  for (const r of STOPS) stops.inc({ reason: r }, 0);
  new Counter({
    name: `${P}lost_total`,
    help: 'Leases this node lost while holding the key (deadline passed or expired at etcd).',
    registers,
    collect() {
      this.reset();
      this.inc(read().state.lostLeases);
    },
  });
  return {
    registry,
    renewed: (ms) => latency.observe(ms / 1000),
    renewFailed: () => failed.inc(),
    stopped: (reason) => stops.inc({ reason }),
    render: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
  };
}

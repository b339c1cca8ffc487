// Prometheus metrics of the push service (its own registry, the watcher's prefix). Labels carry
// only fixed vocabularies: never a URL, a branch name or an error text.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { METRIC_PREFIX } from '../metrics/watcher-metrics.ts';
import type { CycleOutcome, PushState } from './push-state.ts';

export type CycleKind = 'pushed' | 'in-sync' | 'diverged' | 'failed';
const CYCLE_KINDS: readonly CycleKind[] = ['pushed', 'in-sync', 'diverged', 'failed'];

export function cycleKind(outcome: CycleOutcome): CycleKind {
  if (outcome.kind === 'synced') return outcome.pushed ? 'pushed' : 'in-sync';
  return outcome.kind;
}

export interface PushMetrics {
  count(kind: CycleKind): void;
  render(): Promise<{ contentType: string; body: string }>;
}

export function createPushMetrics(options: { state: () => PushState; startedAtMs: number; version: string; now?: () => number }): PushMetrics {
  const now = options.now ?? Date.now;
  const registry = new Registry();
  const registers = [registry];
  const name = (suffix: string): string => `${METRIC_PREFIX}workspace_${suffix}`;
  collectDefaultMetrics({ register: registry, prefix: `${METRIC_PREFIX}workspace_push_` });
  new Gauge({ name: name('push_info'), help: 'Version of the push service; always 1.', labelNames: ['version'], registers }).set({ version: options.version }, 1);
  const cycles = new Counter({ name: name('push_cycles_total'), help: 'Push cycles by outcome: pushed, in-sync (nothing new), diverged (not pushed, reported), failed (retried with backoff).', labelNames: ['outcome'], registers });
  for (const kind of CYCLE_KINDS) cycles.inc({ outcome: kind }, 0);
  new Gauge({
    name: name('push_last_success_age_seconds'),
    help: 'Seconds since the remote branch was last confirmed to hold every workspace commit (since the service started when never).',
    registers,
    collect() {
      const at = options.state().lastSuccessAt ?? options.startedAtMs;
      this.set(Math.max(0, (now() - at) / 1000));
    },
  });
  new Gauge({
    name: name('push_last_success_timestamp_seconds'),
    help: 'When the remote branch was last confirmed to hold every workspace commit, Unix time; 0 when never.',
    registers,
    collect() {
      this.set((options.state().lastSuccessAt ?? 0) / 1000);
    },
  });
  new Gauge({
    name: name('push_consecutive_failures'),
    help: 'Failed push cycles in a row.',
    registers,
    collect() {
      this.set(options.state().consecutiveFailures);
    },
  });
  new Gauge({
    name: name('push_diverged'),
    help: '1 while the remote workspace branch and the local one have diverged (nothing is pushed until an operator merges).',
    registers,
    collect() {
      this.set(options.state().health === 'diverged' ? 1 : 0);
    },
  });
  new Gauge({
    name: name('unmerged_standby_branches'),
    help: 'standby/* branches on the remote (work handed back by the standby) that the workspace branch does not contain.',
    registers,
    collect() {
      this.set(options.state().unmerged.length);
    },
  });
  return {
    count: (kind) => cycles.inc({ outcome: kind }),
    render: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
  };
}

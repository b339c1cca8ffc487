// Prometheus metrics of the watcher, served at /metrics. A private registry (never prom-client's
// global one), filled by a WatcherObserver. No label ever carries a URL, a token or an error text:
// only fixed vocabularies (phases, probe failure reasons, operations), so nothing secret can leak
// and the series count stays bounded.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Phase, Transition } from '../decision/model.ts';
import type { ProbeFailureReason } from '../probe/probe-result.ts';
import { transitionTimings } from '../watcher/transition-timings.ts';
import { transitionEvents } from '../decision/events.ts';
import type { DockerOperation, GitSyncOutcome, WatcherObserver } from '../watcher/watcher-observer.ts';

export const METRIC_PREFIX = 'openclaw_failover_';

const PHASES: readonly Phase[] = ['watching', 'promoting', 'promoted', 'demoting'];
const PROBE_OUTCOMES: readonly ('ok' | ProbeFailureReason)[] = [
  'ok', 'refused', 'timeout', 'dns', 'reset', 'unreachable', 'tls', 'redirect', 'status', 'body', 'error',
];
const TRANSITION_OUTCOMES = ['started', 'succeeded', 'degraded', 'failed'] as const;
const DOCKER_OPERATIONS: readonly DockerOperation[] = ['inspect', 'start', 'stop', 'events'];
const GIT_OUTCOMES: readonly GitSyncOutcome[] = ['ok', 'failed', 'skipped'];

export type NotificationOutcome = 'sent' | 'failed' | 'dropped';
export type HeartbeatOutcome = 'ok' | 'failed' | 'skipped';

export interface WatcherMetrics {
  registry: Registry;
  observer: WatcherObserver;
  /** One notification's fate on one channel (webhook, slack, discord, ntfy). */
  countNotification: (channel: string, outcome: NotificationOutcome) => void;
  countHeartbeat: (outcome: HeartbeatOutcome) => void;
  /** The exposition text and its content type, for the status server. */
  render: () => Promise<{ contentType: string; body: string }>;
}

export interface MetricsOptions {
  version: string;
  /** Whether the probe loop turned recently (the same rule as /healthz). */
  alive: () => boolean;
  startedAtMs: number;
  /** Channels configured for notifications, so their series exist at 0 from the start. */
  notifyChannels?: readonly string[];
  heartbeat?: boolean;
  /** STANDBY_MODE, exported as standby_mode{mode} = 1. */
  standbyMode?: 'cold' | 'hot';
  /** Hot mode: 1 while the upkeep finds the standby gateway running with its config API answering. */
  standbyHealthy?: () => boolean;
}

export function createWatcherMetrics(options: MetricsOptions): WatcherMetrics {
  const registry = new Registry();
  const name = (suffix: string): string => `${METRIC_PREFIX}${suffix}`;
  const registers = [registry];

  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });

  new Gauge({
    name: name('up'),
    help: '1 while the probe loop turns (same rule as /healthz), 0 when it is stuck.',
    registers,
    collect() {
      this.set(options.alive() ? 1 : 0);
    },
  });
  new Gauge({ name: name('start_time_seconds'), help: 'When this watcher started, Unix time.', registers }).set(options.startedAtMs / 1000);
  new Gauge({ name: name('build_info'), help: 'Version of the watcher and of Node.js; always 1.', labelNames: ['version', 'node_version'], registers })
    .labels(options.version, process.versions.node)
    .set(1);

  if (options.standbyMode) {
    new Gauge({ name: name('standby_mode'), help: 'How the standby is switched (cold: container start/stop; hot: channel on/off); always 1.', labelNames: ['mode'], registers }).labels(options.standbyMode).set(1);
  }
  const standbyHealthy = options.standbyHealthy;
  if (standbyHealthy) {
    new Gauge({
      name: name('hot_standby_healthy'),
      help: 'Hot mode: 1 while the standby gateway runs and its config API answers (checked while watching), 0 otherwise.',
      registers,
      collect() {
        this.set(standbyHealthy() ? 1 : 0);
      },
    });
  }
  const phase = new Gauge({ name: name('phase'), help: '1 for the current phase, 0 for the others.', labelNames: ['phase'], registers });
  const probes = new Counter({ name: name('probes_total'), help: 'Probes of the primary, by outcome: ok or the failure reason.', labelNames: ['outcome'], registers });
  const probeDuration = new Histogram({
    name: name('probe_duration_seconds'),
    help: 'Latency of probes of the primary (failures included; a timeout counts its full wait).',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
    registers,
  });
  const failures = new Gauge({ name: name('consecutive_failures'), help: 'Consecutive failed probes of the primary.', registers });
  const successes = new Gauge({ name: name('consecutive_successes'), help: 'Consecutive healthy probes of the primary.', registers });
  const transitions = new Counter({
    name: name('transitions_total'),
    help: 'Promotions and demotions, by kind and outcome (started, succeeded, degraded, failed).',
    labelNames: ['kind', 'outcome'],
    registers,
  });
  const lastPromotion = new Gauge({
    name: name('last_promotion_seconds'),
    help: 'Durations of the last finished promotion by stage: detection, sync, start, ready, channel (ready → channels live, when the standby has channels), total.',
    labelNames: ['stage'],
    registers,
  });
  const lastDemotion = new Gauge({
    name: name('last_demotion_seconds'),
    help: 'Durations of the last finished demotion by stage: detection, stop, total.',
    labelNames: ['stage'],
    registers,
  });
  const gitSyncs = new Counter({ name: name('git_syncs_total'), help: 'Workspace syncs at promotion, by outcome.', labelNames: ['outcome'], registers });
  const dockerErrors = new Counter({ name: name('docker_errors_total'), help: 'Failed Docker operations, by operation.', labelNames: ['operation'], registers });
  const notifications = new Counter({
    name: name('notifications_total'),
    help: 'Notifications by channel and outcome (sent, failed after retries, dropped because the queue was full).',
    labelNames: ['channel', 'outcome'],
    registers,
  });
  const heartbeats = new Counter({ name: name('heartbeats_total'), help: 'Heartbeat pings by outcome (skipped: the probe loop was stuck).', labelNames: ['outcome'], registers });

  // Every fixed label set exists from the start, so rate() and increase() see the first event.
  for (const p of PHASES) phase.labels(p).set(0);
  for (const o of PROBE_OUTCOMES) probes.labels(o).inc(0);
  for (const kind of ['promotion', 'demotion']) for (const o of TRANSITION_OUTCOMES) transitions.labels(kind, o).inc(0);
  for (const o of GIT_OUTCOMES) gitSyncs.labels(o).inc(0);
  for (const op of DOCKER_OPERATIONS) dockerErrors.labels(op).inc(0);
  for (const channel of options.notifyChannels ?? []) for (const o of ['sent', 'failed', 'dropped']) notifications.labels(channel, o).inc(0);
  if (options.heartbeat) for (const o of ['ok', 'failed', 'skipped']) heartbeats.labels(o).inc(0);

  const showPhase = (current: Phase): void => {
    for (const p of PHASES) phase.labels(p).set(p === current ? 1 : 0);
  };
  const recordTimings = (transition: Transition): void => {
    const t = transitionTimings(transition);
    const gauge = transition.kind === 'promotion' ? lastPromotion : lastDemotion;
    gauge.reset();
    for (const [key, ms] of Object.entries(t)) {
      if (typeof ms === 'number') gauge.labels(key.replace(/Ms$/, '')).set(ms / 1000);
    }
  };

  const observer: WatcherObserver = {
    onStart(state) {
      showPhase(state.phase);
    },
    onProbe(result) {
      probes.labels(result.ok ? 'ok' : result.reason).inc();
      probeDuration.observe(result.latencyMs / 1000);
    },
    onStep(_previous, step) {
      const { state } = step;
      showPhase(state.phase);
      failures.set(state.consecutiveFailures);
      successes.set(state.consecutiveSuccesses);
      for (const event of transitionEvents(step.decisions)) {
        transitions.labels(event.kind, event.outcome).inc();
        if (event.outcome !== 'started') recordTimings(event.transition);
      }
    },
    onDockerError(operation) {
      dockerErrors.labels(operation).inc();
    },
    onGitSync(outcome) {
      gitSyncs.labels(outcome).inc();
    },
  };

  return {
    registry,
    observer,
    countNotification: (channel, outcome) => notifications.labels(channel, outcome).inc(),
    countHeartbeat: (outcome) => heartbeats.labels(outcome).inc(),
    render: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
  };
}

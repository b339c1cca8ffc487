// The metrics a real failover (folded through decide()) leaves in the private registry.
import { describe, expect, it } from 'vitest';
import { register as globalRegistry } from 'prom-client';
import { createWatcherMetrics } from '../../src/metrics/watcher-metrics.ts';
import { failoverLifecycle, replay } from './notify-lifecycle.ts';

/** `name{labels} value` lines of the exposition, as a map. */
async function samples(metrics: ReturnType<typeof createWatcherMetrics>): Promise<Map<string, number>> {
  const { body } = await metrics.render();
  const map = new Map<string, number>();
  for (const line of body.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    map.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return map;
}

function fresh(alive = true) {
  return createWatcherMetrics({ version: '9.9.9', alive: () => alive, startedAtMs: 1_700_000_000_000, notifyChannels: ['slack'], heartbeat: true });
}

describe('watcher metrics', () => {
  it('starts with every fixed series at zero, the build info and the start time', async () => {
    const s = await samples(fresh());
    expect(s.get('openclaw_failover_up')).toBe(1);
    expect(s.get('openclaw_failover_start_time_seconds')).toBe(1_700_000_000);
    expect(s.get(`openclaw_failover_build_info{version="9.9.9",node_version="${process.versions.node}"}`)).toBe(1);
    expect(s.get('openclaw_failover_transitions_total{kind="promotion",outcome="failed"}')).toBe(0);
    expect(s.get('openclaw_failover_probes_total{outcome="timeout"}')).toBe(0);
    expect(s.get('openclaw_failover_notifications_total{channel="slack",outcome="dropped"}')).toBe(0);
    expect(s.get('openclaw_failover_heartbeats_total{outcome="failed"}')).toBe(0);
    expect(s.get('openclaw_failover_docker_errors_total{operation="start"}')).toBe(0);
    // Default process metrics, with the prefix.
    expect(s.has('openclaw_failover_process_resident_memory_bytes')).toBe(true);
    expect(s.has('openclaw_failover_process_cpu_seconds_total')).toBe(true);
  });

  it('follows a failover: phase, streaks, transitions and the last promotion and demotion timings', async () => {
    const m = fresh();
    const steps = failoverLifecycle();
    replay(m.observer, steps.slice(0, 4)); // three timeouts, then the promotion finished
    let s = await samples(m);
    expect(s.get('openclaw_failover_phase{phase="promoted"}')).toBe(1);
    expect(s.get('openclaw_failover_phase{phase="watching"}')).toBe(0);
    expect(s.get('openclaw_failover_consecutive_failures')).toBe(3);
    expect(s.get('openclaw_failover_transitions_total{kind="promotion",outcome="started"}')).toBe(1);
    expect(s.get('openclaw_failover_transitions_total{kind="promotion",outcome="succeeded"}')).toBe(1);
    expect(s.get('openclaw_failover_last_promotion_seconds{stage="detection"}')).toBe(4);
    expect(s.get('openclaw_failover_last_promotion_seconds{stage="sync"}')).toBe(0.3);
    expect(s.get('openclaw_failover_last_promotion_seconds{stage="start"}')).toBe(0.4);
    expect(s.get('openclaw_failover_last_promotion_seconds{stage="ready"}')).toBe(23.4);
    expect(s.get('openclaw_failover_last_promotion_seconds{stage="total"}')).toBe(28.1);

    for (const { previous, step } of steps.slice(4)) m.observer.onStep?.(previous, step);
    s = await samples(m);
    expect(s.get('openclaw_failover_phase{phase="watching"}')).toBe(1);
    expect(s.get('openclaw_failover_phase{phase="promoted"}')).toBe(0);
    expect(s.get('openclaw_failover_consecutive_successes')).toBe(3);
    expect(s.get('openclaw_failover_transitions_total{kind="demotion",outcome="succeeded"}')).toBe(1);
    // The lifecycle feeds one observation per second (decide-fixtures STEP_MS): the demotion is
    // decided on the third healthy probe, 2 s after the first one started (plus its 25 ms latency),
    // and reported stopped one step later.
    expect(s.get('openclaw_failover_last_demotion_seconds{stage="detection"}')).toBe(2.025);
    expect(s.get('openclaw_failover_last_demotion_seconds{stage="stop"}')).toBe(1);
    expect(s.get('openclaw_failover_last_demotion_seconds{stage="total"}')).toBe(3.025);
  });

  it('counts a failed promotion', async () => {
    const m = fresh();
    replay(m.observer, failoverLifecycle({ startOk: false }));
    const s = await samples(m);
    expect(s.get('openclaw_failover_transitions_total{kind="promotion",outcome="failed"}')).toBe(1);
    expect(s.get('openclaw_failover_phase{phase="watching"}')).toBe(1);
  });

  it('counts probes by outcome with their latency, git syncs, docker errors, notifications and heartbeats', async () => {
    const m = fresh(false);
    m.observer.onProbe?.({ ok: true, status: 200, latencyMs: 12, startedAt: 0 });
    m.observer.onProbe?.({ ok: false, reason: 'refused', detail: 'connect ECONNREFUSED', latencyMs: 3, startedAt: 0 });
    m.observer.onProbe?.({ ok: false, reason: 'timeout', detail: 'no complete answer within 2000 ms', latencyMs: 2_000, startedAt: 0 });
    m.observer.onGitSync?.('failed', 'git fetch timed out');
    m.observer.onDockerError?.('start', 'no such container');
    m.countNotification('slack', 'dropped');
    m.countHeartbeat('skipped');
    const s = await samples(m);
    expect(s.get('openclaw_failover_up')).toBe(0);
    expect(s.get('openclaw_failover_probes_total{outcome="ok"}')).toBe(1);
    expect(s.get('openclaw_failover_probes_total{outcome="refused"}')).toBe(1);
    expect(s.get('openclaw_failover_probes_total{outcome="timeout"}')).toBe(1);
    expect(s.get('openclaw_failover_probe_duration_seconds_count')).toBe(3);
    expect(s.get('openclaw_failover_probe_duration_seconds_bucket{le="0.025"}')).toBe(2);
    expect(s.get('openclaw_failover_probe_duration_seconds_bucket{le="2"}')).toBe(3);
    expect(s.get('openclaw_failover_git_syncs_total{outcome="failed"}')).toBe(1);
    expect(s.get('openclaw_failover_docker_errors_total{operation="start"}')).toBe(1);
    expect(s.get('openclaw_failover_notifications_total{channel="slack",outcome="dropped"}')).toBe(1);
    expect(s.get('openclaw_failover_heartbeats_total{outcome="skipped"}')).toBe(1);
  });

  it('never puts error texts or details in labels, and leaves the global registry alone', async () => {
    const m = fresh();
    m.observer.onProbe?.({ ok: false, reason: 'dns', detail: 'getaddrinfo ENOTFOUND secret-host.example', latencyMs: 1, startedAt: 0 });
    m.observer.onDockerError?.('inspect', 'connect EACCES /var/run/docker.sock');
    const { body } = await m.render();
    expect(body).not.toMatch(/secret-host|EACCES|docker\.sock/);
    expect(await globalRegistry.metrics()).not.toContain('openclaw_failover_');
  });
});

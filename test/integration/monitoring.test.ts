// Monitoring on the real thing: the shipped alert rules pass promtool's own checks and unit tests,
// and reference only metrics a real watcher (the compose project, real engine) exports. The same
// watcher sends notifications and heartbeats to a container of this test, and never shows their
// secret URLs in /metrics, /status or its logs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeStandbyEnv, FAKE_STANDBY_FILES } from './support/fake-standby.ts';
import { parse } from 'yaml';
import { ComposeProject, REPO_ROOT } from './support/compose-project.ts';
import { run, waitFor } from './support/run.ts';

const RULES = join(REPO_ROOT, 'alerts/openclaw-failover.rules.yml');
const RULE_TESTS = join(REPO_ROOT, 'alerts/tests/openclaw-failover.test.yml');
const SECRET = 'hook-secret-0a1b2c3d4e5f';

async function promtool(args: string[]) {
  const found = await run('sh', ['-c', 'command -v promtool'], { allowFailure: true });
  if (found.code !== 0) {
    throw new Error(
      'promtool is missing: the alert rules cannot be checked. Install it with ' +
        '`apt-get install -y --no-install-recommends prometheus` (as .ci/run does) and run the tests again.',
    );
  }
  return run('promtool', args, { cwd: REPO_ROOT, allowFailure: true, timeoutMs: 60_000 });
}

/**
 * Metric names the watcher's rules use, from the parsed rule file. The workspace group's metrics
 * come from the primary's push service instead (checked in test/unit/push-metrics.test.ts).
 */
function ruleMetricNames(): string[] {
  return allRuleMetricNames().filter((name) => !name.startsWith('openclaw_failover_workspace_'));
}

function allRuleMetricNames(): string[] {
  const doc = parse(readFileSync(RULES, 'utf8')) as { groups: Array<{ rules: Array<{ expr: string }> }> };
  const exprs = doc.groups.flatMap((g) => g.rules.map((r) => r.expr));
  return [...new Set(exprs.flatMap((e) => e.match(/openclaw_failover_[a-z_]+/g) ?? []))].sort();
}

/** Sample names (and full sample lines) of an exposition text. */
function parseExposition(text: string): { names: Set<string>; samples: Map<string, number> } {
  const names = new Set<string>();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    const series = line.slice(0, at);
    samples.set(series, Number(line.slice(at + 1)));
    names.add(series.split('{')[0] ?? series);
  }
  return { names, samples };
}

describe('alert rules (promtool)', () => {
  it('are valid Prometheus rules', async () => {
    const check = await promtool(['check', 'rules', RULES]);
    expect(check.stdout + check.stderr).toContain('SUCCESS: 8 rules found');
    expect(check.code).toBe(0);
  });

  it('fire and stay quiet as their unit tests expect', async () => {
    const test = await promtool(['test', 'rules', RULE_TESTS]);
    if (test.code !== 0) console.log(test.stdout + test.stderr);
    expect(test.code).toBe(0);
    expect(test.stdout).toContain('SUCCESS');
  });
});

describe('a real watcher: /metrics, notifications and heartbeat', () => {
  let project: ComposeProject;
  let primaryId: string;

  beforeAll(async () => {
    project = new ComposeProject('ocf-mon', FAKE_STANDBY_FILES, await fakeStandbyEnv({
      STOP_TIMEOUT: '2',
      // The fake primary answers any POST with 200: a receiver that is a container of this test.
      NOTIFY_WEBHOOK_URL: `http://fake-primary:18789/webhook/${SECRET}`,
      NOTIFY_NTFY_URL: `http://fake-primary:18789/ntfy-${SECRET}`,
      NOTIFY_TIMEOUT: '1',
      NOTIFY_RETRIES: '1',
      HEARTBEAT_URL: `http://fake-primary:18789/heartbeat/${SECRET}`,
      HEARTBEAT_INTERVAL: '1',
      LOG_LEVEL: 'debug',
    }));
    await project.up();
    primaryId = await project.containerId('fake-primary');
  });

  afterAll(async () => {
    await project.down();
  });

  it('serves /metrics that cover every metric the alert rules use', async () => {
    await project.waitForPhase('watching', 30_000);
    const { names, samples } = await waitFor(
      'a scrape with probes and heartbeats counted',
      async () => {
        const parsed = parseExposition(await project.watcherGet('/metrics'));
        return (parsed.samples.get('openclaw_failover_probes_total{outcome="ok"}') ?? 0) >= 3 &&
          (parsed.samples.get('openclaw_failover_heartbeats_total{outcome="ok"}') ?? 0) >= 1 &&
          (parsed.samples.get('openclaw_failover_notifications_total{channel="webhook",outcome="sent"}') ?? 0) >= 1
          ? parsed
          : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    const used = ruleMetricNames();
    expect(used).toEqual(
      expect.arrayContaining([
        'openclaw_failover_up',
        'openclaw_failover_phase',
        'openclaw_failover_transitions_total',
        'openclaw_failover_consecutive_failures',
        'openclaw_failover_probes_total',
        'openclaw_failover_notifications_total',
      ]),
    );
    expect(used.filter((name) => !names.has(name))).toEqual([]);
    expect(samples.get('openclaw_failover_up')).toBe(1);
    expect(samples.get('openclaw_failover_phase{phase="watching"}')).toBe(1);
    expect([...names].some((n) => n === 'openclaw_failover_process_resident_memory_bytes')).toBe(true);
    console.log(`[metrics] ${names.size} metric names; the rules use ${used.join(', ')}`);
  });

  it('counts a promotion and its timings, and notifies it', async () => {
    await run('docker', ['stop', '-t', '1', primaryId]);
    await project.waitForPhase('promoted', 30_000);
    // Notifications to the (stopped) primary now fail after their retry; the counters say so.
    const { samples } = await waitFor(
      'promotion counted and its notifications given up',
      async () => {
        const parsed = parseExposition(await project.watcherGet('/metrics'));
        return (parsed.samples.get('openclaw_failover_transitions_total{kind="promotion",outcome="succeeded"}') ?? 0) === 1 &&
          (parsed.samples.get('openclaw_failover_notifications_total{channel="webhook",outcome="failed"}') ?? 0) >= 2
          ? parsed
          : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    expect(samples.get('openclaw_failover_phase{phase="promoted"}')).toBe(1);
    expect(samples.get('openclaw_failover_transitions_total{kind="promotion",outcome="started"}')).toBe(1);
    expect(samples.get('openclaw_failover_consecutive_failures')).toBeGreaterThanOrEqual(3);
    expect(samples.get('openclaw_failover_last_promotion_seconds{stage="ready"}')).toBeGreaterThan(0);
    expect((samples.get('openclaw_failover_probes_total{outcome="refused"}') ?? 0) + (samples.get('openclaw_failover_probes_total{outcome="dns"}') ?? 0) + (samples.get('openclaw_failover_probes_total{outcome="timeout"}') ?? 0)).toBeGreaterThanOrEqual(3);
    expect(samples.get('openclaw_failover_heartbeats_total{outcome="failed"}')).toBeGreaterThanOrEqual(1);
    const stages = ['detection', 'sync', 'start', 'ready', 'total'].map((s) => `${s}=${samples.get(`openclaw_failover_last_promotion_seconds{stage="${s}"}`)}`);
    console.log(`[metrics] last promotion: ${stages.join(' ')}`);
    // The README's sample is this very scrape (the watcher's own series, without process metrics).
    if (process.env.OCF_PRINT_METRICS === '1') {
      const text = await project.watcherGet('/metrics');
      console.log(text.split('\n').filter((l) => !/(process_|nodejs_)/.test(l)).join('\n'));
    }

    await run('docker', ['start', primaryId]);
    await project.waitForPhase('watching', 30_000);
  });

  it('keeps the notification and heartbeat URLs out of /metrics, /status and the logs', async () => {
    const [metrics, status, logs] = await Promise.all([project.watcherGet('/metrics'), project.watcherGet('/status'), project.logs('watcher')]);
    expect(logs).toContain('notify-sent');
    expect(logs).toContain('heartbeat-failed');
    for (const text of [metrics, status, logs]) expect(text).not.toContain(SECRET);
  });
});

// The push service's /metrics: every metric the workspace alert rules use exists, and the age of
// the last successful push grows from the service's start until a success, then from that.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createPushMetrics } from '../../src/push/push-metrics.ts';
import { INITIAL_PUSH_STATE, type PushState } from '../../src/push/push-state.ts';

function sample(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('push service metrics', () => {
  it('cover every openclaw_failover_workspace_* metric of the alert rules, with the age of the last success', async () => {
    let now = 100_000;
    let state: PushState = INITIAL_PUSH_STATE;
    const metrics = createPushMetrics({ state: () => state, startedAtMs: 40_000, version: 't', now: () => now });
    const doc = parse(readFileSync('alerts/openclaw-failover.rules.yml', 'utf8')) as { groups: Array<{ rules: Array<{ expr: string }> }> };
    const used = [...new Set(doc.groups.flatMap((g) => g.rules.flatMap((r) => r.expr.match(/openclaw_failover_workspace_[a-z_]+/g) ?? [])))];
    expect(used.length).toBeGreaterThanOrEqual(3);
    let text = (await metrics.render()).body;
    for (const name of used) expect(sample(text, name), name).toBeDefined();
    expect(sample(text, 'openclaw_failover_workspace_push_last_success_age_seconds')).toBe(60);

    state = { ...state, health: 'diverged', lastSuccessAt: 90_000, unmerged: ['standby/a/1', 'standby/a/2'] };
    metrics.count('failed');
    now = 130_000;
    text = (await metrics.render()).body;
    expect(sample(text, 'openclaw_failover_workspace_push_last_success_age_seconds')).toBe(40);
    expect(sample(text, 'openclaw_failover_workspace_push_diverged')).toBe(1);
    expect(sample(text, 'openclaw_failover_workspace_unmerged_standby_branches')).toBe(2);
    expect(text).toContain('openclaw_failover_workspace_push_cycles_total{outcome="failed"} 1');
  });
});

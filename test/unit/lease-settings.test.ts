// The etcd mode's settings: defaults that satisfy the timing rules, every problem at once.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.ts';
import { DEFAULT_LEASE_TIMINGS, loadLeaseConfig } from '../../src/lease/lease-settings.ts';

const base = { LEADER_ELECTION: 'etcd', ETCD_ENDPOINTS: 'http://a:2379, http://b:2379,http://c:2379' };

describe('loadLeaseConfig', () => {
  it('accepts the minimal settings with the documented defaults', () => {
    const r = loadLeaseConfig({ ...base, NODE_NAME: 'host-a' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.endpoints).toEqual(['http://a:2379', 'http://b:2379', 'http://c:2379']);
    expect(r.config.timings).toEqual(DEFAULT_LEASE_TIMINGS);
    expect(r.config.nodeName).toBe('host-a');
    expect(r.config.gatewayStatusUrl).toBeUndefined();
  });

  it('does not need PRIMARY_URL, and the two-node mode does not need ETCD_ENDPOINTS', () => {
    expect(loadLeaseConfig({ ...base }).ok).toBe(true);
    expect(loadConfig({ PRIMARY_URL: 'http://100.64.0.9:18789/healthz' }).ok).toBe(true);
    const r = loadConfig({ LEADER_ELECTION: 'etcd' });
    expect(r.ok ? [] : r.problems.map((p) => p.name)).toEqual(['ETCD_ENDPOINTS']);
  });

  it('derives the renewal from a custom TTL (TTL/3) and adds the gateway rules with a status URL', () => {
    const r = loadLeaseConfig({ ...base, ETCD_LEASE_TTL: '15', GATEWAY_STATUS_URL: 'http://gateway:18790/' });
    expect(r.ok && r.config.timings.renewEveryMs).toBe(5_000);
    expect(r.ok && r.config.timings.gateway).toMatchObject({ unreachableMs: 3_000, notReadyMs: 120_000 });
  });

  it('reports every problem at once, each naming the setting and the fix', () => {
    const r = loadLeaseConfig({ LEADER_ELECTION: 'two-node', ETCD_LEASE_TTL: '2', ETCD_SAFETY_MARGIN: 'x', STATUS_PORT: '99999', ETCD_LEADER_KEY: 'leader' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const text = r.problems.map((p) => `${p.name}: ${p.expected}`).join('\n');
    for (const name of ['LEADER_ELECTION', 'ETCD_ENDPOINTS', 'ETCD_LEASE_TTL', 'ETCD_SAFETY_MARGIN', 'STATUS_PORT', 'ETCD_LEADER_KEY']) expect(text).toContain(name);
    expect(r.problems.length).toBeGreaterThanOrEqual(6);
  });

  it('refuses timings that break the rules (renewal too rare, grace below the worst-case stop)', () => {
    const r = loadLeaseConfig({ ...base, ETCD_RENEW_INTERVAL: '5', ETCD_TAKEOVER_GRACE: '0.5' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const text = r.problems.map((p) => `${p.conflict ?? p.name}: ${p.expected}`).join('\n');
    expect(text).toMatch(/ETCD_RENEW_INTERVAL=5 .*no second renewal/);
    expect(text).toMatch(/ETCD_TAKEOVER_GRACE=0.5 does not exceed GATEWAY_WORST_CASE_STOP=1/);
  });
});

describe('openclaw-failover lease-run with bad settings', () => {
  it('exits 2 before touching etcd and lists every problem, value errors and timing rules together', async () => {
    const cli = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
    const env = { PATH: process.env.PATH ?? '', LEADER_ELECTION: 'etcd', ETCD_LEASE_TTL: '2.5', ETCD_TAKEOVER_GRACE: '0.5', NODE_NAME: 'bad name!' };
    const r = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(process.execPath, [cli, 'lease-run'], { env, timeout: 15_000 }, (error, _stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stderr }));
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('4 configuration problems (nothing was started)');
    expect(r.stderr).toContain('  - ETCD_ENDPOINTS is not set: ');
    expect(r.stderr).toContain('  - ETCD_LEASE_TTL="2.5": expected a whole number of seconds');
    expect(r.stderr).toContain('  - NODE_NAME="bad name!": expected');
    expect(r.stderr).toContain('  - ETCD_TAKEOVER_GRACE=0.5 does not exceed GATEWAY_WORST_CASE_STOP=1 (default): ');
  });
});

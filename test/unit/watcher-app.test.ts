// The composition root without a process around it: buildWatcherApp wires the real adapters from a
// Config, start() serves /healthz and /status and runs the watcher, stop() ends it all and returns
// (no signal handler, no process.exit). Docker is a socket path where nothing listens; the primary
// a loopback port nothing listens on.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.ts';
import { POLICY_DEFAULTS } from '../../src/decision/policy-defaults.ts';
import type { StatusReport } from '../../src/status/status-report.ts';
import { buildWatcherApp, policyFromConfig } from '../../src/watcher-app.ts';
import { capturingLogger, until } from './local-receiver.ts';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function config(extra: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'ocf-core-app-'));
  dirs.push(dir);
  const result = loadConfig({
    PRIMARY_URL: `http://127.0.0.1:${await freePort()}/healthz`,
    GATEWAY_CONTAINER: 'openclaw-standby',
    STATUS_PORT: String(await freePort()),
    STATE_DIR: join(dir, 'state'),
    CONTROL_SOCKET: join(dir, 'control.sock'),
    WORKSPACE_DIR: join(dir, 'workspace'),
    CHECK_INTERVAL: '0.2',
    CHECK_TIMEOUT: '0.2',
    ...extra,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.config;
}

describe('buildWatcherApp', () => {
  it('start() serves /healthz and /status while the watcher probes; stop() closes everything and returns', async () => {
    // The primary never answers; a threshold out of reach keeps this about wiring, not failover.
    const cfg = await config({ FAIL_THRESHOLD: '1000' });
    const log = capturingLogger();
    const app = await buildWatcherApp(cfg, log.logger, { docker: new Docker({ socketPath: join(dirs[0] ?? '', 'no-docker.sock') }), env: {} });
    const running = app.start();
    const base = `http://127.0.0.1:${cfg.statusPort}`;
    await until('two probes', () => app.watcher.snapshot().probesDone >= 2, 10_000);

    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    const status = (await (await fetch(`${base}/status`)).json()) as StatusReport;
    expect(status.phase).toBe('watching');
    expect(status.primary.lastProbe?.ok).toBe(false);
    expect(status.dockerProblem?.error).toBeTruthy();
    expect(log.lines().map((l) => l.event)).toContain('docker-unreachable');

    await app.stop();
    await running;
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });

  it('the policy is the configuration over POLICY_DEFAULTS, the partition guard on with witnesses', async () => {
    expect(policyFromConfig(await config())).toEqual(POLICY_DEFAULTS);
    const custom = policyFromConfig(await config({ FAIL_THRESHOLD: '5', MIN_PROMOTED: '0', WITNESS_URLS: 'http://127.0.0.1:9/' }));
    expect(custom).toEqual({ ...POLICY_DEFAULTS, failThreshold: 5, minPromotedMs: 0, partitionGuard: true });
  });
});

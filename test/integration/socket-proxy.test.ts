// The standby project with the compose.socket-proxy.yml overlay: the watcher has no Docker socket
// and reaches the engine only through the haproxy allow-list. The full cycle (stray stop, events,
// promotion, demotion) must work through it, and every other API call must be refused with 403.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeStandbyEnv } from './support/fake-standby.ts';
import { ComposeProject, runningIntervals } from './support/compose-project.ts';
import { FAKE_GATEWAY_IMAGE, SOCKET_PROXY_TEST_IMAGE } from './support/engine.ts';
import { run, waitFor } from './support/run.ts';

interface ApiCall {
  method: string;
  path: string;
  body?: unknown;
}

// Runs inside the watcher container (node is there): raw HTTP requests to the proxy, so paths
// reach it exactly as written (fetch would normalise "..").
const CALL_PROXY = `
const http = require('node:http');
const calls = JSON.parse(process.argv[1]);
(async () => {
  const out = [];
  for (const c of calls) {
    out.push(await new Promise((resolve) => {
      const body = c.body === undefined ? undefined : JSON.stringify(c.body);
      const req = http.request({ host: 'docker-socket-proxy', port: 2375, method: c.method, path: c.path,
        headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {} }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      });
      req.setTimeout(10000, () => req.destroy(new Error('timeout')));
      req.on('error', (e) => resolve(String(e.code || e.message)));
      req.end(body);
    }));
  }
  console.log(JSON.stringify(out));
})();
`;

const PRIMARY_PASSWORD = 'pr1mary-pa55word-4f7a';
const REMOTE_TOKEN = 'ghp_r3mote0token0c1d2e3f';
const GATEWAY_TOKEN = 'gateway-t0ken-9b8c7d6e5f';

describe('watcher behind the Docker socket proxy', () => {
  let project: ComposeProject;
  let gatewayId: string;
  let primaryId: string;

  async function callProxy(calls: ApiCall[]): Promise<Array<number | string>> {
    const out = await run('docker', ['exec', project.watcherName, 'node', '-e', CALL_PROXY, JSON.stringify(calls)], { timeoutMs: 60_000 });
    return JSON.parse(out.stdout) as Array<number | string>;
  }

  beforeAll(async () => {
    const files = ['docker-compose.yml', 'compose.standby.yml', 'compose.socket-proxy.yml', 'test/fixtures/compose.fake-primary.yml'];
    project = new ComposeProject('ocf-it-proxy', files, await fakeStandbyEnv({
      SOCKET_PROXY_IMAGE: SOCKET_PROXY_TEST_IMAGE,
      // Secrets the watcher holds, to grep for in everything it shows (last test). The remote is
      // the fake primary, which answers 404, so the git sync fails with the URL in its error.
      PRIMARY_URL: `http://ocf:${PRIMARY_PASSWORD}@fake-primary:18789/healthz`,
      WORKSPACE_REMOTE: `http://x-access-token:${REMOTE_TOKEN}@fake-primary:18789/workspace.git`,
      OPENCLAW_GATEWAY_TOKEN: GATEWAY_TOKEN,
      // A hook that tries to print what it was given, and its own environment.
      ON_PROMOTE: 'echo "url=$PRIMARY_URL token=$OPENCLAW_GATEWAY_TOKEN"; env',
      LOG_LEVEL: 'debug',
      STOP_TIMEOUT: '5',
    }));
    await project.up();
    gatewayId = await project.containerId('openclaw-standby');
    primaryId = await project.containerId('fake-primary');
  });

  afterAll(async () => {
    const logs = (await project.logs('watcher')) + (await project.logs('docker-socket-proxy'));
    console.log(`--- watcher + proxy logs (${project.name}) ---\n${logs.split('\n').slice(-60).join('\n')}`);
    await project.down();
  });

  it('the watcher has no Docker socket and talks to the proxy', async () => {
    const socket = await run('docker', ['exec', project.watcherName, 'test', '-e', '/var/run/docker.sock'], { allowFailure: true });
    expect(socket.code).not.toBe(0);
    const env = await run('docker', ['exec', project.watcherName, 'printenv', 'DOCKER_HOST']);
    expect(env.stdout.trim()).toBe('tcp://docker-socket-proxy:2375');
  });

  it('stops the stray that `up -d` started, through the proxy', async () => {
    await project.waitForPhase('watching', 30_000);
    await waitFor('standby gateway stopped', async () => !(await project.inspect('openclaw-standby')).running, { timeoutMs: 15_000 });
  });

  it('sees a hand-started gateway through the proxied events stream and stops it within 2 s', async () => {
    const from = new Date();
    await run('docker', ['start', gatewayId]);
    await waitFor('hand-started gateway stopped', async () => !(await project.inspect('openclaw-standby')).running, { timeoutMs: 10_000 });
    const runs = runningIntervals(await project.events(gatewayId, from, new Date()), Date.now());
    expect(runs).toHaveLength(1);
    expect(runs[0]!.end - runs[0]!.start).toBeLessThan(2_000);
    console.log(`[proxy: stray hand-started] ran ${Math.round(runs[0]!.end - runs[0]!.start)} ms`);
  });

  it('promotes and demotes through the proxy', async () => {
    await run('docker', ['stop', '-t', '1', primaryId]);
    const promoted = await project.waitForPhase('promoted', 30_000);
    expect((await project.inspect('openclaw-standby')).running).toBe(true);
    // Degraded only by the git sync, which fails on purpose here (see the secrets test).
    expect(promoted.lastTransition).toMatchObject({ kind: 'promotion', outcome: 'degraded' });
    expect(promoted.lastTransition?.problems).toEqual([expect.stringMatching(/^workspace sync failed: /)]);
    await run('docker', ['start', primaryId]);
    const demoted = await project.waitForPhase('watching', 30_000);
    await waitFor('gateway stopped after demotion', async () => !(await project.inspect('openclaw-standby')).running, { timeoutMs: 15_000 });
    expect(demoted.lastTransition).toMatchObject({ kind: 'demotion', outcome: 'succeeded' });
    console.log(`[proxy: promotion] ${JSON.stringify(promoted.lastTransition?.timings)}; [demotion] ${JSON.stringify(demoted.lastTransition?.timings)}`);
  });

  it('answers the calls the watcher makes', async () => {
    const id = gatewayId;
    const statuses = await callProxy([
      { method: 'GET', path: '/_ping' },
      { method: 'HEAD', path: '/_ping' },
      { method: 'GET', path: '/v1.41/version' },
      { method: 'GET', path: '/version' },
      { method: 'GET', path: `/containers/json?all=1&filters=${encodeURIComponent(JSON.stringify({ id: [id] }))}` },
      { method: 'GET', path: `/v1.41/containers/${id}/json` },
      // Already stopped: Docker's own "not modified", i.e. the call reached the engine.
      { method: 'POST', path: `/containers/${id}/stop?t=1` },
      // The log tail of a gateway that exited while booting.
      { method: 'GET', path: `/v1.41/containers/${id}/logs?stdout=1&stderr=1&tail=20` },
    ]);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 304, 200]);
  });

  it('refuses everything else with 403, before it reaches the engine', async () => {
    const id = gatewayId;
    const forbidden: ApiCall[] = [
      { method: 'POST', path: '/containers/create', body: { Image: FAKE_GATEWAY_IMAGE, Cmd: ['true'] } },
      { method: 'POST', path: `/v1.41/containers/create?name=${project.name}-evil`, body: { Image: FAKE_GATEWAY_IMAGE } },
      { method: 'POST', path: `/containers/${id}/exec`, body: { Cmd: ['id'] } },
      { method: 'DELETE', path: `/containers/${id}?force=1` },
      { method: 'POST', path: `/containers/${id}/kill` },
      { method: 'POST', path: `/containers/${id}/restart` },
      { method: 'POST', path: `/containers/${id}/update`, body: { Privileged: true } },
      { method: 'GET', path: `/containers/${id}/logs?stdout=1&follow=1` },
      { method: 'GET', path: `/containers/${id}/logs?follow=true&stdout=1` },
      { method: 'POST', path: `/containers/${id}/logs?stdout=1` },
      { method: 'GET', path: `/containers/${id}/archive?path=/etc` },
      { method: 'PUT', path: `/containers/${id}/archive?path=/tmp` },
      { method: 'POST', path: '/containers/prune' },
      { method: 'GET', path: '/images/json' },
      { method: 'POST', path: '/images/create?fromImage=alpine' },
      { method: 'GET', path: '/volumes' },
      { method: 'GET', path: '/networks' },
      { method: 'POST', path: '/build' },
      { method: 'GET', path: '/swarm' },
      { method: 'GET', path: '/info' },
      { method: 'GET', path: '/secrets' },
      { method: 'GET', path: '/plugins' },
      { method: 'POST', path: '/_ping' },
      { method: 'GET', path: `/containers/${id}/start` },
      // Smuggling attempts: traversal and encoded slashes never match the allow-list.
      { method: 'GET', path: `/containers/${id}/../../images/json` },
      { method: 'GET', path: '/containers/..%2Fimages/json' },
      { method: 'GET', path: '/v1.41/containers/json/../../info' },
    ];
    const statuses = await callProxy(forbidden);
    expect(statuses).toEqual(forbidden.map(() => 403));
    // And nothing happened: the gateway still exists, no container was created.
    expect((await project.inspect('openclaw-standby')).id).toBe(gatewayId);
    const created = await run('docker', ['ps', '-a', '-q', '--filter', `name=${project.name}-evil`]);
    expect(created.stdout.trim()).toBe('');
  });

  it('no secret it holds ever shows in its logs, /status, the hook output or the proxy log', async () => {
    const status = await project.status();
    // The sync did fail (with the remote in the error) and the hook did run: there was something to leak.
    expect(status.lastGitSync?.ok).toBe(false);
    expect(status.lastGitSync?.detail).toContain('fake-primary:18789');
    const hooks = (status as unknown as { hooks: { promote?: { ok: boolean; outputTail: string } } }).hooks;
    expect(hooks.promote?.outputTail).toContain('url= token=');
    const shown = [
      JSON.stringify(status),
      await project.logs('watcher'),
      await project.logs('docker-socket-proxy'),
      (await run('docker', ['exec', project.watcherName, 'openclaw-failover', 'status'])).stdout,
    ].join('\n');
    for (const secret of [PRIMARY_PASSWORD, REMOTE_TOKEN, GATEWAY_TOKEN]) expect(shown).not.toContain(secret);
  });

  it('the proxy is unprivileged, read-only, and only on the internal network', async () => {
    const proxyId = await project.containerId('docker-socket-proxy');
    const out = await run('docker', ['inspect', '--format', '{{json .HostConfig}}|{{json .Config.User}}|{{json .NetworkSettings.Networks}}', proxyId]);
    const [hostJson, userJson, networksJson] = out.stdout.trim().split('|');
    const host = JSON.parse(hostJson ?? '{}') as { ReadonlyRootfs: boolean; CapDrop: string[] | null; SecurityOpt: string[] | null; PortBindings: Record<string, unknown> | null };
    expect(host).toMatchObject({ ReadonlyRootfs: true, CapDrop: ['ALL'] });
    expect(host.SecurityOpt).toContain('no-new-privileges:true');
    expect(Object.keys(host.PortBindings ?? {})).toEqual([]);
    expect(JSON.parse(userJson ?? '""')).toBe('haproxy');
    const networks = Object.keys(JSON.parse(networksJson ?? '{}') as Record<string, unknown>);
    expect(networks).toEqual([`${project.name}_docker-api`]);
    const internal = await run('docker', ['network', 'inspect', '--format', '{{.Internal}}', `${project.name}_docker-api`]);
    expect(internal.stdout.trim()).toBe('true');
    const uid = await run('docker', ['exec', proxyId, 'id', '-u']);
    expect(uid.stdout.trim()).not.toBe('0');
  });
});

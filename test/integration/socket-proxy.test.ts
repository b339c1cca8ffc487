// The standby project with the compose.socket-proxy.yml overlay: the watcher has no Docker socket
// and reaches the engine only through the haproxy allow-list, narrowed to its own gateway container
// (GATEWAY_CONTAINER, by name) and that container's events. The full cycle (stray stop, events,
// promotion, demotion) must work through it, and every other API call (another container's
// inspect, start or stop, the container list, other events included) must be refused with 403.
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
  let gatewayName: string;
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
    // The proxy admits this one name; unique per run so parallel checkouts never share it.
    gatewayName = `${project.name}-gw`;
    project.env.GATEWAY_CONTAINER = gatewayName;
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
    const target = await run('docker', ['exec', project.watcherName, 'printenv', 'GATEWAY_CONTAINER']);
    expect(target.stdout.trim()).toBe(gatewayName);
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

  /** An events request that ends at once (until in the past), with the given filters. */
  const eventsWith = (filters: unknown): string => `/events?since=1&until=2&filters=${encodeURIComponent(JSON.stringify(filters))}`;

  it('answers the calls the watcher makes, for its own gateway', async () => {
    const statuses = await callProxy([
      { method: 'GET', path: '/_ping' },
      { method: 'HEAD', path: '/_ping' },
      { method: 'GET', path: '/v1.41/version' },
      { method: 'GET', path: '/version' },
      // The watcher's own events filter (container-events.ts), with and without a version prefix.
      { method: 'GET', path: eventsWith({ type: ['container'], container: [gatewayName] }) },
      { method: 'GET', path: `/v1.41${eventsWith({ type: ['container'], container: [gatewayName] })}` },
      { method: 'GET', path: `/v1.41/containers/${gatewayName}/json` },
      { method: 'GET', path: `/containers/${gatewayName}/json` },
      // Already stopped: Docker's own "not modified", i.e. the call reached the engine.
      { method: 'POST', path: `/containers/${gatewayName}/stop?t=1` },
      // The log tail of a gateway that exited while booting (by name, no follow).
      { method: 'GET', path: `/v1.41/containers/${gatewayName}/logs?stdout=1&stderr=1&tail=20` },
    ]);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 304, 200]);
  });

  it('refuses any other container, the container list and any other events with 403', async () => {
    const others = [primaryId, `${project.name}-fake-primary-1`, project.watcherName];
    const forbidden: ApiCall[] = [
      // The gateway itself, but by id: the allow-list knows its name only.
      { method: 'GET', path: `/containers/${gatewayId}/json` },
      { method: 'POST', path: `/containers/${gatewayId}/start` },
      ...others.flatMap((other): ApiCall[] => [
        { method: 'GET', path: `/containers/${other}/json` },
        { method: 'GET', path: `/v1.41/containers/${other}/json` },
        { method: 'POST', path: `/containers/${other}/start` },
        { method: 'POST', path: `/containers/${other}/stop?t=1` },
      ]),
      // A name that merely begins or ends like the gateway's.
      { method: 'GET', path: `/containers/${gatewayName}x/json` },
      { method: 'GET', path: `/containers/x${gatewayName}/json` },
      { method: 'GET', path: '/containers/json' },
      { method: 'GET', path: `/containers/json?all=1&filters=${encodeURIComponent(JSON.stringify({ name: [gatewayName] }))}` },
      { method: 'GET', path: '/events' },
      { method: 'GET', path: eventsWith({ type: ['container'] }) },
      { method: 'GET', path: eventsWith({ type: ['container'], container: [primaryId] }) },
      { method: 'GET', path: eventsWith({ type: ['container'], container: [gatewayName, primaryId] }) },
      // Two "container" keys: Docker would keep the last, the other container.
      { method: 'GET', path: `/events?filters=${encodeURIComponent(`{"container":["${gatewayName}"],"container":["${primaryId}"]}`)}` },
      { method: 'POST', path: eventsWith({ container: [gatewayName] }) },
      // A following log stream, and another container's log.
      { method: 'GET', path: `/containers/${gatewayName}/logs?stdout=1&follow=1` },
      { method: 'GET', path: `/containers/${gatewayName}/logs?follow=true&stdout=1` },
      { method: 'GET', path: `/containers/${primaryId}/logs?stdout=1&tail=20` },
      { method: 'GET', path: `/containers/${gatewayId}/logs?stdout=1&tail=20` },
    ];
    const statuses = await callProxy(forbidden);
    expect(statuses).toEqual(forbidden.map(() => 403));
    // Nothing happened to the others: the primary still runs, with the same start.
    expect((await project.containerState(primaryId)).running).toBe(true);
  });

  it('refuses everything else with 403, before it reaches the engine', async () => {
    const id = gatewayName;
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
    const hooks = status.hooks;
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

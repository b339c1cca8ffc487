// What the operator is told when the watcher cannot reach Docker: the setting and the exact fix.
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { Writable } from 'node:stream';
import { describeProblem, diagnoseDockerError, socketPathOf } from '../../src/docker/docker-access.ts';
import { createDockerAccessMonitor, dockerAccessReported, monitoredGatewayControl } from '../../src/docker/docker-access-monitor.ts';
import { GatewayTargetError, type LocatedGateway } from '../../src/docker/gateway-target.ts';
import type { GatewayControl } from '../../src/docker/gateway-control.ts';

const sysError = (code: string, message: string): Error => Object.assign(new Error(message), { code });
const httpError = (statusCode: number): Error => Object.assign(new Error(`(HTTP code ${statusCode}) unexpected`), { statusCode });

describe('diagnoseDockerError', () => {
  it('EACCES on the socket: names DOCKER_GID and the socket\'s actual group', () => {
    const p = diagnoseDockerError(sysError('EACCES', 'connect EACCES /var/run/docker.sock'), { dockerHost: undefined, socketGid: () => 105, groups: () => [1000, 999] });
    expect(p).toMatchObject({ setting: 'DOCKER_GID', socketGid: 105, key: 'eacces:105' });
    expect(p?.fix).toBe('set DOCKER_GID=105 in .env, then run on the standby host: docker compose up -d watcher');
    expect(describeProblem(p!)).toContain('belongs to group 105');
    expect(describeProblem(p!)).toContain('groups 1000, 999');
  });

  it('EACCES although the group is ours: the socket mode, not DOCKER_GID', () => {
    const p = diagnoseDockerError(sysError('EACCES', 'connect EACCES /var/run/docker.sock'), { dockerHost: undefined, socketGid: () => 105, groups: () => [1000, 105] });
    expect(p?.fix).toContain('chmod 660');
  });

  it('EACCES with a socket it cannot stat: still DOCKER_GID, with the command to find it', () => {
    const p = diagnoseDockerError(sysError('EACCES', 'x'), { dockerHost: 'unix:///run/docker.sock', socketGid: () => undefined, groups: () => [] });
    expect(p?.fix).toContain('stat -c %g /var/run/docker.sock');
  });

  it('no socket: DOCKER_SOCKET, the mount', () => {
    const p = diagnoseDockerError(sysError('ENOENT', 'connect ENOENT /var/run/docker.sock'), { dockerHost: undefined });
    expect(p).toMatchObject({ setting: 'DOCKER_SOCKET' });
    expect(p?.summary).toContain('no Docker socket at /var/run/docker.sock');
  });

  it('a directory where the socket should be (a missing host path, bind-mounted): DOCKER_SOCKET', () => {
    const p = diagnoseDockerError(sysError('ECONNREFUSED', 'connect ECONNREFUSED /var/run/docker.sock'), { dockerHost: undefined, socketKind: () => 'directory' });
    expect(p).toMatchObject({ setting: 'DOCKER_SOCKET' });
    expect(p?.summary).toContain('is a directory, not the Docker socket');
  });

  it('a socket that refuses: dockerd down', () => {
    const p = diagnoseDockerError(sysError('ECONNREFUSED', 'connect ECONNREFUSED /var/run/docker.sock'), { dockerHost: undefined, socketKind: () => 'socket' });
    expect(p?.summary).toContain('is dockerd running');
  });

  it('the socket proxy down or unknown: DOCKER_HOST, and how to look at the proxy', () => {
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']) {
      const p = diagnoseDockerError(sysError(code, `connect ${code}`), { dockerHost: 'tcp://docker-socket-proxy:2375' });
      expect(p).toMatchObject({ setting: 'DOCKER_HOST' });
      expect(p?.fix).toContain('docker logs docker-socket-proxy');
    }
  });

  it('the proxy answers 503 (it cannot open the socket): its DOCKER_GID', () => {
    expect(diagnoseDockerError(httpError(503), { dockerHost: 'tcp://docker-socket-proxy:2375' })).toMatchObject({ setting: 'DOCKER_GID' });
  });

  it('Docker answering (404, 409, a refused label) is not an access problem', () => {
    for (const error of [httpError(404), httpError(409), new GatewayTargetError('refusing to manage container')]) {
      expect(diagnoseDockerError(error, { dockerHost: undefined })).toBeUndefined();
    }
  });

  it('reads the socket path from DOCKER_HOST', () => {
    expect([socketPathOf(undefined), socketPathOf(''), socketPathOf('unix:///x.sock'), socketPathOf('tcp://p:2375')]).toEqual(['/var/run/docker.sock', '/var/run/docker.sock', '/x.sock', undefined]);
  });
});

describe('the Docker access monitor', () => {
  function capture() {
    const lines: Array<Record<string, unknown>> = [];
    const stream = new Writable({ write(chunk: Buffer, _enc, done) { lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>); done(); } });
    return { logger: pino({ level: 'debug' }, stream), lines };
  }

  it('logs the problem once, reminds at most once a minute, says when it is over', async () => {
    let now = 0;
    const { logger, lines } = capture();
    const monitor = createDockerAccessMonitor({ endpoint: { dockerHost: undefined, socketGid: () => 105, groups: () => [1000, 999] }, logger, now: () => now });
    const eacces = () => sysError('EACCES', 'connect EACCES /var/run/docker.sock');
    for (let t = 0; t < 130_000; t += 5_000) {
      expect(monitor.failed(eacces())).toBe(true);
      now += 5_000;
    }
    expect(monitor.view()).toMatchObject({ reachable: false, since: 0 });
    monitor.answered();
    monitor.answered();
    expect(monitor.view()).toEqual({ reachable: true, since: null, problem: null });
    await new Promise((r) => setImmediate(r));
    expect(lines.map((l) => `${String(l.event)}/${String(l.lasting)}`)).toEqual(['docker-unreachable/started', 'docker-unreachable/reminder', 'docker-unreachable/reminder', 'docker-unreachable-ended/ended']);
    expect(lines[0]).toMatchObject({ level: 50, setting: 'DOCKER_GID', socketGid: 105 });
  });

  it('the monitored adapter marks reported errors, and counts a refused label as Docker answering', async () => {
    const { logger } = capture();
    const monitor = createDockerAccessMonitor({ endpoint: { dockerHost: undefined, socketGid: () => 105, groups: () => [1000] }, logger });
    let failWith: Error = sysError('EACCES', 'connect EACCES');
    const inner: GatewayControl = {
      inspect: () => Promise.reject(failWith),
      start: () => Promise.resolve({} as LocatedGateway),
      stop: () => Promise.resolve(),
      logTail: () => Promise.resolve(''),
      watch: () => Promise.resolve(),
    };
    const gateway = monitoredGatewayControl(inner, monitor);
    const first = await gateway.inspect().catch((e: unknown) => e);
    expect(dockerAccessReported(first)).toBe(true);
    expect(monitor.view().reachable).toBe(false);
    failWith = new GatewayTargetError('no container');
    const second = await gateway.inspect().catch((e: unknown) => e);
    expect(dockerAccessReported(second)).toBe(false);
    expect(monitor.view().reachable).toBe(true);
  });
});

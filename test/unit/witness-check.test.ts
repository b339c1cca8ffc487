// The partition guard's adapter against real loopback servers: any HTTP answer counts, silence
// and refusal do not, the whole check is bounded by WITNESS_TIMEOUT, and credentials stay secret.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createWitnessCheck } from '../../src/probe/witness-check.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function serve(onConnection: (socket: net.Socket) => void, httpHandler?: http.RequestListener): Promise<string> {
  const sockets = new Set<net.Socket>();
  const server = httpHandler ? http.createServer(httpHandler) : net.createServer(onConnection);
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function statusServer(status: number, seen?: string[]): Promise<string> {
  return serve(() => undefined, (req, res) => {
    seen?.push(req.headers.authorization ?? '');
    res.writeHead(status);
    res.end('whatever');
  });
}

async function freeUrl(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/`;
}

function checkOf(urls: string[], timeoutMs = 500) {
  const check = createWitnessCheck({ urls, timeoutMs });
  cleanups.push(() => check.close());
  return check;
}

describe('createWitnessCheck', () => {
  it.each([200, 204, 401, 404, 500, 503])('any HTTP status (%i) counts as an answer', async (status) => {
    const url = `${await statusServer(status)}/`;
    expect(await checkOf([url]).check()).toEqual({ answered: [url], total: 1 });
  });

  it('refused and hung witnesses do not count, and the check ends within the timeout', async () => {
    const answering = `${await statusServer(404)}/`;
    const refused = await freeUrl();
    const hung = `${await serve(() => undefined)}/`;
    const began = performance.now();
    const answer = await checkOf([refused, hung, answering], 400).check();
    const elapsed = performance.now() - began;
    expect(answer.answered).toEqual([answering]);
    expect(answer.total).toBe(3);
    expect(answer.detail).toContain(`${refused}: ECONNREFUSED`);
    expect(answer.detail).toContain(`${hung}: no answer within 400 ms`);
    expect(elapsed).toBeLessThan(400 + 600);
  });

  it('none answering: an empty list with the reasons', async () => {
    const answer = await checkOf([await freeUrl()]).check();
    expect(answer.answered).toEqual([]);
    expect(answer.detail).toContain('ECONNREFUSED');
  });

  it('credentials go in a Basic header and are redacted in what it reports', async () => {
    const seen: string[] = [];
    const base = await statusServer(200, seen);
    const url = base.replace('http://', 'http://probe:hunter2-secret@') + '/';
    const answer = await checkOf([url]).check();
    expect(seen).toEqual([`Basic ${Buffer.from('probe:hunter2-secret').toString('base64')}`]);
    expect(JSON.stringify(answer)).not.toContain('hunter2-secret');
    expect(answer.answered[0]).toContain('***:***@127.0.0.1');
  });

  it('a caller abort ends the check at once', async () => {
    const hung = `${await serve(() => undefined)}/`;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const began = performance.now();
    const answer = await checkOf([hung], 5_000).check(controller.signal);
    expect(answer.answered).toEqual([]);
    expect(performance.now() - began).toBeLessThan(2_000);
  });
});

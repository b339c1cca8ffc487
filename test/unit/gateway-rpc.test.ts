// The gateway RPC client against a real local HTTP server: the request it sends, each failure
// classified, the deadline, the cap, no redirects, and the token in no detail.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_RPC_PATH, createGatewayRpc } from '../../src/gateway/gateway-rpc.ts';

const TOKEN = 'secret-gateway-token-0123456789';

interface Seen { method: string; path: string; auth: string | undefined; body: string }

async function server(handler: (req: Seen, res: http.ServerResponse) => void): Promise<{ base: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const sockets = new Set<Socket>();
  const s = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { method: req.method ?? '', path: req.url ?? '', auth: req.headers.authorization, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(r);
      handler(r, res);
    });
  });
  s.on('connection', (c: Socket) => {
    sockets.add(c);
    c.on('close', () => sockets.delete(c));
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}/ignored/path?x=1`,
    seen,
    close: () => new Promise<void>((resolve) => { for (const c of sockets) c.destroy(); s.close(() => resolve()); }),
  };
}

const json = (res: http.ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

describe('gateway RPC client', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('POSTs {method, params} to the admin RPC path with the bearer token and returns the payload', async () => {
    const srv = await server((_r, res) => json(res, 200, { id: 'x', ok: true, payload: { channels: { irc: { running: true } } } }));
    close = srv.close;
    const rpc = createGatewayRpc({ baseUrl: srv.base, token: TOKEN, timeoutMs: 2_000 });
    const result = await rpc.call('channels.status', { probe: false });
    await rpc.close();
    expect(result).toMatchObject({ ok: true, status: 200, payload: { channels: { irc: { running: true } } } });
    expect(srv.seen[0]).toMatchObject({ method: 'POST', path: ADMIN_RPC_PATH, auth: `Bearer ${TOKEN}` });
    expect(JSON.parse(srv.seen[0]!.body)).toEqual({ method: 'channels.status', params: { probe: false } });
  });

  it('classifies an RPC error, a refused token, a disabled plugin, a redirect and a non-JSON answer', async () => {
    const answers: Array<(res: http.ServerResponse) => void> = [
      (res) => json(res, 400, { ok: false, error: { code: 'INVALID_REQUEST', message: `bad params for ${TOKEN}` } }),
      (res) => res.writeHead(401).end('unauthorized'),
      (res) => res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found'),
      (res) => res.writeHead(302, { location: 'http://example.invalid/' }).end(),
      (res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>control ui</html>'),
    ];
    let n = 0;
    const srv = await server((_r, res) => answers[n++]!(res));
    close = srv.close;
    const rpc = createGatewayRpc({ baseUrl: srv.base, token: TOKEN, timeoutMs: 2_000 });
    const results = [];
    for (let i = 0; i < answers.length; i++) results.push(await rpc.call('health'));
    await rpc.close();
    expect(results.map((r) => (r.ok ? 'ok' : r.reason))).toEqual(['rpc-error', 'unauthorized', 'not-enabled', 'http', 'bad-answer']);
    expect(results[0]).toMatchObject({ ok: false, code: 'INVALID_REQUEST', status: 400 });
    expect(srv.seen).toHaveLength(answers.length); // the redirect was not followed
    expect(JSON.stringify(results)).not.toContain(TOKEN);
  });

  it('gives up at the deadline on a gateway that never answers, and caps the answer', async () => {
    const srv = await server((r, res) => {
      if ((JSON.parse(r.body) as { method: string }).method === 'hang') return;
      json(res, 200, { ok: true, payload: 'x'.repeat(5_000) });
    });
    close = srv.close;
    const rpc = createGatewayRpc({ baseUrl: srv.base, token: TOKEN, timeoutMs: 300, maxBodyBytes: 1_000 });
    const t0 = Date.now();
    const hung = await rpc.call('hang');
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(hung).toMatchObject({ ok: false, reason: 'timeout' });
    expect(await rpc.call('big')).toMatchObject({ ok: false, reason: 'bad-answer' });
    await rpc.close();
  });

  it('reports a closed port as refused and an unusable URL without a request', async () => {
    const srv = await server(() => undefined);
    const base = srv.base;
    await srv.close();
    const rpc = createGatewayRpc({ baseUrl: base, token: TOKEN, timeoutMs: 1_000 });
    expect(await rpc.call('health')).toMatchObject({ ok: false, reason: 'refused' });
    expect(await createGatewayRpc({ baseUrl: 'ftp://x', token: TOKEN, timeoutMs: 1_000 }).call('health')).toMatchObject({ ok: false, reason: 'error' });
    await rpc.close();
  });
});

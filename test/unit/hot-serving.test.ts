import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { GatewayControl } from '../../src/docker/gateway-control.ts';
import type { LocatedGateway } from '../../src/docker/gateway-target.ts';
import type { GatewayRpc, RpcResult } from '../../src/gateway/gateway-rpc.ts';
import { createHotServing } from '../../src/serving/hot-serving.ts';

/** A gateway whose config API behaves like openclaw's: a hash per revision, channels follow `enabled`. */
class FakeHotGateway {
  running = true;
  enabled = false;
  revision = 1;
  /** Calls answered with this failure instead (per method), counting down. */
  fail: Record<string, { times: number; result: RpcResult }> = {};
  /** The channel keeps running after a disable (a half-applied write). */
  stuckOn = false;
  calls: string[] = [];
  ops: string[] = [];

  private answer(method: string, params: Record<string, unknown>): RpcResult {
    this.calls.push(method);
    const f = this.fail[method];
    if (f && f.times > 0) {
      f.times--;
      return f.result;
    }
    if (!this.running) return { ok: false, reason: 'refused', detail: 'ECONNREFUSED', latencyMs: 1 };
    if (method === 'config.get') return { ok: true, status: 200, latencyMs: 1, payload: { hash: `h${this.revision}`, parsed: { channels: { irc: { enabled: this.enabled, host: 'ircd' } } } } };
    if (method === 'config.patch') {
      if (params.baseHash !== `h${this.revision}`) return { ok: false, reason: 'rpc-error', code: 'INVALID_REQUEST', detail: 'config changed since last load', latencyMs: 1 };
      const patch = JSON.parse(String(params.raw)) as { channels: { irc: { enabled: boolean } } };
      this.enabled = patch.channels.irc.enabled;
      this.revision++;
      return { ok: true, status: 200, latencyMs: 1, payload: { ok: true, hash: `h${this.revision}` } };
    }
    if (method === 'channels.status') {
      const live = this.enabled || this.stuckOn;
      return { ok: true, status: 200, latencyMs: 1, payload: { channels: live ? { irc: { configured: true, running: true } } : {}, channelAccounts: live ? { irc: [{ accountId: 'default', enabled: this.enabled, running: true, connected: true, lifecycle: 'ready' }] } : {} } };
    }
    return { ok: false, reason: 'rpc-error', code: 'INVALID_REQUEST', detail: 'unknown method', latencyMs: 1 };
  }

  rpc: GatewayRpc = {
    call: <T>(method: string, params?: unknown) => Promise.resolve(this.answer(method, (params ?? {}) as Record<string, unknown>) as RpcResult<T>),
    close: () => Promise.resolve(),
  };

  private located(): LocatedGateway {
    return { id: 'c1', name: 'openclaw-standby', running: this.running, status: this.running ? 'running' : 'exited', startedAt: new Date(0).toISOString(), labels: {} };
  }

  control: GatewayControl = {
    inspect: () => Promise.resolve(this.located()),
    logTail: () => Promise.resolve(''),
    start: () => {
      this.ops.push('start');
      // A boot seeds every channel off (the compose wrapper).
      if (!this.running) this.enabled = false;
      this.running = true;
      return Promise.resolve(this.located());
    },
    stop: () => {
      this.ops.push('stop');
      this.running = false;
      this.stuckOn = false;
      return Promise.resolve();
    },
    watch: () => Promise.resolve(),
  };
}

function serving(gw: FakeHotGateway) {
  let t = 0;
  return createHotServing({ gateway: gw.control, rpc: gw.rpc, logger: pino({ level: 'silent' }), readyTimeoutMs: 60_000, offGraceMs: 2_000, pollMs: 100, now: () => t, sleep: (ms) => { t += ms; return Promise.resolve(); } });
}

describe('hot serving switch', () => {
  it('switches the channel on and off through config.patch, judged by channels.status', async () => {
    const gw = new FakeHotGateway();
    const s = serving(gw);
    expect((await s.inspect()).serving).toBe(false);
    await s.serve();
    expect(gw.enabled).toBe(true);
    expect((await s.waitServing(new AbortController().signal)).ok).toBe(true);
    expect((await s.inspect()).serving).toBe(true);
    await s.unserve(10);
    expect(gw.enabled).toBe(false);
    expect(gw.running).toBe(true);
    expect((await s.inspect()).serving).toBe(false);
    expect(gw.ops).toEqual(['start']);
  });

  it('a promotion after an idle inspect is one config.patch with the hash read at leisure (no config.get on the way)', async () => {
    const gw = new FakeHotGateway();
    const s = serving(gw);
    await s.inspect();
    await new Promise((r) => setTimeout(r, 0));
    gw.calls = [];
    await s.serve();
    expect(gw.calls).toEqual(['config.patch']);
    expect(gw.enabled).toBe(true);
    gw.calls = [];
    await s.unserve(10);
    expect(gw.calls.filter((c) => c !== 'channels.status')).toEqual(['config.patch']);
    // A write by someone else makes the cached hash stale: refused once, then re-read.
    gw.revision += 5;
    gw.calls = [];
    await s.serve();
    expect(gw.calls).toEqual(['config.patch', 'config.get', 'config.patch']);
    expect(gw.enabled).toBe(true);
  });

  it('retries the patch with a fresh baseHash when the config changed under it', async () => {
    const gw = new FakeHotGateway();
    gw.fail['config.patch'] = { times: 1, result: { ok: false, reason: 'rpc-error', code: 'INVALID_REQUEST', detail: 'config changed since last load', latencyMs: 1 } };
    await serving(gw).serve();
    expect(gw.enabled).toBe(true);
    expect(gw.calls.filter((c) => c === 'config.patch')).toHaveLength(2);
  });

  it('falls back to the cold path (restart, then switch on) when the config API keeps refusing', async () => {
    const gw = new FakeHotGateway();
    gw.fail['config.patch'] = { times: 3, result: { ok: false, reason: 'timeout', detail: 'no answer', latencyMs: 30_000 } };
    await serving(gw).serve();
    expect(gw.ops).toEqual(['start', 'stop', 'start']);
    expect(gw.enabled).toBe(true);
  });

  it('a starved config API (timeouts) is asked again, not restarted at once', async () => {
    const gw = new FakeHotGateway();
    gw.fail['config.get'] = { times: 2, result: { ok: false, reason: 'timeout', detail: 'no complete answer to config.get within 30000 ms', latencyMs: 30_000 } };
    await serving(gw).serve();
    expect(gw.ops).toEqual(['start']);
    expect(gw.enabled).toBe(true);
  });

  it('stops the container when a disable is not confirmed by channels.status', async () => {
    const gw = new FakeHotGateway();
    const s = serving(gw);
    await s.serve();
    gw.stuckOn = true;
    await s.unserve(10);
    expect(gw.ops).toEqual(['start', 'stop']);
    expect(gw.running).toBe(false);
  });

  it('a booting gateway (refused) is not serving; an unknown state becomes "live" after three inspects', async () => {
    const gw = new FakeHotGateway();
    const s = serving(gw);
    gw.fail['channels.status'] = { times: 1, result: { ok: false, reason: 'refused', detail: 'ECONNREFUSED', latencyMs: 1 } };
    expect((await s.inspect()).serving).toBe(false);
    gw.fail['channels.status'] = { times: 3, result: { ok: false, reason: 'timeout', detail: 'no answer', latencyMs: 5_000 } };
    expect((await s.inspect()).serving).toBe(false);
    expect((await s.inspect()).serving).toBe(false);
    const third = await s.inspect();
    expect(third.serving).toBe(true);
    expect(third.status).toMatch(/assumed live/);
  });

  it('a stopped container is not serving', async () => {
    const gw = new FakeHotGateway();
    gw.running = false;
    expect((await serving(gw).inspect()).serving).toBe(false);
  });
});

// "Promoted" means reachable: the wait after `docker start`, with fake readiness, channel
// status and exit sources (pure orchestration; the RPC client and the verdict have their own tests).
import { describe, expect, it } from 'vitest';
import { waitReachable, type ExitNotice, type WaitReachableDeps } from '../../src/gateway/wait-reachable.ts';
import type { RpcResult } from '../../src/gateway/gateway-rpc.ts';

const live = { channels: { irc: { configured: true, running: true } }, channelAccounts: { irc: [{ accountId: 'default', enabled: true, running: true, connected: true }] } };
const none = { channels: {}, channelAccounts: {} };
const ok = (payload: unknown): RpcResult => ({ ok: true, payload, status: 200, latencyMs: 1 });
const never = (signal: AbortSignal): Promise<ExitNotice> => new Promise((resolve) => signal.addEventListener('abort', () => resolve({ exitCode: undefined, logTail: '' })));

function deps(overrides: Partial<WaitReachableDeps>): WaitReachableDeps {
  let clock = 1_000;
  return {
    waitReady: () => Promise.resolve({ ok: true, at: clock, attempts: 1 }),
    exited: never,
    expectedChannels: () => ['irc'],
    channelTimeoutMs: 5_000,
    pollMs: 100,
    now: () => clock,
    sleep: (ms) => {
      clock += ms;
      return Promise.resolve();
    },
    ...overrides,
  };
}

const stopped = { channels: { irc: { configured: true, running: false } }, channelAccounts: { irc: [{ accountId: 'default', enabled: true, running: false, connected: false }] } };

describe('waitReachable', () => {
  it('a channel the gateway does not run 10 s after ready (autostart suppressed) is started once by channels.start, then goes live', async () => {
    const starts: string[] = [];
    let started = false;
    const out = await waitReachable(deps({
      channelTimeoutMs: 30_000,
      pollMs: 1_000,
      channelsStatus: () => Promise.resolve(ok(started ? live : stopped)),
      startChannel: (channel) => {
        starts.push(channel);
        started = true;
        return Promise.resolve(ok({}));
      },
    }), new AbortController().signal);
    expect(starts).toEqual(['irc']);
    expect(out).toMatchObject({ ok: true, channels: ['irc'], startedByHand: ['irc'] });
    if (!out.ok) return;
    // Not before 10 s after ready (ready at 1 000 on the fake clock).
    expect(out.channelLiveAt).toBeGreaterThanOrEqual(1_000 + 10_000);
  });

  it('never asks channels.start for a channel that is running but not yet connected, nor twice', async () => {
    const connecting = { channels: { irc: { configured: true, running: true } }, channelAccounts: { irc: [{ accountId: 'default', enabled: true, running: true, connected: false }] } };
    const starts: string[] = [];
    const out = await waitReachable(deps({ channelTimeoutMs: 20_000, pollMs: 1_000, channelsStatus: () => Promise.resolve(ok(connecting)), startChannel: (c) => (starts.push(c), Promise.resolve(ok({}))) }), new AbortController().signal);
    expect(starts).toEqual([]);
    expect(out.ok && out.channelError).toMatch(/running but not connected/);
    const starts2: string[] = [];
    const out2 = await waitReachable(deps({ channelTimeoutMs: 20_000, pollMs: 1_000, channelsStatus: () => Promise.resolve(ok(stopped)), startChannel: (c) => (starts2.push(c), Promise.resolve(ok({}))) }), new AbortController().signal);
    expect(starts2).toEqual(['irc']);
    expect(out2.ok && out2.channelError).toMatch(/channels.start asked for irc/);
  });

  it('ready, then the channel goes live on the third channels.status: channelLiveAt is that instant', async () => {
    const answers = [ok(none), ok(none), ok(live)];
    let calls = 0;
    const out = await waitReachable(deps({ channelsStatus: () => Promise.resolve(answers[calls++]!) }), new AbortController().signal);
    expect(out).toMatchObject({ ok: true, at: 1_000, channelLiveAt: 1_200, channels: ['irc'] });
    expect(calls).toBe(3);
  });

  it('ready but the channel never comes up: ok with channelError naming the channel and why, bounded', async () => {
    let calls = 0;
    const out = await waitReachable(deps({ channelsStatus: () => (calls++, Promise.resolve(ok(none))) }), new AbortController().signal);
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.channelLiveAt).toBeUndefined();
    expect(out.channelError).toMatch(/channel\(s\) irc not live within 5s after ready: the gateway has no irc channel/);
    expect(calls).toBeLessThanOrEqual(5_000 / 100 + 2);
  });

  it('a gateway that exits while booting ends the wait at once, with its exit code and log tail', async () => {
    const out = await waitReachable(deps({
      waitReady: (signal) => new Promise((resolve) => signal.addEventListener('abort', () => resolve({ ok: false, at: 0, error: 'aborted', attempts: 0 }))),
      exited: () => Promise.resolve({ exitCode: '1', logTail: 'Error: config invalid | exiting' }),
    }), new AbortController().signal);
    expect(out).toMatchObject({ ok: false });
    if (out.ok) return;
    expect(out.error).toBe('the standby gateway exited with code 1 while booting; last log lines: Error: config invalid | exiting');
  });

  it('an exit after ready, while the channel is awaited, is reported too', async () => {
    let exitNow: (n: ExitNotice) => void = () => undefined;
    const exited = new Promise<ExitNotice>((resolve) => (exitNow = resolve));
    const out = await waitReachable(deps({
      exited: () => exited,
      channelsStatus: () => {
        exitNow({ exitCode: '137', logTail: 'killed' });
        return new Promise(() => undefined);
      },
    }), new AbortController().signal);
    expect(out).toMatchObject({ ok: false });
    if (!out.ok) expect(out.error).toMatch(/exited with code 137/);
  });

  it('no channel in the prepare report: ready is enough, channels.status is not asked', async () => {
    let calls = 0;
    const out = await waitReachable(deps({ expectedChannels: () => [], channelsStatus: () => (calls++, Promise.resolve(ok(live))) }), new AbortController().signal);
    expect(out).toEqual({ ok: true, at: 1_000, attempts: 1 });
    expect(calls).toBe(0);
  });

  it('admin-http-rpc not enabled: degraded when channels are expected, plain ready when nothing is known', async () => {
    const notEnabled = (): Promise<RpcResult> => Promise.resolve({ ok: false, reason: 'not-enabled', detail: 'HTTP 404', status: 404, latencyMs: 1 });
    const expected = await waitReachable(deps({ channelsStatus: notEnabled }), new AbortController().signal);
    expect(expected.ok && expected.channelError).toMatch(/not-enabled/);
    const unknown = await waitReachable(deps({ channelsStatus: notEnabled, expectedChannels: () => undefined }), new AbortController().signal);
    expect(unknown).toEqual({ ok: true, at: 1_000, attempts: 1 });
  });

  it('no token (no RPC): channels expected cannot be confirmed, said so', async () => {
    const out = await waitReachable(deps({ channelsStatus: undefined }), new AbortController().signal);
    expect(out.ok && out.channelError).toMatch(/cannot confirm channel\(s\) irc/);
  });

  it('not ready stays not ready, without asking for channels', async () => {
    let calls = 0;
    const out = await waitReachable(deps({
      waitReady: () => Promise.resolve({ ok: false, at: 9, error: 'not ready within PROMOTE_READY_TIMEOUT (90s)', attempts: 3 }),
      channelsStatus: () => (calls++, Promise.resolve(ok(live))),
    }), new AbortController().signal);
    expect(out).toEqual({ ok: false, at: 9, error: 'not ready within PROMOTE_READY_TIMEOUT (90s)', attempts: 3 });
    expect(calls).toBe(0);
  });
});

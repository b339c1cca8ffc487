// The standby's deploy-time preparation report, as openclaw-standby-prepare writes it, read by
// the watcher (status, health) and by `check`; and the Docker log demultiplexer for exit reasons.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demuxLogs } from '../../src/docker/gateway-control.ts';
import { tailText } from '../../src/gateway/standby-exit.ts';
import { checkPrepared } from '../../src/standby/check-prepared.ts';
import { expectedChannels, parsePrepareReport } from '../../src/standby/prepare-report.ts';
import { preparedHealth } from '../../src/standby/standby-readiness.ts';

const ready = { version: 1, ok: true, finishedAt: '2026-12-01T21:11:45.375Z', gatewayVersion: '2026.9.6', adminHttpRpc: true, problems: [], channels: [{ channel: 'irc', plugin: 'irc', version: '2026.9.5', origin: 'installed', action: 'already installed', ok: true, why: null }] };
const untrusted = {
  ...ready,
  ok: false,
  channels: [{ channel: 'irc', plugin: 'irc', version: '2026.9.5', ok: false, why: 'plugin irc is installed but /config/openclaw.json does not trust it' }],
  problems: ['channel irc: plugin irc is installed but /config/openclaw.json does not trust it'],
};

describe('prepare report', () => {
  it('ready: a summary naming channel and plugin version, its channels expected at promotion, healthy', () => {
    const view = parsePrepareReport('/r.json', JSON.stringify(ready));
    expect(view).toMatchObject({ state: 'ready', summary: 'prepared: irc (plugin irc 2026.9.5)' });
    expect(expectedChannels(view)).toEqual(['irc']);
    expect(preparedHealth(view)).toEqual({ ok: true });
  });

  it('failed: unhealthy, saying which channel and why; check exits 2 with the fix', () => {
    const view = parsePrepareReport('/r.json', JSON.stringify(untrusted));
    expect(view.state).toBe('failed');
    const health = preparedHealth(view);
    expect(health.ok).toBe(false);
    expect(health.reason).toMatch(/NOT prepared: channel irc: plugin irc is installed but .* does not trust it/);
    const dir = mkdtempSync(join(tmpdir(), 'ocf-prep-'));
    writeFileSync(join(dir, 'r.json'), JSON.stringify(untrusted));
    const check = checkPrepared(join(dir, 'r.json'));
    expect(check.ok).toBe(false);
    expect(check.line).toMatch(/channel irc: plugin irc is installed/);
    expect(check.line).toMatch(/up -d/);
  });

  it('a report that says ok but lists a failed channel is not trusted as ready', () => {
    expect(parsePrepareReport('/r.json', JSON.stringify({ ...untrusted, ok: true, problems: [] })).state).toBe('failed');
  });

  it('garbage is invalid (unhealthy), a missing file is pending (check passes with a note), no path is off', () => {
    expect(parsePrepareReport('/r.json', '{nope').state).toBe('invalid');
    expect(parsePrepareReport('/r.json', '{"version":2,"ok":true}').state).toBe('invalid');
    expect(preparedHealth(parsePrepareReport('/r.json', '[]')).ok).toBe(false);
    expect(checkPrepared('/nonexistent/report.json')).toMatchObject({ ok: true });
    expect(checkPrepared(undefined)).toEqual({ ok: true });
    expect(expectedChannels({ state: 'off' })).toBeUndefined();
  });

  it('no channel in the standby config: ready, and nothing expected', () => {
    const view = parsePrepareReport('/r.json', JSON.stringify({ ...ready, channels: [] }));
    expect(view).toMatchObject({ state: 'ready', summary: 'prepared: the standby config has no channel' });
    expect(expectedChannels(view)).toEqual([]);
  });
});

describe('container log tail', () => {
  it('demultiplexes Docker log frames and keeps the last lines on one line, without colour codes', () => {
    const frame = (stream: number, text: string): Buffer => {
      const head = Buffer.alloc(8);
      head[0] = stream;
      head.writeUInt32BE(Buffer.byteLength(text), 4);
      return Buffer.concat([head, Buffer.from(text)]);
    };
    const raw = Buffer.concat([frame(1, 'starting\n'), frame(2, '\u001b[31mError: bad config\u001b[0m\n'), frame(1, 'exiting\n')]);
    expect(demuxLogs(raw)).toBe('starting\n\u001b[31mError: bad config\u001b[0m\nexiting\n');
    expect(tailText(demuxLogs(raw))).toBe('starting | Error: bad config | exiting');
    expect(demuxLogs(Buffer.from('plain tty text\n'))).toBe('plain tty text\n');
    expect(tailText('x'.repeat(5_000)).length).toBeLessThanOrEqual(1_501);
  });
});

// The gateway side's dead-man switch as a real process: it runs its child only while the lease
// file's deadline (host CLOCK_MONOTONIC) lies ahead, and kills it at the deadline when nobody
// moves it (a paused or dead watcher), or at once when the file is cleared.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hostMonotonicMs, writeLeaseFile } from '../../src/lease/lease-file.ts';

const WRAPPER = new URL('../../deadman/serve-while-leased.mjs', import.meta.url).pathname;
let wrapper: ChildProcess | undefined;

afterEach(() => {
  wrapper?.kill('SIGKILL');
});

function start(file: string): { lines: { at: number; msg: string; reason?: string }[] } {
  const out = { lines: [] as { at: number; msg: string; reason?: string }[] };
  // The child is a tiny long-running node process standing in for the gateway.
  wrapper = spawn(process.execPath, [WRAPPER, file, '--', process.execPath, '-e', 'setInterval(() => {}, 1000)'], {
    env: { ...process.env, DEADMAN_STATUS_PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let buf = '';
  wrapper.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        const doc = JSON.parse(line) as { msg: string; reason?: string };
        out.lines.push({ at: hostMonotonicMs(), msg: doc.msg, reason: doc.reason });
      } catch {
        /* not ours */
      }
    }
  });
  return out;
}

const until = async (what: string, check: () => boolean, ms: number): Promise<void> => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
};

describe('serve-while-leased (dead-man wrapper)', () => {
  it('does not start without a lease, starts with one, kills at the deadline nobody moved', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ocf-deadman-')), 'lease.json');
    writeFileSync(file, 'not json');
    const w = start(file);
    await until('the wrapper to wait', () => w.lines.some((l) => l.msg === 'waiting for a lease'), 10_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(w.lines.some((l) => l.msg === 'starting the gateway')).toBe(false);

    const deadline = hostMonotonicMs() + 1_500;
    writeLeaseFile(file, { deadlineMono: deadline, holder: 'n1', revision: 3, writtenAt: new Date().toISOString() });
    await until('the gateway to start', () => w.lines.some((l) => l.msg === 'starting the gateway'), 5_000);
    await until('the gateway to be killed', () => w.lines.some((l) => l.msg === 'gateway exited'), 10_000);
    const killed = w.lines.find((l) => l.msg === 'killing the gateway');
    expect(killed?.reason).toMatch(/deadline passed/);
    // Killed at the deadline (its own timer), not before it.
    expect(killed?.at ?? 0).toBeGreaterThanOrEqual(deadline);
  });

  it('kills at once when the watcher clears the file, and does not restart past the deadline', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ocf-deadman-')), 'lease.json');
    writeLeaseFile(file, { deadlineMono: hostMonotonicMs() + 60_000, holder: 'n1', revision: 1, writtenAt: '' });
    const w = start(file);
    await until('the gateway to start', () => w.lines.some((l) => l.msg === 'starting the gateway'), 10_000);
    writeLeaseFile(file, { deadlineMono: null, holder: 'n1', revision: 1, writtenAt: '' });
    await until('the gateway to exit', () => w.lines.some((l) => l.msg === 'gateway exited'), 5_000);
    expect(w.lines.find((l) => l.msg === 'killing the gateway')?.reason).toBe('lease file cleared');
    writeLeaseFile(file, { deadlineMono: hostMonotonicMs() - 1, holder: 'n1', revision: 1, writtenAt: '' });
    await new Promise((r) => setTimeout(r, 500));
    expect(w.lines.filter((l) => l.msg === 'starting the gateway')).toHaveLength(1);
  });
});

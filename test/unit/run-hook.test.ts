// The hook runner against real /bin/sh processes: exit codes, timeouts that kill the whole process
// group, the minimal environment, the output cap and the secret scrubbing.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeHookOutcome, hookEnvironment, runHook, type HookRequest } from '../../src/hooks/run-hook.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ocf-hook-'));
  dirs.push(dir);
  return dir;
}

function hook(command: string, extra: Partial<HookRequest> = {}): Promise<Awaited<ReturnType<typeof runHook>>> {
  return runHook({ command, event: 'promote', reason: '3 consecutive failed probes', phase: 'promoting', timeoutMs: 5_000, ...extra });
}

/** True while a process with this pid exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('runHook', () => {
  it('reports success with exit code 0 and the output', async () => {
    const outcome = await hook('echo synced; echo warning >&2');
    expect(outcome).toMatchObject({ ok: true, exitCode: 0, signal: null, timedOut: false, truncated: false, event: 'promote' });
    expect(outcome.output).toContain('synced');
    expect(outcome.output).toContain('warning');
    expect(outcome.error).toBeUndefined();
  });

  it('reports a failing command with its exit code', async () => {
    const outcome = await hook('echo "rsync: connection refused" >&2; exit 23');
    expect(outcome).toMatchObject({ ok: false, exitCode: 23, timedOut: false });
    expect(describeHookOutcome(outcome)).toMatch(/^ON_PROMOTE failed \(exit code 23\) in \d+\.\ds: rsync: connection refused$/);
  });

  it('kills the hook and the processes it started when the timeout passes', async () => {
    const dir = tempDir();
    const pidFile = join(dir, 'child.pid');
    const began = Date.now();
    // A background child that would outlive the shell, and a shell that waits for it.
    const outcome = await hook(`sleep 60 & echo $! > ${pidFile}; wait`, { timeoutMs: 500 });
    expect(outcome).toMatchObject({ ok: false, timedOut: true, exitCode: null });
    expect(outcome.error).toBe('timed out after 0.5s');
    expect(Date.now() - began).toBeLessThan(10_000);
    const childPid = Number(readFileSync(pidFile, 'utf8').trim());
    expect(childPid).toBeGreaterThan(0);
    // SIGKILL is asynchronous: give the kernel a moment to reap it.
    for (let i = 0; i < 50 && alive(childPid); i++) await new Promise((r) => setTimeout(r, 50));
    expect(alive(childPid)).toBe(false);
  });

  it('does not wait for a backgrounded descendant that keeps the output open, and kills it', async () => {
    const dir = tempDir();
    const pidFile = join(dir, 'child.pid');
    const outcome = await hook(`sleep 60 & echo $! > ${pidFile}; echo started`, { timeoutMs: 20_000 });
    expect(outcome).toMatchObject({ ok: true, exitCode: 0, timedOut: false });
    expect(outcome.durationMs).toBeLessThan(15_000);
    const childPid = Number(readFileSync(pidFile, 'utf8').trim());
    for (let i = 0; i < 50 && alive(childPid); i++) await new Promise((r) => setTimeout(r, 50));
    expect(alive(childPid)).toBe(false);
  });

  it('runs with only PATH, HOME and the OCF_* variables', async () => {
    const home = tempDir();
    const outcome = await hook('env | sort', {
      event: 'demote',
      reason: '3 consecutive healthy probes',
      phase: 'demoting',
      sourceEnv: { PATH: '/usr/bin:/bin', HOME: home, PRIMARY_URL: 'http://user:hunter2@primary/healthz', OPENCLAW_GATEWAY_TOKEN: 'tok-123456' },
    });
    expect(outcome.ok).toBe(true);
    const names = outcome.output
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => line.slice(0, line.indexOf('=')))
      // sh itself exports PWD (and dash SHLVL / _ on some systems); those are the shell's own.
      .filter((name) => !['PWD', 'SHLVL', '_', 'OLDPWD'].includes(name));
    expect(names.sort()).toEqual(['HOME', 'OCF_EVENT', 'OCF_PHASE', 'OCF_REASON', 'PATH']);
    expect(outcome.output).toContain(`HOME=${home}\n`);
    expect(outcome.output).toContain('OCF_EVENT=demote\n');
    expect(outcome.output).toContain('OCF_REASON=3 consecutive healthy probes\n');
    expect(outcome.output).toContain('OCF_PHASE=demoting\n');
    expect(outcome.output).not.toContain('hunter2');
    expect(outcome.output).not.toContain('tok-123456');
  });

  it('falls back to a standard PATH when the watcher has none', () => {
    const env = hookEnvironment({ event: 'promote', reason: 'r', phase: 'promoting', sourceEnv: {} });
    expect(env.PATH).toContain('/usr/bin');
    expect(Object.keys(env).sort()).toEqual(['HOME', 'OCF_EVENT', 'OCF_PHASE', 'OCF_REASON', 'PATH']);
  });

  it('keeps only the tail of a long output, and says it was cut', async () => {
    const outcome = await hook('i=0; while [ $i -lt 2000 ]; do echo "line $i"; i=$((i+1)); done; echo last-line', { maxOutputBytes: 256 });
    expect(outcome.ok).toBe(true);
    expect(outcome.truncated).toBe(true);
    expect(Buffer.byteLength(outcome.output)).toBeLessThanOrEqual(256);
    expect(outcome.output).toContain('last-line');
    expect(outcome.output).not.toContain('line 0\n');
  });

  it('scrubs secrets from the output before returning it', async () => {
    const outcome = await hook('echo "pushing with token s3cr3t-value to host"', {
      scrub: (text) => text.replaceAll('s3cr3t-value', '***'),
    });
    expect(outcome.output).toContain('pushing with token *** to host');
    expect(outcome.output).not.toContain('s3cr3t-value');
  });

  it('stops at once when aborted (watcher stopping)', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const outcome = await hook('sleep 60', { signal: controller.signal, timeoutMs: 60_000 });
    expect(outcome).toMatchObject({ ok: false, timedOut: false });
    expect(outcome.error).toBe('aborted (watcher stopping)');
    expect(outcome.durationMs).toBeLessThan(10_000);
  });

  it('runs the command through /bin/sh -c, so pipes and && work', async () => {
    const outcome = await hook('printf "a\\nb\\n" | wc -l && test "$OCF_EVENT" = promote');
    expect(outcome).toMatchObject({ ok: true, exitCode: 0 });
    expect(outcome.output.trim()).toBe('2');
  });
});

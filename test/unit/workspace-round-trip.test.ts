// The round trip with real git on local repositories: the primary's push cycle and the standby's
// hand-back meet only at a bare remote. Fast-forwards are taken, divergences are reported and
// never resolved by force; secrets and junk never reach the remote.
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { runPushCycle, type PushCycleOptions } from '../../src/push/push-cycle.ts';
import { createWorkspaceHandback, type HandbackOptions } from '../../src/git/workspace-handback.ts';
import { createWorkspaceSync } from '../../src/git/workspace-sync.ts';
import { loadPushConfig } from '../../src/push/push-config.ts';
import { formatProblems } from '../../src/config/load-config.ts';
import type { Notification } from '../../src/notify/notification.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ws-round-trip-'));
  dirs.push(dir);
  return dir;
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.invalid', ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0' },
  }).trim();
}

function write(dir: string, file: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  fs.appendFileSync(path.join(dir, file), text);
}

/** A bare remote seeded with AGENTS.md on main, like test/e2e/fixtures/git-remote.sh. */
function seededRemote(): string {
  const root = tempDir();
  const bare = path.join(root, 'workspace.git');
  git(root, 'init', '-q', '--bare', '-b', 'main', bare);
  const seed = path.join(root, 'seed');
  git(root, 'init', '-q', '-b', 'main', seed);
  write(seed, 'AGENTS.md', '# Workspace\n');
  git(seed, 'add', '.');
  git(seed, 'commit', '-q', '-m', 'seed');
  git(seed, 'push', '-q', bare, 'main');
  return bare;
}

/** The remote's file at a ref, or undefined. */
function remoteFile(bare: string, ref: string, file: string): string | undefined {
  try {
    return git(bare, 'show', `${ref}:${file}`);
  } catch {
    return undefined;
  }
}

const quiet = pino({ level: 'silent' });

function pushOptions(dir: string, remote: string): PushCycleOptions {
  return { dir, remote, branch: 'main', timeoutMs: 10_000, host: 'openclaw-primary', ignore: ['private/'] };
}

function handbackOptions(dir: string, remote: string, notes: Notification[], extra: Partial<HandbackOptions> = {}): HandbackOptions {
  return { dir, remote, branch: 'main', timeoutMs: 10_000, host: 'openclaw-standby', ignore: [], logger: quiet, notify: (n) => notes.push(n), ...extra };
}

async function standbyCheckout(remote: string): Promise<string> {
  const dir = path.join(tempDir(), 'workspace');
  const synced = await createWorkspaceSync({ dir, remote, branch: 'main', timeoutMs: 10_000 }).sync();
  expect(synced).toMatchObject({ ok: true });
  return dir;
}

describe('primary push cycle', () => {
  it('adopts the remote history on first run, commits the workspace without secrets or junk, pushes a fast-forward', async () => {
    const remote = seededRemote();
    const seed = git(remote, 'rev-parse', 'main');
    const primary = tempDir();
    write(primary, 'AGENTS.md', 'primary notes\n');
    write(primary, 'memory/2026-12-01.md', 'remembered\n');
    write(primary, '.env', 'OPENAI_API_KEY=sk-secret\n');
    write(primary, 'node_modules/x/index.js', 'junk\n');
    write(primary, 'private/diary.md', 'operator-ignored\n');
    write(primary, 'keys/id_ed25519', 'PRIVATE KEY\n');

    const outcome = await runPushCycle(pushOptions(primary, remote), 'test');
    expect(outcome).toMatchObject({ kind: 'synced', pushed: true });
    const tip = git(remote, 'rev-parse', 'main');
    expect(git(remote, 'merge-base', '--is-ancestor', seed, tip) === '').toBe(true);
    expect(remoteFile(remote, 'main', 'memory/2026-12-01.md')).toBe('remembered');
    for (const kept of ['.env', 'node_modules/x/index.js', 'private/diary.md', 'keys/id_ed25519']) expect(remoteFile(remote, 'main', kept)).toBeUndefined();

    // Nothing new: no commit, no push, still a success.
    expect(await runPushCycle(pushOptions(primary, remote), 'test')).toMatchObject({ kind: 'synced', pushed: false, head: tip });
  });

  it('pushes to an empty remote (no branch yet)', async () => {
    const root = tempDir();
    const remote = path.join(root, 'empty.git');
    git(root, 'init', '-q', '--bare', '-b', 'main', remote);
    const primary = tempDir();
    write(primary, 'SOUL.md', 'me\n');
    expect(await runPushCycle(pushOptions(primary, remote), 'test')).toMatchObject({ kind: 'synced', pushed: true });
    expect(remoteFile(remote, 'main', 'SOUL.md')).toBe('me');
  });

  it('a remote that cannot be reached fails the cycle with the reason and leaves the workspace as it is', async () => {
    const primary = tempDir();
    write(primary, 'SOUL.md', 'me\n');
    const outcome = await runPushCycle(pushOptions(primary, path.join(tempDir(), 'missing.git')), 'test');
    expect(outcome.kind).toBe('failed');
    if (outcome.kind === 'failed') expect(outcome.error).toMatch(/does not appear to be a git repository|not found|No such/i);
    // Fetch comes first (to take in a hand-back by fast-forward), so nothing is committed yet: the work waits in the tree.
    expect(fs.readFileSync(path.join(primary, 'SOUL.md'), 'utf8')).toBe('me\n');
  });
});

describe('standby hand-back and the primary taking it in', () => {
  it('fast-forward case: the standby pushes to main, the primary takes it in and keeps its own uncommitted edits', async () => {
    const remote = seededRemote();
    const primary = tempDir();
    write(primary, 'AGENTS.md', 'primary\n');
    await runPushCycle(pushOptions(primary, remote), 'test');
    const standby = await standbyCheckout(remote);

    write(standby, 'memory/standby.md', 'written while promoted\n');
    write(standby, '.env', 'TOKEN=secret\n');
    write(primary, 'memory/primary-late.md', 'written just before the crash\n'); // not pushed yet
    const notes: Notification[] = [];
    const handback = createWorkspaceHandback(handbackOptions(standby, remote, notes));
    const outcome = await handback.afterStop('demotion');
    expect(outcome).toMatchObject({ kind: 'pushed', branch: 'main', sideBranch: false });
    expect(remoteFile(remote, 'main', 'memory/standby.md')).toBe('written while promoted');
    expect(remoteFile(remote, 'main', '.env')).toBeUndefined();
    expect(notes).toEqual([]);

    const cycle = await runPushCycle(pushOptions(primary, remote), 'test');
    expect(cycle).toMatchObject({ kind: 'synced', pushed: true });
    if (cycle.kind === 'synced') expect(cycle.tookIn).toBeDefined();
    expect(fs.readFileSync(path.join(primary, 'memory/standby.md'), 'utf8')).toBe('written while promoted\n');
    expect(fs.readFileSync(path.join(primary, 'memory/primary-late.md'), 'utf8')).toBe('written just before the crash\n');
    expect(remoteFile(remote, 'main', 'memory/primary-late.md')).toBe('written just before the crash');
    expect(remoteFile(remote, 'main', 'memory/standby.md')).toBe('written while promoted');
    // A second hand-back finds nothing new.
    expect(await handback.afterStop('again')).toMatchObject({ kind: 'nothing' });
  });

  it('diverged case: the standby hands back on standby/<host>/<timestamp>, the primary reports it and touches nothing', async () => {
    const remote = seededRemote();
    const primary = tempDir();
    write(primary, 'AGENTS.md', 'primary\n');
    await runPushCycle(pushOptions(primary, remote), 'test');
    const standby = await standbyCheckout(remote);
    // The primary keeps pushing while the standby serves (e.g. a partition): main moves on.
    write(primary, 'memory/primary.md', 'primary during the outage\n');
    await runPushCycle(pushOptions(primary, remote), 'test');
    const mainBefore = git(remote, 'rev-parse', 'main');

    write(standby, 'memory/standby.md', 'standby during the outage\n');
    const notes: Notification[] = [];
    const outcome = await createWorkspaceHandback(handbackOptions(standby, remote, notes)).afterStop('demotion');
    expect(outcome).toMatchObject({ kind: 'pushed', sideBranch: true });
    if (outcome.kind !== 'pushed') throw new Error('not pushed');
    expect(outcome.branch).toMatch(/^standby\/openclaw-standby\/\d{8}T\d{6}Z$/);
    expect(git(remote, 'rev-parse', 'main')).toBe(mainBefore);
    expect(remoteFile(remote, outcome.branch, 'memory/standby.md')).toBe('standby during the outage');
    expect(notes.map((n) => n.event)).toEqual(['workspace-handback-pushed']);
    // The standby's checkout is back on main's tip, ready for the next promotion's fast-forward.
    expect(git(standby, 'rev-parse', 'HEAD')).toBe(mainBefore);
    expect(git(standby, 'rev-parse', outcome.branch)).toBe(outcome.head);

    const cycle = await runPushCycle(pushOptions(primary, remote), 'test');
    expect(cycle).toMatchObject({ kind: 'synced', unmerged: [outcome.branch] });
    expect(git(remote, 'rev-parse', 'main')).toBe(mainBefore);
    expect(fs.existsSync(path.join(primary, 'memory/standby.md'))).toBe(false);
    expect(fs.readFileSync(path.join(primary, 'memory/primary.md'), 'utf8')).toBe('primary during the outage\n');
  });

  it('the primary never pushes over a diverged main: it reports both heads and leaves the remote as it was', async () => {
    const remote = seededRemote();
    const primary = tempDir();
    write(primary, 'memory.md', 'base\n');
    await runPushCycle(pushOptions(primary, remote), 'test');
    const standby = await standbyCheckout(remote);
    write(standby, 'memory.md', 'standby line\n');
    await createWorkspaceHandback(handbackOptions(standby, remote, [])).afterStop('demotion');
    const remoteTip = git(remote, 'rev-parse', 'main');
    write(primary, 'memory.md', 'primary line\n'); // the same file: no fast-forward possible

    const cycle = await runPushCycle(pushOptions(primary, remote), 'test');
    expect(cycle).toMatchObject({ kind: 'diverged', remote: remoteTip });
    expect(git(remote, 'rev-parse', 'main')).toBe(remoteTip);
    expect(fs.readFileSync(path.join(primary, 'memory.md'), 'utf8')).toBe('base\nprimary line\n');
    expect(git(primary, 'show', 'HEAD:memory.md')).toBe('base\nprimary line');
  });

  it('a failed hand-back is notified once and retried until the remote is back; a promotion waits for an attempt in flight', async () => {
    const remote = seededRemote();
    const standby = await standbyCheckout(remote);
    write(standby, 'memory/offline.md', 'written while the remote was down\n');
    const away = `${remote}.away`;
    fs.renameSync(remote, away);
    const notes: Notification[] = [];
    const handback = createWorkspaceHandback(handbackOptions(standby, remote, notes, { retryInitialMs: 100, retryMaxMs: 200 }));
    expect(await handback.afterStop('demotion')).toMatchObject({ kind: 'failed' });
    expect(notes.map((n) => n.event)).toEqual(['workspace-handback-failed']);
    await new Promise((r) => setTimeout(r, 700));
    // Retried (more failures than the first), still going, and notified only once.
    expect(['retrying', 'running']).toContain(handback.status().state);
    expect(handback.status().failures).toBeGreaterThanOrEqual(2);
    expect(notes).toHaveLength(1); // not once per attempt
    fs.renameSync(away, remote);
    const until = Date.now() + 10_000;
    while (remoteFile(remote, 'main', 'memory/offline.md') === undefined && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    expect(remoteFile(remote, 'main', 'memory/offline.md')).toBe('written while the remote was down');
    await handback.beforePromotion();
    expect(handback.status()).toMatchObject({ state: 'idle', failures: 0, lastOutcome: { kind: 'pushed' } });
    expect(notes.map((n) => n.event)).toEqual(['workspace-handback-failed', 'workspace-handback-pushed']);
    handback.close();
  });
});

describe('hand-back owed at the next promotion', () => {
  it('a promotion does not wait for the next retry: it hands back once more first, so the fast-forward can proceed', async () => {
    const remote = seededRemote();
    const standby = await standbyCheckout(remote);
    write(standby, 'memory/owed.md', 'owed\n');
    const away = `${remote}.away`;
    fs.renameSync(remote, away);
    const notes: Notification[] = [];
    const handback = createWorkspaceHandback(handbackOptions(standby, remote, notes, { retryInitialMs: 600_000 }));
    expect(await handback.afterStop('demotion')).toMatchObject({ kind: 'failed' });
    fs.renameSync(away, remote);
    // Meanwhile the primary pushed: main moved on, so the owed work goes to a branch of its own.
    const other = path.join(tempDir(), 'other');
    git(path.dirname(other), 'clone', '-q', remote, other);
    write(other, 'memory/primary.md', 'primary\n');
    git(other, 'add', '.');
    git(other, 'commit', '-q', '-m', 'primary');
    git(other, 'push', '-q', 'origin', 'main');

    await handback.beforePromotion();
    const outcome = handback.status().lastOutcome;
    expect(outcome).toMatchObject({ kind: 'pushed', sideBranch: true });
    if (outcome?.kind !== 'pushed') throw new Error('not pushed');
    expect(remoteFile(remote, outcome.branch, 'memory/owed.md')).toBe('owed');
    const synced = await createWorkspaceSync({ dir: standby, remote, branch: 'main', timeoutMs: 10_000 }).sync();
    expect(synced).toMatchObject({ ok: true });
    expect(fs.readFileSync(path.join(standby, 'memory/primary.md'), 'utf8')).toBe('primary\n');
    handback.close();
  });
});

describe('push service configuration', () => {
  it('lists every problem at once, naming the setting and the fix', () => {
    const result = loadPushConfig({ WORKSPACE_PUSH_INTERVAL: '1', WORKSPACE_BRANCH: 'a..b', WORKSPACE_IGNORE: '#x', GIT_TIMEOUT: 'soon' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.name)).toEqual(['WORKSPACE_REMOTE', 'WORKSPACE_BRANCH', 'WORKSPACE_PUSH_INTERVAL', 'WORKSPACE_IGNORE', 'GIT_TIMEOUT']);
    expect(formatProblems(result.problems)).toContain('WORKSPACE_REMOTE is not set: set WORKSPACE_REMOTE to the git remote');
  });

  it('defaults: every 60 s to main, from the state volume\'s workspace', () => {
    const result = loadPushConfig({ WORKSPACE_REMOTE: 'git@github.com:you/ws.git', WORKSPACE_IGNORE: 'private/, *.sqlite' });
    expect(result).toMatchObject({ ok: true, config: { pushIntervalMs: 60_000, workspaceBranch: 'main', workspaceDir: '/openclaw-state/workspace', workspaceIgnore: ['private/', '*.sqlite'], gitTimeoutMs: 15_000 } });
  });
});

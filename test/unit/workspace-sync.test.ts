// Real git against local bare repositories (and loopback-only servers for the failure cases):
// the workspace sync must clone, fast-forward, refuse to lose local work and stay within its timeout.
import { describe, it, expect, afterEach, vi } from 'vitest';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createWorkspaceSync, gitEnvironment } from '../../src/git/workspace-sync.ts';
import type { SyncOutcome, WorkspaceSyncOptions } from '../../src/git/workspace-sync.ts';

const TIMEOUT_MS = 5_000;

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  const pending = cleanups.splice(0);
  for (const cleanup of pending) await cleanup();
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workspace-sync-'));
  cleanups.push(async () => {
    // rmSync gives up quietly when git is still deleting in there (a killed clone cleaning up): retry.
    for (let attempt = 0; attempt < 20 && fs.existsSync(dir); attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50));
      fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
    }
  });
  return dir;
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

/**
 * A clone killed by the timeout removes its half-made `.git` on its way out (after the sync has
 * already returned). Waiting for that proves the next sync can clone afresh, and keeps the removal
 * of the directory from racing git's own cleanup.
 */
async function expectCloneCleanedUp(dir: string): Promise<void> {
  expect(await waitFor(() => !fs.existsSync(path.join(dir, '.git')), 3_000)).toBe(true);
  expect(fs.readdirSync(dir)).toEqual([]);
}

/** Runs git for test setup, with an identity and no dependence on the user's git configuration. */
function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.invalid', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0' },
  }).trim();
}

function commitFile(repo: string, name: string, content: string): string {
  fs.writeFileSync(path.join(repo, name), content);
  git(repo, 'add', name);
  git(repo, 'commit', '-q', '-m', `add ${name}`);
  return git(repo, 'rev-parse', 'HEAD');
}

interface Remote {
  /** The bare repository, used as the sync's remote. */
  bare: string;
  /** A scratch clone on `main` that pushes to the bare repository. */
  scratch: string;
  /** The commit `main` points at on the remote. */
  head: string;
}

/** A bare repository on `main` with one commit, pushed from a scratch working repository. */
function makeRemote(): Remote {
  const root = tempDir();
  const bare = path.join(root, 'remote.git');
  const scratch = path.join(root, 'scratch');
  git(root, 'init', '-q', '--bare', '-b', 'main', bare);
  git(root, 'init', '-q', '-b', 'main', scratch);
  const head = commitFile(scratch, 'README.md', 'hello\n');
  git(scratch, 'remote', 'add', 'origin', bare);
  git(scratch, 'push', '-q', 'origin', 'main');
  return { bare, scratch, head };
}

function pushNewCommit(remote: Remote, name: string): string {
  const head = commitFile(remote.scratch, name, `${name}\n`);
  git(remote.scratch, 'push', '-q', 'origin', 'HEAD');
  return head;
}

async function sync(options: Partial<WorkspaceSyncOptions> & { dir: string }): Promise<SyncOutcome> {
  return createWorkspaceSync({ remote: undefined, branch: undefined, timeoutMs: TIMEOUT_MS, ...options }).sync();
}

function expectOk(outcome: SyncOutcome): { summary: string; head: string } {
  expect(outcome).toMatchObject({ ok: true });
  if (!('ok' in outcome) || !outcome.ok) throw new Error(`expected ok, got ${JSON.stringify(outcome)}`);
  return outcome;
}

function expectFailed(outcome: SyncOutcome): string {
  expect(outcome).toMatchObject({ ok: false });
  if (!('ok' in outcome) || outcome.ok) throw new Error(`expected a failure, got ${JSON.stringify(outcome)}`);
  return outcome.error;
}

/** A loopback HTTP "git server" that accepts connections and never answers; closed after the test. */
async function startSilentServer(): Promise<{ url: string; connections: () => number }> {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/repo.git`, connections: () => connections };
}

describe('createWorkspaceSync', () => {
  it('clones the remote into an empty workspace', async () => {
    const remote = makeRemote();
    const dir = tempDir();

    const result = expectOk(await sync({ dir, remote: remote.bare }));

    expect(result.head).toBe(remote.head);
    expect(result.summary).toBe(`cloned at ${remote.head.slice(0, 12)}`);
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(remote.head);
    expect(fs.readFileSync(path.join(dir, 'README.md'), 'utf8')).toBe('hello\n');
  });

  it('clones into a workspace directory that does not exist yet', async () => {
    const remote = makeRemote();
    const dir = path.join(tempDir(), 'workspace');

    const result = expectOk(await sync({ dir, remote: remote.bare }));

    expect(result.head).toBe(remote.head);
  });

  it('fast-forwards an existing checkout to the commit the remote gained', async () => {
    const remote = makeRemote();
    const dir = tempDir();
    git(dir, 'clone', '-q', remote.bare, '.');
    const newHead = pushNewCommit(remote, 'second.txt');

    const result = expectOk(await sync({ dir, remote: remote.bare }));

    expect(result.head).toBe(newHead);
    expect(result.summary).toContain('fast-forwarded');
    expect(result.summary).toContain(`${remote.head.slice(0, 12)}..${newHead.slice(0, 12)}`);
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(newHead);
    expect(fs.readFileSync(path.join(dir, 'second.txt'), 'utf8')).toBe('second.txt\n');
  });

  it('fast-forwards from the existing origin when no remote is configured', async () => {
    const remote = makeRemote();
    const dir = tempDir();
    git(dir, 'clone', '-q', remote.bare, '.');
    const newHead = pushNewCommit(remote, 'second.txt');

    const result = expectOk(await sync({ dir }));

    expect(result.head).toBe(newHead);
  });

  it('reports an up-to-date checkout as already at its head', async () => {
    const remote = makeRemote();
    const dir = tempDir();
    git(dir, 'clone', '-q', remote.bare, '.');

    const result = expectOk(await sync({ dir, remote: remote.bare }));

    expect(result.head).toBe(remote.head);
    expect(result.summary).toBe(`already at ${remote.head.slice(0, 12)}`);
  });

  it('clones the configured branch', async () => {
    const remote = makeRemote();
    git(remote.scratch, 'checkout', '-q', '-b', 'other');
    const otherHead = commitFile(remote.scratch, 'other.txt', 'other\n');
    git(remote.scratch, 'push', '-q', 'origin', 'other');
    const dir = tempDir();

    const result = expectOk(await sync({ dir, remote: remote.bare, branch: 'other' }));

    expect(result.head).toBe(otherHead);
    expect(otherHead).not.toBe(remote.head);
    expect(git(dir, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('other');
    expect(fs.existsSync(path.join(dir, 'other.txt'))).toBe(true);
  });

  it('skips a directory that is not a checkout when there is no remote', async () => {
    const dir = tempDir();

    const outcome = await sync({ dir });

    expect(outcome).toEqual({ skipped: true, reason: expect.stringContaining(dir) as string });
  });

  it('refuses to clone into a non-empty directory that is not a checkout', async () => {
    const remote = makeRemote();
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'precious.txt'), 'keep me\n');

    const error = expectFailed(await sync({ dir, remote: remote.bare }));

    expect(error).toContain('not empty');
    expect(error).toContain(dir);
    expect(fs.readdirSync(dir)).toEqual(['precious.txt']);
  });

  it('refuses a diverged history and keeps the local commit', async () => {
    const remote = makeRemote();
    const dir = tempDir();
    git(dir, 'clone', '-q', remote.bare, '.');
    const localHead = commitFile(dir, 'local.txt', 'local work\n');
    pushNewCommit(remote, 'remote.txt');

    const error = expectFailed(await sync({ dir, remote: remote.bare }));

    expect(error).not.toBe('');
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(localHead);
    expect(fs.readFileSync(path.join(dir, 'local.txt'), 'utf8')).toBe('local work\n');
    expect(git(dir, 'status', '--porcelain')).toBe('');
  });

  it('fails quickly when the remote path does not exist', async () => {
    const dir = tempDir();
    const missing = path.join(tempDir(), 'no-such-repo.git');
    const started = performance.now();

    const error = expectFailed(await sync({ dir, remote: missing }));

    expect(performance.now() - started).toBeLessThan(3_000);
    expect(error).not.toBe('');
  });

  it.each([
    ['an empty workspace', false],
    ['an existing checkout', true],
  ])('keeps the password of an unreachable remote out of the error (%s)', async (_label, existing) => {
    const dir = tempDir();
    if (existing) git(dir, 'clone', '-q', makeRemote().bare, '.');
    const remoteUrl = 'https://user:s3cret@127.0.0.1:1/x.git';
    const started = performance.now();

    const error = expectFailed(await sync({ dir, remote: remoteUrl }));

    expect(performance.now() - started).toBeLessThan(3_000);
    expect(error).not.toBe('');
    expect(error).not.toContain('s3cret');
  });

  it('gives up on a remote that never answers within the timeout', async () => {
    const server = await startSilentServer();
    const dir = tempDir();
    const started = performance.now();

    const outcome = await createWorkspaceSync({ dir, remote: server.url, branch: undefined, timeoutMs: 1_000 }).sync();

    const elapsed = performance.now() - started;
    const error = expectFailed(outcome);
    expect(error).toMatch(/GIT_TIMEOUT|timeout/i);
    expect(elapsed).toBeLessThan(3_000);
    expect(server.connections()).toBeGreaterThan(0);
    await expectCloneCleanedUp(dir);
  });

  it('stops a hanging sync as soon as the caller aborts', async () => {
    const server = await startSilentServer();
    const dir = tempDir();
    const controller = new AbortController();
    const started = performance.now();
    setTimeout(() => controller.abort(), 300);

    const error = expectFailed(await createWorkspaceSync({ dir, remote: server.url, branch: undefined, timeoutMs: 30_000 }).sync(controller.signal));

    expect(error).not.toBe('');
    expect(performance.now() - started).toBeLessThan(3_000);
    await expectCloneCleanedUp(dir);
  });

  // Vitest fails the run on an unhandled rejection, which an already-aborted signal used to cause.
  it('fails without an unhandled rejection when the caller has already aborted', async () => {
    const remote = makeRemote();
    const dir = tempDir();
    const controller = new AbortController();
    controller.abort();

    const error = expectFailed(await createWorkspaceSync({ dir, remote: remote.bare, branch: undefined, timeoutMs: TIMEOUT_MS }).sync(controller.signal));

    expect(error).not.toBe('');
    // Let simple-git's own rejection of the aborted clone surface, if it were unhandled.
    await new Promise((resolve) => setTimeout(resolve, 200));
  });
});

describe('createWorkspaceSync with the SSH settings compose passes', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  // compose.standby.yml passes `GIT_SSH_COMMAND: ${GIT_SSH_COMMAND:-}`: unset on the host means "".
  it('syncs when GIT_SSH_COMMAND is set but blank', async () => {
    vi.stubEnv('GIT_SSH_COMMAND', '');
    const remote = makeRemote();

    expect(expectOk(await sync({ dir: tempDir(), remote: remote.bare })).head).toBe(remote.head);
  });

  it("uses the operator's GIT_SSH_COMMAND for an ssh remote", async () => {
    // A stand-in for ssh that records its call and runs the remote command locally, so the
    // sync goes through the configured command end to end without any network.
    const bin = tempDir();
    const calls = path.join(bin, 'calls.log');
    const fakeSsh = path.join(bin, 'fake-ssh');
    fs.writeFileSync(fakeSsh, `#!/bin/sh\necho "$@" >> '${calls}'\nfor last; do :; done\nexec sh -c "$last"\n`, { mode: 0o755 });
    vi.stubEnv('GIT_SSH_COMMAND', `${fakeSsh} -o StrictHostKeyChecking=yes`);
    const remote = makeRemote();

    const result = expectOk(await sync({ dir: tempDir(), remote: `git-host.invalid:${remote.bare}` }));

    expect(result.head).toBe(remote.head);
    expect(fs.readFileSync(calls, 'utf8')).toContain('-o StrictHostKeyChecking=yes git-host.invalid');
  });
});

describe('gitEnvironment', () => {
  const source = {
    PATH: '/usr/local/bin:/usr/bin',
    HOME: '/home/watcher',
    LANG: 'C.UTF-8',
    SSH_AUTH_SOCK: '/tmp/ssh-agent.sock',
    GIT_SSH_COMMAND: 'ssh -o UserKnownHostsFile=/etc/known_hosts',
    GIT_TERMINAL_PROMPT: '1',
    OPENCLAW_GATEWAY_TOKEN: 'gateway-token',
    AWS_SECRET_ACCESS_KEY: 'aws-secret',
    GITHUB_TOKEN: 'ghp_token',
    GIT_DIR: '/elsewhere/.git',
  };

  it('turns terminal prompts off even when the environment turns them on', () => {
    expect(gitEnvironment(source).GIT_TERMINAL_PROMPT).toBe('0');
    expect(gitEnvironment({}).GIT_TERMINAL_PROMPT).toBe('0');
  });

  it('passes through what git and ssh need', () => {
    const env = gitEnvironment(source);
    expect(env).toMatchObject({
      PATH: source.PATH,
      HOME: source.HOME,
      LANG: source.LANG,
      SSH_AUTH_SOCK: source.SSH_AUTH_SOCK,
      GIT_SSH_COMMAND: source.GIT_SSH_COMMAND,
    });
  });

  it('passes nothing else of the watcher environment', () => {
    const env = gitEnvironment(source);
    expect(env).not.toHaveProperty('OPENCLAW_GATEWAY_TOKEN');
    expect(env).not.toHaveProperty('AWS_SECRET_ACCESS_KEY');
    expect(env).not.toHaveProperty('GITHUB_TOKEN');
    expect(env).not.toHaveProperty('GIT_DIR');
    expect(Object.values(env)).not.toContain('gateway-token');
    expect(Object.values(env)).not.toContain('aws-secret');
  });

  it('leaves out variables that are not set', () => {
    expect(gitEnvironment({ PATH: '/bin' })).toEqual({ GIT_TERMINAL_PROMPT: '0', PATH: '/bin' });
  });

  it('treats blank values as unset (compose passes unset variables as empty strings)', () => {
    // git would run "" as its ssh command and fail every ssh remote.
    expect(gitEnvironment({ PATH: '/bin', GIT_SSH_COMMAND: '', GIT_SSH: '  ', SSH_AUTH_SOCK: '' })).toEqual({
      GIT_TERMINAL_PROMPT: '0',
      PATH: '/bin',
    });
  });

  it('reads process.env by default', () => {
    expect(gitEnvironment().PATH).toBe(process.env.PATH);
  });
});

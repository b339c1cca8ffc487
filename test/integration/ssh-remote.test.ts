// The workspace sync over SSH, run inside the watcher image as compose runs it (read-only root fs,
// no capabilities, ~/.ssh mounted read-only, GIT_SSH_COMMAND passed empty), against a real sshd:
// it clones with the pinned host key, and refuses a changed or unknown host key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { buildImage, WATCHER_TEST_IMAGE } from './support/engine.ts';
import { run, waitFor } from './support/run.ts';

const TEST_TAG = process.env.OCF_TEST_TAG ?? 'test';
const SSHD_IMAGE = `openclaw-failover-git-sshd:${TEST_TAG}`;
const FIXTURE = fileURLToPath(new URL('../fixtures/git-sshd', import.meta.url));
const REMOTE = 'git@git-server:/home/git/workspace.git';

// Runs the watcher's own compiled sync in the image and prints its outcome as JSON.
const SYNC_SCRIPT = `
import('/app/dist/git/workspace-sync.js').then(async ({ createWorkspaceSync }) => {
  const sync = createWorkspaceSync({ dir: '/tmp/ws', remote: process.env.WORKSPACE_REMOTE, branch: 'main', timeoutMs: 20000 });
  console.log(JSON.stringify(await sync.sync()));
});
`;

// The primary's push cycle (openclaw-failover push), compiled, in the same image: a workspace with
// a new file is committed and pushed over SSH, and prints its outcome as JSON.
const PUSH_SCRIPT = `
import('/app/dist/push/push-cycle.js').then(async ({ runPushCycle }) => {
  const fs = await import('node:fs');
  fs.mkdirSync('/tmp/pws/memory', { recursive: true });
  fs.writeFileSync('/tmp/pws/memory/pushed-over-ssh.md', process.env.MARK + '\\n');
  const outcome = await runPushCycle({ dir: '/tmp/pws', remote: process.env.WORKSPACE_REMOTE, branch: 'main', timeoutMs: 20000, host: 'openclaw-primary', ignore: [] }, 'ssh test');
  console.log(JSON.stringify(outcome));
});
`;

describe('workspace sync over SSH with a pinned host key', () => {
  const name = `ocf-it-ssh-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const network = `${name}-net`;
  const server = `${name}-sshd`;
  const volumes = { good: `${name}-ssh-good`, changed: `${name}-ssh-changed`, unknown: `${name}-ssh-unknown` };

  /** Writes files into a volume as root, then hands it to uid 1000 (ssh wants its key private). */
  async function fillVolume(volume: string, script: string, env: Record<string, string> = {}): Promise<string> {
    const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    const out = await run('docker', [
      'run', '--rm', '--user', 'root', '--network', 'none', '-v', `${volume}:/s`, ...envArgs, '--entrypoint', 'sh', WATCHER_TEST_IMAGE,
      '-c', `set -e; ${script}; chown -R 1000:1000 /s; chmod 700 /s`,
    ]);
    return out.stdout;
  }

  async function pushWith(volume: string, mark: string): Promise<{ kind?: string; pushed?: boolean; error?: string }> {
    const out = await run('docker', [
      'run', '--rm', '--network', network,
      '--read-only', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges:true',
      '--tmpfs', '/tmp:rw,noexec,nosuid,nodev,size=16m,mode=1777',
      '-v', `${volume}:/home/node/.ssh:ro`,
      '-e', 'GIT_SSH_COMMAND=', '-e', `WORKSPACE_REMOTE=${REMOTE}`, '-e', `MARK=${mark}`,
      '--entrypoint', 'node', WATCHER_TEST_IMAGE, '-e', PUSH_SCRIPT,
    ], { timeoutMs: 60_000 });
    return JSON.parse(out.stdout.trim().split('\n').at(-1) ?? '{}') as { kind?: string; pushed?: boolean; error?: string };
  }

  async function syncWith(volume: string): Promise<{ ok?: boolean; summary?: string; error?: string }> {
    const out = await run('docker', [
      'run', '--rm', '--network', network,
      '--read-only', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges:true',
      '--tmpfs', '/tmp:rw,noexec,nosuid,nodev,size=16m,mode=1777',
      '-v', `${volume}:/home/node/.ssh:ro`,
      // As compose passes an unset ${GIT_SSH_COMMAND:-}.
      '-e', 'GIT_SSH_COMMAND=', '-e', `WORKSPACE_REMOTE=${REMOTE}`,
      '--entrypoint', 'node', WATCHER_TEST_IMAGE, '-e', SYNC_SCRIPT,
    ], { timeoutMs: 60_000 });
    return JSON.parse(out.stdout.trim().split('\n').at(-1) ?? '{}') as { ok?: boolean; summary?: string; error?: string };
  }

  beforeAll(async () => {
    await buildImage(SSHD_IMAGE, FIXTURE);
    await run('docker', ['network', 'create', '--internal', network]);
    // The client key, made in the good volume; the other volumes get the same key.
    const publicKey = (await fillVolume(volumes.good, 'ssh-keygen -q -t ed25519 -N "" -C watcher -f /s/id_ed25519; cat /s/id_ed25519.pub')).trim();
    await run('docker', ['run', '-d', '--name', server, '--network', network, '--network-alias', 'git-server', '-e', `AUTHORIZED_KEY=${publicKey}`, SSHD_IMAGE]);
    await waitFor('sshd serving the repository', async () => {
      const logs = await run('docker', ['logs', server], { allowFailure: true });
      return (logs.stdout + logs.stderr).includes('Server listening');
    }, { timeoutMs: 60_000 });
    const hostKey = (await run('docker', ['exec', server, 'cat', '/etc/ssh/ssh_host_ed25519_key.pub'])).stdout.trim().split(' ').slice(0, 2).join(' ');
    await fillVolume(volumes.good, 'printf "git-server %s\\n" "$HOST_KEY" > /s/known_hosts', { HOST_KEY: hostKey });
    // Same client key, but a different key pinned for git-server (a server impersonated or rebuilt).
    const keyScript = 'printf "%s\\n" "$PRIVATE" > /s/id_ed25519; chmod 600 /s/id_ed25519';
    const privateKey = (await run('docker', ['run', '--rm', '--user', 'root', '-v', `${volumes.good}:/s:ro`, '--entrypoint', 'cat', WATCHER_TEST_IMAGE, '/s/id_ed25519'])).stdout.trim();
    await fillVolume(volumes.changed, `${keyScript}; ssh-keygen -q -t ed25519 -N "" -f /tmp/other; printf "git-server %s\\n" "$(cut -d" " -f1,2 /tmp/other.pub)" > /s/known_hosts`, { PRIVATE: privateKey });
    // Same client key, nothing pinned at all.
    await fillVolume(volumes.unknown, `${keyScript}; : > /s/known_hosts`, { PRIVATE: privateKey });
  });

  afterAll(async () => {
    await run('docker', ['rm', '-f', '-v', server], { allowFailure: true });
    await run('docker', ['network', 'rm', network], { allowFailure: true });
    await run('docker', ['volume', 'rm', ...Object.values(volumes)], { allowFailure: true });
  });

  it('clones the workspace when the host key matches the pinned one', async () => {
    const outcome = await syncWith(volumes.good);
    expect(outcome.error).toBeUndefined();
    expect(outcome.ok).toBe(true);
    expect(outcome.summary).toMatch(/^cloned at [0-9a-f]{12}$/);
  });

  it('refuses a server whose host key differs from the pinned one', async () => {
    const outcome = await syncWith(volumes.changed);
    expect(outcome.ok).toBe(false);
    expect(outcome.error).toMatch(/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/);
  });

  it('refuses a server whose host key is not pinned at all (no trust on first use)', async () => {
    const outcome = await syncWith(volumes.unknown);
    expect(outcome.ok).toBe(false);
    expect(outcome.error).toMatch(/Host key verification failed|No .* host key is known/);
  });

  it('the primary\'s push cycle pushes over SSH with the pinned host key (read-only ~/.ssh, read-only root fs)', async () => {
    const mark = `pushed ${Date.now()}`;
    const outcome = await pushWith(volumes.good, mark);
    expect(outcome.error).toBeUndefined();
    expect(outcome).toMatchObject({ kind: 'synced', pushed: true });
    const shown = await run('docker', ['exec', '-u', 'git', server, 'git', '-C', '/home/git/workspace.git', 'show', 'main:memory/pushed-over-ssh.md']);
    expect(shown.stdout.trim()).toBe(mark);
  });

  it('the push cycle refuses a server whose host key differs from the pinned one, and pushes nothing', async () => {
    const before = (await run('docker', ['exec', '-u', 'git', server, 'git', '-C', '/home/git/workspace.git', 'rev-parse', 'main'])).stdout.trim();
    const outcome = await pushWith(volumes.changed, 'must not arrive');
    expect(outcome.kind).toBe('failed');
    expect(outcome.error).toMatch(/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/);
    expect((await run('docker', ['exec', '-u', 'git', server, 'git', '-C', '/home/git/workspace.git', 'rev-parse', 'main'])).stdout.trim()).toBe(before);
  });
});

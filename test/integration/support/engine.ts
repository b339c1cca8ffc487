// The real Docker engine the integration tests drive. No engine is a failure, never a skip.
import { run } from './run.ts';

// OCF_TEST_TAG lets two checkouts on one engine (worktrees, parallel branches) test side by
// side without building over each other's images.
const TEST_TAG = process.env.OCF_TEST_TAG ?? 'test';
export const WATCHER_TEST_IMAGE = `openclaw-failover:${TEST_TAG}`;
export const FAKE_GATEWAY_IMAGE = `openclaw-failover-fake-gateway:${TEST_TAG}`;
export const SOCKET_PROXY_TEST_IMAGE = `openclaw-failover-socket-proxy:${TEST_TAG}`;
/** The tests' IRC server (test/fixtures/ircd): the chat service channel tests judge by. */
export const IRCD_IMAGE = `openclaw-failover-ircd:${TEST_TAG}`;
export const OPENCLAW_IMAGE = 'ghcr.io/openclaw/openclaw:2026.9.6';

export async function requireDockerEngine(): Promise<void> {
  const info = await run('docker', ['info', '--format', '{{.ServerVersion}}'], { allowFailure: true, timeoutMs: 20_000 }).catch(
    (error: unknown) => ({ code: 1, stdout: '', stderr: String(error) }),
  );
  if (info.code !== 0) {
    throw new Error(
      `No Docker engine is reachable (docker info: ${info.stderr.trim().split('\n')[0] ?? 'no output'}).\n` +
        'The integration tests need a real engine: run `sudo ../shared/ci/docker-engine.sh` (as CI does) and try again.',
    );
  }
  const compose = await run('docker', ['compose', 'version', '--short'], { allowFailure: true });
  if (compose.code !== 0) throw new Error('Docker Compose v2 is missing: run `sudo ../shared/ci/docker-engine.sh`.');
}

export async function imageExists(tag: string): Promise<boolean> {
  return (await run('docker', ['image', 'inspect', tag], { allowFailure: true })).code === 0;
}

export async function dockerSocketGid(): Promise<string> {
  return (await run('stat', ['-c', '%g', '/var/run/docker.sock'])).stdout.trim();
}

export async function buildImage(tag: string, context: string): Promise<void> {
  await run('docker', ['build', '-q', '-t', tag, context], { timeoutMs: 600_000 });
}

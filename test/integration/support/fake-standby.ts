// The standby project most integration suites start from: the project's own compose files, the
// fake gateway as openclaw-standby, a fake primary on its own network standing in for the
// tailnet, and fast checks. Each suite adds or overrides what it is about.
import { dockerSocketGid, FAKE_GATEWAY_IMAGE, WATCHER_TEST_IMAGE } from './engine.ts';

export const FAKE_STANDBY_FILES = ['docker-compose.yml', 'compose.standby.yml', 'test/fixtures/compose.fake-primary.yml'];

export async function fakeStandbyEnv(overrides: Record<string, string> = {}): Promise<Record<string, string>> {
  return {
    WATCHER_IMAGE: WATCHER_TEST_IMAGE,
    OPENCLAW_IMAGE: FAKE_GATEWAY_IMAGE,
    FAKE_GATEWAY_IMAGE,
    OPENCLAW_GATEWAY_HOST: '127.0.0.1',
    OPENCLAW_GATEWAY_PORT: '',
    OPENCLAW_STANDBY_CONFIG_DIR: './config/ci',
    OPENCLAW_SKIP_CHANNELS: '1',
    OPENCLAW_GATEWAY_TOKEN: 'integration-test-token-0123456789',
    DOCKER_GID: await dockerSocketGid(),
    PRIMARY_URL: 'http://fake-primary:18789/healthz',
    CHECK_INTERVAL: '0.5',
    CHECK_TIMEOUT: '0.5',
    FAIL_THRESHOLD: '3',
    RECOVER_THRESHOLD: '3',
    // The suites time hand-backs; MIN_PROMOTED's own behaviour is unit tested.
    MIN_PROMOTED: '0',
    ...overrides,
  };
}

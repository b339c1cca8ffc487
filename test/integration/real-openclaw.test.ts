// The end-to-end path with the real OpenClaw gateway image on both sides: the project's own
// compose files with both profiles, a primary on its own network, channel-free configs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FULL_RUN } from './support/full-run.ts';
import { ComposeProject } from './support/compose-project.ts';
import { dockerSocketGid, imageExists, OPENCLAW_IMAGE, WATCHER_TEST_IMAGE } from './support/engine.ts';
import { run, waitFor } from './support/run.ts';

// Full run only (support/full-run.ts): the e2e scenarios promote and demote the same real gateway,
// judged by the chat server as well, in every CI run.
describe.skipIf(!FULL_RUN)('failover with the real OpenClaw gateway', () => {
  let project: ComposeProject;

  beforeAll(async () => {
    if (!(await imageExists(OPENCLAW_IMAGE))) {
      throw new Error(`${OPENCLAW_IMAGE} is not in the local image cache: run \`sudo ../shared/ci/docker-engine.sh --openclaw\`.`);
    }
    project = new ComposeProject('ocf-real', ['docker-compose.yml', 'compose.standby.yml', 'scripts/compose.demo.yml'], {
      COMPOSE_PROFILES: 'primary,standby',
      WATCHER_IMAGE: WATCHER_TEST_IMAGE,
      OPENCLAW_GATEWAY_HOST: '127.0.0.1',
      OPENCLAW_GATEWAY_PORT: '',
      OPENCLAW_PRIMARY_CONFIG_DIR: './config/ci',
      OPENCLAW_STANDBY_CONFIG_DIR: './config/ci',
      OPENCLAW_SKIP_CHANNELS: '1',
      OPENCLAW_GATEWAY_TOKEN: 'real-e2e-token-0123456789abcdef',
      DOCKER_GID: await dockerSocketGid(),
      PRIMARY_URL: 'http://openclaw-gateway:18789/healthz',
      CHECK_INTERVAL: '2',
      CHECK_TIMEOUT: '2',
      FAIL_THRESHOLD: '3',
      RECOVER_THRESHOLD: '3',
      MIN_PROMOTED: '0',
      PROMOTE_READY_TIMEOUT: '90',
    });
    await project.up();
  });

  afterAll(async () => {
    const logs = await project.logs('watcher');
    console.log(`--- watcher logs (${project.name}) ---\n${logs.split('\n').slice(-40).join('\n')}`);
    await project.down();
  });

  it('promotes the real standby gateway to ready when the primary is killed, and demotes it when the primary is back', async () => {
    // The primary boots (~15 s to /healthz); meanwhile the stray standby from `up -d` is stopped.
    await waitFor('primary healthy as seen by the watcher', async () => {
      const s = await project.status();
      return s.phase === 'watching' && s.primary.lastProbe?.ok === true ? s : undefined;
    }, { timeoutMs: 90_000, intervalMs: 1_000 });
    expect((await project.inspect('openclaw-standby')).running).toBe(false);

    const primary = await project.containerId('openclaw-gateway');
    const killedAt = Date.now();
    await run('docker', ['kill', primary]);
    const promoted = await project.waitForPhase('promoted', 90_000);
    const readyAfter = Date.now() - killedAt;
    expect(promoted.lastTransition).toMatchObject({ kind: 'promotion', outcome: 'succeeded' });

    // Ask the standby itself, through its published port on loopback.
    const port = (await project.compose(['port', 'openclaw-standby', '18789'])).stdout.trim();
    const ready = await fetch(`http://${port}/readyz`, { signal: AbortSignal.timeout(5_000) });
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true });
    console.log(`[real] primary killed → standby ready (seen by test) ${(readyAfter / 1000).toFixed(1)} s; timings ${JSON.stringify(promoted.lastTransition?.timings)}`);

    const restartedAt = Date.now();
    await run('docker', ['start', primary]);
    const demoted = await project.waitForPhase('watching', 120_000);
    await waitFor('standby stopped', async () => !(await project.inspect('openclaw-standby')).running, { timeoutMs: 20_000 });
    expect(demoted.lastTransition).toMatchObject({ kind: 'demotion', outcome: 'succeeded' });
    console.log(`[real] primary restarted → standby stopped ${((Date.now() - restartedAt) / 1000).toFixed(1)} s (includes the primary's own boot); timings ${JSON.stringify(demoted.lastTransition?.timings)}`);
  });
});

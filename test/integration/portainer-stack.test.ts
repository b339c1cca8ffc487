// The standby as a Portainer stack: deployed from an EMPTY directory holding only
// portainer/standby.stack.yml and an env file (what Portainer's web editor has: one compose file
// and environment variables, no checkout, no build). The standby's OpenClaw config comes from the
// stack's inline `configs: content:`. A fake primary stands in for the primary host; the stack must
// promote when it stops and demote when it is back, and `down -v` must leave nothing behind.
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerSocketGid, FAKE_GATEWAY_IMAGE, imageExists, OPENCLAW_IMAGE, WATCHER_TEST_IMAGE } from './support/engine.ts';
import { REPO_ROOT, type StatusDoc } from './support/compose-project.ts';
import { run, waitFor } from './support/run.ts';

describe('portainer/standby.stack.yml from an empty directory', () => {
  const project = `ocf-it-portainer-${process.env.OCF_TEST_TAG ?? 'test'}-${process.pid}`;
  const watcher = `${project}-watcher`;
  const primary = `${project}-primary`;
  let dir: string;
  // Only what a shell on the host has: no COMPOSE_FILE, no .env, nothing of the repository.
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root' };
  const compose = (args: string[], allowFailure = false) =>
    run('docker', ['compose', '-p', project, '-f', 'stack.yml', '--env-file', 'x.env', ...args], { cwd: dir, env, timeoutMs: 240_000, allowFailure });

  async function status(): Promise<StatusDoc> {
    return JSON.parse((await run('docker', ['exec', watcher, 'openclaw-failover', 'status', '--json'], { timeoutMs: 15_000 })).stdout) as StatusDoc;
  }
  async function standbyRunning(): Promise<boolean> {
    const id = (await compose(['ps', '-a', '-q', 'openclaw-standby'])).stdout.trim();
    return (await run('docker', ['inspect', '--format', '{{.State.Running}}', id])).stdout.trim() === 'true';
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ocf-portainer-'));
    copyFileSync(join(REPO_ROOT, 'portainer/standby.stack.yml'), join(dir, 'stack.yml'));
    writeFileSync(join(dir, 'x.env'), [
      `WATCHER_IMAGE=${WATCHER_TEST_IMAGE}`,
      `OPENCLAW_IMAGE=${FAKE_GATEWAY_IMAGE}`,
      `WATCHER_CONTAINER_NAME=${watcher}`,
      `DOCKER_GID=${await dockerSocketGid()}`,
      'PRIMARY_URL=http://fake-primary:18789/healthz',
      'OPENCLAW_GATEWAY_TOKEN=portainer-test-token-0123456789abcdef',
      'OPENCLAW_GATEWAY_PORT=',
      'OPENCLAW_SKIP_CHANNELS=1',
      'CHECK_INTERVAL=0.5',
      'CHECK_TIMEOUT=0.5',
      'MIN_PROMOTED=0',
      '',
    ].join('\n'));
    expect(readdirSync(dir).sort()).toEqual(['stack.yml', 'x.env']);
    // The primary host: a fake gateway on the stack's network under the name PRIMARY_URL uses
    // (created first, so the watcher's very first probe can reach it). No restart policy.
    await run('docker', ['run', '-d', '--name', primary, '--label', `ocf-test=${project}`, FAKE_GATEWAY_IMAGE]);
    await compose(['create']);
    await run('docker', ['network', 'connect', '--alias', 'fake-primary', `${project}_default`, primary]);
    await compose(['up', '-d']);
  });

  afterAll(async () => {
    const logs = await run('docker', ['logs', '--tail', '20', watcher], { allowFailure: true });
    console.log(`--- watcher logs (${project}) ---\n${logs.stdout}${logs.stderr}`);
    // The stand-in primary first: while it is attached, the stack's network cannot be removed.
    await run('docker', ['rm', '-f', '-v', primary], { allowFailure: true });
    await compose(['down', '-v', '--remove-orphans', '--timeout', '2'], true);
    rmSync(dir, { recursive: true, force: true });
  });

  it('deploys: the watcher watches the primary and keeps the standby gateway stopped', async () => {
    await waitFor('watching a healthy primary', async () => {
      const s = await status();
      return s.phase === 'watching' && s.primary.lastProbe?.ok === true ? s : undefined;
    }, { timeoutMs: 60_000, intervalMs: 500 });
    await waitFor('the standby gateway stopped', async () => !(await standbyRunning()), { timeoutMs: 30_000 });
  });

  it('the prepare one-shot ran before the gateway and the watcher reads its report', async () => {
    const id = (await compose(['ps', '-a', '-q', 'openclaw-standby-prepare'])).stdout.trim();
    expect((await run('docker', ['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', id])).stdout.trim()).toBe('exited 0');
    // The inline config has no channel (its example is commented out): nothing to install.
    expect((await run('docker', ['logs', id])).stdout).toContain('the standby config has no channel: nothing to install');
    const s = await waitFor('the watcher read the prepare report', async () => {
      const doc = await status();
      return doc.standbyPrepared.state === 'ready' ? doc : undefined;
    }, { timeoutMs: 30_000, intervalMs: 500 });
    expect(s.standbyPrepared).toMatchObject({ state: 'ready', path: '/var/lib/openclaw-failover-prepare/standby-prepare.json', summary: 'prepared: the standby config has no channel' });
  });

  it('promotes when the primary stops; the standby runs with the inline config', async () => {
    await run('docker', ['stop', '-t', '1', primary]);
    const promoted = await waitFor('promotion', async () => {
      const s = await status();
      return s.phase === 'promoted' ? s : undefined;
    }, { timeoutMs: 90_000, intervalMs: 250 });
    expect(promoted.lastTransition).toMatchObject({ kind: 'promotion', outcome: 'succeeded' });
    expect(await standbyRunning()).toBe(true);
    const id = (await compose(['ps', '-q', 'openclaw-standby'])).stdout.trim();
    const config = (await run('docker', ['exec', id, 'cat', '/config/openclaw.json'])).stdout;
    expect(config).toContain('gateway: { mode: "local", bind: "lan", port: 18789, auth: { mode: "token" } }');
    expect(config).toContain('cron: { enabled: false }');
    // Compose turned `$${NAME}` into OpenClaw's own `${NAME}` substitution.
    expect(config).toContain('"${STANDBY_CHANNEL_TOKEN}"');
  });

  it('demotes when the primary is back', async () => {
    await run('docker', ['start', primary]);
    const demoted = await waitFor('demotion', async () => {
      const s = await status();
      return s.phase === 'watching' && s.lastTransition?.kind === 'demotion' && s.lastTransition.finishedAt ? s : undefined;
    }, { timeoutMs: 90_000, intervalMs: 250 });
    expect(demoted.lastTransition?.outcome).toBe('succeeded');
    expect(await standbyRunning()).toBe(false);
  });

  it('the primary stack is just as self-contained: it validates from an empty directory too', async () => {
    const other = mkdtempSync(join(tmpdir(), 'ocf-portainer-primary-'));
    try {
      copyFileSync(join(REPO_ROOT, 'portainer/primary.stack.yml'), join(other, 'stack.yml'));
      writeFileSync(join(other, 'x.env'), 'OPENCLAW_GATEWAY_TOKEN=t0123456789\n');
      const out = await run('docker', ['compose', '-p', `${project}-p`, '-f', 'stack.yml', '--env-file', 'x.env', 'config', '--format', 'json'], { cwd: other, env });
      const doc = JSON.parse(out.stdout) as { services: Record<string, { image: string; build?: unknown; volumes?: Array<{ type: string }> }> };
      expect(Object.keys(doc.services)).toEqual(['openclaw-gateway']);
      expect(doc.services['openclaw-gateway']?.build).toBeUndefined();
      expect(doc.services['openclaw-gateway']?.volumes?.map((v) => v.type)).toEqual(['volume']);
      const missing = await run('docker', ['compose', '-p', `${project}-p`, '-f', 'stack.yml', 'config'], { cwd: other, env, allowFailure: true });
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toContain('OPENCLAW_GATEWAY_TOKEN');
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('down -v leaves nothing of the stack behind', async () => {
    // The stand-in primary is not part of the stack; it only borrowed its network.
    await run('docker', ['rm', '-f', '-v', primary]);
    await compose(['down', '-v', '--remove-orphans', '--timeout', '2']);
    const label = `label=com.docker.compose.project=${project}`;
    for (const kind of [['ps', '-a'], ['volume', 'ls'], ['network', 'ls']]) {
      const out = await run('docker', [...kind, '-q', '--filter', label]);
      expect(out.stdout.trim()).toBe('');
    }
  });
});

// The inline openclaw.json of each stack, as Compose hands it to the gateway, must satisfy the real
// gateway's strict schema (unknown keys stop it), also with its example channel line uncommented.
// `openclaw config validate` runs with no network at all: nothing is dialled.
describe('the stacks\' inline OpenClaw configs and the real gateway', () => {
  for (const [file, config, tokenVar] of [
    ['standby.stack.yml', 'standby-openclaw-config', 'STANDBY_CHANNEL_TOKEN'],
    ['primary.stack.yml', 'primary-openclaw-config', 'PRIMARY_CHANNEL_TOKEN'],
  ] as const) {
    it(`${file}: ${config} validates, as shipped and with its example channel`, async () => {
      if (!(await imageExists(OPENCLAW_IMAGE))) throw new Error(`${OPENCLAW_IMAGE} is not in the local image cache: run \`sudo ../shared/ci/docker-engine.sh --openclaw\`.`);
      const dir = mkdtempSync(join(tmpdir(), 'ocf-portainer-config-'));
      try {
        copyFileSync(join(REPO_ROOT, 'portainer', file), join(dir, 'stack.yml'));
        writeFileSync(join(dir, 'x.env'), 'PRIMARY_URL=http://p:18789/healthz\nDOCKER_GID=0\nOPENCLAW_GATEWAY_TOKEN=t0123456789\n');
        const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root' };
        const out = await run('docker', ['compose', '-p', 'ocf-portainer-config', '-f', 'stack.yml', '--env-file', 'x.env', 'config', '--format', 'json'], { cwd: dir, env });
        // `config` re-escapes $ as $$; the file the gateway reads has one (see the deploy test above).
        const content = (JSON.parse(out.stdout) as { configs: Record<string, { content: string }> }).configs[config]?.content.replaceAll('$$', '$') ?? '';
        expect(content).toContain('mode: "local"');
        const variants = { shipped: content, 'with-channel': content.replace('// channels:', 'channels:') };
        expect(variants['with-channel']).not.toBe(content);
        for (const [name, text] of Object.entries(variants)) {
          const path = join(dir, `${name}.json`);
          writeFileSync(path, text, { mode: 0o644 });
          const validate = await run('docker', [
            'run', '--rm', '--network', 'none', '-e', `${tokenVar}=placeholder`, '-e', 'OPENCLAW_CONFIG_PATH=/config/openclaw.json',
            '-e', 'OPENCLAW_STATE_DIR=/tmp/state', '-e', 'HOME=/tmp', '-v', `${path}:/config/openclaw.json:ro`,
            OPENCLAW_IMAGE, 'node', 'openclaw.mjs', 'config', 'validate',
          ], { allowFailure: true, timeoutMs: 180_000 });
          const said = validate.stdout + validate.stderr;
          expect({ name, code: validate.code }).toEqual({ name, code: 0 });
          expect(said).toContain('Config valid');
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

// "A standby that could not become reachable is reported at deploy time", with the REAL OpenClaw
// image running openclaw-standby-prepare (compose.standby.yml's inline script). The standby config
// (config/ci-broken-standby) configures the IRC channel but does not trust its plugin: OpenClaw
// would install @openclaw/irc and never load it, and the gateway would answer /readyz "ready" while
// nobody can reach it. The prepare one-shot installs the plugin (from the npm registry: the
// project's default network is a plain bridge) and refuses the config; nothing ever connects to an
// IRC server, and the gateway with the channel never starts. Then every surface must say so:
// `up -d` fails naming the one-shot, the standby gateway never ran, the watcher's /healthz is 503
// with the channel and the reason, `status` prints the NOT prepared line, `check` exits 2 naming
// the channel and the fix, and a critical `standby-not-prepared` notification went out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeStandbyEnv, FAKE_STANDBY_FILES } from './support/fake-standby.ts';
import { ComposeProject } from './support/compose-project.ts';
import { imageExists, OPENCLAW_IMAGE } from './support/engine.ts';
import { run, waitFor, type RunResult } from './support/run.ts';

const UNTRUSTED = 'does not trust it';

describe('openclaw-standby-prepare with the real OpenClaw image: an unreachable standby fails the deploy', () => {
  let project: ComposeProject;
  let upResult: RunResult;
  let upSeconds = 0;

  beforeAll(async () => {
    if (!(await imageExists(OPENCLAW_IMAGE))) throw new Error(`${OPENCLAW_IMAGE} is not in the local image cache: run \`sudo ../shared/ci/docker-engine.sh --openclaw\`.`);
    project = new ComposeProject(
      `ocf-it-prep-${process.env.OCF_TEST_TAG ?? 'test'}`,
      [...FAKE_STANDBY_FILES, 'test/fixtures/compose.receiver.yml', 'test/fixtures/compose.prepare-registry.yml'],
      await fakeStandbyEnv({
        // The real gateway image for the prepare one-shot (and the standby gateway, which must never start).
        OPENCLAW_IMAGE,
        OPENCLAW_STANDBY_CONFIG_DIR: './config/ci-broken-standby',
        // @openclaw/irc has no 2026.9.6 release; pinned, the prepare makes one install, not two.
        STANDBY_PLUGINS: 'irc=@openclaw/irc@2026.9.5',
        NOTIFY_WEBHOOK_URL: 'http://receiver:8088/hooks/standby-prepare',
      }),
    );
    const began = Date.now();
    // Bounded: an install from the registry plus one `openclaw config validate` on a loaded host.
    upResult = await project.compose(['up', '-d', '--no-build', '--quiet-pull'], { allowFailure: true, timeoutMs: 540_000 });
    upSeconds = (Date.now() - began) / 1000;
    console.log(`[standby-prepare] up -d exited ${upResult.code} after ${upSeconds.toFixed(1)} s`);
  }, 600_000);

  afterAll(async () => {
    if (!project) return;
    const logs = await project.logs('openclaw-standby-prepare');
    console.log(`--- openclaw-standby-prepare logs (${project.name}) ---\n${logs.split('\n').slice(-15).join('\n')}`);
    await project.down();
  });

  it('up -d fails, naming openclaw-standby-prepare, and the prepare log says why', async () => {
    expect(upResult.code).not.toBe(0);
    expect(upResult.stdout + upResult.stderr).toContain('openclaw-standby-prepare');
    const logs = await project.logs('openclaw-standby-prepare');
    // The plugin was really installed (the failure is the trust check, not a failed download)…
    expect(logs).toContain('installing @openclaw/irc@2026.9.5 for channel irc');
    // …and then refused, with the fix.
    expect(logs).toContain(`NOT READY: channel irc: plugin irc is installed but /config/openclaw.json ${UNTRUSTED}`);
    const prepare = await project.inspect('openclaw-standby-prepare');
    expect(prepare.running).toBe(false);
    const exit = (await run('docker', ['inspect', '--format', '{{.State.ExitCode}}', prepare.id])).stdout.trim();
    expect(exit).toBe('1');
  });

  it('the standby gateway never ran', async () => {
    // Compose creates every container before it starts them in dependency order: a gateway
    // container may exist, but it was never started (Docker's zero time).
    const ids = (await project.compose(['ps', '-a', '-q', 'openclaw-standby'])).stdout.trim().split('\n').filter(Boolean);
    expect(ids).toHaveLength(1);
    for (const id of ids) {
      const state = await project.containerState(id);
      expect(state.running).toBe(false);
      expect(state.startedAt).toMatch(/^0001-01-01/);
    }
  });

  it('the watcher answers /healthz 503 with the channel and the reason', async () => {
    const script = "fetch('http://127.0.0.1:8080/healthz').then(async (r) => process.stdout.write(r.status + ' ' + (await r.text())))";
    const health = await waitFor('/healthz 503', async () => {
      const out = (await run('docker', ['exec', project.watcherName, 'node', '-e', script], { timeoutMs: 15_000 })).stdout;
      return out.startsWith('503 ') ? out : undefined;
    }, { timeoutMs: 60_000, intervalMs: 1_000 });
    const body = JSON.parse(health.slice(4)) as { ok: boolean; alive: boolean; reason: string };
    expect(body.ok).toBe(false);
    expect(body.reason).toContain('standby NOT prepared: channel irc:');
    expect(body.reason).toContain(UNTRUSTED);
    expect(body.alive).toBe(true);
    // The container's HEALTHCHECK saw the 503 and its reason, and still passed: the watcher itself
    // works, and an unhealthy watcher would make Compose refuse the fixed redeploy (the last test).
    const log = await waitFor('a health check that saw the 503', async () => {
      const out = await run('docker', ['inspect', '--format', '{{json .State.Health}}', project.watcherName]);
      const h = JSON.parse(out.stdout) as { Status: string; Log: Array<{ ExitCode: number; Output: string }> };
      const seen = h.Log.filter((l) => l.Output.startsWith('503 ') && l.Output.includes('standby NOT prepared: channel irc:'));
      // Two checks at least: the container would have turned unhealthy after two failures.
      return seen.length >= 2 ? h : undefined;
    }, { timeoutMs: 90_000, intervalMs: 1_000 });
    expect(log.Status).toBe('healthy');
    expect(log.Log.filter((l) => l.Output.startsWith('503 ')).map((l) => l.ExitCode)).not.toContain(1);
  });

  it('`openclaw-failover status` prints the NOT prepared line', async () => {
    const out = await run('docker', ['exec', project.watcherName, 'openclaw-failover', 'status'], { timeoutMs: 30_000 });
    const line = out.stdout.split('\n').find((l) => l.startsWith('standby:'));
    expect(line).toBeDefined();
    expect(line).toContain('NOT prepared: channel irc: plugin irc is installed but');
    expect(line).toContain(UNTRUSTED);
  });

  it('`openclaw-failover check` exits 2, naming the channel and the fix', async () => {
    const out = await run('docker', ['exec', project.watcherName, 'openclaw-failover', 'check'], { timeoutMs: 60_000, allowFailure: true });
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('STANDBY NOT prepared: channel irc:');
    expect(out.stderr).toContain('  channel irc: plugin irc is installed but');
    expect(out.stderr).toContain('add plugins: { entries: { "irc": { enabled: true } } }');
    expect(out.stderr).toContain('run `docker compose --profile standby up -d` again');
  });

  it('a critical standby-not-prepared notification went out, naming the channel', async () => {
    const notification = await waitFor('a standby-not-prepared notification at the receiver', async () => {
      // compose prefixes log lines with terminal control codes; each record starts at its brace.
      const received = (await project.logs('receiver'))
        .split('\n')
        .filter((line) => line.includes('{"at"'))
        .map((line) => JSON.parse(line.slice(line.indexOf('{"at"'))) as { method: string; url: string; body: string })
        .filter((r) => r.method === 'POST' && r.url === '/hooks/standby-prepare')
        .map((r) => JSON.parse(r.body) as { event: string; severity: string; reason: string; text: string });
      return received.find((n) => n.event === 'standby-not-prepared');
    }, { timeoutMs: 60_000, intervalMs: 1_000 });
    expect(notification.severity).toBe('critical');
    expect(notification.reason).toContain('channel irc:');
    expect(notification.reason).toContain(UNTRUSTED);
    expect(notification.text).toContain('docker compose --profile standby up -d');
  });

  it('fixed (the plugin trusted) and redeployed: prepared, the watcher healthy again, a standby-prepared notification', async () => {
    // The operator's fix: the same channel, plugins.entries.irc.enabled: true. The warm-up boot is
    // skipped to keep CI short (a real gateway boot; its own path is the e2e suites').
    project.env.OPENCLAW_STANDBY_CONFIG_DIR = './config/ci-irc/standby';
    project.env.STANDBY_WARMUP = '0';
    // One `up -d`, as the docs say: the watcher that reported the failure must not block the fix.
    const began = Date.now();
    const out = await project.compose(['up', '-d', '--no-build', '--quiet-pull'], { allowFailure: true, timeoutMs: 300_000 });
    const said = (out.stderr + out.stdout).trim().split('\n').slice(-2).join(' | ');
    console.log(`[standby-prepare] fixed config, up -d: exit ${out.code} after ${((Date.now() - began) / 1000).toFixed(1)} s: ${said}`);
    const logs = await project.logs('openclaw-standby-prepare');
    expect(logs).toContain('channel irc: plugin irc 2026.9.5 (installed, already installed)');
    expect({ code: out.code, said }).toMatchObject({ code: 0 });
    const script = "fetch('http://127.0.0.1:8080/healthz').then(async (r) => process.stdout.write(String(r.status)))";
    await waitFor('/healthz 200', async () => {
      const out = (await run('docker', ['exec', project.watcherName, 'node', '-e', script], { timeoutMs: 15_000 })).stdout;
      return out === '200' ? out : undefined;
    }, { timeoutMs: 60_000, intervalMs: 1_000 });
    const status = await run('docker', ['exec', project.watcherName, 'openclaw-failover', 'status'], { timeoutMs: 30_000 });
    expect(status.stdout).toContain('standby:    prepared: irc (plugin irc 2026.9.5)');
    const check = await run('docker', ['exec', project.watcherName, 'openclaw-failover', 'check'], { timeoutMs: 60_000, allowFailure: true });
    expect(check.stdout).toContain('standby prepared: irc (plugin irc 2026.9.5)');
    expect(check.stderr).not.toContain('STANDBY NOT prepared');
    await waitFor('a standby-prepared notification at the receiver', async () => {
      const received = (await project.logs('receiver'))
        .split('\n')
        .filter((line) => line.includes('{"at"'))
        .map((line) => JSON.parse(line.slice(line.indexOf('{"at"'))) as { method: string; url: string; body: string })
        .filter((r) => r.method === 'POST' && r.url === '/hooks/standby-prepare')
        .map((r) => JSON.parse(r.body) as { event: string });
      return received.some((n) => n.event === 'standby-prepared');
    }, { timeoutMs: 60_000, intervalMs: 1_000 });
  });
});

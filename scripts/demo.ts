// `npm run demo`: a whole failover on this machine with nothing to configure. It brings up the
// project's own compose files as one throwaway project (primary gateway on a network of its own
// standing in for the tailnet, standby gateway, watcher), kills the primary, shows the promotion,
// restarts the primary, shows the demotion, and removes everything. `--fake` uses a tiny fake
// gateway instead of the real OpenClaw image (no 15-25 s boots). Gateways run channel-free.
import { spawn, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const fake = process.argv.includes('--fake');
const project = `ocf-demo-${process.pid}`;
const watcherName = `${project}-watcher`;
const OPENCLAW_IMAGE = 'ghcr.io/openclaw/openclaw:2026.9.6';
const FAKE_IMAGE = 'openclaw-failover-fake-gateway:demo';
const WATCHER_IMAGE = 'openclaw-failover:demo';

const env: NodeJS.ProcessEnv = {
  ...process.env,
  COMPOSE_PROJECT_NAME: project,
  COMPOSE_FILE: 'docker-compose.yml:compose.standby.yml:scripts/compose.demo.yml',
  WATCHER_CONTAINER_NAME: watcherName,
  WATCHER_IMAGE,
  OPENCLAW_IMAGE: fake ? FAKE_IMAGE : OPENCLAW_IMAGE,
  OPENCLAW_GATEWAY_HOST: '127.0.0.1',
  OPENCLAW_GATEWAY_PORT: '',
  OPENCLAW_PRIMARY_CONFIG_DIR: './config/ci',
  OPENCLAW_STANDBY_CONFIG_DIR: './config/ci',
  OPENCLAW_SKIP_CHANNELS: '1',
  OPENCLAW_GATEWAY_TOKEN: `demo-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`,
  PRIMARY_URL: 'http://openclaw-gateway:18789/healthz',
  LOG_FORMAT: 'pretty',
  // Production keeps a promoted standby in charge at least 60 s; the demo shows the hold, shorter.
  MIN_PROMOTED: process.env.MIN_PROMOTED ?? '15',
};

function sh(args: string[], options: { quiet?: boolean; allowFailure?: boolean; timeoutMs?: number } = {}): string {
  try {
    return execFileSync('docker', args, {
      cwd: root,
      env,
      encoding: 'utf8',
      timeout: options.timeoutMs ?? 300_000,
      stdio: ['ignore', 'pipe', options.quiet ? 'pipe' : 'inherit'],
    });
  } catch (error) {
    if (options.allowFailure) return '';
    throw error;
  }
}

const compose = (...args: string[]): string => sh(['compose', '--project-directory', root, '--env-file', '/dev/null', ...args]);
const say = (text: string): void => console.log(`\n\x1b[1m==> ${text}\x1b[0m`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, timeoutMs: number, check: () => T | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const value = check();
      if (value !== undefined) return value;
    } catch {
      // not yet
    }
    await sleep(500);
  }
  throw new Error(`gave up waiting for ${what} after ${timeoutMs / 1000} s`);
}

function status(): { phase: string; lastTransition: { timings: Record<string, number> } | null } {
  return JSON.parse(sh(['exec', watcherName, 'openclaw-failover', 'status', '--json'], { quiet: true, timeoutMs: 10_000 })) as {
    phase: string;
    lastTransition: { timings: Record<string, number> } | null;
  };
}

let cleaned = false;
function cleanup(): void {
  if (cleaned) return;
  cleaned = true;
  say(`removing the demo project ${project}`);
  compose('down', '-v', '--remove-orphans', '--timeout', '2');
}

async function main(): Promise<void> {
  sh(['info', '--format', '{{.ServerVersion}}'], { quiet: true });
  if (!fake && !sh(['image', 'ls', '-q', OPENCLAW_IMAGE], { quiet: true }).trim()) {
    throw new Error(`${OPENCLAW_IMAGE} is not in the local image cache; pull it, or run \`npm run demo -- --fake\``);
  }
  env.DOCKER_GID = execFileSync('stat', ['-c', '%g', '/var/run/docker.sock'], { encoding: 'utf8' }).trim();

  say('building the watcher image from the Dockerfile');
  sh(['build', '-q', '-t', WATCHER_IMAGE, root]);
  if (fake) sh(['build', '-q', '-t', FAKE_IMAGE, `${root}test/fixtures/fake-gateway`]);

  say(`starting the primary gateway (${fake ? 'fake' : OPENCLAW_IMAGE}) and waiting until it is healthy`);
  env.COMPOSE_PROFILES = 'primary';
  compose('up', '-d', '--no-build', 'openclaw-gateway');
  const primaryPort = compose('port', 'openclaw-gateway', '18789').trim();
  await until('the primary to answer /healthz', 120_000, () => {
    const out = execFileSync('node', ['-e', `fetch('http://${primaryPort}/healthz').then(r=>r.json()).then(b=>process.exit(b.ok===true?0:1),()=>process.exit(1))`]);
    return out !== undefined ? true : undefined;
  });

  say('starting the standby side: docker compose --profile standby up -d (watcher + standby gateway)');
  env.COMPOSE_PROFILES = 'primary,standby';
  compose('up', '-d', '--no-build');
  const logs = spawn('docker', ['logs', '-f', '--since', '0s', watcherName], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  try {
    await until('the watcher to watch', 60_000, () => (status().phase === 'watching' ? true : undefined));
    await sleep(3_000);

    say('killing the primary: docker kill (the standby should be promoted)');
    const killedAt = Date.now();
    compose('kill', 'openclaw-gateway');
    const promoted = await until('promotion', 120_000, () => {
      const s = status();
      return s.phase === 'promoted' ? s : undefined;
    });
    const readyIn = (Date.now() - killedAt) / 1000;
    await sleep(2_000);

    say('starting the primary again (the standby should be demoted)');
    const restartedAt = Date.now();
    compose('start', 'openclaw-gateway');
    const demoted = await until('demotion', 180_000, () => {
      const s = status();
      return s.phase === 'watching' && s.lastTransition !== null && 'stopMs' in s.lastTransition.timings ? s : undefined;
    });
    const demotedIn = (Date.now() - restartedAt) / 1000;
    await sleep(1_000);

    say('summary');
    const t = promoted.lastTransition?.timings ?? {};
    const s = (ms: number | undefined): string => (ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(1)} s`);
    console.log(`  primary killed → promotion decided   ${s(t.detectionMs)}   (seed: ~30 s)`);
    console.log(`  decision → docker start returned      ${s((t.syncMs ?? 0) + (t.startMs ?? 0))}`);
    console.log(`  start → standby /readyz ready         ${s(t.readyMs)}`);
    console.log(`  primary killed → standby ready        ${readyIn.toFixed(1)} s (seen from outside; seed: ~60 s)`);
    console.log(`  primary started → standby stopped     ${demotedIn.toFixed(1)} s (includes the primary's own boot; ` +
      `recovery→decision ${s(demoted.lastTransition?.timings.detectionMs)}, stop ${s(demoted.lastTransition?.timings.stopMs)})`);
  } finally {
    logs.kill();
  }
}

process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

main()
  .then(() => cleanup())
  .catch((error: unknown) => {
    console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
    cleanup();
    process.exitCode = 1;
  });

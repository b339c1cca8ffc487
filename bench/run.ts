// `npm run bench`: failover figures on a real engine, with the real OpenClaw gateway and with the
// fake one (which separates the watcher's own cost from OpenClaw's boot), the watcher's footprint,
// and the false-promotion soak. Prints a table and writes JSON under bench/results/.
//   node bench/run.ts [--runs 5] [--variants real,fake] [--idle-seconds 60] [--no-soak] [--soak-live-minutes N]
import { missedTargets, type TargetCheck } from './targets.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

// Bench images get their own tag, so a bench never rebuilds the images a test run is using.
process.env.OCF_TEST_TAG ??= 'bench';
const { buildImage, FAKE_GATEWAY_IMAGE, imageExists, IRCD_IMAGE, OPENCLAW_IMAGE, requireDockerEngine, WATCHER_TEST_IMAGE } = await import('../test/integration/support/engine.ts');
const { FailoverPair } = await import('../test/e2e/support/failover-pair.ts');
const { measureFailover } = await import('./failover-runs.ts');
const { measureIdle } = await import('./watcher-resources.ts');
type Sample = Awaited<ReturnType<typeof measureFailover>>;

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    variants: { type: 'string', default: 'real,fake' },
    'idle-seconds': { type: 'string', default: '60' },
    'no-soak': { type: 'boolean', default: false },
    'soak-live-minutes': { type: 'string', default: '2' },
  },
});
const runs = Number(args.runs);
const variants = args.variants.split(',').map((v) => v.trim()).filter(Boolean);
for (const v of variants) if (v !== 'real' && v !== 'fake') throw new Error(`--variants: unknown variant "${v}" (expected real and/or fake)`);
if (!Number.isInteger(runs) || runs < 1 || runs > 50) throw new Error('--runs: expected a whole number from 1 to 50');

const root = fileURLToPath(new URL('..', import.meta.url));
const BASE_IMAGE = 'node:24-bookworm-slim';

interface Spread {
  median: number;
  min: number;
  max: number;
}
function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median: Math.round(median), min: Math.round(sorted[0]!), max: Math.round(sorted.at(-1)!) };
}

async function benchVariant(variant: 'real' | 'fake'): Promise<{ samples: Sample[]; resources?: Awaited<ReturnType<typeof measureIdle>> }> {
  const pair = await FailoverPair.create({
    prefix: `ocf-bench-${variant}`,
    gatewayImage: variant === 'real' ? OPENCLAW_IMAGE : FAKE_GATEWAY_IMAGE,
  });
  const samples: Sample[] = [];
  let resources: Awaited<ReturnType<typeof measureIdle>> | undefined;
  try {
    await pair.up();
    await pair.waitBaseline(180_000);
    if (variant === 'fake' || !variants.includes('fake')) {
      // Idle footprint, measured once, before any promotion.
      console.log(`[bench] ${variant}: watcher idle for ${args['idle-seconds']} s…`);
      resources = await measureIdle(pair.project.watcherName, { seconds: Number(args['idle-seconds']), image: WATCHER_TEST_IMAGE, baseImage: BASE_IMAGE });
    }
    for (let i = 1; i <= runs; i++) {
      const sample = await measureFailover(pair, { readyMs: 240_000, primaryBootMs: 240_000 });
      samples.push(sample);
      console.log(`[bench] ${variant} run ${i}/${runs}: ${(Object.entries(sample) as Array<[string, number]>).map(([k, v]) => `${k}=${Math.round(v)}`).join(' ')}`);
    }
  } finally {
    await pair.down();
  }
  return { samples, resources };
}

await requireDockerEngine();
if (variants.includes('real') && !(await imageExists(OPENCLAW_IMAGE))) {
  throw new Error(`${OPENCLAW_IMAGE} is not in the local image cache: run \`sudo ../shared/ci/docker-engine.sh --openclaw\`.`);
}
console.log('[bench] building the watcher, fake gateway and IRC server images…');
await Promise.all([buildImage(WATCHER_TEST_IMAGE, root), buildImage(FAKE_GATEWAY_IMAGE, `${root}test/fixtures/fake-gateway`), buildImage(IRCD_IMAGE, `${root}test/fixtures/ircd`)]);

const at = new Date().toISOString();
const results: Record<string, unknown> = {
  at,
  machine: { cpus: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30) },
  settings: { CHECK_INTERVAL: 2, CHECK_TIMEOUT: 2, FAIL_THRESHOLD: 3, RECOVER_THRESHOLD: 3, runs },
};
const rows: Array<[string, string, string]> = [];
const fmt = (s: Spread, unit: 'ms' | 's'): string =>
  unit === 's' ? `${(s.median / 1000).toFixed(1)} s (${(s.min / 1000).toFixed(1)}–${(s.max / 1000).toFixed(1)})` : `${s.median} ms (${s.min}–${s.max})`;

const checks: TargetCheck[] = [];
for (const variant of variants as Array<'real' | 'fake'>) {
  const { samples, resources } = await benchVariant(variant);
  const keys = [...new Set(samples.flatMap((x) => Object.keys(x)))] as Array<keyof Sample>;
  const figures = Object.fromEntries(
    keys.map((k) => [k, spread(samples.map((x) => x[k]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v)))]),
  ) as Record<keyof Sample, Spread>;
  results[variant] = { samples, figures };
  const gw = variant === 'real' ? 'real OpenClaw' : 'fake gateway';
  if (figures.dmMs) {
    // The headline: what a user feels. A cold standby (stopped, its volume prepared and warmed
    // at deploy time by openclaw-standby-prepare) with a real channel on the tests' IRC server.
    const stray = samples.reduce((n, x) => n + (x.strayJoins ?? 0), 0);
    rows.push(
      [`HEADLINE reachable: primary killed → standby bot answers a DM (${gw}, IRC)`, fmt(figures.dmMs, 's'), '≤ 20 s'],
      [`  primary killed → standby bot joined #ops`, fmt(figures.joinMs, 's'), ''],
      [`  channel: standby ready → channel live (the gateway's channels.status)`, fmt(figures.channelMs, 's'), ''],
      [`  primary back (MIN_PROMOTED=0 served) → standby bot gone`, fmt(figures.goneMs, 's'), '≤ 10 s'],
      [`  stray joins of the standby bot while the primary was healthy`, `${stray}`, '0'],
    );
    checks.push(
      { what: `primary killed → standby answers a DM (${gw}, IRC)`, value: figures.dmMs.median, max: 20_000, unit: 'ms' },
      { what: `primary back → standby bot gone (${gw}, IRC)`, value: figures.goneMs.median, max: 10_000, unit: 'ms' },
      { what: 'stray joins of the standby bot', value: stray, max: 0, unit: 'joins' },
    );
  }
  checks.push(
    { what: `detection (${gw})`, value: figures.detectionMs.median, max: 7_000, unit: 'ms' },
    { what: `watcher overhead (${gw})`, value: figures.overheadMs.median, max: 300, unit: 'ms' },
    { what: `demotion (${gw})`, value: figures.demotionMs.median, max: 10_000, unit: 'ms' },
  );
  if (variant === 'real') checks.push({ what: 'standby ready (real OpenClaw)', value: figures.readyMs.median, max: 30_000, unit: 'ms' });
  rows.push(
    [`detection: primary killed → promotion decided (${gw})`, fmt(figures.detectionMs, 's'), '≤ 7 s'],
    [`watcher overhead: decision → docker start issued, git sync incl. (${gw})`, fmt(figures.overheadMs, 'ms'), '≤ 300 ms'],
    [`start: decision → container running (${gw})`, fmt(figures.startMs, 'ms'), ''],
    [`gateway boot: container running → /readyz 200 (${gw})`, fmt(figures.bootMs, 's'), ''],
    [`standby ready: primary killed → standby /readyz 200 (${gw})`, fmt(figures.readyMs, 's'), variant === 'real' ? '≤ 30 s' : ''],
    [`demotion: primary healthy → standby stopped (${gw})`, fmt(figures.demotionMs, 's'), '≤ 10 s'],
  );
  if (resources) {
    results.resources = resources;
    checks.push({ what: 'watcher RSS idle (max)', value: resources.rssMiB.max, max: 80, unit: 'MiB' });
    rows.push(
      [`watcher RSS idle (${resources.idleSeconds} s): start / end / max`, `${resources.rssMiB.start} / ${resources.rssMiB.end} / ${resources.rssMiB.max} MiB`, '≤ 80 MB'],
      ['watcher CPU idle (share of one core)', `${resources.cpuPercent} %`, ''],
      ['watcher image (base image)', `${resources.imageMiB} MiB (${resources.baseImageMiB} MiB: +${resources.imageMiB - resources.baseImageMiB} MiB)`, ''],
    );
  }
}

if (!args['no-soak']) {
  const soakModule = new URL('./soak.ts', import.meta.url);
  const { runSoakForBench } = (await import(soakModule.href)) as { runSoakForBench: (o: { liveMinutes: number }) => Promise<{ rows: Array<[string, string, string]>; figures: unknown }> };
  const soak = await runSoakForBench({ liveMinutes: Number(args['soak-live-minutes']) });
  results.soak = soak.figures;
  rows.push(...soak.rows);
}

const width = Math.max(...rows.map((r) => r[0].length));
const valueWidth = Math.max(...rows.map((r) => r[1].length));
console.log(`\nopenclaw-failover benchmark, ${at}, ${cpus().length} cores, N=${runs}: median (min–max)\n`);
for (const [what, value, target] of rows) console.log(`${what.padEnd(width)}  ${value.padEnd(valueWidth)}  ${target}`);

const missed = missedTargets(checks);
mkdirSync(`${root}bench/results`, { recursive: true });
const file = `${root}bench/results/bench-${at.replace(/[:.]/g, '-')}.json`;
writeFileSync(file, `${JSON.stringify({ ...results, table: rows, missed }, null, 2)}\n`);
writeFileSync(`${root}bench/results/latest.json`, `${JSON.stringify({ ...results, table: rows, missed }, null, 2)}\n`);
console.log(`\nwritten: ${file} (and bench/results/latest.json)`);

if (missed.length > 0) {
  console.log(`\nMISSED TARGETS (${missed.length}):\n${missed.map((line) => `  - ${line}`).join('\n')}`);
  process.exitCode = 1;
} else {
  console.log(`\nall ${checks.length} targets met`);
}

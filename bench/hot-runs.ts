// `node bench/hot-runs.ts [--runs 5] [--modes hot,cold]`: hot and cold standby side by side in one
// run, with the real gateways and the tests' IRC server, judged by the chat server:
//   primary killed   → the standby bot answers a DM (a fresh nick gets OpenClaw's pairing reply);
//   primary healthy  → the standby bot is gone from the chat server (MIN_PROMOTED=0: served at once);
// and the standby gateway's memory at rest. Default check settings (CHECK_INTERVAL=2,
// FAIL_THRESHOLD=3, RECOVER_THRESHOLD=3). Exits 1 when a hot target is missed:
//   hot kill→DM median ≤ 8 s; hot healthy→gone median ≤ 5 s.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

process.env.OCF_TEST_TAG ??= 'bench';
const { buildImage, IRCD_IMAGE, requireDockerEngine, WATCHER_TEST_IMAGE } = await import('../test/integration/support/engine.ts');
const { ChannelPair } = await import('../test/e2e/support/hot-pair.ts');
const { STANDBY_BOT } = await import('../test/integration/support/irc-bed.ts');
const { dmUntilAnswered } = await import('../test/integration/support/irc-client.ts');
const { run, waitFor } = await import('../test/integration/support/run.ts');
type Pair = Awaited<ReturnType<typeof ChannelPair.create>>;

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '5' }, modes: { type: 'string', default: 'hot,cold' } } });
const runs = Number(args.runs);
const modeNames = args.modes.split(',').map((m) => m.trim());
for (const m of modeNames) if (m !== 'hot' && m !== 'cold') throw new Error(`--modes: unknown mode "${m}" (hot and/or cold)`);
const modes = modeNames as Array<'hot' | 'cold'>;
if (!Number.isInteger(runs) || runs < 1 || runs > 50) throw new Error('--runs: a whole number from 1 to 50');

const TARGET_DM_MS = 8_000;
const TARGET_GONE_MS = 5_000;
const root = fileURLToPath(new URL('..', import.meta.url));

interface Cycle {
  killToDmMs: number;
  healthyToGoneMs: number;
  dmAttempts: number;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function standbyMemoryMiB(pair: Pair): Promise<number | null> {
  const out = await run('docker', ['stats', '--no-stream', '--format', '{{.MemUsage}}', pair.standbyId], { allowFailure: true, timeoutMs: 60_000 });
  const m = /^([\d.]+)\s*(MiB|GiB|KiB|B)/.exec(out.stdout.trim());
  if (!m) return null;
  const scale = { B: 1 / 1048576, KiB: 1 / 1024, MiB: 1, GiB: 1024 } as const;
  return Math.round(Number(m[1]) * scale[m[2] as keyof typeof scale]);
}

async function atRest(pair: Pair): Promise<void> {
  await pair.project.waitForPhase('watching', 300_000);
  if (pair.mode === 'hot') await pair.waitHotAtRest(600_000);
  else await waitFor('cold standby stopped', async () => !(await pair.project.containerState(pair.standbyId)).running || undefined, { timeoutMs: 120_000, intervalMs: 500 });
  await waitFor('standby bot off the chat server', async () => !(await pair.standbyOnline()) || undefined, { timeoutMs: 120_000, intervalMs: 500 });
}

async function cycle(pair: Pair): Promise<Cycle> {
  const killedAt = Date.now();
  await run('docker', ['kill', pair.primaryId]);
  const dm = await dmUntilAnswered({ host: pair.ircdIp, bot: STANDBY_BOT, timeoutMs: 300_000, everyMs: 200 });
  await pair.project.waitForPhase('promoted', 120_000);
  await run('docker', ['start', pair.primaryId]);
  const healthyAt = await pair.waitPrimaryHealthy(300_000);
  await waitFor('standby bot gone', async () => !(await pair.standbyOnline()) || undefined, { timeoutMs: 180_000, intervalMs: 100 });
  const goneAt = Date.now();
  return { killToDmMs: dm.repliedAt - killedAt, healthyToGoneMs: goneAt - healthyAt, dmAttempts: dm.attempts };
}

await requireDockerEngine();
await Promise.all([buildImage(WATCHER_TEST_IMAGE, root), buildImage(IRCD_IMAGE, `${root}test/fixtures/ircd`)]);
const results: Record<string, { cycles: Cycle[]; memoryAtRestMiB: number | null }> = {};
for (const mode of modes) {
  const pair = await ChannelPair.create(`ocf-bench-${mode}`, mode);
  const cycles: Cycle[] = [];
  let memory: number | null;
  try {
    await pair.up();
    await atRest(pair);
    memory = await standbyMemoryMiB(pair);
    for (let i = 0; i < runs; i++) {
      const c = await cycle(pair);
      cycles.push(c);
      console.log(`[bench] ${mode} #${i + 1}: kill→DM ${(c.killToDmMs / 1000).toFixed(1)} s, healthy→gone ${(c.healthyToGoneMs / 1000).toFixed(1)} s (load ${loadavg()[0]!.toFixed(1)})`);
      await atRest(pair);
    }
  } finally {
    await pair.down();
  }
  results[mode] = { cycles, memoryAtRestMiB: memory };
}

console.log(`\nhot vs cold standby, N=${runs}, ${cpus().length} cores, default checks (CHECK_INTERVAL=2, FAIL_THRESHOLD=3), MIN_PROMOTED=0`);
console.log('| mode | primary killed → DM answered, median (min–max) | primary healthy → bot gone, median (min–max) | standby memory at rest |');
console.log('|---|---|---|---|');
const row = (ms: number[]): string => `${(median(ms) / 1000).toFixed(1)} s (${(Math.min(...ms) / 1000).toFixed(1)}–${(Math.max(...ms) / 1000).toFixed(1)})`;
for (const [mode, r] of Object.entries(results)) {
  console.log(`| ${mode} | ${row(r.cycles.map((c) => c.killToDmMs))} | ${row(r.cycles.map((c) => c.healthyToGoneMs))} | ${r.memoryAtRestMiB === null ? 'n/a' : `${r.memoryAtRestMiB} MiB`} |`);
}
mkdirSync(`${root}bench/results`, { recursive: true });
writeFileSync(`${root}bench/results/latest-hot.json`, `${JSON.stringify({ at: new Date().toISOString(), runs, cores: cpus().length, loadavg: loadavg(), results }, null, 2)}\n`);

const hot = results.hot;
if (hot) {
  const missed: string[] = [];
  const dm = median(hot.cycles.map((c) => c.killToDmMs));
  const gone = median(hot.cycles.map((c) => c.healthyToGoneMs));
  if (dm > TARGET_DM_MS) missed.push(`hot kill→DM median ${(dm / 1000).toFixed(1)} s > ${TARGET_DM_MS / 1000} s`);
  if (gone > TARGET_GONE_MS) missed.push(`hot healthy→gone median ${(gone / 1000).toFixed(1)} s > ${TARGET_GONE_MS / 1000} s`);
  if (missed.length > 0) {
    console.error(`TARGETS MISSED: ${missed.join('; ')}`);
    process.exitCode = 1;
  } else console.log('hot targets met');
}

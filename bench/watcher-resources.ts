// The watcher's own footprint while it idly watches a healthy primary: resident memory and CPU
// of its node process (from /proc inside the container, so Docker's page-cache accounting does
// not inflate it), and the size its image adds on top of the Node base image.
import { run } from '../test/integration/support/run.ts';

export interface ResourceFigures {
  idleSeconds: number;
  rssMiB: { start: number; end: number; max: number };
  /** Peak resident memory of the process since it started (VmHWM), promotions included. */
  rssPeakMiB: number;
  /** Average CPU use over the idle window, in percent of one core. */
  cpuPercent: number;
  imageMiB: number;
  baseImageMiB: number;
}

// One shell line: the watcher's node process (argv `node … openclaw-failover run`; not docker-init, the periodic
// healthcheck and this shell do not), its memory and CPU ticks.
const READ_PROC = [
  'for p in /proc/[0-9]*; do',
  '  c=$(tr "\\0" " " < "$p/cmdline" 2>/dev/null);',
  '  case "$c" in node*"openclaw-failover run ")',
  '    echo "$(grep VmRSS "$p/status" | tr -s " " | cut -d" " -f2) $(grep VmHWM "$p/status" | tr -s " " | cut -d" " -f2) $(cut -d" " -f14,15 "$p/stat")";',
  '    exit 0;;',
  '  esac;',
  'done; exit 1',
].join(' ');

interface ProcSample {
  rssKiB: number;
  hwmKiB: number;
  ticks: number;
  at: number;
}

async function sample(container: string): Promise<ProcSample> {
  const out = await run('docker', ['exec', container, 'sh', '-c', READ_PROC], { timeoutMs: 15_000 });
  const [rss, hwm, utime, stime] = out.stdout.trim().split(/\s+/).map(Number);
  if ([rss, hwm, utime, stime].some((n) => n === undefined || Number.isNaN(n))) throw new Error(`unexpected /proc sample: ${out.stdout}`);
  return { rssKiB: rss!, hwmKiB: hwm!, ticks: utime! + stime!, at: Date.now() };
}

async function imageSize(tag: string): Promise<number> {
  const out = await run('docker', ['image', 'inspect', '--format', '{{.Size}}', tag]);
  return Number(out.stdout.trim()) / 1024 / 1024;
}

export async function measureIdle(container: string, options: { seconds: number; image: string; baseImage: string }): Promise<ResourceFigures> {
  const ticksPerSecond = Number((await run('getconf', ['CLK_TCK'])).stdout.trim()) || 100;
  const samples: ProcSample[] = [await sample(container)];
  const end = Date.now() + options.seconds * 1000;
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, Math.min(5_000, Math.max(0, end - Date.now()))));
    samples.push(await sample(container));
  }
  const first = samples[0]!;
  const last = samples.at(-1)!;
  const mib = (kib: number): number => Math.round((kib / 1024) * 10) / 10;
  const cpuSeconds = (last.ticks - first.ticks) / ticksPerSecond;
  return {
    idleSeconds: Math.round((last.at - first.at) / 1000),
    rssMiB: { start: mib(first.rssKiB), end: mib(last.rssKiB), max: mib(Math.max(...samples.map((s) => s.rssKiB))) },
    rssPeakMiB: mib(last.hwmKiB),
    cpuPercent: Math.round((cpuSeconds / ((last.at - first.at) / 1000)) * 1000) / 10,
    imageMiB: Math.round(await imageSize(options.image)),
    baseImageMiB: Math.round(await imageSize(options.baseImage)),
  };
}

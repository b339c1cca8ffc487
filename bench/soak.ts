// Soak: does the watcher promote when the primary is fine but the network loses and delays probes,
// and how fast does it promote when the primary really dies? With and without hedged checks.
//
//   node bench/soak.ts [--minutes 10] [--seeds 200] [--days 30] [--trials 2000] [--live-minutes 10]
//                      [--loss 0.05] [--jitter-ms 1000] [--attempts 3] [--check-interval S] [--check-timeout S] [--seed 1]
//
// (a) simulation (deterministic, seconds): the real decide() and the real hedge rules on a simulated
//     clock, fed by attempts that are lost independently with probability --loss and otherwise
//     answer after uniform [0, --jitter-ms) ms: many short runs of --minutes each, one long run of
//     --days, and --trials outages (killed and hung primary) for the detection time.
// (b) live (wall clock, --live-minutes, 0 skips it): the real hedged HTTP probe against a loopback
//     server injecting the same loss and jitter, feeding the real decide().
// Prints tables and writes bench/results/soak-<timestamp>.json (+ latest-soak.json). runSoak() returns
// the same figures; runSoakForBench() adds the rows of bench/run.ts's table. A benchmark prints
// figures; it asserts nothing.
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULTS } from '../src/config/defaults.ts';
import { DEFAULT_POLICY } from '../src/decision/decide.ts';
import type { Policy } from '../src/decision/model.ts';
import { hedgePolicy } from '../src/probe/hedge-rules.ts';
import { runLiveSoak } from './soak-live.ts';
import type { LiveFigures } from './soak-live.ts';
import { createRng, detectionTrial, HEALTHY_PRIMARY, percentile, simulateWatcher } from './soak-model.ts';
import type { NetworkModel, OutageMode, WatcherModel } from './soak-model.ts';

const DAY_MS = 86_400_000;

export interface SoakOptions {
  /** Length of each short simulated run. */
  minutes: number;
  /** Number of short runs (seeds). */
  seeds: number;
  /** Length of the long simulated run. */
  days: number;
  /** Outages simulated per mode and setting for the detection time. */
  trials: number;
  /** Wall-clock minutes of the live soak; 0 skips it. */
  liveMinutes: number;
  loss: number;
  jitterMs: number;
  /** CHECK_ATTEMPTS of the hedged watcher (compared with 1). */
  attempts: number;
  checkIntervalMs: number;
  checkTimeoutMs: number;
  failThreshold: number;
  seed: number;
  /** Progress lines for a long live soak; silent when absent. */
  progress?: (line: string) => void;
}

export const DEFAULT_SOAK_OPTIONS: SoakOptions = {
  minutes: 10,
  seeds: 200,
  days: 30,
  trials: 2_000,
  liveMinutes: 10,
  loss: 0.05,
  jitterMs: 1_000,
  attempts: 3,
  // The watcher's own defaults (src/config/defaults.ts), so the soak judges what users run.
  checkIntervalMs: DEFAULTS.CHECK_INTERVAL * 1000,
  checkTimeoutMs: DEFAULTS.CHECK_TIMEOUT * 1000,
  failThreshold: DEFAULTS.FAIL_THRESHOLD,
  seed: 1,
};

export interface FalsePromotionRow {
  attempts: number;
  runs: number;
  simulatedDays: number;
  checks: number;
  attemptsPerCheck: number;
  failedCheckRate: number;
  /** Checks that made a second failure in a row. */
  failedPairs: number;
  falsePromotions: number;
  falsePromotionsPerDay: number;
  /** failedCheckRate^FAIL_THRESHOLD × checks per day: the rate the observed failure rate implies. */
  impliedPerDay: number;
}

export interface DetectionRow {
  attempts: number;
  mode: OutageMode;
  trials: number;
  medianMs: number;
  p95Ms: number;
  maxMs: number;
  /** Outages not detected within two minutes (should be none). */
  undetected: number;
  /** False promotions in the warm-up minute before the outage. */
  falseBefore: number;
}

export interface SoakFigures {
  startedAt: string;
  options: Omit<SoakOptions, 'progress'>;
  hedgeDelayMs: number;
  shortRuns: FalsePromotionRow[];
  longRun: FalsePromotionRow[];
  detection: DetectionRow[];
  live: LiveFigures | null;
}

export async function runSoak(overrides: Partial<SoakOptions> = {}): Promise<SoakFigures> {
  const options: SoakOptions = { ...DEFAULT_SOAK_OPTIONS, ...overrides };
  const { progress, ...shown } = options;
  const policy: Policy = { ...DEFAULT_POLICY, failThreshold: options.failThreshold };
  const network: NetworkModel = { loss: options.loss, jitterMs: options.jitterMs };
  const settings = [options.attempts, 1];
  const modelFor = (attempts: number): Omit<WatcherModel, 'primary'> => ({
    policy,
    hedge: hedgePolicy(attempts, options.checkTimeoutMs),
    checkIntervalMs: options.checkIntervalMs,
    network,
  });
  const startedAt = new Date().toISOString();

  const shortRuns = settings.map((attempts) =>
    falsePromotions(options, attempts, Array.from({ length: options.seeds }, (_, i) => ({ seed: options.seed * 1_000_003 + i, horizonMs: options.minutes * 60_000 })), modelFor(attempts)),
  );
  const longRun = settings.map((attempts) => falsePromotions(options, attempts, [{ seed: options.seed * 7_919 + 17, horizonMs: options.days * DAY_MS }], modelFor(attempts)));
  const detection: DetectionRow[] = [];
  for (const mode of ['killed', 'hung'] as const) {
    for (const attempts of settings) detection.push(detectionRow(options, attempts, mode, modelFor(attempts)));
  }

  let live: LiveFigures | null = null;
  if (options.liveMinutes > 0) {
    live = await runLiveSoak({
      minutes: options.liveMinutes,
      network,
      checkIntervalMs: options.checkIntervalMs,
      checkTimeoutMs: options.checkTimeoutMs,
      attempts: options.attempts,
      policy,
      seed: options.seed,
      progress,
    });
  }
  return { startedAt, options: shown, hedgeDelayMs: hedgePolicy(options.attempts, options.checkTimeoutMs).hedgeDelayMs, shortRuns, longRun, detection, live };
}

function falsePromotions(options: SoakOptions, attempts: number, runs: { seed: number; horizonMs: number }[], model: Omit<WatcherModel, 'primary'>): FalsePromotionRow {
  let checks = 0;
  let failed = 0;
  let pairs = 0;
  let attemptCount = 0;
  let promotions = 0;
  let simulatedMs = 0;
  for (const { seed, horizonMs } of runs) {
    const run = simulateWatcher({ ...model, primary: HEALTHY_PRIMARY }, createRng(seed), horizonMs);
    checks += run.checks;
    failed += run.failedChecks;
    pairs += run.failedPairs;
    attemptCount += run.attempts;
    promotions += run.promotions.length;
    simulatedMs += run.endedAt;
  }
  const days = simulatedMs / DAY_MS;
  const failedCheckRate = checks === 0 ? 0 : failed / checks;
  return {
    attempts,
    runs: runs.length,
    simulatedDays: round(days, 3),
    checks,
    attemptsPerCheck: round(attemptCount / Math.max(1, checks), 3),
    failedCheckRate,
    failedPairs: pairs,
    falsePromotions: promotions,
    falsePromotionsPerDay: round(promotions / days, 3),
    impliedPerDay: failedCheckRate ** options.failThreshold * (checks / days),
  };
}

function detectionRow(options: SoakOptions, attempts: number, mode: OutageMode, model: Omit<WatcherModel, 'primary'>): DetectionRow {
  const rng = createRng(options.seed * 104_729 + (mode === 'killed' ? 1 : 2));
  const times: number[] = [];
  let undetected = 0;
  let falseBefore = 0;
  for (let i = 0; i < options.trials; i++) {
    const trial = detectionTrial(model, rng, mode);
    falseBefore += trial.falseBefore;
    if (trial.detectionMs === null) undetected++;
    else times.push(trial.detectionMs);
  }
  return {
    attempts,
    mode,
    trials: options.trials,
    medianMs: Math.round(percentile(times, 50)),
    p95Ms: Math.round(percentile(times, 95)),
    maxMs: Math.round(percentile(times, 100)),
    undetected,
    falseBefore,
  };
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

// ---------------------------------------------------------------------------------------------
// Report

function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => row[column]!.length)));
  const line = (row: string[]): string => row.map((cell, column) => cell.padStart(widths[column]!)).join('  ');
  return [line(headers), widths.map((width) => '-'.repeat(width)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

const sci = (value: number): string => (value === 0 ? '0' : value.toExponential(2));
const label = (attempts: number): string => (attempts === 1 ? '1 (no hedge)' : `${attempts} (hedged)`);

export function formatSoak(figures: SoakFigures): string {
  const { options } = figures;
  const promotionRows = (rows: FalsePromotionRow[]): (string | number)[][] =>
    rows.map((row) => [label(row.attempts), row.runs, row.simulatedDays, row.checks, row.attemptsPerCheck, sci(row.failedCheckRate), row.failedPairs, row.falsePromotions, row.falsePromotionsPerDay, sci(row.impliedPerDay)]);
  const promotionHeaders = ['CHECK_ATTEMPTS', 'runs', 'days', 'checks', 'attempts/check', 'failed checks', '2 in a row', 'false promotions', 'per day', 'implied per day'];
  const out = [
    `Soak: loss ${options.loss * 100}% per attempt, latency uniform 0-${options.jitterMs} ms; CHECK_INTERVAL=${options.checkIntervalMs / 1000}s CHECK_TIMEOUT=${options.checkTimeoutMs / 1000}s FAIL_THRESHOLD=${options.failThreshold}; hedge delay ${figures.hedgeDelayMs} ms`,
    '',
    `(a) simulation, healthy primary: ${options.seeds} runs of ${options.minutes} simulated minutes`,
    table(promotionHeaders, promotionRows(figures.shortRuns)),
    '',
    `(a) simulation, healthy primary: one run of ${options.days} simulated days`,
    table(promotionHeaders, promotionRows(figures.longRun)),
    '   implied per day = (failed-check rate)^FAIL_THRESHOLD x checks per day',
    '',
    `(a) simulation, primary dies at a random instant: primary down -> promotion decided (${options.trials} outages each)`,
    table(
      ['CHECK_ATTEMPTS', 'outage', 'median s', 'p95 s', 'max s', 'undetected', 'false before'],
      figures.detection.map((row) => [label(row.attempts), row.mode, (row.medianMs / 1000).toFixed(2), (row.p95Ms / 1000).toFixed(2), (row.maxMs / 1000).toFixed(2), row.undetected, row.falseBefore]),
    ),
  ];
  const { live } = figures;
  if (live !== null) {
    out.push(
      '',
      `(b) live: real hedged HTTP probe -> loopback server, ${live.minutes} min wall clock; server saw ${live.serverRequests} requests, lost ${live.serverDropped} (observed loss ${(live.observedLossRate * 100).toFixed(2)}%)`,
      table(
        ['CHECK_ATTEMPTS', 'checks', 'attempts/check', 'failed checks', 'longest failed streak', 'promotions', 'check p50 ms', 'p95 ms', 'p99 ms', 'max ms'],
        [live.hedged, live.single].map((row) => [label(row.attemptsSetting), row.checks, row.attemptsPerCheck, row.failedChecks, row.longestFailedStreak, row.promotions, row.checkLatencyMs.p50, row.checkLatencyMs.p95, row.checkLatencyMs.p99, row.checkLatencyMs.max]),
      ),
    );
  }
  return out.join('\n');
}

/** The soak's headline rows for bench/run.ts's table: [what, value, target]. */
export function soakRows(figures: SoakFigures): [string, string, string][] {
  const { options } = figures;
  const loss = `${options.loss * 100} % loss, 0-${options.jitterMs / 1000} s jitter`;
  const rows: [string, string, string][] = [];
  for (const row of figures.longRun) {
    const hedged = row.attempts > 1;
    rows.push([
      `false promotions, ${row.simulatedDays} simulated days, ${loss}, CHECK_ATTEMPTS=${row.attempts}`,
      `${row.falsePromotions} (${row.falsePromotionsPerDay}/day; implied ${sci(row.impliedPerDay)}/day)`,
      hedged ? '0' : '',
    ]);
  }
  for (const row of figures.detection) {
    rows.push([
      `detection (simulated, ${loss}): primary ${row.mode} → promotion decided, CHECK_ATTEMPTS=${row.attempts}, median / p95`,
      `${(row.medianMs / 1000).toFixed(2)} / ${(row.p95Ms / 1000).toFixed(2)} s`,
      row.mode === 'killed' ? '≤ 7 s' : '',
    ]);
  }
  const { live } = figures;
  if (live !== null) {
    rows.push([
      `live soak ${live.minutes} min, real probe, ${(live.observedLossRate * 100).toFixed(1)} % lost: promotions / failed checks, CHECK_ATTEMPTS=${live.hedged.attemptsSetting} vs 1`,
      `${live.hedged.promotions} / ${live.hedged.failedChecks} vs ${live.single.promotions} / ${live.single.failedChecks}`,
      '0 promotions',
    ]);
  }
  return rows;
}

/** The entry point bench/run.ts calls: default soak, its own live length, figures and table rows. */
export async function runSoakForBench(options: { liveMinutes: number }): Promise<{ rows: [string, string, string][]; figures: SoakFigures }> {
  const figures = await runSoak({ liveMinutes: options.liveMinutes });
  return { rows: soakRows(figures), figures };
}

/** Writes soak-<timestamp>.json (ignored by git) and latest-soak.json (committed when published). */
export function writeSoakResults(figures: SoakFigures): string {
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const json = `${JSON.stringify(figures, null, 2)}\n`;
  const file = new URL(`soak-${figures.startedAt.replace(/[:.]/g, '-')}.json`, dir);
  writeFileSync(file, json);
  writeFileSync(new URL('latest-soak.json', dir), json);
  return file.pathname;
}

function optionsFromArgs(args: string[]): Partial<SoakOptions> {
  const { values } = parseArgs({
    args,
    options: {
      minutes: { type: 'string' },
      seeds: { type: 'string' },
      days: { type: 'string' },
      trials: { type: 'string' },
      'live-minutes': { type: 'string' },
      loss: { type: 'string' },
      'jitter-ms': { type: 'string' },
      attempts: { type: 'string' },
      'check-interval': { type: 'string' },
      'check-timeout': { type: 'string' },
      seed: { type: 'string' },
    },
  });
  const numberOf = (name: string, raw: string | undefined, min: number, max: number): number | undefined => {
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min || value > max) throw new Error(`--${name} must be a number between ${min} and ${max}, got ${raw}`);
    return value;
  };
  const secondsOf = (name: string, raw: string | undefined): number | undefined => {
    const seconds = numberOf(name, raw, 0.1, 600);
    return seconds === undefined ? undefined : Math.round(seconds * 1000);
  };
  const picked: Partial<SoakOptions> = {
    minutes: numberOf('minutes', values.minutes, 0.1, 10_000),
    seeds: numberOf('seeds', values.seeds, 1, 1_000_000),
    days: numberOf('days', values.days, 0.001, 3_650),
    trials: numberOf('trials', values.trials, 1, 1_000_000),
    liveMinutes: numberOf('live-minutes', values['live-minutes'], 0, 1_440),
    loss: numberOf('loss', values.loss, 0, 0.99),
    jitterMs: numberOf('jitter-ms', values['jitter-ms'], 0, 60_000),
    attempts: numberOf('attempts', values.attempts, 1, 10),
    checkIntervalMs: secondsOf('check-interval', values['check-interval']),
    checkTimeoutMs: secondsOf('check-timeout', values['check-timeout']),
    seed: numberOf('seed', values.seed, 0, 2 ** 31),
  };
  return Object.fromEntries(Object.entries(picked).filter(([, value]) => value !== undefined));
}

if (import.meta.main) {
  const figures = await runSoak({ ...optionsFromArgs(process.argv.slice(2)), progress: (line) => console.error(line) });
  console.log(formatSoak(figures));
  console.log(`\nwrote ${writeSoakResults(figures)}`);
}

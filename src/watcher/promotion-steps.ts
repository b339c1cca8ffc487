// What a promotion and a demotion do, step by step, against the adapters. Each runner returns the
// report decide() needs (or undefined when the watcher was told to stop mid-way) and records its
// progress as it goes, so that a step that throws still ends in a report: the phase never stays
// `promoting` or `demoting` for good.
//
// Promotion: 1 sync the workspace · 2 ON_PROMOTE · 3 start the gateway · 4 wait until ready.
// Demotion:  1 stop the gateway · 2 ON_DEMOTE.
// A failed sync or hook never blocks the promotion; a failed start ends it (decide retries later).
import type { Logger } from 'pino';
import type { HookReport, Observation, PromotionReport } from '../decision/model.ts';
import type { ServingSwitch } from '../serving/serving-switch.ts';
import type { WorkspaceSync } from '../git/workspace-sync.ts';
import type { HookEvent } from '../hooks/run-hook.ts';
import type { GitSyncOutcome } from './watcher-observer.ts';

/** What the watcher lends a promotion or demotion. */
export interface TransitionAdapters {
  workspace: WorkspaceSync;
  /** cold: container start/stop and /readyz; hot: channel on/off and channels.status. */
  serving: ServingSwitch;
  logger: Logger;
  now: () => number;
  stopTimeoutMs: number;
  /** Container operations run one after another with reconcile's own starts and stops. */
  serial: <T>(operation: () => Promise<T>) => Promise<T>;
  /** Runs ON_PROMOTE / ON_DEMOTE if configured (logged and kept for /status by the watcher). */
  runHook: (event: HookEvent) => Promise<HookReport | undefined>;
  /** The sync's outcome, for /status's lastGitSync and the metrics. */
  noteGitSync: (outcome: GitSyncOutcome, detail: string, at: number) => void;
  noteDockerError: (operation: 'start' | 'stop', error: unknown) => void;
}

type PromotionFinished = Extract<Observation, { type: 'promotion-finished' }>;
type DemotionFinished = Extract<Observation, { type: 'demotion-finished' }>;

/** How far a promotion got: what a report must say if a later step throws. */
export interface PromotionProgress {
  sync?: PromotionReport['sync'];
  hook?: HookReport;
  start?: PromotionReport['start'];
}

export async function runPromotion(a: TransitionAdapters, signal: AbortSignal, progress: PromotionProgress = {}): Promise<PromotionFinished | undefined> {
  progress.sync = await syncWorkspace(a, signal);
  if (signal.aborted) return undefined;
  // After the sync, before the start: e.g. secrets synced by ON_PROMOTE are there when it boots.
  const hook = await a.runHook('promote');
  if (hook) progress.hook = hook;
  if (signal.aborted) return undefined;

  progress.start = await startGateway(a, signal);
  if (signal.aborted) return undefined;
  if (!progress.start.ok) return finished(progress, progress.start);

  const ready = await a.serving.waitServing(signal);
  // A watcher told to stop mid-wait abandons the wait and leaves the gateway running.
  if (signal.aborted) return undefined;
  return finished(progress, progress.start, ready.ok ? { ok: true, at: ready.at, ...(ready.channelLiveAt === undefined ? {} : { channelLiveAt: ready.channelLiveAt }), ...(ready.channelError === undefined ? {} : { channelError: ready.channelError }), ...(ready.startedByHand === undefined ? {} : { startedByHand: ready.startedByHand }) } : { ok: false, at: ready.at, error: ready.error });
}

/** The report of a promotion one of whose steps threw: failed start, or not ready once started. */
export function promotionCutShort(progress: PromotionProgress, at: number, error: string): PromotionFinished {
  const why = `promotion step failed unexpectedly: ${error}`;
  if (progress.start?.ok) return finished(progress, progress.start, { ok: false, at, error: why });
  return finished(progress, { ok: false, at, error: why });
}

function finished(progress: PromotionProgress, start: PromotionReport['start'], ready?: PromotionReport['ready']): PromotionFinished {
  const sync = progress.sync ?? { skipped: true, at: start.at };
  const report: PromotionReport = { sync, ...(progress.hook ? { hook: progress.hook } : {}), start, ...(ready ? { ready } : {}) };
  return { type: 'promotion-finished', report };
}

/** Step 1: one branch per outcome: the report for decide, /status's lastGitSync, and the log line. */
async function syncWorkspace(a: TransitionAdapters, signal: AbortSignal): Promise<PromotionReport['sync']> {
  const sync = await a.workspace.sync(signal);
  const at = a.now();
  if ('skipped' in sync) {
    a.logger.info({ event: 'workspace-sync-skipped' }, `workspace sync skipped: ${sync.reason}`);
    a.noteGitSync('skipped', sync.reason, at);
    return { skipped: true, at };
  }
  if (sync.ok) {
    a.logger.info({ event: 'workspace-synced', summary: sync.summary }, `workspace ${sync.summary}`);
    a.noteGitSync('ok', sync.summary, at);
    return { ok: true, at, summary: sync.summary };
  }
  a.logger.error({ event: 'workspace-sync-failed', err: sync.error }, `WORKSPACE SYNC FAILED, promoting anyway with the workspace as it is: ${sync.error}`);
  a.noteGitSync('failed', sync.error, at);
  return { ok: false, at, error: sync.error };
}

/** Step 3: the serving switch (cold: `docker start` with the adapter's own retries; hot: the channel on). */
async function startGateway(a: TransitionAdapters, signal: AbortSignal): Promise<PromotionReport['start']> {
  const issuedAt = a.now();
  try {
    // Checked again once the container queue gets to it: a promotion cancelled meanwhile (the
    // primary came back) never switches the standby to serving.
    await a.serial(async () => {
      if (signal.aborted) return;
      await a.serving.serve(signal);
    });
  } catch (error) {
    a.noteDockerError('start', error);
    return { ok: false, at: a.now(), error: errorText(error) };
  }
  const at = a.now();
  a.logger.info({ event: 'gateway-started', startMs: at - issuedAt }, `standby gateway started in ${at - issuedAt} ms; waiting for it to be ready`);
  return { ok: true, at };
}

/** How far a demotion got. */
export interface DemotionProgress {
  stopped?: boolean;
}

export async function runDemotion(a: TransitionAdapters, signal: AbortSignal, progress: DemotionProgress = {}): Promise<DemotionFinished | undefined> {
  const stop = await stopGateway(a);
  if (!stop.ok) return { type: 'demotion-finished', ok: false, error: stop.error };
  progress.stopped = true;
  // Only once the gateway is down: ON_DEMOTE may clean up what it used.
  const hook = await a.runHook('demote');
  if (signal.aborted) return undefined;
  return hook ? { type: 'demotion-finished', ok: true, hook } : { type: 'demotion-finished', ok: true };
}

/** Demotion step 1: `docker stop` (SIGTERM, SIGKILL after STOP_TIMEOUT). */
async function stopGateway(a: TransitionAdapters): Promise<{ ok: true } | { ok: false; error: string }> {
  try {
    await a.serial(() => a.serving.unserve(a.stopTimeoutMs / 1000));
    return { ok: true };
  } catch (error) {
    a.noteDockerError('stop', error);
    return { ok: false, error: errorText(error) };
  }
}

/** The report of a demotion one of whose steps threw. */
export function demotionCutShort(progress: DemotionProgress, error: string): DemotionFinished {
  const why = `demotion step failed unexpectedly: ${error}`;
  return progress.stopped ? { type: 'demotion-finished', ok: true, hook: { ok: false, durationMs: 0, error: why } } : { type: 'demotion-finished', ok: false, error: why };
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0] ?? error.name;
  return String(error);
}

// The standby's hand-back: once its gateway has stopped (demotion, or a stray gateway stopped),
// what its agent wrote in the workspace is committed and pushed: to the workspace branch when
// that is a fast-forward, else to a branch of its own, standby/<host>/<timestamp>. Each attempt
// is bounded by GIT_TIMEOUT; a failure never holds the demotion up: it is logged loudly,
// notified, and retried with backoff while the watcher watches. Never a force-push.
//
// Why after the stop and not before: a running agent may write between our commit and the stop,
// and that write would be left behind until the next demotion; once the gateway is stopped (and
// SIGTERM has let it finish what it was writing) the workspace is quiescent, and one commit takes
// all of it. The stop itself is not delayed: the hand-back runs next to the rest of the demotion.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { commitAll, ensureOrigin, fetchTip, handbackBranchName, head, identityConfig, isAncestor, writeExcludes } from './workspace-commit.ts';
import { git, gitErrorText, raceAbort, type WorkspaceSync } from './workspace-sync.ts';
import type { ServingSwitch } from '../serving/serving-switch.ts';
import type { Notification } from '../notify/notification.ts';
import { sleep as realSleep, type Sleep } from '../docker/backoff.ts';

export type HandbackOutcome =
  | { kind: 'nothing'; reason: string }
  | { kind: 'pushed'; branch: string; head: string; sideBranch: boolean }
  | { kind: 'failed'; error: string };

export interface HandbackOptions {
  dir: string;
  remote: string | undefined;
  branch: string | undefined;
  timeoutMs: number;
  /** Names the standby in branch names and commits (the standby gateway's name). */
  host: string;
  ignore: readonly string[];
  logger: Logger;
  notify: (n: Notification) => void;
  now?: () => number;
  sleep?: Sleep;
  retryInitialMs?: number;
  retryMaxMs?: number;
}

export interface HandbackStatus {
  state: 'idle' | 'running' | 'retrying';
  lastOutcome: HandbackOutcome | null;
  lastAt: string | null;
  failures: number;
}

export interface WorkspaceHandback {
  /** Starts a hand-back (and its retries) in the background; resolves with the first attempt's outcome. */
  afterStop(reason: string): Promise<HandbackOutcome>;
  /**
   * Before a promotion's sync: waits for an attempt in flight (git never runs twice in one
   * checkout), and replaces a pending retry by one attempt now.
   */
  beforePromotion(): Promise<void>;
  status(): HandbackStatus;
  close(): void;
}

export function createWorkspaceHandback(options: HandbackOptions): WorkspaceHandback {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const { logger } = options;
  let inFlight: Promise<HandbackOutcome> | undefined;
  let retry: AbortController | undefined;
  let status: HandbackStatus = { state: 'idle', lastOutcome: null, lastAt: null, failures: 0 };
  const closed = new AbortController();

  const attempt = async (reason: string): Promise<HandbackOutcome> => {
    status = { ...status, state: 'running' };
    const outcome = await handBackOnce(options, reason, now());
    status = { ...status, lastOutcome: outcome, lastAt: new Date(now()).toISOString(), failures: outcome.kind === 'failed' ? status.failures + 1 : 0, state: 'idle' };
    return outcome;
  };

  const report = (outcome: HandbackOutcome, attemptNo: number): void => {
    if (outcome.kind === 'nothing') {
      logger.info({ event: 'workspace-handback-nothing' }, `workspace hand-back: ${outcome.reason}`);
    } else if (outcome.kind === 'pushed') {
      const text = outcome.sideBranch
        ? `STANDBY WORK HANDED BACK ON ITS OWN BRANCH ${outcome.branch} (${outcome.head.slice(0, 12)}): the workspace branch moved while the standby served; merge it on the primary (see docs/workspace-round-trip.md)`
        : `workspace hand-back: the standby's work pushed to ${outcome.branch} (${outcome.head.slice(0, 12)}), a fast-forward${attemptNo > 1 ? `, after ${attemptNo} attempts` : ''}`;
      logger[outcome.sideBranch ? 'warn' : 'info']({ event: 'workspace-handback-pushed', branch: outcome.branch, head: outcome.head, sideBranch: outcome.sideBranch, attempts: attemptNo }, text);
      if (outcome.sideBranch || attemptNo > 1) {
        options.notify(notification('workspace-handback-pushed', outcome.sideBranch ? 'warning' : 'info', 'Standby workspace handed back', text, now()));
      }
    } else if (attemptNo === 1) {
      // Loud once; the retries log at debug until the state changes.
      const text = `WORKSPACE HAND-BACK FAILED (${outcome.error}): the standby's changes stay committed in its workspace and are retried with backoff while watching`;
      logger.error({ event: 'workspace-handback-failed', err: outcome.error }, text);
      options.notify(notification('workspace-handback-failed', 'critical', 'Standby workspace hand-back failed', text, now()));
    } else {
      logger.debug({ event: 'workspace-handback-retry-failed', attempt: attemptNo, err: outcome.error }, `hand-back attempt ${attemptNo} failed: ${outcome.error}`);
    }
  };

  const retryLoop = async (reason: string, signal: AbortSignal): Promise<void> => {
    const initial = options.retryInitialMs ?? 5_000;
    const max = options.retryMaxMs ?? 300_000;
    for (let n = 2; !signal.aborted; n += 1) {
      status = { ...status, state: 'retrying' };
      await sleep(Math.min(initial * 2 ** (n - 2), max), signal);
      if (signal.aborted) break;
      const run = attempt(`${reason} (retry ${n - 1})`);
      inFlight = run;
      const outcome = await run;
      inFlight = undefined;
      report(outcome, n);
      if (outcome.kind !== 'failed') return;
    }
    status = { ...status, state: 'idle' };
  };

  return {
    async afterStop(reason) {
      if (closed.signal.aborted) return { kind: 'nothing', reason: 'watcher stopping' };
      retry?.abort();
      if (inFlight) await inFlight;
      const run = attempt(reason);
      inFlight = run;
      const outcome = await run;
      inFlight = undefined;
      report(outcome, 1);
      if (outcome.kind === 'failed') {
        const controller = new AbortController();
        retry = controller;
        void retryLoop(reason, AbortSignal.any([controller.signal, closed.signal]));
      }
      return outcome;
    },
    async beforePromotion() {
      const pending = retry !== undefined && !retry.signal.aborted && status.lastOutcome?.kind === 'failed';
      retry?.abort();
      if (inFlight) await inFlight;
      // A hand-back still owed: one more attempt now (bounded), so the standby's unpushed commit
      // goes to the remote (or its own branch) and the promotion's fast-forward is not blocked by it.
      if (pending && status.lastOutcome?.kind === 'failed' && !closed.signal.aborted) {
        const attemptNo = status.failures + 1;
        const run = attempt('before promotion');
        inFlight = run;
        const outcome = await run;
        inFlight = undefined;
        report(outcome, attemptNo);
      }
    },
    status: () => status,
    close() {
      closed.abort();
      retry?.abort();
    },
  };
}

/** After every successful stop of the standby gateway, hand its workspace back (in the background). */
export function handBackAfterUnserve(serving: ServingSwitch, handback: WorkspaceHandback): ServingSwitch {
  return {
    ...serving,
    async unserve(timeoutSeconds) {
      await serving.unserve(timeoutSeconds);
      void handback.afterStop(serving.mode === 'hot' ? 'standby channel switched off' : 'standby gateway stopped');
    },
  };
}

/** Before each promotion's fast-forward, let a hand-back in flight finish first. */
export function syncAfterHandback(sync: WorkspaceSync, handback: WorkspaceHandback): WorkspaceSync {
  return {
    async sync(signal) {
      await handback.beforePromotion();
      return sync.sync(signal);
    },
  };
}

async function handBackOnce(options: HandbackOptions, reason: string, at: number): Promise<HandbackOutcome> {
  if (!existsSync(join(options.dir, '.git'))) return { kind: 'nothing', reason: `${options.dir} is not a git checkout (never synced)` };
  const signal = AbortSignal.timeout(options.timeoutMs);
  try {
    return await raceAbort(attemptOnce(options, reason, at, signal), signal, () => `hand-back exceeded GIT_TIMEOUT (${options.timeoutMs / 1000}s)`);
  } catch (error) {
    return { kind: 'failed', error: gitErrorText(error, options.remote) };
  }
}

async function attemptOnce(options: HandbackOptions, reason: string, at: number, signal: AbortSignal): Promise<HandbackOutcome> {
  const repo = git(options.dir, signal, options.timeoutMs, identityConfig('standby', options.host));
  if (options.remote) await ensureOrigin(repo, options.remote);
  await writeExcludes(options.dir, options.ignore);
  const branch = options.branch ?? (await repo.revparse(['--abbrev-ref', 'HEAD'])).trim();
  await commitAll(repo, `workspace: standby hand-back on ${options.host} at ${new Date(at).toISOString()} (${reason})`);
  const local = await head(repo);
  if (local === undefined) return { kind: 'nothing', reason: 'no commits in the standby workspace' };
  const remoteTip = await fetchTip(repo, branch);
  if (remoteTip !== undefined && (await isAncestor(repo, local, remoteTip))) {
    return { kind: 'nothing', reason: `nothing new: the remote ${branch} already holds ${local.slice(0, 12)}` };
  }
  if (remoteTip === undefined || (await isAncestor(repo, remoteTip, local))) {
    try {
      await repo.raw(['push', '--quiet', 'origin', `${local}:refs/heads/${branch}`]);
      return { kind: 'pushed', branch, head: local, sideBranch: false };
    } catch (error) {
      // Rejected as a non-fast-forward: the primary pushed in between. Fall through to a branch of its own.
      if (!/rejected|non-fast-forward|fetch first/i.test(gitErrorText(error, options.remote))) throw error;
    }
  }
  const side = handbackBranchName(options.host, at);
  await repo.raw(['push', '--quiet', 'origin', `${local}:refs/heads/${side}`]);
  // The work is safe on the remote (and on a local branch of the same name); the checkout goes
  // back to the workspace branch's remote tip, so the next promotion's fast-forward can proceed.
  await repo.raw(['branch', '--force', side, local]);
  const tip = await fetchTip(repo, branch);
  if (tip !== undefined) await repo.raw(['reset', '--hard', '--quiet', tip]);
  return { kind: 'pushed', branch: side, head: local, sideBranch: true };
}

function notification(event: Notification['event'], severity: Notification['severity'], title: string, text: string, at: number): Notification {
  return { event, severity, title, text, reason: event, phase: 'watching', problems: [], timings: {}, at };
}

// What the push service knows and says, decided in pure code from each cycle's outcome: when to
// try next (the interval, or a backoff after a failure), and what to announce. Announcements
// come only when the situation changes (ok → failing, failing → ok, diverged, new unmerged
// standby branches), never once per attempt, so a remote that is down for a day logs two lines.

export type CycleOutcome =
  /** The remote branch now holds every local commit. `pushed` is false when nothing was new. */
  | { kind: 'synced'; head: string | undefined; pushed: boolean; tookIn: string | undefined; unmerged: string[] }
  /** The remote branch has commits the local one lacks and vice versa: neither side is touched. */
  | { kind: 'diverged'; local: string; remote: string; unmerged: string[] }
  | { kind: 'failed'; error: string };

export type PushHealth = 'starting' | 'ok' | 'failing' | 'diverged';

export interface PushState {
  health: PushHealth;
  /** Last time the remote branch was confirmed to hold everything committed here (push or in sync). */
  lastSuccessAt: number | undefined;
  lastAttemptAt: number | undefined;
  lastPushedHead: string | undefined;
  consecutiveFailures: number;
  lastError: string | undefined;
  diverged: { local: string; remote: string } | undefined;
  /** standby/* branches on the remote that the workspace branch does not contain. */
  unmerged: string[];
}

export interface PushPolicy {
  intervalMs: number;
  /** First retry delay after a failure; doubles per failure, capped at the interval. */
  retryInitialMs: number;
}

export type Announcement =
  | { kind: 'push-failing'; error: string }
  | { kind: 'push-recovered'; failures: number; downForMs: number | undefined }
  | { kind: 'diverged'; local: string; remote: string }
  | { kind: 'diverge-resolved' }
  | { kind: 'took-in'; head: string }
  | { kind: 'unmerged-branches'; added: string[]; all: string[] };

export const INITIAL_PUSH_STATE: PushState = {
  health: 'starting',
  lastSuccessAt: undefined,
  lastAttemptAt: undefined,
  lastPushedHead: undefined,
  consecutiveFailures: 0,
  lastError: undefined,
  diverged: undefined,
  unmerged: [],
};

export interface Step {
  state: PushState;
  /** Wait before the next cycle. */
  delayMs: number;
  announce: Announcement[];
}

export function applyOutcome(state: PushState, outcome: CycleOutcome, now: number, policy: PushPolicy): Step {
  const announce: Announcement[] = [];
  if (outcome.kind === 'failed') {
    const failures = state.consecutiveFailures + 1;
    if (state.health !== 'failing') announce.push({ kind: 'push-failing', error: outcome.error });
    const delayMs = Math.min(policy.retryInitialMs * 2 ** Math.min(failures - 1, 30), policy.intervalMs);
    return {
      state: { ...state, health: 'failing', lastAttemptAt: now, consecutiveFailures: failures, lastError: outcome.error },
      delayMs,
      announce,
    };
  }

  if (state.health === 'failing') {
    announce.push({ kind: 'push-recovered', failures: state.consecutiveFailures, downForMs: state.lastSuccessAt === undefined ? undefined : now - state.lastSuccessAt });
  }
  const added = outcome.unmerged.filter((b) => !state.unmerged.includes(b));
  if (added.length > 0) announce.push({ kind: 'unmerged-branches', added, all: outcome.unmerged });
  const base = { ...state, lastAttemptAt: now, consecutiveFailures: 0, lastError: undefined, unmerged: outcome.unmerged };

  if (outcome.kind === 'diverged') {
    const same = state.diverged?.local === outcome.local && state.diverged.remote === outcome.remote;
    if (!same) announce.push({ kind: 'diverged', local: outcome.local, remote: outcome.remote });
    return { state: { ...base, health: 'diverged', diverged: { local: outcome.local, remote: outcome.remote } }, delayMs: policy.intervalMs, announce };
  }

  if (state.diverged) announce.push({ kind: 'diverge-resolved' });
  if (outcome.tookIn) announce.push({ kind: 'took-in', head: outcome.tookIn });
  return {
    state: { ...base, health: 'ok', diverged: undefined, lastSuccessAt: now, lastPushedHead: outcome.head ?? state.lastPushedHead },
    delayMs: policy.intervalMs,
    announce,
  };
}

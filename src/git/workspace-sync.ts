// Fast-forwards the standby's workspace checkout from the git remote the primary pushes to.
// Bounded in time and never throwing: at promotion a stale workspace is better than no gateway.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { redactUrl } from '../config/redact.ts';

export type SyncOutcome =
  | { ok: true; summary: string; head: string }
  | { ok: false; error: string }
  | { skipped: true; reason: string };

export interface WorkspaceSync {
  sync(signal?: AbortSignal): Promise<SyncOutcome>;
}

export interface WorkspaceSyncOptions {
  dir: string;
  remote: string | undefined;
  branch: string | undefined;
  timeoutMs: number;
}

// simple-git strips GIT_* variables from the child's environment unless allowed; these are the
// ones an operator legitimately sets (an SSH command with a pinned known_hosts file, prompts off).
const ALLOWED_GIT_ENV = ['GIT_SSH_COMMAND', 'GIT_SSH', 'GIT_TERMINAL_PROMPT', 'GIT_ASKPASS'];

export function createWorkspaceSync(options: WorkspaceSyncOptions): WorkspaceSync {
  return {
    async sync(outer?: AbortSignal): Promise<SyncOutcome> {
      const deadline = AbortSignal.timeout(options.timeoutMs);
      const signal = outer ? AbortSignal.any([outer, deadline]) : deadline;
      try {
        return await raceAbort(syncOnce(options, signal), signal, () =>
          outer?.aborted ? 'git sync aborted (watcher stopping)' : `git sync exceeded GIT_TIMEOUT (${options.timeoutMs / 1000}s)`,
        );
      } catch (error) {
        return { ok: false, error: describeGitError(error, options) };
      }
    },
  };
}

async function syncOnce(options: WorkspaceSyncOptions, signal: AbortSignal): Promise<SyncOutcome> {
  const hasCheckout = existsSync(join(options.dir, '.git'));
  if (!hasCheckout) {
    if (!options.remote) {
      return { skipped: true, reason: `${options.dir} is not a git checkout and WORKSPACE_REMOTE is not set` };
    }
    if (existsSync(options.dir) && readdirSync(options.dir).length > 0) {
      return { ok: false, error: `${options.dir} is not empty and not a git checkout; cannot clone WORKSPACE_REMOTE into it` };
    }
    const cloneArgs = options.branch ? ['--branch', options.branch] : [];
    await git(process.cwd(), signal, options.timeoutMs).clone(options.remote, options.dir, cloneArgs);
    const head = (await git(options.dir, signal, options.timeoutMs).revparse(['HEAD'])).trim();
    return { ok: true, summary: `cloned at ${head.slice(0, 12)}`, head };
  }

  const repo = git(options.dir, signal, options.timeoutMs);
  const before = (await repo.revparse(['HEAD'])).trim();
  const remoteName = 'origin';
  if (options.remote) {
    // Keep origin pointing where the operator says, so a changed WORKSPACE_REMOTE takes effect.
    const remotes = await repo.getRemotes(true);
    const origin = remotes.find((r) => r.name === remoteName);
    if (!origin) await repo.addRemote(remoteName, options.remote);
    else if (origin.refs.fetch !== options.remote) await repo.remote(['set-url', remoteName, options.remote]);
  }
  const branch = options.branch ?? (await repo.revparse(['--abbrev-ref', 'HEAD'])).trim();
  await repo.fetch(remoteName, branch);
  await repo.merge(['--ff-only', 'FETCH_HEAD']);
  const after = (await repo.revparse(['HEAD'])).trim();
  const summary = before === after ? `already at ${after.slice(0, 12)}` : `fast-forwarded ${before.slice(0, 12)}..${after.slice(0, 12)}`;
  return { ok: true, summary, head: after };
}

/** A simple-git client bounded by `timeoutMs` and `signal`, with the minimal environment (also used by the push and hand-back). */
export function git(baseDir: string, signal: AbortSignal, timeoutMs: number, extraConfig: string[] = []): SimpleGit {
  const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
  const env = gitEnvironment();
  return simpleGit({
    baseDir,
    abort: signal,
    timeout: { block: timeoutMs },
    allowEnvironment: ALLOWED_GIT_ENV,
    // simple-git refuses GIT_SSH_COMMAND / GIT_ASKPASS unless told: here they are the operator's
    // own settings (e.g. ssh with a pinned known_hosts), never data from the remote.
    unsafe: { allowUnsafeSshCommand: 'GIT_SSH_COMMAND' in env || 'GIT_SSH' in env, allowUnsafeAskPass: 'GIT_ASKPASS' in env },
    // Killing git leaves its remote-http helper running against a silent server; these make the
    // helper give up by itself within the same bound.
    config: ['http.lowSpeedLimit=1', `http.lowSpeedTime=${seconds}`, ...extraConfig],
  }).env(env);
}

/**
 * A minimal environment for git: what it needs to find itself, ssh and the operator's
 * SSH settings, and nothing else of the watcher's (tokens stay out of child processes).
 * Blank values count as unset: compose passes `GIT_SSH_COMMAND: ${GIT_SSH_COMMAND:-}` as "".
 */
export function gitEnvironment(source: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = { GIT_TERMINAL_PROMPT: '0' };
  for (const name of ['PATH', 'HOME', 'LANG', 'SSH_AUTH_SOCK', ...ALLOWED_GIT_ENV]) {
    const value = source[name];
    // Compose passes an unset `${GIT_SSH_COMMAND:-}` as an empty string, and git would then try to
    // run "" as its ssh ("cannot run : No such file or directory"): blank means unset.
    if (value !== undefined && value.trim() !== '' && name !== 'GIT_TERMINAL_PROMPT') env[name] = value;
  }
  return env;
}

/** simple-git's abort kills the child, but a stuck DNS lookup inside ssh can still linger: race it. */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal, reason: () => string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new Error(reason()));
    // Settle on `work` first, even when already aborted, so its later rejection is never unhandled.
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function describeGitError(error: unknown, options: WorkspaceSyncOptions): string {
  return gitErrorText(error, options.remote);
}

/** The first lines of a git error, with the remote's credentials redacted. */
export function gitErrorText(error: unknown, remote: string | undefined): string {
  const message = error instanceof Error ? error.message : String(error);
  const firstLines = message.split('\n').filter((l) => l.trim()).slice(0, 3).join(' | ');
  const text = firstLines || 'unknown git error';
  return remote ? text.replaceAll(remote, redactUrl(remote)) : text;
}

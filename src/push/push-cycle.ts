// One push cycle on the primary, bounded by GIT_TIMEOUT: fetch first, take in the standby's
// hand-back when it is a fast-forward, commit what the agent changed, push without force.
// A diverged remote branch is reported and neither side is touched; nothing here rewrites history.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { SimpleGit } from 'simple-git';
import { commitAll, ensureOrigin, fetchTip, head, identityConfig, isAncestor, writeExcludes } from '../git/workspace-commit.ts';
import { git, gitErrorText, raceAbort } from '../git/workspace-sync.ts';
import type { CycleOutcome } from './push-state.ts';

export interface PushCycleOptions {
  dir: string;
  remote: string;
  branch: string;
  timeoutMs: number;
  host: string;
  ignore: readonly string[];
  now?: () => number;
}

/** Standby hand-back branches, fetched so the primary can tell which of them it lacks. */
const STANDBY_REFSPEC = '+refs/heads/standby/*:refs/remotes/origin/standby/*';

export async function runPushCycle(options: PushCycleOptions, reason: string, outer?: AbortSignal): Promise<CycleOutcome> {
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const signal = outer ? AbortSignal.any([outer, deadline]) : deadline;
  try {
    return await raceAbort(cycle(options, reason, signal), signal, () => `git push cycle exceeded GIT_TIMEOUT (${options.timeoutMs / 1000}s)`);
  } catch (error) {
    return { kind: 'failed', error: gitErrorText(error, options.remote) };
  }
}

async function cycle(options: PushCycleOptions, reason: string, signal: AbortSignal): Promise<CycleOutcome> {
  await mkdir(options.dir, { recursive: true });
  const repo = git(options.dir, signal, options.timeoutMs, identityConfig('primary', options.host));
  if (!existsSync(join(options.dir, '.git'))) {
    // First run on an existing workspace: a fresh repository on the workspace branch. HEAD is
    // adopted from the remote below, so the first commit builds on the remote's history.
    await repo.raw(['init', '--quiet', `--initial-branch=${options.branch}`]);
  }
  await ensureOrigin(repo, options.remote);
  await writeExcludes(options.dir, options.ignore);

  const remoteTip = await fetchTip(repo, options.branch, [STANDBY_REFSPEC]);
  let local = await head(repo);
  let tookIn: string | undefined;
  if (local === undefined && remoteTip !== undefined) {
    // Adopt the remote's history without touching the files: a mixed reset only moves the new
    // branch's pointer and the index; the next commit records the workspace as it is here.
    await repo.raw(['reset', '--quiet', remoteTip]);
    local = remoteTip;
  } else if (local !== undefined && remoteTip !== undefined && local !== remoteTip && (await isAncestor(repo, local, remoteTip))) {
    // The remote is ahead (the standby handed work back while it served): take it in. With
    // local edits in the same files git refuses; then the commit below makes the branches diverge,
    // which is reported rather than resolved behind anyone's back.
    try {
      await repo.raw(['merge', '--ff-only', '--quiet', remoteTip]);
      local = remoteTip;
      tookIn = remoteTip;
    } catch {
      // reported as divergence below, after committing the local edits
    }
  }

  const committed = await commitAll(repo, `workspace: ${reason} on ${options.host} at ${new Date(options.now?.() ?? Date.now()).toISOString()}`);
  local = committed ?? local;
  const unmerged = local === undefined ? [] : await unmergedStandbyBranches(repo, local);

  if (local === undefined) return { kind: 'synced', head: undefined, pushed: false, tookIn, unmerged };
  if (remoteTip !== undefined && !(await isAncestor(repo, remoteTip, local))) {
    return { kind: 'diverged', local, remote: remoteTip, unmerged };
  }
  if (local === remoteTip) return { kind: 'synced', head: local, pushed: false, tookIn, unmerged };
  // A plain push: the remote refuses anything that is not a fast-forward, so a concurrent push
  // from elsewhere makes this fail (and the next cycle sees the divergence) instead of overwriting.
  await repo.raw(['push', '--quiet', '--porcelain', 'origin', `${local}:refs/heads/${options.branch}`]);
  return { kind: 'synced', head: local, pushed: true, tookIn, unmerged };
}

/** standby/* branches whose tip the workspace branch does not contain (work the operator must merge). */
async function unmergedStandbyBranches(repo: SimpleGit, local: string): Promise<string[]> {
  const refs = (await repo.raw(['for-each-ref', '--format=%(refname)', 'refs/remotes/origin/standby/'])).split('\n').filter(Boolean);
  const unmerged: string[] = [];
  for (const ref of refs) {
    if (!(await isAncestor(repo, ref, local))) unmerged.push(ref.replace('refs/remotes/origin/', ''));
  }
  return unmerged.sort();
}

// The git steps the primary's push service and the standby's hand-back share: keep secrets and
// junk out, commit what changed, and compare commits. Nothing here ever moves a branch backwards,
// force-pushes or rewrites a commit: the remote only ever receives fast-forwards or new branches.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SimpleGit } from 'simple-git';

/**
 * Never committed, whatever the agent writes: credentials by their usual names, then caches and
 * editor/OS junk. The operator adds patterns with WORKSPACE_IGNORE (gitignore syntax, `!` re-includes).
 */
export const DEFAULT_WORKSPACE_IGNORE: readonly string[] = [
  // secrets
  '.env', '.env.*', '*.pem', '*.key', '*.p12', '*.pfx', '*.kdbx', 'id_rsa*', 'id_ecdsa*', 'id_ed25519*',
  '.ssh/', '.gnupg/', '.aws/', '.netrc', '.npmrc', '.git-credentials', '*credentials*.json', '*.secret', 'secrets/',
  // junk
  'node_modules/', '.cache/', '.venv/', '__pycache__/', '*.pyc', '.DS_Store', 'Thumbs.db', '*.swp', '*.swo', '*~', '*.tmp', '*.log',
];

const BEGIN = '# >>> openclaw-failover: WORKSPACE_IGNORE (managed, rewritten at start) >>>';
const END = '# <<< openclaw-failover <<<';

/**
 * Writes the ignore list into `.git/info/exclude`: it applies to every git command in this
 * checkout, is never committed (unlike a .gitignore the agent could edit), and keeps any lines
 * the operator wrote there outside the managed block.
 */
export async function writeExcludes(dir: string, extra: readonly string[]): Promise<void> {
  const infoDir = join(dir, '.git', 'info');
  const file = join(infoDir, 'exclude');
  await mkdir(infoDir, { recursive: true });
  const existing = await readFile(file, 'utf8').catch(() => '');
  const start = existing.indexOf(BEGIN);
  const end = existing.indexOf(END);
  const kept = start >= 0 && end > start ? existing.slice(0, start) + existing.slice(end + END.length).replace(/^\n/, '') : existing;
  const block = [BEGIN, ...DEFAULT_WORKSPACE_IGNORE, ...extra, END].join('\n');
  await writeFile(file, `${kept.trimEnd()}${kept.trim() ? '\n' : ''}${block}\n`);
}

/** Stages everything (deletions too) the ignore list lets through; commits it. Returns the new commit, or undefined when nothing changed. */
export async function commitAll(repo: SimpleGit, message: string): Promise<string | undefined> {
  await repo.raw(['add', '--all', '--', '.']);
  const staged = (await repo.raw(['diff', '--cached', '--name-only'])).trim();
  if (staged === '') return undefined;
  await repo.raw(['commit', '--quiet', '--no-verify', '-m', message]);
  return head(repo);
}

/** HEAD's commit, or undefined in a repository without commits yet. */
export async function head(repo: SimpleGit): Promise<string | undefined> {
  const out = await repo.raw(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']).catch(() => '');
  return out.trim() || undefined;
}

/** `ancestor` is reachable from `descendant` (equal counts): pushing descendant over ancestor is a fast-forward. */
export async function isAncestor(repo: SimpleGit, ancestor: string, descendant: string): Promise<boolean> {
  // rev-list instead of `merge-base --is-ancestor`: its answer is the output, not an exit code.
  const count = (await repo.raw(['rev-list', '--count', `${descendant}..${ancestor}`])).trim();
  return count === '0';
}

/**
 * Fetches `branch` of origin into refs/remotes/origin/<branch> (plus extra refspecs) and returns
 * its tip, or undefined when the remote has no such branch yet (a new, empty remote).
 */
export async function fetchTip(repo: SimpleGit, branch: string, extraRefspecs: readonly string[] = []): Promise<string | undefined> {
  const tracking = `refs/remotes/origin/${branch}`;
  try {
    await repo.raw(['fetch', '--quiet', '--no-tags', '--prune', 'origin', `+refs/heads/${branch}:${tracking}`, ...extraRefspecs]);
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    if (!/couldn't find remote ref/i.test(text)) throw error;
    if (extraRefspecs.length > 0) await repo.raw(['fetch', '--quiet', '--no-tags', '--prune', 'origin', ...extraRefspecs]);
    await repo.raw(['update-ref', '-d', tracking]).catch(() => undefined);
    return undefined;
  }
  return (await repo.raw(['rev-parse', tracking])).trim();
}

/** Points origin at `remote` (adding it when missing), so a changed WORKSPACE_REMOTE takes effect. */
export async function ensureOrigin(repo: SimpleGit, remote: string): Promise<void> {
  const remotes = await repo.getRemotes(true);
  const origin = remotes.find((r) => r.name === 'origin');
  if (!origin) await repo.addRemote('origin', remote);
  else if (origin.refs.push !== remote || origin.refs.fetch !== remote) await repo.remote(['set-url', 'origin', remote]);
}

/** A branch name an operator recognises: standby/<host>/<UTC timestamp>, e.g. standby/openclaw-standby/20261201T221503Z. */
export function handbackBranchName(host: string, at: number): string {
  const safeHost = host.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[.-]+/, '') || 'standby';
  const stamp = new Date(at).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  return `standby/${safeHost}/${stamp}`;
}

/** The committer identity of automatic commits, as `git -c` settings. */
export function identityConfig(role: string, host: string): string[] {
  return [`user.name=openclaw-failover ${role} (${host})`, `user.email=openclaw-failover@${host.replace(/[^A-Za-z0-9.-]/g, '-')}.invalid`];
}

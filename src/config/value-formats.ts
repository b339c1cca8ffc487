// Validators for the values that are not just numbers or choices: docker names, git remotes and
// refs (which must not smuggle options into git), and the witness URL list. Used by the settings
// table; each rejects what would be read as something else further down.
import { posix } from 'node:path';
import { redactUrl } from './redact.ts';
import { bad, isHttpUrl, ok, type Parsed } from './setting-kinds.ts';

// Compose service names, container names and ids share this character set.
export const DOCKER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;

const REMOTE_SCHEMES = new Set(['http:', 'https:', 'ssh:', 'git:', 'file:']);

/**
 * A git remote that cannot smuggle options or transports into `git clone`: a leading `-` would be
 * read as an option, and `<transport>::<address>` (e.g. `ext::sh -c ...`) runs arbitrary commands.
 */
export function isGitRemote(raw: string): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is rejected
  if (raw.startsWith('-') || /[\s\u0000-\u001f\u007f]/.test(raw) || raw.includes('::')) return false;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    if (!URL.canParse(raw)) return false;
    const url = new URL(raw);
    return REMOTE_SCHEMES.has(url.protocol) && (url.protocol === 'file:' || url.hostname !== '');
  }
  // scp-like `[user@]host:path`, and local absolute paths.
  return /^(?:[\w.-]+@)?[\w.-]+:(?!\/\/)\S+$/.test(raw) || posix.isAbsolute(raw);
}

/** A subset of `git check-ref-format` that catches typos and option injection. */
export function isGitRefName(raw: string): boolean {
  return (
    raw.length <= 255 &&
    !raw.startsWith('-') &&
    !raw.startsWith('/') &&
    !raw.endsWith('/') &&
    !raw.endsWith('.') &&
    !raw.endsWith('.lock') &&
    raw !== '@' &&
    !raw.includes('..') &&
    !raw.includes('//') &&
    !raw.includes('@{') &&
    !raw.split('/').some((part) => part.startsWith('.')) &&
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is rejected
    !/[\s\u0000-\u001f\u007f~^:?*[\\]/.test(raw)
  );
}

const WITNESS_EXAMPLE = 'http://100.100.100.100/,https://other-node.example.ts.net:8080/healthz';

/**
 * A comma-separated list of http(s) URLs, at most 16, each validated on its own so the problem
 * names every bad entry (redacted: a witness URL may carry credentials).
 */
export function parseWitnessUrls(raw: string | undefined): Parsed<string[]> {
  if (raw === undefined) return ok([]);
  const entries = raw.split(',').map((entry) => entry.trim());
  const badOnes = entries
    .map((entry, index) => ({ entry, index }))
    .filter(({ entry }) => !isHttpUrl(entry))
    .map(({ entry, index }) => (entry === '' ? `entry ${index + 1} is empty` : `entry ${index + 1} (${JSON.stringify(redactUrl(entry))}) is not an absolute http(s) URL with a host`));
  const tooMany = entries.length > 16 ? [`${entries.length} entries, at most 16`] : [];
  if (badOnes.length + tooMany.length === 0) return ok(entries);
  return bad(
    `${[...badOnes, ...tooMany].join('; ')}: a comma-separated list of absolute http:// or https:// URLs with a host and no #fragment (unset by default: no partition guard), e.g. WITNESS_URLS=${WITNESS_EXAMPLE}`,
  );
}

// WORKSPACE_IGNORE: patterns added to the default ignore list of automatic workspace commits,
// shared by the primary's push service and the standby's hand-back so both keep the same files out.
import type { Setting } from './setting-kinds.ts';
import { DEFAULT_WORKSPACE_IGNORE } from '../git/workspace-commit.ts';

const MAX_PATTERNS = 100;
const MAX_LENGTH = 200;

export function workspaceIgnoreSetting(): Setting<string[]> {
  return {
    name: 'WORKSPACE_IGNORE',
    default: undefined,
    unit: undefined,
    description: `Extra gitignore patterns (comma-separated; "!pattern" re-includes) kept out of automatic workspace commits, on top of the default list: ${DEFAULT_WORKSPACE_IGNORE.join(' ')}`,
    parse(raw) {
      if (raw === undefined) return { ok: true, value: [] };
      const patterns = raw.split(',').map((p) => p.trim()).filter((p) => p !== '');
      // eslint-disable-next-line no-control-regex -- control characters (a newline would end the pattern) are exactly what is rejected
      const badOnes = patterns.filter((p) => p.length > MAX_LENGTH || /[\u0000-\u001f\u007f]/.test(p) || p.startsWith('#'));
      if (badOnes.length === 0 && patterns.length <= MAX_PATTERNS) return { ok: true, value: patterns };
      return {
        ok: false,
        expected: `a comma-separated list of at most ${MAX_PATTERNS} gitignore patterns of at most ${MAX_LENGTH} characters each, not starting with "#" (unset by default: only the built-in list), e.g. WORKSPACE_IGNORE=private/,*.sqlite`,
      };
    },
    show: (value) => (value.length === 0 ? undefined : value.join(',')),
  };
}

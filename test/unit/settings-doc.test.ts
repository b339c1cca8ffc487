// docs/settings.md is generated from the code's setting table (scripts/settings-table.ts), and
// `npm run lint` runs its --check: the committed file is current, a stale one is caught with a
// message that says how to fix it, and regenerating fixes it.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SETTINGS } from '../../src/config/load-config.ts';
import { END, renderSettingsTable, START, updateDoc } from '../../scripts/settings-table.ts';

const script = fileURLToPath(new URL('../../scripts/settings-table.ts', import.meta.url));
const doc = fileURLToPath(new URL('../../docs/settings.md', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ocf-settings-doc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [script, ...args], { timeout: 15_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('docs/settings.md', () => {
  it('is current: --check passes on the committed file', async () => {
    const r = await run(['--check']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('has one row per setting, in table order, secrets marked', () => {
    const rows = renderSettingsTable().split('\n').slice(2);
    expect(rows.map((row) => /^\| `([A-Z_]+)` \|/.exec(row)?.[1])).toEqual(SETTINGS.map((s) => s.name));
    const text = readFileSync(doc, 'utf8');
    for (const s of SETTINGS) {
      const row = rows.find((r) => r.startsWith(`| \`${s.name}\` |`))!;
      expect(text).toContain(row);
      expect(row.endsWith(s.secret ? '| yes |' : '|  |')).toBe(true);
    }
  });

  it('a stale file fails --check with the fix, and regenerating makes it current', async () => {
    const stale = join(dir, 'settings.md');
    copyFileSync(doc, stale);
    writeFileSync(stale, readFileSync(stale, 'utf8').replace('| `CHECK_INTERVAL` | `1` |', '| `CHECK_INTERVAL` | `5` |'));
    const failed = await run(['--check', '--file', stale]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('is stale');
    expect(failed.stderr).toContain('npm run docs:settings');

    const regenerated = await run(['--file', stale]);
    expect(regenerated.code).toBe(0);
    expect(regenerated.stdout).toContain('| `CHECK_INTERVAL` | `1` |');
    expect(readFileSync(stale, 'utf8')).toBe(readFileSync(doc, 'utf8'));
    expect((await run(['--check', '--file', stale])).code).toBe(0);
  });

  it('keeps the text around the markers and refuses a file without them', async () => {
    const updated = updateDoc(`intro\n${START}\nold\n${END}\noutro\n`);
    expect(updated.ok && updated.text.startsWith(`intro\n${START}\n`) && updated.text.endsWith(`${END}\noutro\n`)).toBe(true);
    const bare = join(dir, 'bare.md');
    writeFileSync(bare, '# no markers\n');
    const r = await run(['--check', '--file', bare]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('markers');
  });
});

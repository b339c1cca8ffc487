// The state file keeps the operator's mode and the last drill next to the phase, in a real temp
// dir: what a restarted watcher reads back is what the previous one wrote.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Drill, Mode } from '../../src/decision/model.ts';
import { createFileStateStore } from '../../src/watcher/state-store.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ocf-state-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('state store with manual control', () => {
  it('round-trips the mode and the last drill', async () => {
    const store = createFileStateStore(dir, () => 1_000);
    const mode: Mode = { kind: 'override', target: 'promoted', reason: 'moving the primary', since: 900 };
    const drill: Drill = { id: 5, requestedAt: 5, status: 'succeeded', syncedAt: 6, startedAt: 7, readyAt: 8, stopIssuedAt: 9, stoppedAt: 10, finishedAt: 10, problems: [] };
    await store.save('promoted', null, { mode, drill });
    const loaded = await createFileStateStore(dir).load();
    expect(loaded.problem).toBeUndefined();
    expect(loaded.state).toMatchObject({ phase: 'promoted', mode, drill });
  });

  it('reads a file from an older watcher (no mode) as it is: automatic mode follows', async () => {
    writeFileSync(join(dir, 'state.json'), JSON.stringify({ version: 1, phase: 'watching', savedAt: 'x', transition: null }));
    const loaded = await createFileStateStore(dir).load();
    expect(loaded.state?.mode).toBeUndefined();
    expect(loaded.problem).toBeUndefined();
  });

  it.each([{ kind: 'paused' }, { kind: 'override', target: 'sideways', reason: 'r', since: 1 }, { kind: 'chaos' }, 'paused'])(
    'drops an unknown mode %o, says so, and keeps the phase',
    async (mode) => {
      writeFileSync(join(dir, 'state.json'), JSON.stringify({ version: 1, phase: 'promoted', savedAt: 'x', transition: null, mode }));
      const loaded = await createFileStateStore(dir).load();
      expect(loaded.state?.phase).toBe('promoted');
      expect(loaded.state?.mode).toBeUndefined();
      expect(loaded.problem).toMatch(/unknown mode/);
    },
  );

  it('writes the mode where an operator reading the file finds it', async () => {
    await createFileStateStore(dir).save('watching', null, { mode: { kind: 'paused', reason: 'maintenance', since: 1 }, drill: null });
    expect(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'))).toMatchObject({ phase: 'watching', mode: { kind: 'paused' }, drill: null });
  });
});

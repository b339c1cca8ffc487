// The watcher's memory across restarts: the phase it was in and its last transition. A
// restarted watcher that was promoted keeps the gateway up instead of stopping it as a stray.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Drill, Mode, Phase, Transition } from '../decision/model.ts';

export interface PersistedState {
  version: 1;
  phase: Phase;
  savedAt: string;
  transition: Transition | null;
  /** Operator control (pause / override) and the last drill; absent in files from older watchers. */
  mode?: Mode;
  drill?: Drill | null;
}

export interface PersistedControl {
  mode: Mode;
  drill: Drill | null;
}

export interface StateStore {
  load(): Promise<{ state: PersistedState | null; problem?: string }>;
  save(phase: Phase, transition: Transition | null, control?: PersistedControl): Promise<void>;
}

const PHASES: readonly Phase[] = ['watching', 'promoting', 'promoted', 'demoting'];

export function createFileStateStore(dir: string, now: () => number = Date.now): StateStore {
  const file = join(dir, 'state.json');
  // Writes are chained so an older snapshot can never overwrite a newer one.
  let chain: Promise<void> = Promise.resolve();
  return {
    async load() {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: null };
        return { state: null, problem: `cannot read ${file}: ${(error as Error).message}` };
      }
      try {
        const parsed = JSON.parse(text) as Partial<PersistedState>;
        if (parsed.version !== 1 || !PHASES.includes(parsed.phase as Phase)) {
          return { state: null, problem: `ignoring ${file}: unknown format` };
        }
        // A mode this watcher does not understand is dropped (auto), never half-applied.
        if (parsed.mode !== undefined && !isMode(parsed.mode)) {
          return { state: { ...(parsed as PersistedState), mode: undefined }, problem: `ignoring the unknown mode in ${file}; automatic mode` };
        }
        return { state: parsed as PersistedState };
      } catch {
        return { state: null, problem: `ignoring ${file}: not valid JSON` };
      }
    },
    save(phase, transition, control) {
      const body: PersistedState = { version: 1, phase, savedAt: new Date(now()).toISOString(), transition, ...control };
      const write = async (): Promise<void> => {
        await mkdir(dir, { recursive: true });
        const temp = `${file}.${process.pid}.tmp`;
        await writeFile(temp, `${JSON.stringify(body, null, 2)}\n`, 'utf8');
        // rename is atomic: a crash leaves the old file or the new one, never half of one.
        await rename(temp, file);
      };
      chain = chain.then(write, write);
      return chain;
    },
  };
}

function isMode(value: unknown): value is Mode {
  if (typeof value !== 'object' || value === null) return false;
  const mode = value as Record<string, unknown>;
  if (mode.kind === 'auto') return true;
  const described = typeof mode.reason === 'string' && typeof mode.since === 'number';
  if (mode.kind === 'paused') return described;
  return mode.kind === 'override' && described && (mode.target === 'promoted' || mode.target === 'demoted');
}

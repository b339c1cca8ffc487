// The lease file the gateway side's dead-man switch reads (deadman/serve-while-leased.mjs):
// the deadline on this host's CLOCK_MONOTONIC, written atomically (temp file + rename) so the
// wrapper never reads half a document. null deadline = do not serve.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** CLOCK_MONOTONIC in ms, the clock every container on this kernel shares (not performance.now). */
export const hostMonotonicMs = (): number => Number(process.hrtime.bigint() / 1_000_000n);

export interface LeaseFileDoc {
  deadlineMono: number | null;
  holder: string;
  revision: number | null;
  writtenAt: string;
}

export function writeLeaseFile(path: string, doc: LeaseFileDoc): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(doc)}\n`);
  renameSync(tmp, path);
}

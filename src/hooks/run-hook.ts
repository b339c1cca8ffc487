// Runs an operator's ON_PROMOTE / ON_DEMOTE command: `/bin/sh -c <command>` in its own process
// group, bounded by a timeout that kills the whole group (children included), with a minimal
// environment (none of the watcher's secrets) and captured output capped and scrubbed. Never throws:
// a failing hook is reported, never allowed to block the transition it belongs to.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

export type HookEvent = 'promote' | 'demote';

export interface HookRequest {
  /** The shell command, run as `/bin/sh -c <command>`. */
  command: string;
  event: HookEvent;
  /** Why the transition happens, e.g. "3 consecutive failed probes". */
  reason: string;
  /** The watcher's phase while the hook runs (promoting / demoting). */
  phase: string;
  timeoutMs: number;
  /** Kills the hook at once, e.g. when the watcher is stopping. */
  signal?: AbortSignal | undefined;
  /** Where PATH and HOME are taken from; process.env by default. */
  sourceEnv?: Record<string, string | undefined>;
  /** Masks secrets in the captured output before it is returned (and so logged or served). */
  scrub?: (text: string) => string;
  /** Bytes of output kept (the tail, stdout and stderr interleaved). */
  maxOutputBytes?: number;
}

export interface HookOutcome {
  event: HookEvent;
  ok: boolean;
  /** Exit code, or null when it was killed by a signal or never started. */
  exitCode: number | null;
  /** The signal that ended it, e.g. SIGKILL after a timeout. */
  signal: string | null;
  timedOut: boolean;
  durationMs: number;
  /** The last `maxOutputBytes` of its output, scrubbed of secrets. */
  output: string;
  /** Output was longer than what is kept. */
  truncated: boolean;
  /** Could not be run at all (spawn error), or was aborted. */
  error?: string;
}

export const DEFAULT_HOOK_OUTPUT_BYTES = 4096;
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** After SIGTERM to the group, how long before SIGKILL. */
const KILL_GRACE_MS = 1_000;
/** After the shell exits, how long to wait for descendants that still hold its output open. */
const OUTPUT_DRAIN_MS = 500;

/**
 * The whole environment a hook sees: what a shell needs, and what happened. Nothing else of the
 * watcher's environment (PRIMARY_URL credentials, tokens from a shared env file) is inherited.
 */
export interface HookEnvironment {
  PATH: string;
  HOME: string;
  OCF_EVENT: HookEvent;
  OCF_REASON: string;
  OCF_PHASE: string;
}

export function hookEnvironment(request: Pick<HookRequest, 'event' | 'reason' | 'phase' | 'sourceEnv'>): HookEnvironment {
  const source = request.sourceEnv ?? process.env;
  return {
    PATH: source.PATH?.trim() ? source.PATH : DEFAULT_PATH,
    HOME: source.HOME?.trim() ? source.HOME : '/tmp',
    OCF_EVENT: request.event,
    OCF_REASON: request.reason,
    OCF_PHASE: request.phase,
  };
}

export function runHook(request: HookRequest): Promise<HookOutcome> {
  const began = performance.now();
  const cap = request.maxOutputBytes ?? DEFAULT_HOOK_OUTPUT_BYTES;
  const scrub = request.scrub ?? ((text: string) => text);
  const output = new TailBuffer(cap);

  return new Promise<HookOutcome>((resolve) => {
    let timedOut = false;
    let aborted = false;
    let settled = false;
    const timers: NodeJS.Timeout[] = [];

    const env = hookEnvironment(request);
    const child = spawn('/bin/sh', ['-c', request.command], {
      env: { ...env },
      cwd: existsSync(env.HOME) ? env.HOME : '/',
      // Its own process group, so a timeout kills what it started too (rsync, ssh, ...).
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk));

    const killGroup = (signalName: NodeJS.Signals): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, signalName);
      } catch {
        // The group is already gone.
      }
    };
    const terminate = (): void => {
      killGroup('SIGTERM');
      timers.push(setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS));
    };
    timers.push(
      setTimeout(() => {
        timedOut = true;
        terminate();
      }, request.timeoutMs),
    );
    const onAbort = (): void => {
      aborted = true;
      terminate();
    };
    request.signal?.addEventListener('abort', onAbort, { once: true });
    if (request.signal?.aborted) onAbort();

    const finish = (exitCode: number | null, signalName: string | null, error?: string): void => {
      if (settled) return;
      settled = true;
      for (const timer of timers) clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
      // Whatever the shell left behind in its group goes with it.
      killGroup('SIGKILL');
      child.stdout.destroy();
      child.stderr.destroy();
      const failure = error ?? (aborted ? 'aborted (watcher stopping)' : timedOut ? `timed out after ${request.timeoutMs / 1000}s` : undefined);
      resolve({
        event: request.event,
        ok: failure === undefined && exitCode === 0,
        exitCode,
        signal: signalName,
        timedOut,
        durationMs: Math.round(performance.now() - began),
        output: scrub(output.text()),
        truncated: output.truncated,
        ...(failure === undefined ? {} : { error: failure }),
      });
    };

    child.on('error', (error) => finish(null, null, `cannot run /bin/sh: ${error.message}`));
    // 'close' waits for the output pipes, which a backgrounded descendant may hold open forever:
    // give them a moment after the shell exits, then finish anyway.
    child.on('exit', (code, signalName) => {
      timers.push(setTimeout(() => finish(code, signalName), OUTPUT_DRAIN_MS));
    });
    child.on('close', (code, signalName) => finish(code, signalName));
  });
}

/** One line for the log and /status: exit code, duration, timeout, and the tail of the output. */
export function describeHookOutcome(outcome: HookOutcome, tailChars = 300): string {
  return `ON_${outcome.event.toUpperCase()} ${outcome.ok ? 'succeeded' : 'failed'} ${describeHookRun(outcome, tailChars)}`;
}

/** "(exit code 23) in 0.4s: <output tail>", the part of the line that says what happened. */
export function describeHookRun(outcome: HookOutcome, tailChars = 300): string {
  const how = outcome.error ?? (outcome.exitCode !== null ? `exit code ${outcome.exitCode}` : `killed by ${outcome.signal ?? 'a signal'}`);
  const tail = outcome.output.trim().replace(/\s+/g, ' ');
  const shown = tail.length > tailChars ? `…${tail.slice(-tailChars)}` : tail;
  return `(${how}) in ${(outcome.durationMs / 1000).toFixed(1)}s${shown ? `: ${shown}` : ''}`;
}

/** Keeps the last `cap` bytes of a stream. */
class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  private readonly cap: number;
  truncated = false;

  constructor(cap: number) {
    this.cap = cap;
  }

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.cap && this.chunks.length > 0) {
      const first = this.chunks[0]!;
      const excess = this.size - this.cap;
      this.truncated = true;
      if (first.length <= excess) {
        this.chunks.shift();
        this.size -= first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.size -= excess;
      }
    }
  }

  text(): string {
    // A cut may split a multi-byte character; the replacement character marks it.
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

// A Docker events subscription that survives daemon restarts: on end or error it reconnects
// with jittered backoff (injectable, as in kubernetes-client's informer cache) and tells the
// caller, who must re-inspect because events may have been missed in the gap.
import type Docker from 'dockerode';
import { jitteredBackoff, resettableBackoff, retry, type BackoffFactory } from './backoff.ts';
import { targetFilters, type TargetSpec } from './gateway-target.ts';

export interface ContainerEvent {
  /** Docker's action: start, die, stop, kill, restart, pause, unpause, destroy, create… */
  action: string;
  id: string;
  name: string | undefined;
  exitCode: string | undefined;
  /** Event time in epoch ms (from timeNano). */
  at: number;
}

export interface EventWatchOptions {
  signal: AbortSignal;
  /** Delays between reconnects (tests); by default jittered around 250 ms, 500 ms… at most 5 s. */
  backoff?: BackoffFactory | undefined;
  hooks?: {
    /** The stream is (re)connected; the caller should re-inspect. */
    onConnected?: (reconnect: boolean) => void;
    onDisconnected?: (error: unknown, retryInMs: number) => void;
  } | undefined;
}

// Lifecycle actions that can change whether the gateway runs.
const RELEVANT = new Set(['create', 'start', 'restart', 'die', 'stop', 'kill', 'pause', 'unpause', 'destroy', 'oom']);

/** Reconnects start quickly and slow down to one every 5 s while the daemon stays away. */
export const EVENTS_RECONNECT = { initialMs: 250, maxMs: 5_000 };

export async function watchContainerEvents(
  docker: Docker,
  spec: TargetSpec,
  onEvent: (event: ContainerEvent) => void,
  options: EventWatchOptions,
): Promise<void> {
  // A connection that worked resets the delays: the next outage starts again at the short ones.
  const backoff = resettableBackoff(options.backoff ?? jitteredBackoff(EVENTS_RECONNECT.initialMs, EVENTS_RECONNECT.maxMs));
  let connectedBefore = false;
  try {
    await retry(
      async () => {
        const stream = (await docker.getEvents({
          filters: { type: ['container'], ...targetFilters(spec) },
        })) as NodeJS.ReadableStream & { destroy?: () => void };
        options.hooks?.onConnected?.(connectedBefore);
        connectedBefore = true;
        backoff.reset();
        await consume(stream, onEvent, options.signal);
        if (options.signal.aborted) return;
        throw new Error('docker events stream ended');
      },
      {
        attempts: Number.POSITIVE_INFINITY,
        backoff,
        signal: options.signal,
        onRetry: (error, _attempt, delayMs) => options.hooks?.onDisconnected?.(error, delayMs),
      },
    );
  } catch (error) {
    // Only a stop ends the subscription; everything else is retried.
    if (!options.signal.aborted) throw error;
  }
}

function consume(
  stream: NodeJS.ReadableStream & { destroy?: () => void },
  onEvent: (event: ContainerEvent) => void,
  signal: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onAbort = (): void => {
      stream.destroy?.();
      resolve();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    stream.on('data', (chunk: Buffer | string) => {
      buffered += chunk.toString();
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        const event = line ? parseEvent(line) : undefined;
        if (event && RELEVANT.has(event.action)) onEvent(event);
        newline = buffered.indexOf('\n');
      }
    });
    const finish = (error?: unknown): void => {
      signal.removeEventListener('abort', onAbort);
      if (error) reject(error instanceof Error ? error : new Error('docker events stream failed'));
      else resolve();
    };
    stream.on('end', () => finish());
    stream.on('close', () => finish());
    stream.on('error', (error) => finish(error));
  });
}

export function parseEvent(line: string): ContainerEvent | undefined {
  try {
    const raw = JSON.parse(line) as {
      Action?: string;
      status?: string;
      id?: string;
      Actor?: { ID?: string; Attributes?: Record<string, string> };
      timeNano?: number;
      time?: number;
    };
    // "exec_start: sh -c …" style actions carry a suffix; keep the verb.
    const action = (raw.Action ?? raw.status ?? '').split(':')[0]?.trim() ?? '';
    const id = raw.Actor?.ID ?? raw.id ?? '';
    if (!action || !id) return undefined;
    return {
      action,
      id,
      name: raw.Actor?.Attributes?.name,
      exitCode: raw.Actor?.Attributes?.exitCode,
      at: raw.timeNano ? Math.round(raw.timeNano / 1e6) : (raw.time ?? 0) * 1000,
    };
  } catch {
    return undefined;
  }
}

// The thin Docker adapter the watcher acts through: inspect, start, stop and watch the one
// labelled standby gateway. Daemon errors are retried with backoff; operator errors are not.
import type Docker from 'dockerode';
import { jitteredBackoff, retry, type BackoffFactory } from './backoff.ts';
import { GatewayTargetError, locateGateway, statusCode, type LocatedGateway, type TargetSpec } from './gateway-target.ts';
import { watchContainerEvents, type ContainerEvent, type EventWatchOptions } from './container-events.ts';

export interface GatewayControl {
  inspect(): Promise<LocatedGateway>;
  start(): Promise<LocatedGateway>;
  /** SIGTERM, then SIGKILL after `timeoutSeconds`. */
  stop(timeoutSeconds: number): Promise<void>;
  /** The last `lines` lines of the gateway container's log (stdout and stderr), as text. */
  logTail(lines: number): Promise<string>;
  /** Calls `onEvent` for every lifecycle event of the target until the signal aborts. */
  watch(onEvent: (event: ContainerEvent) => void, signal: AbortSignal, hooks?: EventWatchOptions['hooks']): Promise<void>;
}

export interface DockerGatewayOptions {
  /** Attempts per operation, the first included. */
  attempts?: number;
  /** Delays between attempts (tests); by default jittered around 200 ms, 400 ms, 800 ms, at most 2 s. */
  backoff?: BackoffFactory;
  /** Delays between reconnects of the events stream (tests); see container-events.ts. */
  eventsBackoff?: BackoffFactory;
  onRetry?: (operation: string, error: unknown, attempt: number, delayMs: number) => void;
}

/** A daemon hiccup (restart, overload) is brief: a few quick retries, never more than 2 s apart. */
export const DOCKER_RETRY = { attempts: 4, initialMs: 200, maxMs: 2_000 };

export function createDockerGatewayControl(docker: Docker, spec: TargetSpec, options: DockerGatewayOptions = {}): GatewayControl {
  const attempts = options.attempts ?? DOCKER_RETRY.attempts;
  const backoff = options.backoff ?? jitteredBackoff(DOCKER_RETRY.initialMs, DOCKER_RETRY.maxMs);
  const withRetry = <T>(operation: string, fn: () => Promise<T>): Promise<T> =>
    retry(fn, {
      attempts,
      backoff,
      retryable: (error) => !(error instanceof GatewayTargetError) && statusCode(error) !== 404,
      onRetry: (error, attempt, delayMs) => options.onRetry?.(operation, error, attempt, delayMs),
    });

  return {
    inspect: () => withRetry('inspect', () => locateGateway(docker, spec)),

    start: () =>
      withRetry('start', async () => {
        const target = await locateGateway(docker, spec);
        try {
          await docker.getContainer(containerRef(spec, target)).start();
        } catch (error) {
          // 304: already running, which is what we wanted.
          if (statusCode(error) !== 304) throw error;
        }
        return { ...target, running: true };
      }),

    stop: (timeoutSeconds) =>
      withRetry('stop', async () => {
        const target = await locateGateway(docker, spec);
        try {
          await docker.getContainer(containerRef(spec, target)).stop({ t: Math.max(0, Math.round(timeoutSeconds)) });
        } catch (error) {
          // 304: already stopped.
          if (statusCode(error) !== 304) throw error;
        }
      }),

    logTail: async (lines) => {
      const target = await locateGateway(docker, spec);
      const raw = (await docker.getContainer(containerRef(spec, target)).logs({ stdout: true, stderr: true, tail: lines, follow: false })) as unknown as Buffer | string;
      return demuxLogs(typeof raw === 'string' ? Buffer.from(raw) : raw);
    },

    watch: (onEvent, signal, hooks) => watchContainerEvents(docker, spec, onEvent, { signal, backoff: options.eventsBackoff, hooks }),
  };
}

/**
 * The name the operator gave (GATEWAY_CONTAINER), else the id found: behind the socket proxy only
 * that name is allowed, never the id it stands for.
 */
function containerRef(spec: TargetSpec, target: LocatedGateway): string {
  return spec.container ?? target.id;
}

/**
 * Docker multiplexes stdout and stderr of a container without a TTY into frames (1 byte stream,
 * 3 zero bytes, 4 bytes big-endian length, payload); with a TTY the log is plain text.
 */
export function demuxLogs(raw: Buffer): string {
  const framed = raw.length >= 8 && raw[0]! <= 2 && raw[1] === 0 && raw[2] === 0 && raw[3] === 0;
  if (!framed) return raw.toString('utf8');
  const parts: Buffer[] = [];
  let offset = 0;
  // Bounded: every pass advances by at least the 8-byte header.
  while (offset + 8 <= raw.length) {
    const size = raw.readUInt32BE(offset + 4);
    parts.push(raw.subarray(offset + 8, Math.min(raw.length, offset + 8 + size)));
    offset += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}

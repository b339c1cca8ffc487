// Dead man's switch: a GET to HEARTBEAT_URL every interval while the probe loop turns, so a
// monitoring service (healthchecks.io, Uptime Kuma push, Better Stack...) alerts when the pings
// stop: the watcher died, its host died, or its loop is stuck. A stuck loop withholds the ping
// on purpose. Failures are logged once per outage and are never fatal.
import type { Logger } from 'pino';
import { sleep as realSleep, type Sleep } from '../docker/backoff.ts';
import type { HeartbeatOutcome } from '../metrics/watcher-metrics.ts';
import { sendOnce } from './http-send.ts';

export interface HeartbeatOptions {
  url: string;
  intervalMs: number;
  timeoutMs: number;
  /** True while the watcher's probe loop turns (the /healthz rule). */
  alive: () => boolean;
  logger: Logger;
  signal: AbortSignal;
  onOutcome?: (outcome: HeartbeatOutcome) => void;
  sleep?: Sleep;
}

/** Runs until the signal aborts; never throws. */
export async function runHeartbeat(options: HeartbeatOptions): Promise<void> {
  const { logger, signal } = options;
  const pause = options.sleep ?? realSleep;
  let failing = false;
  let stuck = false;
  while (!signal.aborted) {
    const began = Date.now();
    if (!options.alive()) {
      options.onOutcome?.('skipped');
      if (!stuck) logger.warn({ event: 'heartbeat-withheld' }, 'heartbeat withheld: the probe loop is not turning');
      stuck = true;
    } else {
      stuck = false;
      try {
        await sendOnce({ method: 'GET', url: options.url }, options.timeoutMs, signal);
        options.onOutcome?.('ok');
        if (failing) logger.info({ event: 'heartbeat-restored' }, 'heartbeat delivered again');
        failing = false;
      } catch (error) {
        if (signal.aborted) break;
        options.onOutcome?.('failed');
        const message = error instanceof Error ? error.message : String(error);
        if (!failing) logger.warn({ event: 'heartbeat-failed', err: message }, `heartbeat not delivered (${message}); logged once until it works again`);
        failing = true;
      }
    }
    await pause(Math.max(0, began + options.intervalMs - Date.now()), signal);
  }
}

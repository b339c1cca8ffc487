// Fire-and-forget delivery of notifications: notify() only enqueues and returns, so a slow or dead
// receiver can never delay a failover. One bounded queue per channel, drained by its own worker
// with a timeout and bounded retries per message; what overflows is dropped, counted and logged.
// The URLs are secrets: logs name the channel, never the URL.
import type { Logger } from 'pino';
import type { NotificationOutcome } from '../metrics/watcher-metrics.ts';
import type { Sleep } from '../docker/backoff.ts';
import { sendWithRetries, SendError } from './http-send.ts';
import type { Notification } from './notification.ts';
import { buildRequest, type Channel, type SenderInfo } from './payloads.ts';

export interface NotifierOptions {
  targets: Partial<Record<Channel, string>>;
  sender: SenderInfo;
  timeoutMs: number;
  retries: number;
  logger: Logger;
  /** Messages waiting per channel beyond which new ones are dropped. */
  maxQueue?: number;
  backoffMs?: number;
  backoffMaxMs?: number;
  sleep?: Sleep;
  /** Masks secret values that may sit in error texts (probe details, docker errors). */
  scrub?: (text: string) => string;
  onOutcome?: (channel: Channel, outcome: NotificationOutcome) => void;
}

export interface Notifier {
  readonly channels: readonly Channel[];
  /** Enqueues for every channel and returns at once. */
  notify(notification: Notification): void;
  /** Resolves when every queue is empty and nothing is in flight (tests, graceful stop). */
  idle(): Promise<void>;
  /** Aborts what is in flight and drops what waits. */
  close(): void;
}

const DEFAULT_MAX_QUEUE = 20;

/** The channels a set of targets enables (those with a URL), in a fixed order. */
export function configuredChannels(targets: Partial<Record<Channel, string | undefined>>): Channel[] {
  return (Object.keys(targets) as Channel[]).filter((c) => targets[c] !== undefined);
}

export function createNotifier(options: NotifierOptions): Notifier {
  const { logger } = options;
  const maxQueue = options.maxQueue ?? DEFAULT_MAX_QUEUE;
  const abort = new AbortController();
  const channels = configuredChannels(options.targets);
  const scrub = options.scrub ?? ((text: string) => text);
  const queues = new Map<Channel, Notification[]>(channels.map((c) => [c, []]));
  const workers = new Map<Channel, Promise<void>>();

  const deliver = async (channel: Channel, n: Notification): Promise<void> => {
    const url = options.targets[channel] ?? '';
    const request = buildRequest(channel, url, n, options.sender);
    try {
      const { attempts } = await sendWithRetries(
        request,
        { timeoutMs: options.timeoutMs, retries: options.retries, backoffMs: options.backoffMs ?? 1_000, backoffMaxMs: options.backoffMaxMs ?? 30_000, sleep: options.sleep },
        abort.signal,
        (error, attempt, delayMs) =>
          logger.debug({ event: 'notify-retry', channel, notification: n.event, attempt, delayMs, err: error.message }, `${channel} notification failed (${error.message}); retry ${attempt} in ${delayMs} ms`),
      );
      options.onOutcome?.(channel, 'sent');
      logger.info({ event: 'notify-sent', channel, notification: n.event, attempts }, `${channel} notification sent: ${n.event}`);
    } catch (error) {
      if (abort.signal.aborted) return;
      const message = error instanceof SendError ? error.message : String(error);
      const attempts = error instanceof SendError ? error.attempts : 1;
      options.onOutcome?.(channel, 'failed');
      logger.warn(
        { event: 'notify-failed', channel, notification: n.event, attempts, err: message },
        `${channel} notification ${n.event} not delivered after ${attempts} attempt(s): ${message}`,
      );
    }
  };

  const drain = async (channel: Channel): Promise<void> => {
    const queue = queues.get(channel) ?? [];
    for (let next = queue.shift(); next !== undefined && !abort.signal.aborted; next = queue.shift()) {
      await deliver(channel, next);
    }
  };

  const kick = (channel: Channel): void => {
    if (workers.has(channel)) return;
    // The worker begins on a later turn of the event loop: notify() does no I/O on the caller's turn.
    const worker = new Promise((resolve) => setImmediate(resolve)).then(() => drain(channel)).finally(() => {
      workers.delete(channel);
      if ((queues.get(channel)?.length ?? 0) > 0 && !abort.signal.aborted) kick(channel);
    });
    workers.set(channel, worker);
  };

  return {
    channels,
    notify(notification) {
      if (abort.signal.aborted) return;
      const clean: Notification = {
        ...notification,
        text: scrub(notification.text),
        reason: scrub(notification.reason),
        problems: notification.problems.map(scrub),
      };
      for (const channel of channels) {
        const queue = queues.get(channel) ?? [];
        if (queue.length >= maxQueue) {
          options.onOutcome?.(channel, 'dropped');
          logger.warn(
            { event: 'notify-dropped', channel, notification: notification.event, queued: queue.length },
            `${channel} notification ${notification.event} dropped: ${queue.length} already waiting (the receiver is slow or down)`,
          );
          continue;
        }
        queue.push(clean);
        kick(channel);
      }
    },
    async idle() {
      while (workers.size > 0) await Promise.allSettled([...workers.values()]);
    },
    close() {
      abort.abort();
      for (const queue of queues.values()) queue.length = 0;
    },
  };
}

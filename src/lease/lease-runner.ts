// `openclaw-failover lease-run`: the etcd mode's watcher. A thin adapter around the pure
// leadership logic: a 100 ms tick, each action one bounded etcd call whose answer comes back as
// an event stamped with the monotonic instant it was sent, and the lease file the gateway
// side's dead-man switch obeys. It never starts or stops containers itself: the wrapper in the
// gateway container runs the gateway exactly while the deadline written here lies ahead.
import type { Logger } from 'pino';
import { Agent, request } from 'undici';
import { createNotifier } from '../notify/notifier.ts';
import { VERSION } from '../version.ts';
import { boundedLookup, EtcdClient } from './etcd-client.ts';
import { initialLeaseState, mayServe, stepLease, type LeaseAction, type LeaseEvent, type LeaseState } from './leadership.ts';
import { hostMonotonicMs, writeLeaseFile } from './lease-file.ts';
import { createLeaseMetrics } from './lease-metrics.ts';
import { servingStartedNotification, servingStoppedNotification, type LeaseNotifyContext } from './lease-notifications.ts';
import type { LeaseConfig } from './lease-settings.ts';
import { startLeaseStatusServer, type LeaseStatusDoc } from './lease-status.ts';

const TICK_MS = 100;
/** A tick this late means the event loop stalled: say so (the deadline rule already copes). */
const STALL_WARN_MS = 1_000;

export interface LeaseRunner {
  stop: () => Promise<void>;
  status: () => LeaseStatusDoc;
}

export async function runLease(config: LeaseConfig, logger: Logger, now: () => number = hostMonotonicMs): Promise<LeaseRunner> {
  const client = new EtcdClient({ endpoints: config.endpoints, timeoutMs: config.requestTimeoutMs });
  // The gateway check resolves a container name that vanishes when the container dies: same bounded lookup.
  const gatewayAgent = new Agent({ connectTimeout: 800, connect: { lookup: boundedLookup() } as never });
  const log = logger.child({ component: 'lease', node: config.nodeName });
  let state: LeaseState = initialLeaseState(config.nodeName, config.timings);
  let etcdOk = false;
  let lastError: string | null = null;
  let lastTick = now();
  let stopping = false;
  const startedAt = new Date().toISOString();
  const changes: { at: string; from: string; to: string; reason: string; revision: number | null }[] = [];
  const metrics = createLeaseMetrics(() => ({ state, now: now(), etcdOk }));
  const all = config.all;
  const notifier = createNotifier({
    targets: { webhook: all.notifyWebhookUrl, slack: all.notifySlackUrl, discord: all.notifyDiscordUrl, ntfy: all.notifyNtfyUrl },
    sender: { host: config.nodeName, version: VERSION },
    timeoutMs: all.notifyTimeoutMs ?? 5_000,
    retries: all.notifyRetries ?? 3,
    logger: log,
  });
  if (notifier.channels.length > 0) log.info({ event: 'notify-channels', channels: notifier.channels }, `leadership notifications go to: ${notifier.channels.join(', ')}`);
  // Captured before the step demotes (it clears acquiredAt): how long this node held the key.
  let heldSince: number | null = null;
  const notifyContext = (): LeaseNotifyContext => ({ node: config.nodeName, revision: state.key?.revision ?? null, leaseId: state.leaseId, heldMs: heldSince === null ? null : now() - heldSince, lastError, at: Date.now() });

  const writeFile = (deadline: number | null): void => {
    writeLeaseFile(config.leaseFile, { deadlineMono: deadline, holder: config.nodeName, revision: state.key?.revision ?? null, writtenAt: new Date().toISOString() });
  };
  // A starting watcher clears the switch first: whatever an earlier run wrote is void.
  writeFile(null);

  const feed = (event: LeaseEvent): void => {
    const step = stepLease(state, event, now());
    state = step.state;
    for (const action of step.actions) perform(action);
  };

  const call = <T>(op: () => Promise<T>, ok: (value: T, sentAt: number) => LeaseEvent, failed: (sentAt: number, error: string) => LeaseEvent): void => {
    const sentAt = now();
    op().then(
      (value) => {
        etcdOk = true;
        feed(ok(value, sentAt));
      },
      (error: unknown) => {
        etcdOk = false;
        lastError = error instanceof Error ? error.message : String(error);
        log.debug({ err: lastError }, 'etcd call failed');
        feed(failed(sentAt, lastError));
      },
    );
  };

  function perform(a: LeaseAction): void {
    switch (a.kind) {
      case 'grant':
        return call(() => client.grant(Math.round(config.timings.ttlMs / 1000)), (r, sentAt) => ({ kind: 'grant-ok', leaseId: r.leaseId, ttlMs: r.ttlMs, sentAt }), (sentAt, error) => ({ kind: 'grant-failed', sentAt, error }));
      case 'renew': {
        const leaseId = a.leaseId;
        return call(
          () => client.keepAlive(leaseId),
          (r, sentAt) => {
            metrics.renewed(now() - sentAt);
            return { kind: 'renew-ok', leaseId, ttlMs: r.ttlMs, sentAt };
          },
          (sentAt, error) => {
            metrics.renewFailed();
            return { kind: 'renew-failed', leaseId, sentAt, error };
          },
        );
      }
      case 'campaign':
        return call(
          () => client.createIfAbsent(config.leaderKey, config.nodeName, a.leaseId),
          (r, sentAt) => ({ kind: 'campaign-result', sentAt, won: r.won, key: { holder: r.kv?.value ?? null, leaseId: r.kv?.leaseId ?? null, revision: r.kv?.modRevision ?? r.revision } }),
          (sentAt, error) => ({ kind: 'campaign-failed', sentAt, error }),
        );
      case 'poll':
        return call(
          () => client.get(config.leaderKey),
          (r, sentAt) => ({ kind: 'key-seen', sentAt, key: { holder: r.kv?.value ?? null, leaseId: r.kv?.leaseId ?? null, revision: r.kv?.modRevision ?? r.revision } }),
          (sentAt, error) => ({ kind: 'poll-failed', sentAt, error }),
        );
      case 'revoke':
        client.revoke(a.leaseId).catch((error: unknown) => log.warn({ err: String(error) }, 'lease revoke failed; it expires on its own within the TTL'));
        return;
      case 'resign': {
        // Key first (so another node may campaign at once), then the lease.
        const leaseId = a.leaseId;
        log.warn({ event: 'resign', lastError }, 'this node\'s gateway is not serving: resigning the leader key');
        client
          .deleteIfLease(config.leaderKey, leaseId)
          .then(() => client.revoke(leaseId))
          .catch((error: unknown) => log.warn({ err: String(error) }, 'resign: etcd call failed; the lease expires on its own within the TTL'));
        return;
      }
      case 'gateway-check': {
        const url = config.gatewayStatusUrl;
        if (url === undefined) return;
        const sentAt = now();
        request(url, { signal: AbortSignal.timeout(1_000), dispatcher: gatewayAgent })
          .then(async (res) => {
            const body = (await res.body.json()) as { ready?: boolean; mode?: string };
            feed({ kind: 'gateway-seen', sentAt, reachable: res.statusCode === 200, ready: body.ready === true, hot: body.mode === 'hot' });
          })
          .catch(() => feed({ kind: 'gateway-seen', sentAt, reachable: false, ready: false }));
        return;
      }
      case 'deadman':
        writeFile(a.deadline);
        return;
      case 'serve-start':
        heldSince = now();
        notifier.notify(servingStartedNotification(notifyContext(), config.timings.graceMs));
        log.info({ event: 'serve-start', revision: state.key?.revision ?? null, deadlineInMs: state.deadline - now() }, 'holding the leader key past the grace: the gateway may serve until the deadline');
        return;
      case 'serve-stop':
        metrics.stopped(a.reason);
        // Written before anything else can run: the wrapper kills the gateway at its next poll
        // (a hot wrapper too: its gateway comes back seeded with the channels off).
        writeFile(null);
        log.warn({ event: 'serve-stop', reason: a.reason, lastError }, 'stopping the gateway\'s channels before the lease can expire');
        notifier.notify(servingStoppedNotification(notifyContext(), a.reason));
        heldSince = null;
        return;
      case 'holder-change': {
        const t = now();
        changes.push({ at: new Date().toISOString(), from: a.from, to: a.to, reason: a.reason, revision: a.revision });
        if (changes.length > 20) changes.shift();
        log.info(
          {
            event: 'holder-change',
            from: a.from,
            to: a.to,
            reason: a.reason,
            revision: a.revision,
            holder: a.holder,
            leaseId: state.leaseId,
            deadlineInMs: Number.isFinite(state.deadline) ? state.deadline - t : null,
            lastRenewLatencyMs: state.lastRenewLatencyMs,
            graceMs: config.timings.graceMs,
            ttlMs: config.timings.ttlMs,
          },
          `leadership: ${a.from} -> ${a.to} (${a.reason})`,
        );
        return;
      }
    }
  }

  const timer = setInterval(() => {
    const t = now();
    if (t - lastTick > STALL_WARN_MS) log.warn({ event: 'loop-stalled', gapMs: t - lastTick }, 'the event loop stalled; the lease deadline decides what that cost');
    lastTick = t;
    if (!stopping) feed({ kind: 'tick' });
  }, TICK_MS);

  const status = (): LeaseStatusDoc => {
    const t = now();
    return {
      mode: 'etcd',
      node: config.nodeName,
      startedAt,
      role: state.role,
      serving: mayServe(state, t),
      holder: state.key?.holder ?? null,
      revision: state.key?.revision ?? null,
      leaseId: state.leaseId,
      holderForMs: state.acquiredAt === null ? null : t - state.acquiredAt,
      deadlineInMs: Number.isFinite(state.deadline) ? state.deadline - t : null,
      lastRenewLatencyMs: state.lastRenewLatencyMs,
      lostLeases: state.lostLeases,
      etcdReachable: etcdOk,
      lastError,
      timings: config.timings,
      recentChanges: [...changes],
      loopAlive: t - lastTick < 2_000,
    };
  };

  const server = await startLeaseStatusServer(config.statusPort, status, () => metrics.render());
  log.info({ event: 'lease-start', endpoints: config.endpoints, key: config.leaderKey, timings: config.timings, leaseFile: config.leaseFile }, 'campaigning for the leader key');

  return {
    status,
    stop: async () => {
      stopping = true;
      clearInterval(timer);
      feed({ kind: 'shutdown' });
      writeFile(null);
      await new Promise((r) => setTimeout(r, 300)); // let the revoke go out
      // The "released" notification gets a bounded chance to leave.
      await Promise.race([notifier.idle(), new Promise((r) => setTimeout(r, 3_000))]);
      notifier.close();
      await server.close();
      await client.close();
      await gatewayAgent.close();
    },
  };
}

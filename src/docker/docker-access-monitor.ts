// Whether the watcher can reach Docker right now, fed by every Docker call it makes (the start-up
// ping, the 5 s inspect, start/stop, the events stream). While it cannot, /healthz answers 503, so
// the container turns (unhealthy) and `docker compose up` refuses to start the standby gateway
// beside it; the log says so once, with the fix, then reminds at most once a minute.
import type { Logger } from 'pino';
import type { GatewayControl } from './gateway-control.ts';
import { describeProblem, diagnoseDockerError, type DockerAccessProblem, type DockerEndpoint } from './docker-access.ts';
import { ConditionTracker } from '../log/lasting-condition.ts';

export interface DockerAccessView {
  reachable: boolean;
  /** Epoch ms the current problem began; null while reachable. */
  since: number | null;
  problem: DockerAccessProblem | null;
}

export interface DockerAccessMonitor {
  /** A Docker call failed; true when the failure means Docker is out of reach. */
  failed(error: unknown): boolean;
  /** Docker answered (whatever it said). */
  answered(): void;
  view(): DockerAccessView;
}

export function createDockerAccessMonitor(options: {
  endpoint: DockerEndpoint;
  logger: Logger;
  now?: () => number;
  reminderMs?: number;
  /** Called when Docker answers again after a problem. */
  onReachable?: () => void;
}): DockerAccessMonitor {
  const now = options.now ?? Date.now;
  let problem: DockerAccessProblem | null = null;
  let since: number | null = null;
  const tracker = new ConditionTracker({
    now,
    reminderMs: options.reminderMs,
    log: (line) => options.logger[line.level](line.fields, line.message),
  });
  return {
    failed(error) {
      const found = diagnoseDockerError(error, options.endpoint);
      if (!found) return false;
      if (problem === null) since = now();
      problem = found;
      tracker.report('docker', {
        key: found.key,
        level: 'error',
        event: 'docker-unreachable',
        message: describeProblem(found),
        fields: { setting: found.setting, fix: found.fix, code: found.code, ...(found.socketGid === undefined ? {} : { socketGid: found.socketGid }) },
      });
      return true;
    },
    answered() {
      if (problem === null) return;
      problem = null;
      since = null;
      tracker.report('docker', null, 'Docker is reachable again');
      options.onReachable?.();
    },
    view: () => ({ reachable: problem === null, since, problem }),
  };
}

const REPORTED = Symbol('openclaw-failover.docker-access-reported');

/** Marks an error whose cause the monitor has logged already (with its fix), so callers stay quiet. */
function markReported(error: unknown): void {
  if (typeof error === 'object' && error !== null) Object.defineProperty(error, REPORTED, { value: true });
}

/** True when the monitor has already explained this error: log it at debug level, if at all. */
export function dockerAccessReported(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[REPORTED] === true;
}

/** The gateway adapter, reporting each call's outcome to the monitor (the watcher stays unaware). */
export function monitoredGatewayControl(inner: GatewayControl, monitor: DockerAccessMonitor): GatewayControl {
  const watchOutcome = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      const result = await call();
      monitor.answered();
      return result;
    } catch (error) {
      // A refused label or a missing container is Docker answering; only transport failures count.
      if (monitor.failed(error)) markReported(error);
      else monitor.answered();
      throw error;
    }
  };
  return {
    inspect: () => watchOutcome(() => inner.inspect()),
    start: () => watchOutcome(() => inner.start()),
    stop: (timeoutSeconds) => watchOutcome(() => inner.stop(timeoutSeconds)),
    logTail: (lines) => watchOutcome(() => inner.logTail(lines)),
    watch: (onEvent, signal, hooks) =>
      inner.watch(onEvent, signal, {
        onConnected: (reconnect) => {
          monitor.answered();
          hooks?.onConnected?.(reconnect);
        },
        onDisconnected: (error, retryInMs) => {
          if (monitor.failed(error)) markReported(error);
          hooks?.onDisconnected?.(error, retryInMs);
        },
      }),
  };
}

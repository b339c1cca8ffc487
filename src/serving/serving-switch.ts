// How the standby is switched to serving users and back: the one interface the watcher acts
// through for promotions, demotions and reconcile. The decision core only decides "serve or not"
// (its `gatewayRunning` is "the standby serves"); this adapter decides how:
//   cold – the gateway container is started on promotion and stopped on demotion;
//   hot  – the gateway runs all the time with its channel disabled; promotion enables the channel
//          through the gateway's config API, demotion disables it (hot-serving.ts).
import type { ContainerEvent, EventWatchOptions } from '../docker/container-events.ts';
import type { GatewayControl } from '../docker/gateway-control.ts';
import type { ReadyOutcome } from '../watcher/wait-ready.ts';

export type StandbyMode = 'cold' | 'hot';

/** What the reconciler needs to know: does the standby serve users right now? */
export interface ServingView {
  /** cold: the container runs; hot: a standby channel is (or may be) live. */
  serving: boolean;
  name: string;
  /** One line for the decision log, e.g. "running; irc channel live". */
  status: string;
}

export interface ServingSwitch {
  readonly mode: StandbyMode;
  inspect(): Promise<ServingView>;
  /**
   * Make the standby serve (cold: docker start; hot: container up, channel enabled). Throws on
   * failure. `signal`: the promotion was cancelled; no further step (a fallback restart) is taken.
   */
  serve(signal?: AbortSignal): Promise<void>;
  /** Wait until it serves users (cold: /readyz; hot: the channel is connected), bounded. */
  waitServing(signal: AbortSignal): Promise<ReadyOutcome>;
  /** Stop serving (cold: docker stop; hot: channel disabled and checked gone, else docker stop). */
  unserve(timeoutSeconds: number): Promise<void>;
  /** Lifecycle events of the standby container: each one makes the watcher re-inspect. */
  watch(onEvent: (event: ContainerEvent) => void, signal: AbortSignal, hooks?: EventWatchOptions['hooks']): Promise<void>;
}

/** Today's behaviour: serving = the container runs. */
export function createColdServing(gateway: GatewayControl, waitReady: (signal: AbortSignal) => Promise<ReadyOutcome>): ServingSwitch {
  return {
    mode: 'cold',
    async inspect() {
      const target = await gateway.inspect();
      return { serving: target.running, name: target.name, status: target.status };
    },
    async serve() {
      await gateway.start();
    },
    waitServing: waitReady,
    unserve: (timeoutSeconds) => gateway.stop(timeoutSeconds),
    watch: (onEvent, signal, hooks) => gateway.watch(onEvent, signal, hooks),
  };
}

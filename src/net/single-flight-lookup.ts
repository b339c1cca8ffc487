// Name resolution that cannot starve itself. getaddrinfo runs on libuv's small thread pool (4
// threads) and cannot be cancelled: on an internal Docker network a name that does not resolve
// (a killed primary's, a stopped gateway's) takes 10 s to fail (measured: EAI_AGAIN after
// 10,038 ms). The hedged primary check asks up to 3 times per CHECK_INTERVAL, so a dead primary's
// name alone kept every thread busy, and the standby's own readiness lookups queued behind them:
// a promotion waited 186 s for a gateway that had been ready for 158 of them. Concurrent lookups
// of the same name and options now share one getaddrinfo call, so each name holds at most one
// thread. The OS resolver's semantics (/etc/hosts, search domains) are kept, unlike c-ares.
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
export type LookupFunction = (hostname: string, options: LookupOptions, callback: LookupCallback) => void;

type Resolve = (hostname: string, options: LookupOptions, callback: LookupCallback) => void;

export function singleFlightLookup(resolve: Resolve = dnsLookup): LookupFunction {
  const inFlight = new Map<string, LookupCallback[]>();
  return (hostname, options, callback) => {
    const key = `${hostname}\u0000${options.family ?? 0}\u0000${options.all === true}\u0000${options.hints ?? 0}`;
    const waiting = inFlight.get(key);
    if (waiting) {
      waiting.push(callback);
      return;
    }
    const callbacks = [callback];
    inFlight.set(key, callbacks);
    resolve(hostname, options, (error, address, family) => {
      inFlight.delete(key);
      for (const cb of callbacks) cb(error, address, family);
    });
  };
}

/** One per process: every HTTP client of the watcher shares it, so a name is resolved once at a time. */
export const sharedLookup: LookupFunction = singleFlightLookup();

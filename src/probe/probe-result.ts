// The outcome of one HTTP health probe. Every failure carries a machine-readable reason and a
// human-readable detail, so logs, /status and metrics can say *why* the primary looked dead.

export type ProbeFailureReason =
  | 'refused' // TCP connection refused (nothing listening)
  | 'timeout' // no complete answer within the hard timeout (hung host, paused container, black hole)
  | 'dns' // the host name did not resolve
  | 'reset' // the connection was reset or closed mid-answer
  | 'unreachable' // no route to host / network unreachable
  | 'tls' // TLS handshake or certificate failure
  | 'redirect' // a 3xx answer: never followed, never healthy
  | 'status' // any other non-2xx status
  | 'body' // 2xx, but the body is not JSON that says healthy (or it is too large)
  | 'error'; // anything else, with the underlying message in detail

/** What a healthy answer must say: `ok` for /healthz, `ready` for /readyz, `auto` picks by path. */
export type ProbeExpectation = 'ok' | 'ready' | 'auto';

export type ProbeResult =
  | { ok: true; status: number; latencyMs: number; startedAt: number }
  | {
      ok: false;
      reason: ProbeFailureReason;
      detail: string;
      status?: number;
      latencyMs: number;
      startedAt: number;
    };

/** Anything that can be probed once; the watcher owns the schedule. */
export interface Probe {
  probe(signal?: AbortSignal): Promise<ProbeResult>;
  close(): Promise<void>;
}

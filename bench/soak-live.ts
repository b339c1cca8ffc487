// The live half of the soak: the REAL watcher probe (hedged HTTP probe over undici, fresh connection
// per attempt) against a REAL loopback HTTP server that loses answers (accepts the request and never
// answers) and delays the others, feeding the REAL decide() on the wall clock, check after check as
// the watcher's loop does. A single-attempt probe runs alongside against the same server, so the
// same injected loss is seen once with and once without hedging. Loopback only; bounded in time.
import http from 'node:http';
import type net from 'node:net';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { decide, initialState } from '../src/decision/decide.ts';
import type { Observation, Policy, State } from '../src/decision/model.ts';
import { createHedgedProbe } from '../src/probe/hedged-probe.ts';
import { createHttpProbe } from '../src/probe/http-probe.ts';
import type { Probe } from '../src/probe/probe-result.ts';
import { createRng, percentile } from './soak-model.ts';
import type { NetworkModel } from './soak-model.ts';

export interface LossyServer {
  url: string;
  requests: () => number;
  dropped: () => number;
  close: () => Promise<void>;
}

/** Loses each request with probability `loss` (never answers it), answers the rest after uniform jitter. */
export async function startLossyServer(network: NetworkModel, seed: number): Promise<LossyServer> {
  const rng = createRng(seed);
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let requests = 0;
  let dropped = 0;
  const server = http.createServer((_req, res) => {
    requests++;
    const lost = rng() < network.loss;
    const delay = rng() * network.jitterMs;
    if (lost) {
      dropped++;
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!res.destroyed) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      }
    }, delay);
    timers.add(timer);
  });
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/healthz`,
    requests: () => requests,
    dropped: () => dropped,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface LiveWatcherFigures {
  attemptsSetting: number;
  checks: number;
  failedChecks: number;
  /** Longest run of consecutive failed checks (FAIL_THRESHOLD of them promote). */
  longestFailedStreak: number;
  promotions: number;
  attemptsPerCheck: number;
  checkLatencyMs: { p50: number; p95: number; p99: number; max: number };
}

export interface LiveFigures {
  minutes: number;
  loss: number;
  jitterMs: number;
  serverRequests: number;
  serverDropped: number;
  observedLossRate: number;
  hedged: LiveWatcherFigures;
  single: LiveWatcherFigures;
}

interface LiveOptions {
  minutes: number;
  network: NetworkModel;
  checkIntervalMs: number;
  checkTimeoutMs: number;
  attempts: number;
  policy: Policy;
  seed: number;
  /** Called about every 30 s with a one-line progress note. */
  progress?: (line: string) => void;
}

/** Runs the watcher's probe loop with the real probe and decide() until the deadline. */
async function watchLive(probe: Probe, attemptsOf: () => number, options: LiveOptions, attemptsSetting: number, until: number): Promise<LiveWatcherFigures> {
  let state: State = initialState(options.policy, null, Date.now());
  const feed = (observation: Observation): string[] => {
    const step = decide(state, observation, Date.now());
    state = step.state;
    return step.actions.map((action) => action.type);
  };
  feed({ type: 'gateway', running: false, source: 'inspect' });
  const latencies: number[] = [];
  let checks = 0;
  let failedChecks = 0;
  let streak = 0;
  let longestFailedStreak = 0;
  let promotions = 0;
  while (Date.now() < until) {
    const began = Date.now();
    const result = await probe.probe();
    checks++;
    latencies.push(result.latencyMs);
    streak = result.ok ? 0 : streak + 1;
    longestFailedStreak = Math.max(longestFailedStreak, streak);
    if (!result.ok) failedChecks++;
    const actions = feed({ type: 'probe', result });
    if (actions.includes('promote')) {
      promotions++;
      const at = Date.now();
      feed({ type: 'promotion-finished', report: { sync: { skipped: true, at }, start: { ok: true, at }, ready: { ok: true, at } } });
    }
    if (actions.includes('demote')) feed({ type: 'demotion-finished', ok: true });
    await sleep(Math.max(0, began + options.checkIntervalMs - Date.now()));
  }
  const round = (ms: number): number => Math.round(ms);
  return {
    attemptsSetting,
    checks,
    failedChecks,
    longestFailedStreak,
    promotions,
    attemptsPerCheck: checks === 0 ? 0 : Math.round((attemptsOf() / checks) * 100) / 100,
    checkLatencyMs: {
      p50: round(percentile(latencies, 50)),
      p95: round(percentile(latencies, 95)),
      p99: round(percentile(latencies, 99)),
      max: round(percentile(latencies, 100)),
    },
  };
}

/** The real HTTP probe, with a count of the attempts the hedged probe made through it. */
function countedHttpProbe(url: string, timeoutMs: number): { probe: Probe; attempts: () => number } {
  const inner = createHttpProbe({ url, timeoutMs });
  let attempts = 0;
  return {
    probe: {
      probe: (signal) => {
        attempts++;
        return inner.probe(signal);
      },
      close: () => inner.close(),
    },
    attempts: () => attempts,
  };
}

export async function runLiveSoak(options: LiveOptions): Promise<LiveFigures> {
  const server = await startLossyServer(options.network, options.seed);
  const hedgedInner = countedHttpProbe(server.url, options.checkTimeoutMs);
  const singleInner = countedHttpProbe(server.url, options.checkTimeoutMs);
  const hedged = createHedgedProbe({ inner: hedgedInner.probe, attempts: options.attempts, timeoutMs: options.checkTimeoutMs });
  const single = createHedgedProbe({ inner: singleInner.probe, attempts: 1, timeoutMs: options.checkTimeoutMs });
  const startedAt = Date.now();
  const until = startedAt + options.minutes * 60_000;
  const ticker = setInterval(() => {
    const elapsed = Math.round((Date.now() - startedAt) / 1000);
    options.progress?.(`live soak ${elapsed}s / ${options.minutes * 60}s: ${server.requests()} requests, ${server.dropped()} lost`);
  }, 30_000);
  try {
    const [hedgedFigures, singleFigures] = await Promise.all([
      watchLive(hedged, hedgedInner.attempts, options, options.attempts, until),
      watchLive(single, singleInner.attempts, options, 1, until),
    ]);
    const requests = server.requests();
    return {
      minutes: options.minutes,
      loss: options.network.loss,
      jitterMs: options.network.jitterMs,
      serverRequests: requests,
      serverDropped: server.dropped(),
      observedLossRate: requests === 0 ? 0 : Math.round((server.dropped() / requests) * 10_000) / 10_000,
      hedged: hedgedFigures,
      single: singleFigures,
    };
  } finally {
    clearInterval(ticker);
    await Promise.allSettled([hedged.close(), single.close()]);
    await server.close();
  }
}

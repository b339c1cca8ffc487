// A seeded discrete-event simulation of N nodes running the pure leadership logic against a
// model of etcd's leases, with an oracle that records every gateway connection on true time.
//
// Modelled after etcd 3.5: a lease expires at (time etcd processed the last renewal) + TTL; while
// there is no quorum nothing expires and every call fails, and a new raft leader refreshes every
// lease to a full TTL (so loss of quorum only ever makes leases live longer). Requests and
// answers are delayed independently; a call the node times out may still have been applied.
// A node can be stalled (paused watcher / frozen event loop), crashed (restarted later), or cut
// off from etcd. The gateway side is the dead-man switch: a wrapper that polls the deadline the
// node wrote and runs the gateway only while its own monotonic clock (same host) is before it.
import { initialLeaseState, stepLease, type LeaseAction, type LeaseEvent, type LeaseState, type LeaseTimings } from '../../src/lease/leadership.ts';

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SimOptions {
  seed: number;
  nodes: number;
  durationMs: number;
  timings: LeaseTimings;
  requestTimeoutMs: number;
  wrapperPollMs: number;
  killMaxMs: number;
  startMaxMs: number;
  faults: number;
  /** Deliberately wrong variant: no dead-man switch on the gateway side (negative control). */
  noDeadman?: boolean;
}

export interface Interval {
  node: number;
  from: number;
  to: number;
}

export interface SimResult {
  intervals: Interval[];
  overlaps: { a: Interval; b: Interval }[];
  faults: string[];
  servingAtEnd: number[];
  lostLeases: number;
}

interface EtcdLease {
  expiresAt: number;
  ttlMs: number;
}

interface NodeSim {
  index: number;
  id: string;
  state: LeaseState;
  alive: boolean;
  stalledUntil: number;
  cutUntil: number;
  drift: number;
  offset: number;
  deadmanFile: number | null;
  gateway: 'off' | 'starting' | 'up';
  connectedAt: number | null;
  /** The killed gateway process is gone only then: the wrapper waits for it before a new start. */
  goneAt: number;
  generation: number;
}

type Job = { at: number; seq: number; run: () => void };

/** A binary min-heap on (at, seq): the simulation runs millions of jobs. */
class JobHeap {
  private readonly items: Job[] = [];
  get size(): number {
    return this.items.length;
  }
  private less(a: Job, b: Job): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }
  push(job: Job): void {
    const h = this.items;
    h.push(job);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i] as Job, h[p] as Job)) break;
      [h[i], h[p]] = [h[p] as Job, h[i] as Job];
      i = p;
    }
  }
  pop(): Job {
    const h = this.items;
    const top = h[0] as Job;
    const last = h.pop() as Job;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l] as Job, h[m] as Job)) m = l;
        if (r < h.length && this.less(h[r] as Job, h[m] as Job)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m] as Job, h[i] as Job];
        i = m;
      }
    }
    return top;
  }
}

export function simulate(o: SimOptions): SimResult {
  const rnd = mulberry32(o.seed);
  const between = (a: number, b: number): number => a + rnd() * (b - a);
  const queue = new JobHeap();
  let seq = 0;
  let T = 0;
  const at = (time: number, run: () => void): void => {
    queue.push({ at: time, seq: seq++, run });
  };

  const leases = new Map<string, EtcdLease>();
  let key: { holder: string; leaseId: string; revision: number } | null = null;
  let revision = 1;
  let leaseSeq = 1;
  let quorumUntil = 0; // etcd unavailable while T < quorumUntil
  const intervals: Interval[] = [];
  const faults: string[] = [];

  const expire = (): void => {
    if (T < quorumUntil) return;
    for (const [id, l] of leases) {
      if (l.expiresAt <= T) {
        leases.delete(id);
        if (key?.leaseId === id) {
          key = null;
          revision++;
        }
      }
    }
  };

  const nodes: NodeSim[] = Array.from({ length: o.nodes }, (_, i) => ({
    index: i,
    id: `node-${i + 1}`,
    state: initialLeaseState(`node-${i + 1}`, o.timings),
    alive: true,
    stalledUntil: 0,
    cutUntil: 0,
    drift: between(-1e-3, 1e-3),
    offset: between(0, 1e6),
    deadmanFile: null,
    gateway: 'off',
    connectedAt: null,
    goneAt: 0,
    generation: 0,
  }));
  const mono = (n: NodeSim): number => T * (1 + n.drift) + n.offset;

  /** One etcd call: applied at etcd after a delay (unless cut or no quorum), answered after another. */
  const callEtcd = (n: NodeSim, apply: () => LeaseEvent | null, failure: (sentAt: number) => LeaseEvent): void => {
    const sentAt = mono(n);
    const gen = n.generation;
    const slow = rnd() < 0.05;
    const there = slow ? between(200, 4000) : between(1, 80);
    const back = slow ? between(200, 4000) : between(1, 80);
    let answered = false;
    const deliver = (e: LeaseEvent): void => {
      if (answered || gen !== n.generation) return;
      answered = true;
      feed(n, e);
    };
    at(T + o.requestTimeoutMs / (1 + n.drift), () => deliver(failure(sentAt)));
    at(T + there, () => {
      if (T < n.cutUntil || T < quorumUntil) return;
      expire();
      const result = apply();
      if (result === null) return;
      at(T + back, () => {
        if (T < n.cutUntil) return;
        deliver('sentAt' in result ? { ...result, sentAt } : result);
      });
    });
  };

  const perform = (n: NodeSim, a: LeaseAction): void => {
    switch (a.kind) {
      case 'grant':
        return callEtcd(
          n,
          () => {
            const id = `L${leaseSeq++}`;
            leases.set(id, { expiresAt: T + o.timings.ttlMs, ttlMs: o.timings.ttlMs });
            return { kind: 'grant-ok', leaseId: id, ttlMs: o.timings.ttlMs, sentAt: 0 };
          },
          (sentAt) => ({ kind: 'grant-failed', sentAt, error: 'timeout' }),
        );
      case 'renew': {
        const id = a.leaseId;
        return callEtcd(
          n,
          () => {
            const l = leases.get(id);
            if (l) l.expiresAt = Math.max(l.expiresAt, T + l.ttlMs);
            return { kind: 'renew-ok', leaseId: id, ttlMs: l ? l.ttlMs : 0, sentAt: 0 };
          },
          (sentAt) => ({ kind: 'renew-failed', leaseId: id, sentAt, error: 'timeout' }),
        );
      }
      case 'campaign': {
        const id = a.leaseId;
        return callEtcd(
          n,
          () => {
            const won = key === null && leases.has(id);
            if (won) key = { holder: n.id, leaseId: id, revision: ++revision };
            const k = key;
            return { kind: 'campaign-result', sentAt: 0, won, key: { holder: k?.holder ?? null, leaseId: k?.leaseId ?? null, revision } };
          },
          (sentAt) => ({ kind: 'campaign-failed', sentAt, error: 'timeout' }),
        );
      }
      case 'poll':
        return callEtcd(
          n,
          () => {
            const k = key;
            return { kind: 'key-seen', sentAt: 0, key: { holder: k?.holder ?? null, leaseId: k?.leaseId ?? null, revision } };
          },
          (sentAt) => ({ kind: 'poll-failed', sentAt, error: 'timeout' }),
        );
      case 'revoke':
        return callEtcd(
          n,
          () => {
            leases.delete(a.leaseId);
            if (key?.leaseId === a.leaseId) key = null;
            return null;
          },
          () => ({ kind: 'tick' }),
        );
      case 'serve-start':
      case 'deadman':
        if (o.noDeadman) n.deadmanFile = a.kind === 'serve-start' ? Number.POSITIVE_INFINITY : n.deadmanFile;
        else n.deadmanFile = a.kind === 'deadman' ? a.deadline : n.state.deadline;
        return;
      case 'serve-stop':
        n.deadmanFile = null;
        return;
      case 'holder-change':
        return;
    }
  };

  // sentAt of an applied call is the node's clock when it sent; patch it in on delivery.
  const feed = (n: NodeSim, e: LeaseEvent): void => {
    if (!n.alive) return;
    const run = (): void => {
      if (!n.alive) return;
      const step = stepLease(n.state, e, mono(n));
      n.state = step.state;
      for (const a of step.actions) perform(n, a);
    };
    if (T < n.stalledUntil) at(n.stalledUntil, run);
    else run();
  };

  // The wrapper (gateway side): polls the file on the host's monotonic clock, starts or kills.
  const wrapper = (n: NodeSim): void => {
    const deadline = n.deadmanFile;
    const want = deadline !== null && mono(n) < deadline;
    if (want && n.gateway === 'off' && T >= n.goneAt) {
      n.gateway = 'starting';
      const g = n.generation;
      at(T + between(100, o.startMaxMs), () => {
        if (n.gateway !== 'starting' || g !== n.generation) return;
        n.gateway = 'up';
        n.connectedAt = T;
      });
    } else if (!want && n.gateway !== 'off') {
      const from = n.connectedAt;
      n.gateway = 'off';
      n.connectedAt = null;
      n.goneAt = T + between(0, o.killMaxMs);
      if (from !== null) intervals.push({ node: n.index, from, to: n.goneAt });
    }
    at(T + o.wrapperPollMs, () => wrapper(n));
  };

  for (const n of nodes) {
    at(between(0, 500), () => feed(n, { kind: 'tick' }));
    at(between(0, o.wrapperPollMs), () => wrapper(n));
  }
  const ticker = (n: NodeSim): void => {
    feed(n, { kind: 'tick' });
    at(T + 250, () => ticker(n));
  };
  for (const n of nodes) at(between(0, 250), () => ticker(n));

  // Faults at random moments, none in the last 40 s (a calm end to check that someone serves).
  const calm = 40_000;
  for (let i = 0; i < o.faults; i++) {
    const when = between(5_000, o.durationMs - calm);
    at(when, () => {
      const holderIndex = nodes.findIndex((n) => n.state.role !== 'follower');
      const n = nodes[holderIndex >= 0 && rnd() < 0.8 ? holderIndex : Math.floor(rnd() * nodes.length)];
      if (!n) return;
      const len = between(500, 25_000);
      const kind = Math.floor(rnd() * 5);
      if (kind === 0) {
        n.stalledUntil = Math.max(n.stalledUntil, T + len);
        faults.push(`${T.toFixed(0)} stall ${n.id} ${len.toFixed(0)}ms`);
      } else if (kind === 1) {
        n.cutUntil = Math.max(n.cutUntil, T + len);
        faults.push(`${T.toFixed(0)} cut ${n.id} from etcd ${len.toFixed(0)}ms`);
      } else if (kind === 2) {
        // Watcher crash: the process is gone; the file keeps its last deadline; restart later.
        n.alive = false;
        n.generation++;
        faults.push(`${T.toFixed(0)} crash watcher ${n.id} for ${len.toFixed(0)}ms`);
        at(T + len, () => {
          n.alive = true;
          n.deadmanFile = null; // a starting watcher clears the switch first
          n.state = initialLeaseState(n.id, o.timings);
          feed(n, { kind: 'tick' });
        });
      } else if (kind === 3) {
        quorumUntil = Math.max(quorumUntil, T + len);
        faults.push(`${T.toFixed(0)} quorum lost ${len.toFixed(0)}ms`);
        at(T + len, () => {
          // A new raft leader refreshes every lease to a full TTL.
          if (T >= quorumUntil) for (const l of leases.values()) l.expiresAt = Math.max(l.expiresAt, T + l.ttlMs);
        });
      } else {
        // Flap: short cuts in a row.
        for (let k = 0; k < 4; k++) at(T + k * 1500, () => (n.cutUntil = Math.max(n.cutUntil, T + 700)));
        faults.push(`${T.toFixed(0)} flap ${n.id}`);
      }
    });
  }

  let steps = 0;
  while (queue.size > 0 && steps++ < 20_000_000) {
    const job = queue.pop();
    if (job.at > o.durationMs) break;
    T = job.at;
    job.run();
  }
  T = o.durationMs;
  const servingAtEnd = nodes.filter((n) => n.gateway === 'up').map((n) => n.index);
  for (const n of nodes) if (n.connectedAt !== null) intervals.push({ node: n.index, from: n.connectedAt, to: T });
  const overlaps: { a: Interval; b: Interval }[] = [];
  const sorted = [...intervals].sort((a, b) => a.from - b.from);
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + 1; j < sorted.length && (sorted[j] as Interval).from < (sorted[i] as Interval).to; j++) {
      overlaps.push({ a: sorted[i] as Interval, b: sorted[j] as Interval });
    }
  }
  return { intervals, overlaps, faults, servingAtEnd, lostLeases: nodes.reduce((s, n) => s + n.state.lostLeases, 0) };
}

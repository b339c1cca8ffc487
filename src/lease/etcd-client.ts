// etcd's v3 API through its JSON gateway (grpc-gateway, served on every client URL), over undici.
// Why not the `etcd3` npm client: no release since 2023, and its lease object reports a lost
// lease only after 2×TTL; here every call is one bounded request whose failure the pure
// leadership logic sees at once. Keys and values are base64 on the wire; int64s are strings.
import { Resolver } from 'node:dns';
import { isIP } from 'node:net';
import { Agent, request } from 'undici';

/** How long a member that failed is tried only after the others (ms). */
const SUSPECT_MS = 5_000;

/**
 * Name resolution off libuv's 4-thread pool: getaddrinfo for a stopped container's name on an
 * internal Docker network hangs for seconds and cannot be cancelled, so a few of them starve
 * every other lookup (found by the partition suite: a killed node blocked the others' renewals).
 * c-ares with a 500 ms bound and one try, the last good answer cached for when DNS is slow.
 */
export function boundedLookup(): (hostname: string, options: { all?: boolean }, cb: (...args: unknown[]) => void) => void {
  const resolver = new Resolver({ timeout: 500, tries: 1 });
  const cache = new Map<string, string>();
  return (hostname, options, cb) => {
    const answer = (address: string): void => {
      const family = isIP(address) || 4;
      if (options?.all) cb(null, [{ address, family }]);
      else cb(null, address, family);
    };
    if (isIP(hostname)) return answer(hostname);
    resolver.resolve4(hostname, (error, addresses) => {
      const first = addresses?.[0];
      if (!error && first) {
        cache.set(hostname, first);
        return answer(first);
      }
      const cached = cache.get(hostname);
      if (cached) return answer(cached);
      cb(error ?? new Error(`no address for ${hostname}`));
    });
  };
}

export interface EtcdKv {
  key: string;
  value: string;
  createRevision: number;
  modRevision: number;
  leaseId: string | null;
}

export interface TxnCreateResult {
  won: boolean;
  revision: number;
  kv: EtcdKv | null;
}

export interface EtcdClientOptions {
  endpoints: string[];
  /** Bound on one call across all endpoints it tries (ms). */
  timeoutMs: number;
}

export class EtcdError extends Error {
  readonly code: 'timeout' | 'unreachable' | 'http' | 'grpc';
  constructor(code: EtcdError['code'], message: string) {
    super(message);
    this.code = code;
  }
}

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const unb64 = (text: string | undefined): string => (text ? Buffer.from(text, 'base64').toString('utf8') : '');
const int = (v: unknown): number => (typeof v === 'string' || typeof v === 'number' ? Number(v) : 0);

interface RawKv {
  key?: string;
  value?: string;
  create_revision?: string;
  mod_revision?: string;
  lease?: string;
}

function parseKv(raw: RawKv | undefined): EtcdKv | null {
  if (!raw?.key) return null;
  const lease = raw.lease && raw.lease !== '0' ? raw.lease : null;
  return { key: unb64(raw.key), value: unb64(raw.value), createRevision: int(raw.create_revision), modRevision: int(raw.mod_revision), leaseId: lease };
}

/** The gateway's two error shapes: unary {error, code, message}; streaming {error: {message}}. */
function errorMessage(json: Record<string, unknown>): string | null {
  const error = json.error;
  if (error && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string') return (error as { message: string }).message;
  if (typeof error === 'string' && error.length > 0) return typeof json.message === 'string' ? json.message : error;
  return null;
}

export class EtcdClient {
  private readonly endpoints: string[];
  private readonly timeoutMs: number;
  private preferred = 0;
  private readonly suspectUntil: number[] = [];
  // Bounded connects; idle sockets kept a little longer than a renewal interval, so a steady-state
  // renewal reuses its socket instead of connecting anew (a request on a socket to a member cut
  // off since is still bounded by the call's deadline, and the member is then suspected).
  private readonly agent: Agent;

  constructor(options: EtcdClientOptions) {
    if (options.endpoints.length === 0) throw new Error('EtcdClient needs at least one endpoint');
    this.endpoints = options.endpoints.map((e) => e.replace(/\/+$/, ''));
    this.timeoutMs = options.timeoutMs;
    // A dead member's address swallows SYNs: a short connect bound moves on to the next member.
    // Not shorter than 1 s (with the default 2 s call bound): the bench's one liveness miss (fault
    // 15 of seed 1366536258) came with 500 ms connect timeouts to LIVE members while the event
    // loop stalled for seconds: the timer fires on the late loop before the socket's connect event
    // is seen, so a bound shorter than a stall fails every connect of a loaded node.
    this.agent = new Agent({ connectTimeout: Math.max(Math.min(options.timeoutMs / 2, 1_000), 250), keepAliveTimeout: 10_000, pipelining: 1, connect: { lookup: boundedLookup() } as never });
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  /** POSTs to one gateway path, trying each endpoint in turn until the call's deadline. */
  private async call(path: string, body: unknown, timeoutMs = this.timeoutMs): Promise<Record<string, unknown>> {
    const deadline = performance.now() + timeoutMs;
    let lastError: EtcdError = new EtcdError('timeout', `${path}: no endpoint answered within ${timeoutMs} ms`);
    // The last member that answered first, members that failed lately last.
    const t0 = performance.now();
    const order = this.endpoints
      .map((_, i) => (this.preferred + i) % this.endpoints.length)
      .sort((a, b) => Number((this.suspectUntil[a] ?? 0) > t0) - Number((this.suspectUntil[b] ?? 0) > t0));
    for (let i = 0; i < order.length; i++) {
      const index = order[i] as number;
      const remaining = deadline - performance.now();
      if (remaining <= 0) break;
      // Half of what is left for each endpoint but the last: one member that accepts and then
      // never answers (no leader in its minority) must not use up the whole call.
      const left = i < this.endpoints.length - 1 ? remaining / 2 : remaining;
      try {
        const res = await request(`${this.endpoints[index]}${path}`, {
          method: 'POST',
          body: JSON.stringify(body),
          headers: { 'content-type': 'application/json' },
          dispatcher: this.agent,
          signal: AbortSignal.timeout(Math.ceil(left)),
          headersTimeout: Math.ceil(left),
          bodyTimeout: Math.ceil(left),
        });
        const text = await res.body.text();
        const json = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
        const message = errorMessage(json);
        if (message !== null || res.statusCode >= 500) {
          // "not found" is an answer about the data, not about the endpoint: return it.
          if (message !== null && /not found/i.test(message)) return { notFound: true, message };
          lastError = new EtcdError(res.statusCode >= 500 ? 'http' : 'grpc', `${path} at ${this.endpoints[index]}: ${message ?? `HTTP ${res.statusCode}`}`);
          this.suspectUntil[index] = performance.now() + SUSPECT_MS;
          continue;
        }
        if (res.statusCode >= 400) {
          lastError = new EtcdError('http', `${path} at ${this.endpoints[index]}: HTTP ${res.statusCode} ${text.slice(0, 200)}`);
          this.suspectUntil[index] = performance.now() + SUSPECT_MS;
          continue;
        }
        this.preferred = index;
        return json;
      } catch (error) {
        const timedOut = error instanceof Error && /abort|timeout/i.test(`${error.name} ${error.message}`);
        lastError = new EtcdError(timedOut ? 'timeout' : 'unreachable', `${path} at ${this.endpoints[index]}: ${error instanceof Error ? error.message : String(error)}`);
        this.suspectUntil[index] = performance.now() + SUSPECT_MS;
      }
    }
    throw lastError;
  }

  async grant(ttlSeconds: number): Promise<{ leaseId: string; ttlMs: number }> {
    const r = await this.call('/v3/lease/grant', { TTL: ttlSeconds });
    if (typeof r.ID !== 'string' || int(r.TTL) <= 0) throw new EtcdError('grpc', `lease grant: unexpected answer ${JSON.stringify(r).slice(0, 200)}`);
    return { leaseId: r.ID, ttlMs: int(r.TTL) * 1000 };
  }

  /** One keepalive round trip; ttlMs 0 means etcd no longer knows the lease (expired or revoked). */
  async keepAlive(leaseId: string): Promise<{ ttlMs: number }> {
    const r = await this.call('/v3/lease/keepalive', { ID: leaseId });
    if (r.notFound) return { ttlMs: 0 };
    const result = r.result as { TTL?: string; ID?: string } | undefined;
    if (!result) throw new EtcdError('grpc', `lease keepalive: unexpected answer ${JSON.stringify(r).slice(0, 200)}`);
    return { ttlMs: int(result.TTL) * 1000 };
  }

  async revoke(leaseId: string): Promise<void> {
    await this.call('/v3/lease/revoke', { ID: leaseId });
  }

  /** Create-if-absent: puts key=value bound to the lease only when the key does not exist. */
  async createIfAbsent(key: string, value: string, leaseId: string): Promise<TxnCreateResult> {
    const k = b64(key);
    const r = await this.call('/v3/kv/txn', {
      compare: [{ target: 'CREATE', result: 'EQUAL', key: k, createRevision: '0' }],
      success: [{ requestPut: { key: k, value: b64(value), lease: leaseId } }],
      failure: [{ requestRange: { key: k } }],
    });
    const revision = int((r.header as { revision?: string } | undefined)?.revision);
    if (r.succeeded === true) return { won: true, revision, kv: { key, value, createRevision: revision, modRevision: revision, leaseId } };
    const responses = (r.responses as { response_range?: { kvs?: RawKv[] } }[] | undefined) ?? [];
    return { won: false, revision, kv: parseKv(responses[0]?.response_range?.kvs?.[0]) };
  }

  /** Linearizable read of one key (null when absent), with the store's revision. */
  async get(key: string): Promise<{ kv: EtcdKv | null; revision: number }> {
    const r = await this.call('/v3/kv/range', { key: b64(key) });
    return { kv: parseKv((r.kvs as RawKv[] | undefined)?.[0]), revision: int((r.header as { revision?: string } | undefined)?.revision) };
  }

  /** Deletes a key only while it is still bound to the given lease (a holder stepping down). */
  async deleteIfLease(key: string, leaseId: string): Promise<boolean> {
    const k = b64(key);
    const r = await this.call('/v3/kv/txn', {
      compare: [{ target: 'LEASE', result: 'EQUAL', key: k, lease: leaseId }],
      success: [{ requestDeleteRange: { key: k } }],
    });
    return r.succeeded === true;
  }

  /** Which member leads raft, as this endpoint sees it (for tests and /status). */
  async status(endpoint: string): Promise<{ leader: string; memberId: string }> {
    const res = await request(`${endpoint.replace(/\/+$/, '')}/v3/maintenance/status`, {
      method: 'POST',
      body: '{}',
      dispatcher: this.agent,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const r = (await res.body.json()) as { leader?: string; header?: { member_id?: string } };
    return { leader: r.leader ?? '', memberId: r.header?.member_id ?? '' };
  }
}

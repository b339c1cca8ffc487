// The etcd client against a real three-member etcd 3.5.16 (Debian trixie's package, etcd/Dockerfile):
// leases, the create-if-absent campaign bound to a lease, reads, expiry, revocation, failing over
// between endpoints, and failing (not hanging) without quorum.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EtcdClient } from '../../src/lease/etcd-client.ts';
import { waitFor } from './support/run.ts';
import { MultiNode } from '../e2e/support/multinode.ts';

const KEY = '/openclaw-failover/leader';
const bed = new MultiNode('ocf-etcd-client');
let endpoints: string[] = [];
let client: EtcdClient;

beforeAll(async () => {
  await bed.up(['etcd1', 'etcd2', 'etcd3']);
  await bed.waitHealthyEtcd();
  endpoints = await bed.etcdEndpoints();
  client = new EtcdClient({ endpoints, timeoutMs: 3_000 });
}, 300_000);

afterAll(async () => {
  await client?.close();
  await bed.down();
});

describe('EtcdClient (v3 JSON gateway) on three members', () => {
  it('grants and renews leases, and binds the leader key to one lease only', async () => {
    const a = await client.grant(5);
    const b = await client.grant(5);
    expect(a.ttlMs).toBe(5_000);
    expect(a.leaseId).not.toBe(b.leaseId);
    expect((await client.keepAlive(a.leaseId)).ttlMs).toBe(5_000);

    const first = await client.createIfAbsent(KEY, 'node-a', a.leaseId);
    expect(first.won).toBe(true);
    const second = await client.createIfAbsent(KEY, 'node-b', b.leaseId);
    expect(second.won).toBe(false);
    expect(second.kv).toMatchObject({ key: KEY, value: 'node-a', leaseId: a.leaseId });
    // Values survive base64 both ways, including non-ASCII.
    const read = await client.get(KEY);
    expect(read.kv?.value).toBe('node-a');
    expect(read.kv?.createRevision).toBe(first.revision);

    // Only the holder's lease may delete the key.
    expect(await client.deleteIfLease(KEY, b.leaseId)).toBe(false);
    expect(await client.deleteIfLease(KEY, a.leaseId)).toBe(true);
    expect((await client.get(KEY)).kv).toBeNull();
    await client.revoke(a.leaseId);
    await client.revoke(b.leaseId);
  });

  it('the key disappears when its lease is not renewed, and keepalive then reports TTL 0', async () => {
    const l = await client.grant(3);
    expect((await client.createIfAbsent(KEY, 'nödé-ü', l.leaseId)).won).toBe(true);
    expect((await client.get(KEY)).kv?.value).toBe('nödé-ü');
    await waitFor('the key to expire with its lease', async () => (await client.get(KEY)).kv === null || undefined, { timeoutMs: 30_000, intervalMs: 250 });
    expect((await client.keepAlive(l.leaseId)).ttlMs).toBe(0);
  });

  it('revoking the lease deletes the key at once', async () => {
    const l = await client.grant(30);
    expect((await client.createIfAbsent(KEY, 'node-r', l.leaseId)).won).toBe(true);
    await client.revoke(l.leaseId);
    expect((await client.get(KEY)).kv).toBeNull();
  });

  it('goes on through the other endpoints when one member is down, and fails without quorum', async () => {
    await bed.docker(['kill', bed.container('etcd1')]);
    // If etcd1 led, the other two elect a new leader first (about a second): until then calls may
    // fail on every endpoint. The client must get through once there is a leader again.
    const l = await waitFor('a lease from the two members left', async () => client.grant(10).catch(() => undefined), { timeoutMs: 30_000, intervalMs: 250 });
    expect((await client.keepAlive(l.leaseId)).ttlMs).toBe(10_000);
    expect((await client.createIfAbsent(KEY, 'node-q', l.leaseId)).won).toBe(true);

    await bed.docker(['kill', bed.container('etcd2')]);
    // One member of three: no quorum. A leader notices only after its election timeout, so wait
    // until the lone member itself says it has no leader (one refused keepAlive proves nothing: it
    // can be the client's time spent on the dead endpoints while the lone member still leads, and
    // CI saw the next call succeed); from then on every call must fail within its bound, never hang.
    const short = new EtcdClient({ endpoints, timeoutMs: 2_000 });
    const lone = endpoints[2]!;
    await waitFor('the lone member to lose its leadership', async () => (await short.status(lone).then((s) => s.leader === '' || s.leader === '0', () => false)) || undefined, { timeoutMs: 30_000, intervalMs: 250 });
    for (const call of [() => short.keepAlive(l.leaseId), () => short.createIfAbsent(KEY, 'node-x', l.leaseId)]) {
      const began = Date.now();
      await expect(call()).rejects.toThrow();
      expect(Date.now() - began).toBeLessThan(2_000 + 1_500);
    }
    await short.close();

    await bed.docker(['start', bed.container('etcd1'), bed.container('etcd2')]);
    await bed.waitHealthyEtcd();
    // The lease outlived the outage (a new raft leader refreshes leases): still ours.
    const after = await waitFor('etcd to answer again', async () => client.get(KEY).catch(() => undefined), { timeoutMs: 60_000, intervalMs: 500 });
    expect(after.kv?.value).toBe('node-q');
    await client.revoke(l.leaseId);
  });
});

// Concurrent lookups of one name share one resolver call, so a name that takes 10 s to fail holds
// one of libuv's few threads, not all of them; other names are never queued behind it.
import { describe, expect, it } from 'vitest';
import { singleFlightLookup } from '../../src/net/single-flight-lookup.ts';

type Cb = (error: NodeJS.ErrnoException | null, address: string, family?: number) => void;

function fakeResolver() {
  const pending: Array<{ hostname: string; cb: Cb }> = [];
  const resolve = (hostname: string, _options: unknown, cb: Cb): void => {
    pending.push({ hostname, cb });
  };
  return { pending, resolve };
}

describe('singleFlightLookup', () => {
  it('shares one call among concurrent lookups of the same name, and answers them all', () => {
    const r = fakeResolver();
    const lookup = singleFlightLookup(r.resolve);
    const answers: string[] = [];
    for (let i = 0; i < 5; i++) lookup('openclaw-gateway', { family: 0 }, (_e, a) => answers.push(typeof a === 'string' ? a : JSON.stringify(a)));
    expect(r.pending.map((p) => p.hostname)).toEqual(['openclaw-gateway']);
    r.pending[0]!.cb(null, '10.0.0.2', 4);
    expect(answers).toEqual(['10.0.0.2', '10.0.0.2', '10.0.0.2', '10.0.0.2', '10.0.0.2']);
  });

  it('never queues another name behind a hung one', () => {
    const r = fakeResolver();
    const lookup = singleFlightLookup(r.resolve);
    lookup('dead-primary', {}, () => undefined);
    lookup('dead-primary', {}, () => undefined);
    let standby: string | undefined;
    lookup('openclaw-standby', {}, (_e, a) => (standby = typeof a === 'string' ? a : JSON.stringify(a)));
    expect(r.pending.map((p) => p.hostname)).toEqual(['dead-primary', 'openclaw-standby']);
    r.pending[1]!.cb(null, '172.23.0.5', 4);
    expect(standby).toBe('172.23.0.5');
  });

  it('starts a fresh call once the previous one answered, and passes errors to every waiter', () => {
    const r = fakeResolver();
    const lookup = singleFlightLookup(r.resolve);
    const errors: string[] = [];
    lookup('x', {}, (e) => errors.push(e?.code ?? 'none'));
    lookup('x', {}, (e) => errors.push(e?.code ?? 'none'));
    r.pending[0]!.cb(Object.assign(new Error('getaddrinfo EAI_AGAIN x'), { code: 'EAI_AGAIN' }), '');
    expect(errors).toEqual(['EAI_AGAIN', 'EAI_AGAIN']);
    lookup('x', {}, () => undefined);
    expect(r.pending).toHaveLength(2);
  });

  it('keeps lookups with different options apart (all: true answers a list)', () => {
    const r = fakeResolver();
    const lookup = singleFlightLookup(r.resolve);
    lookup('x', { all: true }, () => undefined);
    lookup('x', { all: false }, () => undefined);
    expect(r.pending).toHaveLength(2);
  });
});

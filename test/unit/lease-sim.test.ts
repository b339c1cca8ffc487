// Seeded randomized runs of the pure leadership logic: never two gateways connected at once,
// under message delays, stalls, crashes, cuts from etcd, quorum loss and flaps; and the same
// oracle does catch overlaps when a rule is broken on purpose (so these runs can fail).
// Replay one seed: LEASE_SIM_SEED=17 LEASE_SIM_SEEDS=1 npx vitest run --project unit test/unit/lease-sim.test.ts
import { describe, expect, it } from 'vitest';
import { simulate, type SimOptions } from './lease-sim.ts';
import { DEFAULT_LEASE_TIMINGS } from '../../src/lease/lease-settings.ts';

const base = (seed: number, startMaxMs: number): SimOptions => ({
  seed,
  nodes: 3,
  durationMs: 600_000,
  timings: DEFAULT_LEASE_TIMINGS,
  requestTimeoutMs: 2_000,
  wrapperPollMs: 100,
  killMaxMs: 500,
  startMaxMs,
  faults: 40,
});

const SEEDS = Number(process.env.LEASE_SIM_SEEDS ?? 30);
const FIRST = Number(process.env.LEASE_SIM_SEED ?? 1);

describe('leadership under randomized faults (seeded simulation)', () => {
  for (const [label, startMaxMs] of [['cold gateway start (≤ 8 s)', 8_000], ['hot channel switch (≤ 150 ms)', 150]] as const) {
    it(`never has two gateways connected at once, ${label}: ${SEEDS} seeds from ${FIRST}, 40 faults each`, () => {
      let faults = 0;
      let lost = 0;
      let served = 0;
      for (let seed = FIRST; seed < FIRST + SEEDS; seed++) {
        const r = simulate(base(seed, startMaxMs));
        faults += r.faults.length;
        lost += r.lostLeases;
        served += r.intervals.length;
        expect(r.overlaps, `seed ${seed}: ${JSON.stringify(r.overlaps[0])}\n${r.faults.join('\n')}`).toEqual([]);
        // Liveness after a calm end: exactly one gateway is serving again.
        expect(r.servingAtEnd, `seed ${seed}: not exactly one serving after 40 s of calm\n${r.faults.join('\n')}`).toHaveLength(1);
      }
      expect(faults).toBe(SEEDS * 40);
      // The faults did bite: leases were lost and service moved many times.
      expect(lost).toBeGreaterThan(SEEDS);
      expect(served).toBeGreaterThan(SEEDS * 3);
    });
  }

  it('catches overlaps without the safety margin and grace (the oracle can fail)', () => {
    const timings = { ...DEFAULT_LEASE_TIMINGS, safetyMarginMs: 1, graceMs: 1, pollEveryMs: 100 };
    const bad = Array.from({ length: 20 }, (_, i) => simulate({ ...base(100 + i, 150), timings }));
    expect(bad.reduce((n, r) => n + r.overlaps.length, 0)).toBeGreaterThan(0);
  });

  it('catches overlaps without the dead-man switch (a paused or crashed watcher keeps serving)', () => {
    const bad = Array.from({ length: 10 }, (_, i) => simulate({ ...base(200 + i, 8_000), noDeadman: true }));
    expect(bad.reduce((n, r) => n + r.overlaps.length, 0)).toBeGreaterThan(0);
  });
});

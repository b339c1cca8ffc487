import { describe, expect, it } from 'vitest';
import { missedTargets } from '../../bench/targets.ts';

describe('bench targets', () => {
  it('lists exactly the figures whose value exceeds their target', () => {
    const missed = missedTargets([
      { what: 'detection', value: 4_300, max: 7_000, unit: 'ms' },
      { what: 'ready', value: 31_000, max: 30_000, unit: 'ms' },
      { what: 'demotion', value: 10_000, max: 10_000, unit: 'ms' },
      { what: 'rss', value: 96, max: 80, unit: 'MiB' },
    ]);
    expect(missed).toEqual(['ready: 31000 ms > target 30000 ms', 'rss: 96 MiB > target 80 MiB']);
  });

  it('counts a figure that was not measured (NaN) as missed, never as met', () => {
    expect(missedTargets([{ what: 'ready', value: Number.NaN, max: 30_000, unit: 'ms' }])).toHaveLength(1);
  });
});

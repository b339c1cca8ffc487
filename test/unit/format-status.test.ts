// The person-readable status: the partition guard and flap damping lines appear when they matter.
import { describe, expect, it } from 'vitest';
import { formatStatus } from '../../src/status/format-status.ts';
import type { StatusReading } from '../../src/status/status-report.ts';

const BASE: StatusReading = { phase: 'watching', phaseSince: '2026-01-01T00:00:00.000Z', gateway: { wanted: false, running: false, pendingAction: null } };

describe('formatStatus', () => {
  it('shows the partition guard only when configured, with its last verdict', () => {
    expect(formatStatus({ ...BASE, partitionGuard: { configured: false, checking: false, lastCheck: null } })).not.toContain('witnesses:');
    expect(formatStatus({ ...BASE, partitionGuard: { configured: true, checking: false, lastCheck: null } })).toContain('witnesses:  not asked yet');
    const text = formatStatus({
      ...BASE,
      partitionGuard: { configured: true, checking: true, lastCheck: { at: '2026-01-01T00:01:00.000Z', reachable: false, reason: 'no witness answered (0/2)' } },
    });
    expect(text).toContain('witnesses:  being asked now; NONE ANSWERED at 2026-01-01T00:01:00.000Z: no witness answered (0/2)');
  });

  it('shows flap damping only once there is something to say', () => {
    const quiet = { recentCycles: 0, holdDownMs: 0, demotionAllowedAt: null, promotionFailures: 0, nextPromotionAt: null };
    expect(formatStatus({ ...BASE, flapDamping: quiet })).not.toContain('damping:');
    const busy = { recentCycles: 3, holdDownMs: 60_000, demotionAllowedAt: null, promotionFailures: 2, nextPromotionAt: '2026-01-01T00:05:00.000Z' };
    expect(formatStatus({ ...BASE, flapDamping: busy })).toContain(
      'damping:    3 recent cycle(s), hold-down 60s; 2 failed promotion(s), next not before 2026-01-01T00:05:00.000Z',
    );
  });
});

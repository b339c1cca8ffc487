// The partition suite's oracle on ngIRCd's own log lines (as `docker logs -t` prints them): it
// must see a second gateway session that opens before the first one closed.
import { describe, expect, it } from 'vitest';
import { overlappingSessions, parseIrcdSessions } from '../e2e/support/multinode.ts';

const log = [
  '2026-12-01T21:12:53.448959705Z [1:6    5] Accepted connection 7 from "172.27.0.1:37294" on socket 6.',
  '2026-12-01T21:12:57.141875453Z [1:6    9] Accepted connection 8 from "172.27.0.4:44416" on socket 6.',
  '2026-12-01T21:12:57.146995911Z [1:5    9] User "sharedbot!~sharedbot@172.27.0.4" registered (connection 8).',
  '2026-12-01T21:13:05.282910497Z [1:6   14] Shutting down connection 8 (Client closed connection) with "172.27.0.4:44416" ...',
  '2026-12-01T21:13:05.285208414Z [1:6   14] Connection 8 with "172.27.0.4:44416" closed (in: 0.2k, out: 1.7k).',
  '2026-12-01T21:13:09.000000000Z [1:6   20] Accepted connection 9 from "172.27.0.5:40000" on socket 6.',
];

describe('ircd oracle', () => {
  const gateways = new Set(['172.27.0.4', '172.27.0.5', '172.27.0.6']);

  it('reads gateway sessions only (not the test client), closed or still open', () => {
    const s = parseIrcdSessions(log.join('\n'), gateways);
    expect(s).toEqual([
      { connection: 8, ip: '172.27.0.4', from: Date.parse('2026-12-01T21:12:57.141Z'), to: Date.parse('2026-12-01T21:13:05.282Z') },
      { connection: 9, ip: '172.27.0.5', from: Date.parse('2026-12-01T21:13:09.000Z'), to: null },
    ]);
    expect(overlappingSessions(s, Date.parse('2026-12-01T21:14:00Z'))).toEqual([]);
  });

  it('flags a second session opened before the first closed', () => {
    const overlapping = [...log, '2026-12-01T21:13:10.000000000Z [1:6   21] Accepted connection 10 from "172.27.0.6:40001" on socket 6.'];
    const s = parseIrcdSessions(overlapping.join('\n'), gateways);
    const pairs = overlappingSessions(s, Date.parse('2026-12-01T21:14:00Z'));
    expect(pairs).toHaveLength(1);
    expect(pairs[0]?.map((x) => x.connection)).toEqual([9, 10]);
  });
});

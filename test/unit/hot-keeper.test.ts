import { describe, expect, it } from 'vitest';
import { decideUpkeep, INITIAL_UPKEEP, type UpkeepInput } from '../../src/serving/hot-keeper.ts';

const POLICY = { bootAllowanceMs: 180_000, repairBackoffMs: 30_000, repairBackoffMaxMs: 600_000 };
const T0 = 1_000_000_000;
const running = (startedAtMs: number | null = T0 - 3_600_000) => ({ running: true, status: 'running', startedAtMs });
const input = (over: Partial<UpkeepInput> = {}): UpkeepInput => ({ phase: 'watching', paused: false, container: running(), api: 'ok', ...over });

describe('hot standby upkeep', () => {
  it('starts a stopped standby while watching, then waits a doubling backoff before the next repair', () => {
    const down = input({ container: { running: false, status: 'exited', startedAtMs: null }, api: 'not-asked' });
    const first = decideUpkeep(POLICY, INITIAL_UPKEEP, down, T0);
    expect(first.action).toBe('start');
    expect(decideUpkeep(POLICY, first.memory, down, T0 + 29_000).action).toBe('none');
    const second = decideUpkeep(POLICY, first.memory, down, T0 + 30_000);
    expect(second.action).toBe('start');
    expect(decideUpkeep(POLICY, second.memory, down, T0 + 30_000 + 59_000).action).toBe('none');
    expect(decideUpkeep(POLICY, second.memory, down, T0 + 30_000 + 60_000).action).toBe('start');
  });

  it('leaves a never-started container to compose (it starts it once the prepare step is done)', () => {
    expect(decideUpkeep(POLICY, INITIAL_UPKEEP, input({ container: { running: false, status: 'created', startedAtMs: null }, api: 'not-asked' }), T0).action).toBe('none');
  });

  it('never acts while promoted, promoting, demoting or paused', () => {
    const down = { container: { running: false, status: 'exited', startedAtMs: null }, api: 'not-asked' as const };
    for (const phase of ['promoting', 'promoted', 'demoting'] as const) expect(decideUpkeep(POLICY, INITIAL_UPKEEP, input({ ...down, phase }), T0).action).toBe('none');
    expect(decideUpkeep(POLICY, INITIAL_UPKEEP, input({ ...down, paused: true }), T0).action).toBe('none');
  });

  it('gives a booting gateway its boot allowance, then restarts one whose API keeps failing', () => {
    const booting = input({ container: running(T0 - 10_000), api: 'not-up' });
    expect(decideUpkeep(POLICY, INITIAL_UPKEEP, booting, T0).action).toBe('none');
    const failing = input({ api: 'failing', apiDetail: 'timeout' });
    const first = decideUpkeep(POLICY, INITIAL_UPKEEP, failing, T0);
    expect(first.action).toBe('none');
    expect(first.report?.event).toBe('hot-standby-unhealthy');
    expect(decideUpkeep(POLICY, first.memory, failing, T0 + 179_000).action).toBe('none');
    const repair = decideUpkeep(POLICY, first.memory, failing, T0 + 180_000);
    expect(repair.action).toBe('restart');
    expect(repair.report?.level).toBe('error');
  });

  it('a healthy answer resets the failing streak and the backoff, and says so once', () => {
    const failing = decideUpkeep(POLICY, INITIAL_UPKEEP, input({ api: 'failing' }), T0);
    const healthy = decideUpkeep(POLICY, failing.memory, input(), T0 + 1_000);
    expect(healthy.memory).toEqual({ failingSince: null, repairs: 0, nextRepairAt: 0, health: 'healthy' });
    expect(healthy.report?.event).toBe('hot-standby-healthy');
    expect(decideUpkeep(POLICY, healthy.memory, input(), T0 + 2_000).report).toBeUndefined();
  });
});

describe('hot standby upkeep notifications (createHotKeeper over fakes)', () => {
  it('notifies once when the standby breaks (first repair) and once when it is healthy again, never while healthy', async () => {
    const { createHotKeeper } = await import('../../src/serving/hot-keeper.ts');
    const { capturingLogger } = await import('./local-receiver.ts');
    const { initialState } = await import('../../src/decision/decide.ts');
    const { POLICY_DEFAULTS } = await import('../../src/decision/policy-defaults.ts');
    let now = T0;
    let running = false;
    const starts: number[] = [];
    const located = () => ({ id: 'c1', name: 'openclaw-standby', running, status: running ? 'running' : 'exited', startedAt: new Date(T0 - 3_600_000).toISOString(), labels: {} });
    const gateway = {
      inspect: () => Promise.resolve(located()),
      start: () => {
        starts.push(now);
        running = true;
        return Promise.resolve(located());
      },
      stop: () => {
        running = false;
        return Promise.resolve();
      },
      watch: () => Promise.resolve(),
      logTail: () => Promise.resolve(''),
    };
    const rpc = { call: () => Promise.resolve({ ok: true as const, payload: {}, status: 200, latencyMs: 1 }), close: () => Promise.resolve() };
    const sent: string[] = [];
    const keeper = createHotKeeper({ gateway: gateway, rpc: rpc as never, logger: capturingLogger().logger, policy: POLICY, now: () => now, notify: (n) => sent.push(`${n.event}:${n.severity}`) });
    const state = initialState(POLICY_DEFAULTS, null, T0);
    await keeper.upkeep(() => state);
    expect(starts).toEqual([T0]);
    expect(sent).toEqual(['hot-standby-broken:critical']);
    now += 5_000;
    await keeper.upkeep(() => state);
    expect(sent).toEqual(['hot-standby-broken:critical', 'hot-standby-healthy:info']);
    now += 5_000;
    await keeper.upkeep(() => state);
    expect(sent).toHaveLength(2);
    expect(keeper.memory().health).toBe('healthy');
  });
});

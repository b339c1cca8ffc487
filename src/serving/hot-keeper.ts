// Upkeep of the hot standby while the primary is in charge: its container must run and its config
// API must answer, so that a promotion only has to switch the channel on. A stopped container is
// started (its boot seeds the channel off); one whose API keeps failing past the boot allowance is
// restarted. Each repair waits longer than the one before. Never while promoted (the reconciler's
// re-start covers that, through the serving switch) and never while paused.
// decideUpkeep is pure; createHotKeeper is the thin adapter the watcher calls from its resync loop.
import type { Logger } from 'pino';
import type { State } from '../decision/model.ts';
import type { GatewayControl } from '../docker/gateway-control.ts';
import type { GatewayRpc } from '../gateway/gateway-rpc.ts';
import type { Notification } from '../notify/notification.ts';
import { gatewayNotUp } from './hot-serving.ts';

export interface UpkeepPolicy {
  /** A booting gateway gets this long to answer before it counts as broken. */
  bootAllowanceMs: number;
  /** First pause between two repairs; doubles per repair until the standby is healthy again. */
  repairBackoffMs: number;
  repairBackoffMaxMs: number;
}

export interface UpkeepMemory {
  /** Since when the API has been failing (null: healthy or not running). */
  failingSince: number | null;
  repairs: number;
  nextRepairAt: number;
  /** The last verdict, for logging only its changes. */
  health: 'healthy' | 'down' | 'failing' | 'unknown';
}

export const INITIAL_UPKEEP: UpkeepMemory = { failingSince: null, repairs: 0, nextRepairAt: 0, health: 'unknown' };

export interface UpkeepInput {
  phase: State['phase'];
  paused: boolean;
  container: { running: boolean; status: string; startedAtMs: number | null };
  /** The config API's answer: ok, not up yet (refused / starting), or failing otherwise. */
  api: 'ok' | 'not-up' | 'failing' | 'not-asked';
  apiDetail?: string;
}

export interface UpkeepStep {
  memory: UpkeepMemory;
  action: 'none' | 'start' | 'restart';
  /** Set when the verdict changed or a repair is decided: one log line. */
  report?: { level: 'info' | 'warn' | 'error'; event: string; message: string };
}

export function decideUpkeep(policy: UpkeepPolicy, memory: UpkeepMemory, input: UpkeepInput, now: number): UpkeepStep {
  if (input.phase !== 'watching' || input.paused) return { memory, action: 'none' };
  const backoff = (): number => Math.min(policy.repairBackoffMs * 2 ** Math.min(memory.repairs, 20), policy.repairBackoffMaxMs);

  // Never started yet: `up -d` starts it once its deploy-time preparation (plugins) is done.
  if (!input.container.running && input.container.status === 'created') return { memory, action: 'none' };
  if (!input.container.running) {
    const down: UpkeepMemory = { ...memory, failingSince: null, health: 'down' };
    if (now < memory.nextRepairAt) return { memory: down, action: 'none', ...(memory.health !== 'down' ? { report: { level: 'error', event: 'hot-standby-down', message: `hot standby gateway is not running (${input.container.status}); starting it at the next repair slot` } } : {}) };
    return {
      memory: { ...down, repairs: memory.repairs + 1, nextRepairAt: now + backoff() },
      action: 'start',
      report: { level: 'error', event: 'hot-standby-repair', message: `hot standby gateway is not running (${input.container.status}); starting it (repair #${memory.repairs + 1}), its channel stays off` },
    };
  }
  if (input.api === 'ok') {
    const healthy: UpkeepMemory = { failingSince: null, repairs: 0, nextRepairAt: 0, health: 'healthy' };
    return memory.health === 'healthy' ? { memory: healthy, action: 'none' } : { memory: healthy, action: 'none', report: { level: 'info', event: 'hot-standby-healthy', message: 'hot standby gateway is running and its config API answers' } };
  }
  if (input.api === 'not-asked') return { memory, action: 'none' };
  const since = memory.failingSince ?? now;
  const booting = input.container.startedAtMs !== null && now - input.container.startedAtMs < policy.bootAllowanceMs;
  const failing: UpkeepMemory = { ...memory, failingSince: since, health: 'failing' };
  if (booting || now - since < policy.bootAllowanceMs || now < memory.nextRepairAt) {
    return memory.health === 'failing' ? { memory: failing, action: 'none' } : { memory: failing, action: 'none', report: { level: 'warn', event: 'hot-standby-unhealthy', message: `hot standby gateway's config API does not answer (${input.apiDetail ?? input.api})${booting ? ' while it boots' : ''}` } };
  }
  return {
    memory: { ...failing, failingSince: null, repairs: memory.repairs + 1, nextRepairAt: now + backoff() },
    action: 'restart',
    report: { level: 'error', event: 'hot-standby-repair', message: `hot standby gateway's config API has failed for ${Math.round((now - since) / 1000)} s (${input.apiDetail ?? input.api}); restarting it (repair #${memory.repairs + 1}), its channel stays off` },
  };
}

export interface HotKeeperOptions {
  gateway: GatewayControl;
  rpc: GatewayRpc;
  logger: Logger;
  policy: UpkeepPolicy;
  now?: () => number;
  /** Told once when the hot standby breaks (a repair is decided) and once when it is healthy again. */
  notify?: (n: Notification) => void;
}

/** The watcher calls it from its resync loop, inside its container queue (no race with a promotion). */
export function createHotKeeper(options: HotKeeperOptions): { upkeep: (state: () => State) => Promise<void>; memory: () => UpkeepMemory } {
  const now = options.now ?? Date.now;
  let memory = INITIAL_UPKEEP;
  return {
    memory: () => memory,
    async upkeep(state) {
      const before = state();
      if (before.phase !== 'watching' || before.mode.kind === 'paused') return;
      const target = await options.gateway.inspect();
      const startedAtMs = Date.parse(target.startedAt);
      let api: UpkeepInput['api'] = 'not-asked';
      let apiDetail: string | undefined;
      if (target.running) {
        const answer = await options.rpc.call('health', {}, { timeoutMs: 10_000 });
        api = answer.ok ? 'ok' : gatewayNotUp(answer) ? 'not-up' : 'failing';
        if (!answer.ok) apiDetail = answer.detail;
      }
      // Decide on the state as it is now: a promotion may have begun while we asked.
      const current = state();
      const step = decideUpkeep(options.policy, memory, { phase: current.phase, paused: current.mode.kind === 'paused', container: { running: target.running, status: target.status, startedAtMs: Number.isFinite(startedAtMs) ? startedAtMs : null }, api, ...(apiDetail ? { apiDetail } : {}) }, now());
      const wasBroken = memory.repairs > 0;
      memory = step.memory;
      if (step.report) options.logger[step.report.level]({ event: step.report.event, repairs: memory.repairs }, step.report.message);
      // One notification per outage of the hot standby: at its first repair, and when it is healthy again.
      if (step.report?.event === 'hot-standby-repair' && memory.repairs === 1) options.notify?.(upkeepNotification('hot-standby-broken', 'critical', 'Hot standby gateway broken', `${step.report.message}. Until it is healthy a failover takes the cold path (a restart with the channel on).`, now()));
      if (step.report?.event === 'hot-standby-healthy' && wasBroken) options.notify?.(upkeepNotification('hot-standby-healthy', 'info', 'Hot standby gateway healthy again', `${step.report.message} again; a failover switches its channel on as usual.`, now()));
      if (step.action === 'start') await options.gateway.start();
      if (step.action === 'restart') {
        await options.gateway.stop(2);
        await options.gateway.start();
      }
    },
  };
}

function upkeepNotification(event: Notification['event'], severity: Notification['severity'], title: string, text: string, at: number): Notification {
  return { event, severity, title, text, reason: event, phase: 'watching', problems: [], timings: {}, at };
}

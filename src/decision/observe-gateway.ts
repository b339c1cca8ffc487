// What the watcher learns about the standby gateway in automatic mode: inspects and Docker events
// (is it running?), and the answers to reconcile's own start / stop actions.
import { withStableRestartReset } from './damping.ts';
import type { State, Step } from './model.ts';
import { restartGateway, shouldRestartGateway, stopStrayGateway } from './reconcile.ts';
import { noted, steady } from './step.ts';

export function onGatewayObserved(previous: State, running: boolean, detail: string | undefined, now: number): Step {
  const upSince = running ? (previous.gatewayUpSince ?? now) : null;
  const state: State = withStableRestartReset({ ...previous, gatewayRunning: running, gatewayUpSince: upSince }, now);
  switch (state.phase) {
    case 'watching':
      if (running && state.pendingGatewayAction !== 'stop') return stopStrayGateway(state, detail);
      return steady(state);
    case 'promoted':
      if (running || state.pendingGatewayAction === 'start') return steady(state);
      if (shouldRestartGateway(state, now)) return restartGateway(state, now);
      return noted(state, {
        event: 'gateway-down-while-promoted',
        reason:
          state.lastProbe === null
            ? `standby gateway is not running; it is re-started once FAIL_THRESHOLD=${state.policy.failThreshold} probes of the primary have failed in a row`
            : state.lastProbe.ok
              ? 'standby gateway is not running; the primary answers, so it is not re-started while recovery is counted'
              : state.consecutiveFailures < state.policy.failThreshold
                ? `standby gateway is not running; re-started once the primary has failed FAIL_THRESHOLD=${state.policy.failThreshold} probes in a row (${state.consecutiveFailures} so far)`
                : `standby gateway is not running; re-start held back for ${Math.max(0, state.nextRestartAt - now)} ms (backoff)`,
        level: 'warn',
      });
    case 'promoting':
    case 'demoting':
      // The promote/demote action owns the container until it reports back.
      return steady(state);
  }
}

/**
 * A reconcile start / stop finished, in any mode. Its result is recorded, never reconciled at
 * once: a start/stop that fails at once would otherwise be re-issued in a hot loop. The next probe
 * (one CHECK_INTERVAL later) reconciles and retries it.
 */
export function onGatewayActionFinished(previous: State, action: 'start' | 'stop', ok: boolean, error: string | undefined, now: number): Step {
  const state: State = {
    ...previous,
    pendingGatewayAction: previous.pendingGatewayAction === action ? null : previous.pendingGatewayAction,
    gatewayRunning: ok ? action === 'start' : previous.gatewayRunning,
    gatewayUpSince: ok ? (action === 'start' ? now : null) : previous.gatewayUpSince,
  };
  if (ok) return steady(state);
  return noted(state, { event: `gateway-${action}-failed`, reason: error ?? 'unknown error', level: 'error' });
}

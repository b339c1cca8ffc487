// Operator control: commands, and the two modes in which the probes are not in charge.
//   paused   – maintenance: probes are counted and reported; nothing is started or stopped, not
//              even a stray (drift is reported). Transitions in flight still settle.
//   override – the phase converges on the operator's target (promoted / demoted) whatever the
//              probes say, until `resume`.
// Drills run in automatic mode through the normal edges: drill.ts.
import { settleDemotion } from './edges-demotion.ts';
import { beginDemotion } from './edges-demotion.ts';
import { beginPromotion, onWitnessesChecked, settlePromotion } from './edges-promotion.ts';
import type { TransitionCause } from './events.ts';
import type { Command, Mode, State, Step } from './model.ts';
import { onGatewayActionFinished } from './observe-gateway.ts';
import { countProbe, probeFailureDecision } from './probe-streaks.ts';
import { mayReconcile, reconcile, restartGateway, stopStrayGateway } from './reconcile.ts';
import { beginDrill, drillRunning } from './drill.ts';
import { gatewayText, gatewayWanted, noted, steady, andThen, type Report } from './step.ts';

type Override = Extract<Mode, { kind: 'override' }>;

// ---------------------------------------------------------------------------------------------
// Commands

/** An operator's command: accepted or refused in words; a mode change is reconciled at once. */
export function onCommand(state: State, command: Command, now: number): Step {
  const answered = answerCommand(state, command, now);
  // A mode change (persist only) converges at once: resuming with a stray running stops it.
  if (!answered.actions.every((action) => action.type === 'persist')) return answered;
  const reconciled = reconcileInMode({ ...answered, actions: [] }, now);
  return { ...reconciled, actions: [...answered.actions, ...reconciled.actions] };
}

function answerCommand(state: State, command: Command, now: number): Step {
  if (drillRunning(state)) return refused(state, `a drill is under way (${state.drill?.status ?? ''}); wait for it to finish`);
  switch (command.name) {
    case 'pause':
      return pause(state, command.reason?.trim() || 'maintenance', now);
    case 'resume':
      return resume(state, now);
    case 'promote':
    case 'demote':
      if (command.reason.trim() === '') return refused(state, `${command.name} needs a reason, e.g. --reason "primary host maintenance"`);
      return override(state, command.name === 'promote' ? 'promoted' : 'demoted', command.reason.trim(), now);
    case 'drill':
      return beginDrill(state, now);
  }
}

function pause(state: State, reason: string, now: number): Step {
  if (state.mode.kind === 'paused') {
    return { ...steady(state), reply: { accepted: true, message: `already paused since ${new Date(state.mode.since).toISOString()} (${state.mode.reason})` } };
  }
  const paused: State = { ...state, mode: { kind: 'paused', reason, since: now } };
  const message = `paused (${reason}): probing goes on, nothing is promoted, demoted, started or stopped until resume; phase ${state.phase}, standby gateway ${gatewayText(state)}`;
  return { state: paused, actions: [{ type: 'persist' }], decisions: [{ event: 'paused', reason, level: 'warn' }], reply: { accepted: true, message } };
}

function resume(state: State, now: number): Step {
  if (state.mode.kind === 'auto') return { ...steady(state), reply: { accepted: true, message: 'already in automatic mode; nothing to resume' } };
  const was = state.mode.kind === 'paused' ? `pause (${state.mode.reason})` : `manual ${state.mode.target} override (${state.mode.reason})`;
  const resumed: State = { ...state, mode: { kind: 'auto' }, restartAttempts: 0, nextRestartAt: now };
  const message = `resumed automatic failover after ${was}; phase ${state.phase}, the next probe decides`;
  return { state: resumed, actions: [{ type: 'persist' }], decisions: [{ event: 'resumed', reason: was, level: 'warn' }], reply: { accepted: true, message } };
}

function override(previous: State, target: Override['target'], reason: string, now: number): Step {
  const mode: Override = { kind: 'override', target, reason, since: now };
  const state: State = { ...previous, mode, restartAttempts: 0, nextRestartAt: now };
  const holds = `holds until resume, whatever the primary does`;
  const begun = convergeOnTarget(state, mode, now);
  if (begun) return { ...begun, reply: { accepted: true, message: `${target === 'promoted' ? 'promoting' : 'demoting'} the standby (${reason}); the override ${holds}` } };
  const already = (target === 'promoted') === (state.phase === 'promoted' || state.phase === 'promoting');
  const message = already
    ? `standby already ${state.phase}; pinned ${target} (${reason}), the override ${holds}`
    : `a ${state.phase === 'promoting' ? 'promotion' : 'demotion'} is in flight; the standby is ${target} once it settles (${reason}); the override ${holds}`;
  return { state, actions: [{ type: 'persist' }], decisions: [{ event: `override-${target}`, reason, level: 'warn' }], reply: { accepted: true, message } };
}

function refused(state: State, message: string): Step {
  return { ...steady(state), reply: { accepted: false, message } };
}

/** After a mode change: reconcile as the new mode does. */
function reconcileInMode(step: Step, now: number): Step {
  switch (step.state.mode.kind) {
    case 'auto':
      return reconcile(step, now);
    case 'override':
      return reconcileOverride(step, step.state.mode, now);
    case 'paused':
      return step;
  }
}

// ---------------------------------------------------------------------------------------------
// Paused: every report is recorded, transitions in flight settle, nothing else happens.

export function whilePaused(state: State, report: Report, now: number): Step {
  switch (report.type) {
    case 'probe': {
      const counted = countProbe(state, report.result, now);
      return noted(counted, newlyFailing(state, counted, 'paused: no automatic promotion'));
    }
    case 'gateway':
      return gatewayWhilePaused(state, report.running, report.detail);
    case 'promotion-finished':
      return settlePromotion(state, report.report, now);
    case 'demotion-finished':
      return settleDemotion(state, report, now);
    case 'gateway-action-finished':
      return onGatewayActionFinished(state, report.action, report.ok, report.error, now);
    case 'witnesses-checked':
      return onWitnessesChecked(state, report, now, false);
  }
}

function gatewayWhilePaused(previous: State, running: boolean, detail: string | undefined): Step {
  const state: State = { ...previous, gatewayRunning: running };
  const settled = state.phase === 'watching' || state.phase === 'promoted';
  if (!settled || previous.gatewayRunning === running || running === gatewayWanted(state)) return steady(state);
  return noted(state, {
    event: 'drift-while-paused',
    reason: `standby gateway is ${running ? 'running' : 'not running'} in phase ${state.phase}${detail ? ` (${detail})` : ''}; paused, so it is left as it is`,
    level: 'warn',
  });
}

/** One line when the primary starts failing under an operator's mode (not one per probe). */
function newlyFailing(previous: State, counted: State, held: string): ReturnType<typeof probeFailureDecision> | undefined {
  if (counted.lastProbe?.ok !== false || previous.lastProbe?.ok === false) return undefined;
  const failed = probeFailureDecision(counted, 'warn');
  return { ...failed, reason: `${failed.reason}; ${held}` };
}

// ---------------------------------------------------------------------------------------------
// Override: the phase converges on the operator's target, then reconcile keeps it there.

export function underOverride(state: State, report: Report, now: number): Step {
  const mode = state.mode as Override;
  switch (report.type) {
    case 'probe': {
      const counted = countProbe(state, report.result, now);
      const begun = convergeOnTarget(counted, mode, now);
      const step = begun ?? noted(counted, newlyFailing(state, counted, `manual override (${mode.target}) holds`));
      return reconcileOverride(step, mode, now);
    }
    case 'gateway':
      return reconcileOverride(steady({ ...state, gatewayRunning: report.running }), mode, now);
    case 'promotion-finished':
      return reconcileOverride(settlePromotion(state, report.report, now), mode, now);
    case 'demotion-finished':
      return reconcileOverride(settleDemotion(state, report, now), mode, now);
    case 'gateway-action-finished':
      return onGatewayActionFinished(state, report.action, report.ok, report.error, now);
    case 'witnesses-checked':
      return reconcileOverride(onWitnessesChecked(state, report, now, false), mode, now);
  }
}

/** A settled phase on the wrong side of the override begins the operator's transition. */
function convergeOnTarget(state: State, mode: Override, now: number): Step | undefined {
  const cause: TransitionCause = { event: mode.target === 'promoted' ? 'manual-promote' : 'manual-demote', reason: `manual override: ${mode.reason}`, level: 'warn', streakStartedAt: now };
  if (mode.target === 'promoted' && state.phase === 'watching') return beginPromotion(state, now, cause);
  if (mode.target === 'demoted' && state.phase === 'promoted') return beginDemotion(state, now, cause);
  return undefined;
}

/** A stray is stopped when demoted, a dead gateway re-started (with backoff) when promoted. */
function reconcileOverride(step: Step, mode: Override, now: number): Step {
  const { state } = step;
  if (!mayReconcile(step)) return step;
  if (mode.target === 'demoted' && state.phase === 'watching' && state.gatewayRunning === true) {
    return andThen(step, (s) => stopStrayGateway(s, `manual override: demoted (${mode.reason})`));
  }
  if (mode.target === 'promoted' && state.phase === 'promoted' && state.gatewayRunning === false && now >= state.nextRestartAt) {
    return andThen(step, (s) => restartGateway(s, now, 'under a manual promote override'));
  }
  return step;
}

// Failover drills: a controlled test that promotes while the primary is up, waits for readiness and
// demotes again, through the normal promotion and demotion edges in automatic mode. While a drill
// runs the probes only count (commands are refused); its two reports decide what comes next.
// A drill succeeds only when both of its transitions were clean: started, ready, stopped, and no
// problem on the way (git sync, ON_PROMOTE, ON_DEMOTE).
import { afterDemotion, automatic } from './auto-mode.ts';
import { beginDemotion, settleDemotion } from './edges-demotion.ts';
import { beginPromotion, onWitnessesChecked, settlePromotion } from './edges-promotion.ts';
import type { Decision } from './events.ts';
import type { Drill, PromotionReport, State, Step } from './model.ts';
import { reconcile } from './reconcile.ts';
import { andThen, steady, type Report } from './step.ts';

export function drillRunning(state: State): boolean {
  return state.drill !== null && (state.drill.status === 'promoting' || state.drill.status === 'demoting');
}

/** A drill cut short by a watcher restart is recorded as failed; the phase it left is handled as any other. */
export function restoreDrill(drill: Drill | null, now: number): Drill | null {
  if (drill === null || (drill.status !== 'promoting' && drill.status !== 'demoting')) return drill;
  return { ...drill, status: 'failed', finishedAt: now, problems: [...drill.problems, 'the watcher restarted during the drill'] };
}

/** The `drill` command: only from a quiet, healthy, automatic watching state. */
export function beginDrill(state: State, now: number): Step {
  if (state.mode.kind === 'paused') return refused(state, 'paused: resume first, a drill needs automatic mode');
  if (state.mode.kind === 'override') return refused(state, `a manual ${state.mode.target} override is in force; resume first`);
  if (state.phase !== 'watching') return refused(state, `the standby is ${state.phase}; a drill starts only from watching`);
  if (state.lastProbe === null || !state.lastProbe.ok || state.consecutiveFailures > 0) {
    return refused(state, 'the primary is not answering healthy; a drill needs a healthy primary (this would be a real failover)');
  }
  if (state.pendingGatewayAction !== null || state.gatewayRunning !== false) {
    return refused(state, 'the standby gateway is not known to be stopped yet; try again in a few seconds');
  }
  const drill: Drill = { id: now, requestedAt: now, status: 'promoting', problems: [] };
  const cause = { event: 'drill-promote', reason: 'drill: promoting the standby while the primary is up', level: 'warn', streakStartedAt: now, drill } as const;
  const step = beginPromotion({ ...state, drill }, now, cause);
  return { ...step, reply: { accepted: true, message: `drill ${drill.id} started: promoting the standby` } };
}

/** Reports while a drill runs (phase promoting or demoting, automatic mode). */
export function duringDrill(state: State, report: Report, now: number): Step {
  switch (report.type) {
    case 'promotion-finished':
      return reconcile(drillPromotionFinished(state, report.report, now), now);
    case 'demotion-finished':
      return reconcile(drillDemotionFinished(state, report, now), now);
    case 'witnesses-checked':
      return reconcile(onWitnessesChecked(state, report, now, false), now);
    case 'probe':
    case 'gateway':
    case 'gateway-action-finished':
      // In promoting / demoting the automatic rules only record these: the transition owns the gateway.
      return automatic(state, report, now);
  }
}

function drillPromotionFinished(previous: State, report: PromotionReport, now: number): Step {
  const running = previous.drill;
  if (running === null || running.status !== 'promoting' || previous.phase !== 'promoting') return steady(previous);
  const settled = settlePromotion(previous, report, now);
  const problems = [...(settled.state.transition?.problems ?? [])];
  const drill: Drill = { ...running, syncedAt: report.sync.at, startedAt: report.start.at, readyAt: report.ready?.ok ? report.ready.at : undefined, problems };
  if (!report.start.ok) {
    const failed: Drill = { ...drill, status: 'failed', finishedAt: now };
    return withDrill(settled, failed, { event: 'drill-failed', reason: problems.join('; '), level: 'error', drill: failed });
  }
  const { policy } = settled.state;
  if (settled.state.consecutiveFailures >= policy.failThreshold) {
    // The primary died while the drill promoted: this is a real failover now, so stay promoted.
    const reason = `the primary failed ${settled.state.consecutiveFailures} probes (FAIL_THRESHOLD=${policy.failThreshold}) during a drill; staying promoted`;
    const became: Drill = { ...drill, status: 'became-promotion', finishedAt: now, problems: [...problems, reason] };
    const transition = settled.state.transition && { ...settled.state.transition, reason };
    const decisions = settled.decisions.map((d): Decision => ('transition' in d && transition ? { ...d, transition } : d));
    const real: Step = { ...settled, state: { ...settled.state, transition }, decisions };
    return withDrill(real, became, { event: 'drill-became-promotion', reason, level: 'warn', drill: became });
  }
  const demoting: Drill = { ...drill, status: 'demoting', stopIssuedAt: now };
  const ready = drill.readyAt === undefined ? `not ready (${problems.at(-1) ?? 'unknown'})` : `ready in ${drill.readyAt - report.start.at} ms`;
  const demotion = beginDemotion({ ...settled.state, drill: demoting }, now, {
    event: 'drill-demote',
    reason: 'drill: handing back to the primary',
    detail: `drill: standby ${ready}; handing back to the primary`,
    level: 'info',
    streakStartedAt: now,
    drill: demoting,
  });
  return andThen(settled, () => demotion);
}

function drillDemotionFinished(previous: State, report: Extract<Report, { type: 'demotion-finished' }>, now: number): Step {
  const running = previous.drill;
  if (running === null || running.status !== 'demoting' || previous.phase !== 'demoting') return steady(previous);
  const problems = [...running.problems];
  if (!report.ok) problems.push(`gateway stop failed: ${report.error ?? 'unknown error'}`);
  if (report.hook && !report.hook.ok) problems.push(`ON_DEMOTE hook failed: ${report.hook.error}`);
  const clean = report.ok && running.readyAt !== undefined && problems.length === 0;
  const finished: Drill = { ...running, stoppedAt: report.ok ? now : undefined, finishedAt: now, status: clean ? 'succeeded' : 'failed', problems };
  // With the drill settled, the automatic rules apply again: a primary that died meanwhile is promoted for real.
  const settled = settleDemotion({ ...previous, drill: finished }, report, now);
  const next = afterDemotion(previous, settled, now);
  if (next.state.phase === 'promoting') {
    const reason = 'the primary went down during the drill; promoting for real';
    const became: Drill = { ...finished, status: 'became-promotion', problems: [...problems, reason] };
    const outcome: Decision = { event: 'drill-became-promotion', reason, level: 'warn', drill: became };
    // demoted, then the drill's outcome, then the real promotion.
    return { ...next, state: { ...next.state, drill: became }, decisions: [...settled.decisions, outcome, ...next.decisions.slice(settled.decisions.length)] };
  }
  const summary = clean ? 'drill succeeded: promoted, ready and demoted' : `drill failed: ${problems.join('; ')}`;
  return withDrill(next, finished, { event: clean ? 'drill-succeeded' : 'drill-failed', reason: summary, level: clean ? 'info' : 'error', drill: finished });
}

/** The step with the drill's new record and its outcome line after the transition's own lines. */
function withDrill(step: Step, drill: Drill, outcome: Decision): Step {
  return { ...step, state: { ...step.state, drill }, decisions: [...step.decisions, outcome] };
}

function refused(state: State, message: string): Step {
  return { ...steady(state), reply: { accepted: false, message } };
}

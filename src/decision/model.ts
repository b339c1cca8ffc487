// Types of the pure decision core: what the watcher knows (State), what it learns
// (Observation) and what it asks the adapters to do (Action). No I/O lives here.
import type { ProbeFailureReason, ProbeResult } from '../probe/probe-result.ts';

/**
 * watching  – the primary is in charge; the standby gateway must not run.
 * promoting – the primary was declared down; sync, start and readiness are under way.
 * promoted  – the standby gateway serves; the primary is watched for recovery.
 * demoting  – the primary is back; the standby gateway is being stopped.
 */
export type Phase = 'watching' | 'promoting' | 'promoted' | 'demoting';

export interface Policy {
  failThreshold: number;
  recoverThreshold: number;
  /** First delay before re-starting a standby gateway that died while promoted; doubles per retry. */
  restartBackoffMs: number;
  /** Upper bound of that delay. */
  restartBackoffMaxMs: number;
}

export interface LastProbe {
  ok: boolean;
  at: number;
  latencyMs: number;
  reason?: ProbeFailureReason;
  detail?: string;
  status?: number;
}

/** A promotion or demotion, with the timestamps (epoch ms) an operator wants at 3 AM. */
export interface Transition {
  kind: 'promotion' | 'demotion';
  reason: string;
  /** First probe of the streak that triggered it (≈ when the primary went down / came back). */
  streakStartedAt: number;
  decidedAt: number;
  /** promotion: git sync finished; the container start was issued right after. */
  syncedAt?: number;
  /** promotion: `docker start` returned; demotion: `docker stop` issued. */
  startedAt?: number;
  /** promotion: the gateway's /readyz said ready. */
  readyAt?: number;
  finishedAt?: number;
  /** How long the ON_PROMOTE / ON_DEMOTE hook ran, when one is configured. */
  hookMs?: number;
  outcome: 'in-progress' | 'succeeded' | 'degraded' | 'failed';
  /** Problems met on the way (git failure, readiness timeout, docker error). */
  problems: string[];
}

export type PendingGatewayAction = 'start' | 'stop' | null;

export interface State {
  policy: Policy;
  phase: Phase;
  phaseSince: number;
  consecutiveFailures: number;
  consecutiveSuccesses: number;
  /** When the current failure / success streak began. */
  streakStartedAt: number | null;
  lastProbe: LastProbe | null;
  /** The standby gateway as last observed; null until the first inspect. */
  gatewayRunning: boolean | null;
  /** A reconcile start/stop in flight, so that repeated observations do not pile up duplicates. */
  pendingGatewayAction: PendingGatewayAction;
  /** Re-starts of a crashed gateway during the current promotion, for backoff. */
  restartAttempts: number;
  /** Not before this time may the gateway be re-started after a crash. */
  nextRestartAt: number;
  /** The current or most recent promotion / demotion. */
  transition: Transition | null;
}

/** An ON_PROMOTE / ON_DEMOTE run: a failure is a problem of its transition, never a blocker. */
export type HookReport = { ok: true; durationMs: number } | { ok: false; durationMs: number; error: string };

export interface PromotionReport {
  /** git sync outcome; a failure never blocks the promotion. */
  sync: { ok: true; at: number; summary: string } | { ok: false; at: number; error: string } | { skipped: true; at: number };
  /** `docker start` outcome. */
  start: { ok: true; at: number } | { ok: false; at: number; error: string };
  /** ON_PROMOTE, run after the sync and before the start; absent when none is configured. */
  hook?: HookReport;
  /** Readiness of the started gateway; absent when the start failed. */
  ready?: { ok: true; at: number } | { ok: false; at: number; error: string };
}

export type Observation =
  | { type: 'probe'; result: ProbeResult }
  | { type: 'gateway'; running: boolean; source: 'inspect' | 'event'; detail?: string }
  | { type: 'promotion-finished'; report: PromotionReport }
  | { type: 'demotion-finished'; ok: boolean; error?: string; hook?: HookReport }
  | { type: 'gateway-action-finished'; action: 'start' | 'stop'; ok: boolean; error?: string };

export type Action =
  /** Sync the workspace, start the gateway, wait for its readiness; report promotion-finished. */
  | { type: 'promote' }
  /** Stop the gateway gracefully; report demotion-finished. */
  | { type: 'demote' }
  /** Reconcile: start a gateway that should run (crashed while promoted). */
  | { type: 'start-gateway'; reason: string }
  /** Reconcile: stop a gateway that must not run, at once. */
  | { type: 'stop-gateway'; reason: string }
  /** The phase changed: write it where a restarted watcher will find it. */
  | { type: 'persist' };

/** One decision, the unit logged as a single line. */
export interface Decision {
  /** Short machine name of what was decided, e.g. `promote`, `demote`, `stop-stray`. */
  event: string;
  reason: string;
  level: 'debug' | 'info' | 'warn' | 'error';
}

export interface Step {
  state: State;
  actions: Action[];
  /** Present when something worth a log line was decided. */
  decision?: Decision;
}

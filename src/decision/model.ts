// Types of the pure decision core: what the watcher knows (State), what it learns
// (Observation) and what it asks the adapters to do (Action). No I/O lives here.
import type { ProbeFailureReason, ProbeResult } from '../probe/probe-result.ts';
import type { Decision } from './events.ts';

export type { Decision, DecisionEvent } from './events.ts';

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
  /** A re-started gateway that has run this long resets the re-start backoff (restartAttempts). */
  restartStableMs: number;
  /** First delay before promoting again after a promotion whose `docker start` failed; doubles per failure. */
  promoteRetryBackoffMs: number;
  /** Upper bound of that delay. */
  promoteRetryBackoffMaxMs: number;
  /** WITNESS_URLS are configured: a promotion waits for at least one of them to answer. */
  partitionGuard: boolean;
  /** MIN_PROMOTED: a promotion lasts at least this long before a recovered primary gets it back (0: off). */
  minPromotedMs: number;
  /** FLAP_WINDOW: promote/demote cycles this recent count towards the hold-down (0: flap damping off). */
  flapWindowMs: number;
  /** FLAP_HOLD_DOWN: the extra failing time required once FLAP_FREE_CYCLES cycles happened in the window. */
  flapHoldDownMs: number;
  /** FLAP_HOLD_DOWN_MAX: cap of the hold-down, which doubles per further cycle. */
  flapHoldDownMaxMs: number;
}

/** The outcome of asking the witnesses whether this standby can still see the network. */
export interface WitnessCheck {
  at: number;
  /** At least one witness answered (any HTTP response): the network is there, the primary is not. */
  reachable: boolean;
  /** Witnesses that answered, as redacted URLs. */
  answered: string[];
  /** What was concluded, in one sentence (also the log line's reason). */
  reason: string;
}

export interface PartitionGuardState {
  /** A check-witnesses action is in flight. */
  checking: boolean;
  lastCheck: WitnessCheck | null;
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
  /** promotion: the gateway itself reported its configured channels running (reachable). */
  channelLiveAt?: number;
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
  /** Since when the standby gateway is known to run while promoted (for resetting restartAttempts). */
  gatewayUpSince: number | null;
  /** Promotions in a row whose `docker start` failed (reset by a started gateway or a recovered primary). */
  promotionFailures: number;
  /** Not before this time may a promotion be attempted again after a failed start. */
  nextPromotionAt: number;
  /** Times of recent demotion decisions (each ends one promote/demote cycle), pruned to FLAP_WINDOW. */
  recentCycles: number[];
  partitionGuard: PartitionGuardState;
  /** Who is in charge of transitions: the probes (auto), nobody (paused) or an operator (override). */
  mode: Mode;
  /** The current or most recent failover drill. */
  drill: Drill | null;
}

/**
 * auto     – probes drive promotions and demotions.
 * paused   – maintenance: probes are counted and reported, nothing is started or stopped.
 * override – an operator pinned the standby promoted or demoted until `resume`.
 */
export type Mode =
  | { kind: 'auto' }
  | { kind: 'paused'; reason: string; since: number }
  | { kind: 'override'; target: 'promoted' | 'demoted'; reason: string; since: number };

/** A controlled failover test: promote while the primary is up, wait ready, demote. Epoch ms. */
export interface Drill {
  id: number;
  requestedAt: number;
  /** promoting/demoting while under way; became-promotion when the primary died mid-drill. */
  status: 'promoting' | 'demoting' | 'succeeded' | 'failed' | 'became-promotion';
  syncedAt?: number;
  startedAt?: number;
  readyAt?: number;
  stopIssuedAt?: number;
  stoppedAt?: number;
  finishedAt?: number;
  problems: string[];
}

/** What an operator asks through the control socket. */
export type Command =
  | { name: 'pause'; reason?: string }
  | { name: 'resume' }
  | { name: 'promote'; reason: string }
  | { name: 'demote'; reason: string }
  | { name: 'drill' };

/** decide()'s answer to a command: accepted or refused, in words for the operator. */
export interface CommandReply {
  accepted: boolean;
  message: string;
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
  ready?: { ok: true; at: number; channelLiveAt?: number; channelError?: string; startedByHand?: string[] } | { ok: false; at: number; error: string };
}

export type Observation =
  | { type: 'probe'; result: ProbeResult }
  | { type: 'gateway'; running: boolean; source: 'inspect' | 'event'; detail?: string }
  | { type: 'promotion-finished'; report: PromotionReport }
  | { type: 'demotion-finished'; ok: boolean; error?: string; hook?: HookReport }
  | { type: 'gateway-action-finished'; action: 'start' | 'stop'; ok: boolean; error?: string }
  /** The answer to check-witnesses: `answered` holds the (redacted) URLs of witnesses that answered. */
  | { type: 'witnesses-checked'; answered: string[]; total: number; detail?: string }
  | { type: 'command'; command: Command };

export type Action =
  /** Sync the workspace, start the gateway, wait for its readiness; report promotion-finished. */
  | { type: 'promote' }
  /** Stop the gateway gracefully; report demotion-finished. */
  | { type: 'demote' }
  /**
   * Abandon the promotion under way (its steps stop before switching the standby to serving; one
   * already switching finishes, and the demote that follows undoes it). It reports nothing.
   */
  | { type: 'abort-promotion'; reason: string }
  /** Reconcile: start a gateway that should run (crashed while promoted). */
  | { type: 'start-gateway'; reason: string }
  /** Reconcile: stop a gateway that must not run, at once. */
  | { type: 'stop-gateway'; reason: string }
  /** The phase changed: write it where a restarted watcher will find it. */
  | { type: 'persist' }
  /** Partition guard: ask every witness, report witnesses-checked (bounded by WITNESS_TIMEOUT). */
  | { type: 'check-witnesses' };

export interface Step {
  state: State;
  actions: Action[];
  /** What was decided, in order, one log line each (empty when nothing is worth a line). */
  decisions: Decision[];
  /** Present when the observation was an operator command. */
  reply?: CommandReply;
}

// The decision policy's defaults, in one place: the decision core's DEFAULT_POLICY is this object,
// and the configuration's defaults for FAIL_THRESHOLD, RECOVER_THRESHOLD, MIN_PROMOTED, FLAP_WINDOW,
// FLAP_HOLD_DOWN and FLAP_HOLD_DOWN_MAX are meant to be read from it (in seconds: value / 1000).
// No imports beyond types, so the config module can use it without pulling in the decision core.
import type { Policy } from './model.ts';

export const POLICY_DEFAULTS = Object.freeze({
  /** FAIL_THRESHOLD: consecutive failed probes that promote. */
  failThreshold: 3,
  /** RECOVER_THRESHOLD: consecutive healthy probes that demote. */
  recoverThreshold: 3,
  restartBackoffMs: 2_000,
  restartBackoffMaxMs: 60_000,
  // Five times the longest re-start delay: a gateway that ran that long was not crash-looping.
  restartStableMs: 300_000,
  promoteRetryBackoffMs: 10_000,
  promoteRetryBackoffMaxMs: 300_000,
  /** On when WITNESS_URLS are set; there is no setting of its own. */
  partitionGuard: false,
  /** MIN_PROMOTED (60 s). */
  minPromotedMs: 60_000,
  /** FLAP_WINDOW (600 s). */
  flapWindowMs: 600_000,
  /** FLAP_HOLD_DOWN (30 s). */
  flapHoldDownMs: 30_000,
  /** FLAP_HOLD_DOWN_MAX (600 s). */
  flapHoldDownMaxMs: 600_000,
} as const satisfies Policy);

/** The policy settings a configuration sets; the others (backoffs) are fixed. */
export type ConfiguredPolicy = Pick<Policy, 'failThreshold' | 'recoverThreshold' | 'minPromotedMs' | 'flapWindowMs' | 'flapHoldDownMs' | 'flapHoldDownMaxMs'> & {
  /** WITNESS_URLS are configured. */
  partitionGuard: boolean;
};

/** The full policy for a configuration: its settings over the fixed defaults. */
export function policyWith(configured: ConfiguredPolicy): Policy {
  return { ...POLICY_DEFAULTS, ...configured };
}

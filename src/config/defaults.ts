// Every default of the environment settings, as written in the environment (seconds where the
// setting takes seconds). The one source for these numbers: the settings table, and through it
// `check`, docs/settings.md and the property tests, read them from here, and the decision core's
// policy defaults (FAIL_THRESHOLD, RECOVER_THRESHOLD, MIN_PROMOTED, FLAP_*) are the decision
// core's POLICY_DEFAULTS, converted to the environment's units, so the two cannot disagree.
import { POLICY_DEFAULTS } from '../decision/policy-defaults.ts';

export const DEFAULTS = {
  CHECK_INTERVAL: 1,
  CHECK_TIMEOUT: 1,
  CHECK_ATTEMPTS: 3,
  FAIL_THRESHOLD: POLICY_DEFAULTS.failThreshold,
  RECOVER_THRESHOLD: POLICY_DEFAULTS.recoverThreshold,
  GATEWAY_SERVICE: 'openclaw-standby',
  PROMOTE_READY_TIMEOUT: 90,
  STOP_TIMEOUT: 10,
  STANDBY_MODE: 'cold',
  CHANNEL_LIVE_TIMEOUT: 60,
  WORKSPACE_DIR: '/workspace',
  GIT_TIMEOUT: 15,
  WITNESS_TIMEOUT: 2,
  MIN_PROMOTED: POLICY_DEFAULTS.minPromotedMs / 1000,
  FLAP_WINDOW: POLICY_DEFAULTS.flapWindowMs / 1000,
  FLAP_HOLD_DOWN: POLICY_DEFAULTS.flapHoldDownMs / 1000,
  FLAP_HOLD_DOWN_MAX: POLICY_DEFAULTS.flapHoldDownMaxMs / 1000,
  HOOK_TIMEOUT: 30,
  STATUS_PORT: 8080,
  STATE_DIR: '/var/lib/openclaw-failover',
  CONTROL_SOCKET: '/tmp/openclaw-failover/control.sock',
  LOG_LEVEL: 'info',
  LOG_FORMAT: 'json',
  NOTIFY_TIMEOUT: 5,
  NOTIFY_RETRIES: 3,
  HEARTBEAT_INTERVAL: 60,
} as const;

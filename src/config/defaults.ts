// Every default of the environment settings, as written in the environment (seconds where the
// setting takes seconds). The one source for these numbers: the settings table, and through it
// `check`, docs/settings.md and the property tests, read them from here, and the decision core's
// policy defaults (FAIL_THRESHOLD, RECOVER_THRESHOLD, MIN_PROMOTED, FLAP_*) are meant to come from
// the same constants rather than repeat them.
export const DEFAULTS = {
  CHECK_INTERVAL: 2,
  CHECK_TIMEOUT: 2,
  CHECK_ATTEMPTS: 3,
  FAIL_THRESHOLD: 3,
  RECOVER_THRESHOLD: 3,
  GATEWAY_SERVICE: 'openclaw-standby',
  PROMOTE_READY_TIMEOUT: 90,
  STOP_TIMEOUT: 10,
  CHANNEL_LIVE_TIMEOUT: 60,
  WORKSPACE_DIR: '/workspace',
  GIT_TIMEOUT: 15,
  WITNESS_TIMEOUT: 2,
  MIN_PROMOTED: 60,
  FLAP_WINDOW: 600,
  FLAP_HOLD_DOWN: 30,
  FLAP_HOLD_DOWN_MAX: 600,
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

// The watcher's resolved configuration. Built only by loadConfig() from the environment,
// validated once at start; everything downstream trusts these values.

export type LogFormat = 'json' | 'pretty';
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

export interface Config extends LeaseSettings {
  /** Full URL of the primary's health endpoint, e.g. http://100.101.102.103:18789/healthz. No default. */
  primaryUrl: string;
  /** Seconds between the starts of two probes. */
  checkIntervalMs: number;
  /** Hard per-probe timeout. */
  checkTimeoutMs: number;
  /** Attempts one check may make within CHECK_TIMEOUT (hedging against lost packets); 1 disables it. */
  checkAttempts: number;
  /** Consecutive failed probes that promote the standby. */
  failThreshold: number;
  /** Consecutive healthy probes that demote it again. */
  recoverThreshold: number;

  /** Compose service name of the standby gateway (used when gatewayContainer is unset). */
  gatewayService: string;
  /** Explicit container name or id of the standby gateway; overrides the service lookup. */
  gatewayContainer: string | undefined;
  /** The standby gateway's own readiness URL, polled after it is started. */
  gatewayReadyUrl: string;
  /** Upper bound on waiting for the started gateway to report ready. */
  promoteReadyTimeoutMs: number;
  /** Graceful stop timeout on demotion (SIGTERM, then SIGKILL after this). */
  stopTimeoutMs: number;
  /** cold: the standby gateway is started on promotion; hot: it runs with its channel off, switched on at promotion. */
  standbyMode: 'cold' | 'hot';
  /**
   * The standby gateway's token (OPENCLAW_GATEWAY_TOKEN), to ask it over admin-http-rpc whether
   * its channels run, and (hot mode) to switch them; a secret. Unset: promotions are judged by /readyz alone.
   */
  gatewayToken: string | undefined;
  /** Bound on the standby's channels going live after it is ready. */
  channelLiveTimeoutMs: number;
  /** The deploy-time preparation report (openclaw-standby-prepare); unset: not checked. */
  standbyPrepareReport: string | undefined;

  /** Workspace git checkout shared with the standby gateway. */
  workspaceDir: string;
  /** Remote to clone from when workspaceDir is empty; when unset, the checkout's own upstream is used. */
  workspaceRemote: string | undefined;
  /** Branch to fast-forward; when unset, the checkout's current branch. */
  workspaceBranch: string | undefined;
  /** Bound on the whole git sync at promotion, and on each hand-back attempt after a demotion. */
  gitTimeoutMs: number;
  /** Extra patterns kept out of the hand-back commit, on top of DEFAULT_WORKSPACE_IGNORE. */
  workspaceIgnore: string[];

  /**
   * Partition guard: URLs that must answer (any HTTP response) before a promotion; empty: off.
   * May carry credentials: shown only through redactUrl.
   */
  witnessUrls: string[];
  /** Bound on asking all witnesses (they are asked in parallel). */
  witnessTimeoutMs: number;
  /** Minimum time promoted before a recovered primary gets the work back; 0: off. */
  minPromotedMs: number;
  /** Promote/demote cycles within this window count towards the flap hold-down; 0: off. */
  flapWindowMs: number;
  /** Extra failing time required before the next promotion from the second cycle in the window on. */
  flapHoldDownMs: number;
  /** Cap of that hold-down, which doubles per further cycle. */
  flapHoldDownMaxMs: number;
  /** Shell command run on promotion, after the git sync and before the gateway start. */
  onPromote: string | undefined;
  /** Shell command run on demotion, after the gateway stopped. */
  onDemote: string | undefined;
  /** Bound on one hook run; its whole process group is killed after it. */
  hookTimeoutMs: number;

  /** Port of the watcher's own /healthz and /status endpoint. */
  statusPort: number;
  /** Directory for the watcher's persisted state (survives watcher restarts). */
  stateDir: string;
  /** Unix socket of the control channel (pause, resume, promote, demote, drill). */
  controlSocket: string;
  logLevel: LogLevel;
  logFormat: LogFormat;

  /** Notification targets; each URL is a secret (it carries the token). */
  notifyWebhookUrl: string | undefined;
  notifySlackUrl: string | undefined;
  notifyDiscordUrl: string | undefined;
  notifyNtfyUrl: string | undefined;
  /** Timeout of one notification request. */
  notifyTimeoutMs: number;
  /** Retries after a network error, timeout, 5xx or 429. */
  notifyRetries: number;
  /** Dead man's switch pinged while the probe loop turns; a secret. */
  heartbeatUrl: string | undefined;
  heartbeatIntervalMs: number;
}

/** One invalid setting or contradiction between settings, reported together with every other one. */
export interface ConfigProblem {
  /** The environment variable's name (for a contradiction: the one named first). */
  name: string;
  /** The value as given, secrets redacted; undefined when the variable was missing. */
  value: string | undefined;
  /** What is expected instead, phrased as the fix. */
  expected: string;
  /**
   * Set for a contradiction between valid settings (config-rules.ts): what contradicts what, e.g.
   * `FLAP_HOLD_DOWN_MAX=600 (default) is shorter than FLAP_HOLD_DOWN=900`.
   */
  conflict?: string;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: ConfigProblem[] };

/** The etcd mode's settings (lease-settings-table.ts; docs/multi-node.md). */
export interface LeaseSettings {
  /** two-node: `run` (primary + standby); etcd: `lease-run`. */
  leaderElection: 'two-node' | 'etcd';
  /** Every etcd member's client URL; empty in the two-node mode. */
  etcdEndpoints: string[];
  /** This node's name in the leader key; undefined: the host name. */
  nodeName: string | undefined;
  etcdLeaseTtlMs: number;
  etcdRenewIntervalMs: number;
  etcdSafetyMarginMs: number;
  etcdTakeoverGraceMs: number;
  etcdPollIntervalMs: number;
  etcdRequestTimeoutMs: number;
  etcdLeaderKey: string;
  gatewayWorstCaseStopMs: number;
  /** The dead-man wrapper's status URL; undefined: no gateway rules. */
  gatewayStatusUrl: string | undefined;
  gatewayUnreachableAfterMs: number;
  gatewayNotReadyAfterMs: number;
  gatewayResignCooldownMs: number;
  leaseFile: string;
}

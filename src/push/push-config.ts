// The primary's push service configuration, from the environment like the watcher's: the same
// setting kinds (most are the watcher's own table entries), every problem reported at once.
import type { Config, ConfigProblem } from '../config/config.ts';
import { secondsSetting, type Setting } from '../config/setting-kinds.ts';
import { SETTING_TABLE } from '../config/settings-table.ts';
import { redactUrl, SECRET_MASK } from '../config/redact.ts';
import { workspaceIgnoreSetting } from '../config/workspace-ignore-setting.ts';

/** The watcher's settings the push service shares (same names, same parsers), plus its own. */
type SharedWithWatcher = Pick<
  Config,
  'workspaceDir' | 'workspaceIgnore' | 'gitTimeoutMs' | 'statusPort' | 'logLevel' | 'logFormat' | 'notifyWebhookUrl' | 'notifySlackUrl' | 'notifyDiscordUrl' | 'notifyNtfyUrl' | 'notifyTimeoutMs' | 'notifyRetries'
>;

export interface PushConfig extends SharedWithWatcher {
  /** Required here: the primary pushes to it (the watcher only falls back to the checkout's origin). */
  workspaceRemote: string;
  /** Always a branch here (default main); the watcher may follow the checkout's. */
  workspaceBranch: string;
  pushIntervalMs: number;
}

export type PushConfigResult = { ok: true; config: PushConfig } | { ok: false; problems: ConfigProblem[] };

export const DEFAULT_PUSH_INTERVAL_SECONDS = 60;
export const PUSH_WORKSPACE_DIR = '/openclaw-state/workspace';

function required<T>(setting: Setting<T | undefined>, fix: string): Setting<T> {
  return {
    ...setting,
    parse(raw, earlier) {
      const parsed = setting.parse(raw, earlier);
      if (!parsed.ok) return parsed;
      return parsed.value === undefined ? { ok: false, expected: fix } : { ok: true, value: parsed.value };
    },
    show: (value) => setting.show(value),
  };
}

type PushTable = { readonly [K in keyof PushConfig]: Setting<PushConfig[K]> };

export const PUSH_SETTING_TABLE: PushTable = {
  workspaceDir: { ...SETTING_TABLE.workspaceDir, default: PUSH_WORKSPACE_DIR, parse: (raw, e) => SETTING_TABLE.workspaceDir.parse(raw ?? PUSH_WORKSPACE_DIR, e), description: "The primary gateway's workspace directory (inside its state volume)." },
  workspaceRemote: required(
    SETTING_TABLE.workspaceRemote,
    'set WORKSPACE_REMOTE to the git remote the workspace is pushed to (the one the standby pulls from), e.g. WORKSPACE_REMOTE=git@github.com:you/openclaw-workspace.git',
  ),
  workspaceBranch: {
    ...SETTING_TABLE.workspaceBranch,
    default: 'main',
    description: 'Branch the workspace is pushed to.',
    parse: (raw, e) => SETTING_TABLE.workspaceBranch.parse(raw ?? 'main', e) as { ok: true; value: string } | { ok: false; expected: string },
    show: (value) => value,
  },
  pushIntervalMs: secondsSetting(
    'WORKSPACE_PUSH_INTERVAL',
    DEFAULT_PUSH_INTERVAL_SECONDS,
    5,
    86400,
    'Seconds between two workspace commits+pushes (only when something changed); the RPO of the workspace is about this plus one push.',
  ),
  workspaceIgnore: workspaceIgnoreSetting(),
  gitTimeoutMs: SETTING_TABLE.gitTimeoutMs,
  statusPort: SETTING_TABLE.statusPort,
  logLevel: SETTING_TABLE.logLevel,
  logFormat: SETTING_TABLE.logFormat,
  notifyWebhookUrl: SETTING_TABLE.notifyWebhookUrl,
  notifySlackUrl: SETTING_TABLE.notifySlackUrl,
  notifyDiscordUrl: SETTING_TABLE.notifyDiscordUrl,
  notifyNtfyUrl: SETTING_TABLE.notifyNtfyUrl,
  notifyTimeoutMs: SETTING_TABLE.notifyTimeoutMs,
  notifyRetries: SETTING_TABLE.notifyRetries,
};

export function loadPushConfig(env: Record<string, string | undefined>): PushConfigResult {
  const values: Record<string, unknown> = {};
  const problems: ConfigProblem[] = [];
  for (const key of Object.keys(PUSH_SETTING_TABLE) as (keyof PushConfig)[]) {
    const setting = PUSH_SETTING_TABLE[key] as Setting<unknown>;
    const trimmed = env[setting.name]?.trim();
    const raw = trimmed === '' ? undefined : trimmed;
    const parsed = setting.parse(raw, {});
    if (parsed.ok) values[key] = parsed.value;
    else problems.push({ name: setting.name, value: raw === undefined ? undefined : setting.secret ? SECRET_MASK : (setting.redact ?? redactUrl)(raw), expected: parsed.expected });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, config: values as unknown as PushConfig };
}

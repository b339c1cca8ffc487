// Builds the Config from the environment, the only configuration source: Portainer stacks have
// no files. Every setting (settings-table.ts) has one small parser that returns a value or what was
// expected instead; loadConfig runs them all, then the rules between settings (config-rules.ts),
// and reports every problem at once, so one deploy fixes them all.
import type { Config, ConfigProblem, ConfigResult } from './config.ts';
import { checkRules } from './config-rules.ts';
import { redactUrl, SECRET_MASK } from './redact.ts';
import { SETTING_KEYS, SETTING_TABLE } from './settings-table.ts';

// Where callers have always found them.
export { SETTING_TABLE, SETTINGS } from './settings-table.ts';
export type { SettingInfo } from './setting-kinds.ts';
export { configWarnings } from './config-rules.ts';

/** Compose passes `VAR=` for an unset `${VAR}` interpolation, so blank means unset. */
function readEnv(env: Record<string, string | undefined>, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
}

/** A resolved value as written in the environment; a secret only as the mask. */
function shownValue<K extends keyof Config>(key: K, values: Partial<Config>): string | undefined {
  const setting = SETTING_TABLE[key];
  const shown = setting.show(values[key] as Config[K]);
  return shown === undefined ? undefined : setting.secret ? SECRET_MASK : String(shown);
}

/** Reads the whole configuration from the environment, or every problem with it. */
export function loadConfig(env: Record<string, string | undefined>): ConfigResult {
  const values: Partial<Config> = {};
  const problems: ConfigProblem[] = [];
  const read = <K extends keyof Config>(key: K): void => {
    const setting = SETTING_TABLE[key];
    const raw = readEnv(env, setting.name);
    const parsed = setting.parse(raw, values);
    if (parsed.ok) {
      values[key] = parsed.value;
    } else {
      // Any value may be a URL with credentials pasted into the wrong variable: redact them all.
      // A secret setting's value is never shown at all.
      const value = raw === undefined ? undefined : setting.secret ? SECRET_MASK : (setting.redact ?? redactUrl)(raw);
      problems.push({ name: setting.name, value, expected: parsed.expected });
    }
  };
  SETTING_KEYS.forEach(read);
  // Contradictions between settings that are valid on their own, checked even when others are
  // not, so they are reported in the same run.
  for (const { rule, finding } of checkRules(values, 'error')) {
    const key = rule.settings[0] as keyof Config;
    const shown = shownValue(key, values);
    problems.push({ name: SETTING_TABLE[key].name, value: shown, expected: finding.fix, conflict: finding.conflict });
  }
  // Every key was either parsed into values or produced a problem, so no problems means complete.
  return problems.length > 0 ? { ok: false, problems } : { ok: true, config: values as Config };
}

/** The block printed to stderr when the configuration is unusable (no trailing newline). */
export function formatProblems(problems: ConfigProblem[]): string {
  const count = `${problems.length} configuration problem${problems.length === 1 ? '' : 's'}`;
  const lines = problems.map((problem) =>
    problem.conflict !== undefined
      ? `  - ${problem.conflict}: ${problem.expected}`
      : problem.value === undefined
        ? `  - ${problem.name} is not set: ${problem.expected}`
        : `  - ${problem.name}=${JSON.stringify(problem.value)}: expected ${problem.expected}`,
  );
  return [`openclaw-failover: ${count} (nothing was started):`, ...lines].join('\n');
}

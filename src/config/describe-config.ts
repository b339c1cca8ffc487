// Renders the resolved configuration for `openclaw-failover check`: YAML keyed by environment
// variable, so each line can be copied straight back into a stack's environment, with a comment
// saying whether the value is the default. Secrets are redacted.

import { Document, Pair, Scalar, YAMLMap } from 'yaml';
import type { Config } from './config.ts';
import { SETTING_TABLE } from './settings-table.ts';
import { redactConfig } from './redact.ts';

// The setting list lives with the parsers; re-exported so docs tooling can import it from here.
export { SETTINGS } from './settings-table.ts';
export type { SettingInfo } from './setting-kinds.ts';

type Source = 'default' | 'set' | 'unset';

interface Entry {
  name: string;
  value: string | number | undefined;
  unit: string | undefined;
  source: Source;
}

function entryFor<K extends keyof Config>(key: K, config: Config, shown: Config): Entry {
  const setting = SETTING_TABLE[key];
  const value = setting.show(config[key]);
  // "default" means the value equals what an unset variable would give, whether or not it was set.
  const fallback = setting.parse(undefined, config);
  const isDefault = fallback.ok && setting.show(fallback.value) === value;
  const source: Source = value === undefined ? 'unset' : isDefault ? 'default' : 'set';
  return { name: setting.name, value: setting.show(shown[key]), unit: setting.unit, source };
}

/** The resolved configuration as commented YAML, e.g. `CHECK_INTERVAL: 2 # seconds (default)`. */
export function describeConfig(config: Config): string {
  const shown = redactConfig(config);
  const map = new YAMLMap<Scalar, Scalar>();
  for (const key of Object.keys(SETTING_TABLE) as (keyof Config)[]) {
    const entry = entryFor(key, config, shown);
    const value = new Scalar(entry.value ?? null);
    value.comment = entry.unit === undefined ? ` ${entry.source}` : ` ${entry.unit} (${entry.source})`;
    map.items.push(new Pair(new Scalar(entry.name), value));
  }
  const doc = new Document();
  doc.commentBefore = ' openclaw-failover configuration (secrets redacted)';
  doc.contents = map;
  return doc.toString();
}

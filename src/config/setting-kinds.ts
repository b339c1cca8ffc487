// The kinds of setting the environment can hold (seconds, whole numbers, choices, paths, hooks,
// secret URLs), each a small parser that returns the value or what was expected instead, phrased
// as the fix. settings-table.ts builds every setting from these; nothing here knows a setting.
//
// Why a hand-written table and not a schema library (zod, valibot, envalid): the table already
// reports every problem at once, carries the unit, the default and the docs text the `check`
// output and docs/settings.md are generated from, and its messages name the fix with an example
// (`e.g. CHECK_INTERVAL=2`), which schema libraries make us rebuild by hand anyway. Each kind is a
// few lines and the property test (test/unit/load-config.property.test.ts) covers them all.
import { posix } from 'node:path';
import type { Config } from './config.ts';

export type Parsed<T> = { ok: true; value: T } | { ok: false; expected: string };

/** What a setting is, independent of how it is parsed: enough for docs and `check` output. */
export interface SettingInfo {
  /** The environment variable. */
  name: string;
  /** The Config field it fills. */
  key: keyof Config;
  /** The default as it would be written in the environment; undefined when there is none. */
  default: string | undefined;
  /** When the default follows another setting: how, e.g. "or CHECK_INTERVAL if shorter". */
  defaultNote?: string | undefined;
  /** Unit of the value as written in the environment, e.g. "seconds". */
  unit: string | undefined;
  /** The accepted values of a choice setting. */
  choices?: readonly string[] | undefined;
  /** Allowed numbers, in the environment's unit (numeric settings only). */
  range?: { min: number; max: number } | undefined;
  description: string;
  /** The whole value is a secret (a webhook URL is its token): never shown, not even redacted. */
  secret?: boolean;
}

/** One setting: how to read it from the environment and how to write the resolved value back. */
export interface Setting<T> extends Omit<SettingInfo, 'key'> {
  /**
   * Parses the trimmed value, or undefined when the variable is unset or blank. `earlier` holds
   * the settings resolved so far (table order), for defaults derived from other settings.
   */
  parse(raw: string | undefined, earlier: Partial<Config>): Parsed<T>;
  /** The resolved value as it would be written in the environment (milliseconds back to seconds). */
  show(value: T): string | number | undefined;
  /** How a bad raw value is shown in a problem; redactUrl unless the setting knows better (lists). */
  redact?: (raw: string) => string;
}

export const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
export const bad = <T>(expected: string): Parsed<T> => ({ ok: false, expected });

// Strict forms only: Number() and parseFloat() accept "0x10", "1e3", "Infinity" and " 2s"-ish
// junk that should be reported, not silently reinterpreted.
const DECIMAL = /^\d{1,12}(?:\.\d{1,12})?$/;
const INTEGER = /^\d{1,12}$/;

/**
 * A default that follows an earlier setting, so that setting one alone never contradicts the
 * other's default (an explicit contradiction is a config-rules.ts error instead).
 */
export interface DerivedDefault {
  /** How the default is written in docs and messages, after the number, e.g. "or CHECK_INTERVAL if shorter". */
  note: string;
  /** The default in milliseconds, given the plain default and the settings resolved so far. */
  derive(defaultMs: number, earlier: Partial<Config>): number;
}

/** Seconds in the environment, milliseconds in the Config. */
export function secondsSetting(
  name: string,
  defaultSeconds: number,
  min: number,
  max: number,
  description: string,
  derived?: DerivedDefault,
): Setting<number> {
  const defaultText = derived === undefined ? String(defaultSeconds) : `${defaultSeconds}, ${derived.note}`;
  const expected = `a number of seconds between ${min} and ${max} (default ${defaultText}), e.g. ${name}=${defaultSeconds}`;
  return {
    name,
    default: String(defaultSeconds),
    defaultNote: derived?.note,
    unit: 'seconds',
    range: { min, max },
    description,
    parse(raw, earlier) {
      if (raw === undefined) return ok(derived === undefined ? defaultSeconds * 1000 : derived.derive(defaultSeconds * 1000, earlier));
      const seconds = DECIMAL.test(raw) ? Number(raw) : Number.NaN;
      return seconds >= min && seconds <= max ? ok(Math.round(seconds * 1000)) : bad(expected);
    },
    show: (ms) => ms / 1000,
  };
}

export function integerSetting(
  name: string,
  defaultValue: number,
  min: number,
  max: number,
  unit: string | undefined,
  description: string,
): Setting<number> {
  const expected = `a whole number between ${min} and ${max} (default ${defaultValue}), e.g. ${name}=${defaultValue}`;
  return {
    name,
    default: String(defaultValue),
    unit,
    range: { min, max },
    description,
    parse(raw) {
      if (raw === undefined) return ok(defaultValue);
      const value = INTEGER.test(raw) ? Number(raw) : Number.NaN;
      return value >= min && value <= max ? ok(value) : bad(expected);
    },
    show: (value) => value,
  };
}

export function choiceSetting<T extends string>(name: string, choices: readonly T[], defaultValue: T, description: string): Setting<T> {
  const expected = `one of ${choices.join(', ')} (default ${defaultValue}), e.g. ${name}=${defaultValue}`;
  return {
    name,
    default: defaultValue,
    unit: undefined,
    choices,
    description,
    parse(raw) {
      if (raw === undefined) return ok(defaultValue);
      const choice = choices.find((c) => c === raw.toLowerCase());
      return choice === undefined ? bad(expected) : ok(choice);
    },
    show: (value) => value,
  };
}

export function absolutePathSetting(name: string, defaultValue: string, description: string): Setting<string> {
  const expected = `an absolute path (default ${defaultValue}), e.g. ${name}=${defaultValue}`;
  return {
    name,
    default: defaultValue,
    unit: undefined,
    description,
    parse(raw) {
      if (raw === undefined) return ok(defaultValue);
      // eslint-disable-next-line no-control-regex -- control characters are exactly what is rejected
      return posix.isAbsolute(raw) && !/[\u0000-\u001f\u007f]/.test(raw) ? ok(raw) : bad(expected);
    },
    show: (value) => value,
  };
}

/** A unix socket path: absolute, and short enough for sockaddr_un (108 bytes on Linux, with its NUL). */
export function socketPathSetting(name: string, defaultValue: string, description: string): Setting<string> {
  const path = absolutePathSetting(name, defaultValue, description);
  const expected = `an absolute path of at most 100 bytes (default ${defaultValue}), e.g. ${name}=${defaultValue}`;
  return {
    ...path,
    parse(raw, earlier) {
      const parsed = path.parse(raw, earlier);
      return parsed.ok && Buffer.byteLength(parsed.value) <= 100 ? parsed : bad(expected);
    },
  };
}

/** An optional shell command; anything sh accepts, but no NUL (it cannot be passed to exec). */
export function hookSetting(name: string, description: string): Setting<string | undefined> {
  return {
    name,
    default: undefined,
    unit: undefined,
    description,
    parse(raw) {
      if (raw === undefined) return ok(undefined);
      return raw.includes('\u0000') || raw.length > 4096
        ? bad(`a shell command of at most 4096 characters, run as /bin/sh -c (unset by default: no hook), e.g. ${name}=/hooks/${name.toLowerCase().replace('_', '-')}.sh`)
        : ok(raw);
    },
    show: (value) => value,
  };
}

/** Absolute http(s) URL with a host and no fragment; `http:host`-style shorthand is refused. */
export function isHttpUrl(raw: string): boolean {
  if (!/^https?:\/\//i.test(raw) || /\s/.test(raw) || raw.includes('#') || !URL.canParse(raw)) return false;
  return new URL(raw).hostname !== '';
}

/**
 * An optional http(s) URL that is a secret as a whole (webhook URLs carry their token in the path):
 * problems name the setting but never echo the value.
 */
export function secretUrlSetting(name: string, example: string, description: string): Setting<string | undefined> {
  return {
    name,
    default: undefined,
    unit: undefined,
    description,
    secret: true,
    parse(raw) {
      if (raw === undefined) return ok(undefined);
      return isHttpUrl(raw) ? ok(raw) : bad(`an absolute http:// or https:// URL with a host and no #fragment (unset by default), e.g. ${name}=${example}`);
    },
    show: (value) => value,
  };
}

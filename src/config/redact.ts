// Keeps secrets out of logs, /status and `check` output. URLs are redacted where they are shown
// (redactUrl); anything that still slips into a message is masked by value (scrubSecrets).

import type { Config } from './config.ts';

const MASK = '***';

/** What a secret value is shown as. */
export const SECRET_MASK = MASK;

/** Query/fragment parameter names whose values are treated as secrets (case-insensitive substrings). */
const SECRET_PARAM_PARTS = [
  'token',
  'key',
  'secret',
  'password',
  'passwd',
  'auth',
  'sig',
  'signature',
  'access_token',
  'api_key',
] as const;

/**
 * Environment variables whose values are secrets. The watcher never needs most of them, but a
 * Portainer stack often shares one env file between the watcher and the gateway, so their values
 * may sit in our environment and must never reach a log line.
 */
export const SECRET_ENV_NAMES: readonly string[] = [
  'OPENCLAW_GATEWAY_TOKEN',
  'OPENCLAW_GATEWAY_PASSWORD',
  'OPENCLAW_TOKEN',
  'GIT_PASSWORD',
  'GIT_TOKEN',
  'GITHUB_TOKEN',
  'GH_TOKEN',
  'GITLAB_TOKEN',
  'ANTHROPIC_API_KEY',
  'OPENAI_API_KEY',
  'OPENROUTER_API_KEY',
  'GEMINI_API_KEY',
  'TELEGRAM_BOT_TOKEN',
  'DISCORD_BOT_TOKEN',
  'SLACK_BOT_TOKEN',
  'SLACK_APP_TOKEN',
  // Webhook and heartbeat URLs carry their token in the path or the topic name.
  'NOTIFY_WEBHOOK_URL',
  'NOTIFY_SLACK_URL',
  'NOTIFY_DISCORD_URL',
  'NOTIFY_NTFY_URL',
  'HEARTBEAT_URL',
];

/** Environment variables that may hold URLs with credentials in them. */
const URL_ENV_NAMES = ['PRIMARY_URL', 'GATEWAY_READY_URL', 'WORKSPACE_REMOTE'] as const;

/** Shorter strings would mask ordinary words and numbers all over the log. */
const MIN_SECRET_LENGTH = 4;

function isSecretParamName(name: string): boolean {
  const lower = name.toLowerCase();
  return SECRET_PARAM_PARTS.some((part) => lower.includes(part));
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return text;
  }
}

/**
 * Masks the values of secret-looking `name=value` pairs in a query string or fragment (without its
 * leading `?`/`#`). Works on the raw text so everything else keeps its exact encoding.
 */
function redactParams(params: string): string {
  return params
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0 || eq === pair.length - 1) return pair;
      return isSecretParamName(safeDecode(pair.slice(0, eq))) ? `${pair.slice(0, eq + 1)}${MASK}` : pair;
    })
    .join('&');
}

/** Fallback for text that is not a URL: `user:pass@` and `token=...`-style pairs anywhere. */
function redactLoosely(text: string): string {
  return text
    .replace(/[^\s:/@]+:[^\s/@]+@/g, `${MASK}:${MASK}@`)
    .replace(/([?&#;]([^\s=&#;?]+)=)([^\s&#;]+)/g, (match, prefix: string, name: string) =>
      isSecretParamName(safeDecode(name)) ? `${prefix}${MASK}` : match,
    );
}

/**
 * Masks URL credentials (username and password) and secret-looking query/fragment parameters.
 * Returns the input unchanged when there is nothing to mask, and never throws.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not a URL, e.g. git's scp-like `git@host:path`: kept as is unless it holds `user:pass@`.
    return redactLoosely(url);
  }
  // Without an authority (`admin:pw@host`, `backup-host:/srv/x.git`) WHATWG sees a scheme and an
  // opaque path, so any credentials are still plain text in it.
  if (parsed.host === '') return redactLoosely(url);
  let changed = false;
  if (parsed.username !== '') {
    parsed.username = MASK;
    changed = true;
  }
  if (parsed.password !== '') {
    parsed.password = MASK;
    changed = true;
  }
  if (parsed.search.length > 1) {
    const search = redactParams(parsed.search.slice(1));
    if (search !== parsed.search.slice(1)) {
      parsed.search = search;
      changed = true;
    }
  }
  // OAuth-style redirects carry tokens in the fragment (`#access_token=...`).
  if (parsed.hash.length > 1) {
    const hash = redactParams(parsed.hash.slice(1));
    if (hash !== parsed.hash.slice(1)) {
      parsed.hash = hash;
      changed = true;
    }
  }
  // Re-serialising normalises the URL (e.g. adds a trailing `/`), so only do it when needed.
  return changed ? parsed.href : url;
}

/** A comma-separated list of URLs (WITNESS_URLS), each entry redacted on its own. */
export function redactUrlList(list: string): string {
  return list
    .split(',')
    .map((entry) => redactUrl(entry))
    .join(',');
}

/**
 * A copy of the configuration that is safe to log or serve: every URL-ish field passed through
 * redactUrl. Typed as both Config and a plain record so it can be shown field by field or dumped.
 */
export function redactConfig(config: Config): Config & Record<string, unknown> {
  return {
    ...config,
    primaryUrl: redactUrl(config.primaryUrl),
    gatewayReadyUrl: redactUrl(config.gatewayReadyUrl),
    workspaceRemote: config.workspaceRemote === undefined ? undefined : redactUrl(config.workspaceRemote),
    witnessUrls: config.witnessUrls.map(redactUrl),
    notifyWebhookUrl: maskSet(config.notifyWebhookUrl),
    notifySlackUrl: maskSet(config.notifySlackUrl),
    notifyDiscordUrl: maskSet(config.notifyDiscordUrl),
    notifyNtfyUrl: maskSet(config.notifyNtfyUrl),
    heartbeatUrl: maskSet(config.heartbeatUrl),
    gatewayToken: maskSet(config.gatewayToken),
  };
}

/** A secret as a whole: shown as set (masked) or unset, never in part. */
function maskSet(value: string | undefined): string | undefined {
  return value === undefined ? undefined : MASK;
}

/**
 * The secret values present in an environment, for scrubSecrets: the values of SECRET_ENV_NAMES
 * plus any credentials embedded in the URLs the watcher is configured with.
 */
export function secretValuesFromEnv(env: Record<string, string | undefined>): string[] {
  const secrets = new Set<string>();
  for (const name of SECRET_ENV_NAMES) {
    const value = env[name]?.trim();
    if (value) secrets.add(value);
  }
  // WITNESS_URLS is a comma-separated list: each entry may carry its own credentials.
  const urls = [...URL_ENV_NAMES.map((name) => env[name]), ...(env.WITNESS_URLS ?? '').split(',')];
  for (const raw of urls) {
    const value = raw?.trim();
    if (!value || !URL.canParse(value)) continue;
    const url = new URL(value);
    // A username is only secret when it is the whole credential (`https://<token>@host`); a plain
    // name like "admin" would otherwise be masked in every line that mentions it.
    const secret = url.password !== '' ? url.password : url.username;
    if (secret === '') continue;
    secrets.add(secret);
    secrets.add(safeDecode(secret));
  }
  return [...secrets].filter((secret) => secret.length >= MIN_SECRET_LENGTH);
}

/**
 * Replaces every occurrence of each secret (at least 4 characters long) with `***`, both as-is and
 * in its JSON-escaped form, since most of what passes through here is JSON log lines.
 */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  const needles = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    needles.add(secret);
    needles.add(JSON.stringify(secret).slice(1, -1));
  }
  // Longest first, so a secret that contains another one is masked whole.
  let result = text;
  for (const needle of [...needles].sort((a, b) => b.length - a.length)) {
    if (result.includes(needle)) result = result.replaceAll(needle, MASK);
  }
  return result;
}

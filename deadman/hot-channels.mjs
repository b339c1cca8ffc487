// The hot gateway's two halves that touch OpenClaw itself, for deadman/hot-mode.mjs:
// - the seed: before EVERY start of the gateway process, the operator's config (a read-only
//   file) is copied into the state volume with every channel `enabled: false` and the bundled
//   admin-http-rpc plugin on, and the gateway's own `openclaw.json.*` last-good copies are
//   removed (it would otherwise restore one over a smaller seed: "size-drop-vs-last-good").
//   So a gateway that was killed, crashed or restarted by Docker always comes back with its
//   channels off; only an explicit config.patch from the wrapper switches them on.
// - the switch-on: `config.patch` of `channels.<id>.enabled: true` with the cached `baseHash`
//   (docs/hot-standby.md has the request shapes). Off is a kill and a re-seeded start.
// Plain JavaScript without dependencies (json5 comes from the OpenClaw image), like the wrapper.
import { readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const NOT_CHANNELS = new Set(['defaults', 'modelByChannel']);

function json5() {
  for (const base of ['/opt/openclaw/', '/app/', process.cwd() + '/']) {
    try {
      return createRequire(base).call(null, 'json5');
    } catch {
      /* next */
    }
  }
  return { parse: JSON.parse };
}

/**
 * Writes the channels-off copy of `source` to `<stateDir>/openclaw.json`. Returns the copy's path
 * and the channel ids the operator's config enables (the ones a switch-on turns on). Throws on
 * any problem: the caller must then not start the gateway.
 */
export function seedChannelsOff(source, stateDir) {
  const target = join(stateDir, 'openclaw.json');
  if (source === target) throw new Error(`the source config ${source} must not be the gateway's own copy ${target} (mount the operator's file read-only elsewhere, e.g. /config/openclaw.json)`);
  const config = json5().parse(readFileSync(source, 'utf8'));
  const channels = config.channels && typeof config.channels === 'object' ? config.channels : {};
  const ids = [];
  for (const [id, entry] of Object.entries(channels)) {
    if (NOT_CHANNELS.has(id) || typeof entry !== 'object' || entry === null) continue;
    if (entry.enabled !== false) ids.push(id);
    entry.enabled = false;
  }
  config.plugins ??= {};
  config.plugins.entries ??= {};
  config.plugins.entries['admin-http-rpc'] = { ...config.plugins.entries['admin-http-rpc'], enabled: true };
  for (const name of readdirSync(stateDir)) {
    if (name.startsWith('openclaw.json.')) rmSync(join(stateDir, name), { force: true });
  }
  writeFileSync(`${target}.seed`, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${target}.seed`, target);
  return { target, ids };
}

/** One admin-http-rpc call; never throws: { ok, payload } or { ok: false, detail }. */
export async function rpc(url, token, method, params, timeoutMs) {
  try {
    const res = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ method, params: params ?? {} }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const doc = await res.json().catch(() => null);
    if (res.ok && doc?.ok === true) return { ok: true, payload: doc.payload };
    const code = typeof doc?.error?.code === 'string' ? doc.error.code : `HTTP ${res.status}`;
    return { ok: false, detail: `${method}: ${code}` };
  } catch (error) {
    return { ok: false, detail: `${method}: ${error?.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : String(error?.cause?.code ?? error?.message ?? error)}` };
  }
}

/** The raw JSON5 patch that sets every channel in `ids` to `enabled`. */
export const channelsPatch = (ids, enabled) => JSON.stringify({ channels: Object.fromEntries(ids.map((id) => [id, { enabled }])) });

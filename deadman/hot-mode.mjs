/* global clearTimeout, setInterval */
// The dead-man wrapper's hot mode (DEADMAN_MODE=hot, docs/multi-node.md "Hot gateways"): the
// gateway process runs ALL the time with its channels off, and a takeover is a channel switch.
//
// The one rule that makes it as safe as the cold mode: the channels may be on only while the
// lease file's deadline (renewal sent + TTL - margin, CLOCK_MONOTONIC) lies ahead, and this
// process, not the watcher, enforces it:
// - `mayBeOn` turns true BEFORE a switch-on is sent and false only when the gateway process has
//   exited (its whole process group SIGKILLed).
// - A timer set for the deadline (and a 100 ms poll as a backstop) SIGKILLs the gateway's
//   process group if `mayBeOn` is still true then: the watcher may be paused, dead or stalled,
//   a config.patch may still be on its way; none of that matters.
// - Every start of the gateway process is preceded by the seed (channels off, hot-channels.mjs);
//   a failing seed means no start. So the gateway that comes back after that kill (or a crash,
//   or a container restart) has its channels off until the wrapper switches them on again, which
//   it does only for a deadline ahead.
// - A lease file cleared by the watcher kills at once too, as in the cold mode: the watcher clears
//   it just before it resigns or revokes (which frees the key at once, long before the deadline),
//   so there is no time for a config.patch switch-off. Channels go off only by that kill; the
//   cost is one boot of this node's gateway, in the background, not in anyone's takeover.
import { spawn } from 'node:child_process';
import { channelsPatch, rpc, seedChannelsOff } from './hot-channels.mjs';

const RESPAWN_MS = 2_000;
const HASH_REFRESH_MS = 60_000;

export function runHot({ command, readDoc, monoMs, log, pollMs, readyUrl, statusServer }) {
  const source = process.env.DEADMAN_SOURCE_CONFIG ?? '/config/openclaw.json';
  const stateDir = process.env.OPENCLAW_STATE_DIR ?? '/home/node/.openclaw';
  const token = process.env.OPENCLAW_GATEWAY_TOKEN ?? '';
  const rpcUrl = process.env.DEADMAN_RPC_URL ?? new URL('/api/v1/admin/rpc', readyUrl).href;
  if (!token) {
    log('hot mode needs OPENCLAW_GATEWAY_TOKEN (the wrapper switches channels through the gateway API)');
    process.exit(2);
  }

  let child = null;
  let gen = 0;
  let ids = [];
  let ready = false;
  let readyAt = -Infinity;
  let mayBeOn = false;
  let on = false; // a switch-on was answered ok for this process
  let busy = false;
  let hash = null;
  let hashAt = -Infinity;
  let lastDeadline = -Infinity;
  let respawnAt = 0;
  let killTimer = null;
  let exiting = false;
  let startedAt = null;
  let lastSwitch = null;
  let retryAt = 0;

  const leasedNow = () => {
    const doc = readDoc();
    return doc !== null && typeof doc.deadlineMono === 'number' && monoMs() < doc.deadlineMono;
  };

  function kill(reason) {
    if (!child || child.killing) return;
    child.killing = true;
    log('killing the gateway', { reason, pid: child.pid, mayBeOn });
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  }

  function start() {
    let seeded;
    try {
      seeded = seedChannelsOff(source, stateDir);
    } catch (error) {
      log('seed failed: not starting the gateway', { err: String(error?.message ?? error) });
      respawnAt = monoMs() + 5_000;
      return;
    }
    ids = seeded.ids;
    gen += 1;
    ready = false;
    readyAt = -Infinity;
    on = false;
    mayBeOn = false; // a fresh process from a channels-off file
    hash = null;
    child = spawn(command[0], command.slice(1), { stdio: 'inherit', detached: true, env: { ...process.env, OPENCLAW_CONFIG_PATH: seeded.target } });
    startedAt = monoMs();
    log('starting the gateway (hot, channels off)', { pid: child.pid, channels: ids, config: seeded.target });
    const mine = child;
    mine.on('exit', (code, signal) => {
      log('gateway exited', { code, signal });
      try {
        process.kill(-mine.pid, 'SIGKILL'); // no straggler of its group keeps a socket
      } catch {
        /* the group is gone */
      }
      if (child !== mine) return;
      child = null;
      mayBeOn = false; // the process that may have had them on is gone
      on = false;
      clearTimeout(killTimer);
      respawnAt = monoMs() + RESPAWN_MS;
      if (exiting) process.exit(0);
    });
  }

  async function switchOn() {
    busy = true;
    const g = gen;
    const t0 = monoMs();
    try {
      if (hash === null) await refreshHash(g);
      if (hash === null || g !== gen || !leasedNow()) return;
      mayBeOn = true; // from here on the deadline kill applies, whatever the answer
      armKill();
      const r = await rpc(rpcUrl, token, 'config.patch', { raw: channelsPatch(ids, true), baseHash: hash }, 30_000);
      if (g !== gen) return;
      if (r.ok) {
        on = true;
        hash = typeof r.payload?.hash === 'string' ? r.payload.hash : null;
        lastSwitch = { to: 'on', ms: monoMs() - t0 };
        log('channels switched on', { channels: ids, ms: monoMs() - t0 });
      } else {
        hash = null; // stale or unknown: read it again next time
        retryAt = monoMs() + 1_000;
        log('switch-on failed; retrying while the lease lasts', { detail: r.detail, ms: monoMs() - t0 });
      }
    } finally {
      busy = false;
    }
  }

  async function refreshHash(g) {
    const r = await rpc(rpcUrl, token, 'config.get', {}, 15_000);
    if (g === gen && r.ok && typeof r.payload?.hash === 'string') {
      hash = r.payload.hash;
      hashAt = monoMs();
    }
  }

  function armKill() {
    clearTimeout(killTimer);
    if (mayBeOn && Number.isFinite(lastDeadline)) killTimer = setTimeout(check, Math.max(1, lastDeadline - monoMs()));
  }

  function check() {
    const doc = readDoc();
    const now = monoMs();
    if (doc && typeof doc.deadlineMono === 'number' && doc.deadlineMono > lastDeadline) lastDeadline = doc.deadlineMono;
    const leased = doc !== null && typeof doc.deadlineMono === 'number' && now < doc.deadlineMono;
    if (mayBeOn && child) {
      if (now >= lastDeadline) return kill(`deadline passed ${now - lastDeadline} ms ago with the channels possibly on`);
      if (!leased) return kill(doc === null ? 'lease file gone' : 'lease file cleared');
      armKill();
    }
    if (!child) {
      if (!exiting && now >= respawnAt) start();
      return;
    }
    if (busy || child.killing) return;
    if (leased && ready && !on && now >= retryAt) void switchOn();
    else if (!leased && ready && (hash === null || now - hashAt > HASH_REFRESH_MS)) {
      // Idle: keep the config hash at hand, so a takeover is one config.patch.
      busy = true;
      void refreshHash(gen).finally(() => (busy = false));
    }
  }

  // Ready = /readyz answered ok within the last 5 s: one slow answer on a loaded host must not
  // make every follower unfit to campaign at once.
  async function probeReady() {
    const g = gen;
    if (!child) return void (ready = false);
    try {
      if ((await fetch(readyUrl, { signal: AbortSignal.timeout(2_000) })).ok && g === gen) readyAt = monoMs();
    } catch {
      /* not ready now; the window decides */
    }
    ready = Boolean(child) && g === gen && monoMs() - readyAt < 5_000;
  }

  for (const sig of ['SIGTERM', 'SIGINT']) {
    process.on(sig, () => {
      exiting = true;
      if (!child) process.exit(0);
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      setTimeout(() => kill('stop timeout'), 5_000).unref();
    });
  }

  statusServer(() => ({
    mode: 'hot',
    child: child ? 'running' : 'stopped',
    // Follower: the gateway is up and can be switched on. Holder: and its channels are on.
    ready: Boolean(child) && ready && (!leasedNow() || on),
    gatewayReady: Boolean(child) && ready,
    channels: on ? 'on' : mayBeOn ? 'switching' : 'off',
    childUpMs: child && startedAt !== null ? monoMs() - startedAt : null,
    lastSwitch,
  }));
  setInterval(() => void probeReady(), 1_000);
  setInterval(check, pollMs);
  check();
}

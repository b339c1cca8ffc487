#!/usr/bin/env node
/* global clearTimeout, setInterval */
// The gateway side of the etcd mode's dead-man switch, run as the gateway container's command:
//   node /deadman/serve-while-leased.mjs <lease file> -- node openclaw.mjs gateway ...
// It runs the gateway only while the lease file names a deadline in the future on this host's
// CLOCK_MONOTONIC (process.hrtime; every container on one kernel shares it, and no wall-clock
// step moves it). The watcher writes that deadline only while it holds the leader key, as
// "renewal sent + TTL - safety margin". If the watcher dies, is paused (`docker pause`) or its
// event loop stalls, nobody moves the deadline and this wrapper SIGKILLs the gateway at it, on a
// timer set for that instant (and a 100 ms poll as a backstop), before etcd can let the lease go.
// Plain JavaScript without dependencies, so it runs on the unmodified OpenClaw image.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const POLL_MS = Number(process.env.DEADMAN_POLL_MS ?? 100);
// The watcher asks here whether this container is alive and its gateway ready (port 0: off).
const STATUS_PORT = Number(process.env.DEADMAN_STATUS_PORT ?? 18790);
const READY_URL = process.env.DEADMAN_READY_URL ?? 'http://127.0.0.1:18789/readyz';
const [file, sep, ...command] = process.argv.slice(2);
if (!file || sep !== '--' || command.length === 0) {
  process.stderr.write('usage: serve-while-leased.mjs <lease file> -- <gateway command...>\n');
  process.exit(2);
}
// cold (default): the gateway process runs only while leased. hot: it runs all the time with its
// channels off, switched on only while leased (deadman/hot-mode.mjs).
const MODE = String(process.env.DEADMAN_MODE ?? 'cold').toLowerCase();
if (MODE !== 'cold' && MODE !== 'hot') {
  process.stderr.write(`DEADMAN_MODE=${MODE}: use cold or hot\n`);
  process.exit(2);
}

const monoMs = () => Number(process.hrtime.bigint() / 1_000_000n);
const log = (msg, extra = {}) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), component: 'deadman', msg, ...extra })}\n`);

function statusServer(body) {
  if (STATUS_PORT <= 0) return;
  createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body()));
  }).listen(STATUS_PORT, '0.0.0.0');
}

let child = null;
let exiting = false;
let timer = null;

function readDeadline() {
  try {
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    // An object with a numeric deadline: leased until then; a null deadline: cleared (hot mode
    // reads its `graceful` mark); anything else: not leased.
    return doc !== null && typeof doc === 'object' ? doc : null;
  } catch {
    return null; // no file, a torn read or garbage: not leased
  }
}

function kill(reason) {
  if (!child || child.killing) return;
  child.killing = true;
  log('killing the gateway', { reason, pid: child.pid });
  try {
    process.kill(-child.pid, 'SIGKILL'); // the whole process group: no straggler keeps a socket
  } catch {
    child.kill('SIGKILL');
  }
}

function check() {
  const doc = readDeadline();
  const now = monoMs();
  const leased = doc !== null && typeof doc.deadlineMono === 'number' && now < doc.deadlineMono;
  if (!leased) {
    kill(typeof doc?.deadlineMono !== 'number' ? 'lease file cleared' : `deadline passed ${now - doc.deadlineMono} ms ago`);
    return;
  }
  clearTimeout(timer);
  timer = setTimeout(check, Math.max(1, doc.deadlineMono - now));
  if (!child && !exiting) {
    child = spawn(command[0], command.slice(1), { stdio: 'inherit', detached: true });
    startedAt = monoMs();
    ready = false;
    log('starting the gateway', { pid: child.pid, holder: doc.holder, revision: doc.revision, leftMs: doc.deadlineMono - now });
    const mine = child;
    mine.on('exit', (code, signal) => {
      log('gateway exited', { code, signal });
      if (child === mine) child = null;
      if (exiting) process.exit(0);
    });
  }
}

for (const sig of MODE === 'cold' ? ['SIGTERM', 'SIGINT'] : []) {
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

let ready = false;
let startedAt = null;
async function probeReady() {
  if (!child) {
    ready = false;
    return;
  }
  try {
    const res = await fetch(READY_URL, { signal: AbortSignal.timeout(800) });
    ready = res.ok;
  } catch {
    ready = false;
  }
}
log('waiting for a lease', { file, mode: MODE });
if (MODE === 'hot') {
  const { runHot } = await import('./hot-mode.mjs');
  runHot({ command, readDoc: readDeadline, monoMs, log, pollMs: POLL_MS, readyUrl: READY_URL, statusServer });
} else {
  statusServer(() => ({ mode: 'cold', child: child ? 'running' : 'stopped', ready: Boolean(child) && ready, childUpMs: child && startedAt !== null ? monoMs() - startedAt : null }));
  setInterval(() => void probeReady(), 1_000);
  setInterval(check, POLL_MS);
  check();
}

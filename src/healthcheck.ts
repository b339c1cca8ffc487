// The container's HEALTHCHECK, as small as it can be: it imports nothing of the watcher, because on
// a loaded host loading the whole CLI (dockerode, pino, undici…) took up to 10 s, longer than the
// check's timeout, and a healthy watcher read as unhealthy. Same rule as `openclaw-failover
// healthcheck`: exit 0 when the running watcher's /healthz says it is alive, else 1.
// Alive, not ok: a standby that could not be prepared makes /healthz 503 (for monitors), but must
// not turn the container unhealthy, or the operator's fix is refused: `up -d` with the fixed
// config fails at once with "dependency failed to start: container watcher is unhealthy" (Compose
// checks the gateway's service_healthy dependency immediately), before openclaw-standby-prepare
// can write the new report (test/integration/standby-prepare.test.ts). Its output keeps the reason.
const raw = process.env.STATUS_PORT?.trim();
const port = raw && /^\d+$/.test(raw) ? Number(raw) : 8080;

try {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(4_000) });
  const body = (await res.json()) as { ok?: boolean; alive?: boolean; reason?: string };
  process.stdout.write(`${res.status} ${body.reason ?? ''}\n`);
  process.exitCode = (res.ok && body.ok === true) || body.alive === true ? 0 : 1;
} catch (error) {
  process.stdout.write(`watcher not answering on port ${port}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}

// Container health check: this member's /health over HTTP (quorum + leader seen), 1.5 s bound.
const port = process.env.ETCD_HEALTH_PORT ?? '2379';
try {
  const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1500) });
  const body = await res.json();
  process.exit(res.ok && body.health === 'true' ? 0 : 1);
} catch {
  process.exit(1);
}

// `openclaw-failover check`: the standby's deploy-time preparation report, read once. A standby
// that could not be prepared fails the check (exit 2), saying which channel and why.
import { readFileSync } from 'node:fs';
import { parsePrepareReport } from './prepare-report.ts';

export function checkPrepared(path: string | undefined): { ok: boolean; line?: string } {
  if (path === undefined) return { ok: true };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: true, line: `standby preparation: no report at ${path} yet (${code ?? 'unreadable'}); openclaw-standby-prepare writes it at \`docker compose --profile standby up -d\`` };
  }
  const view = parsePrepareReport(path, text);
  if (view.state === 'invalid') return { ok: false, line: `STANDBY_PREPARE_REPORT=${path}: unusable report (${view.detail}); run \`docker compose --profile standby up -d\` again` };
  if (view.state === 'ready') return { ok: true, line: `standby ${view.summary} (report ${view.finishedAt ?? '?'})` };
  if (view.state !== 'failed') return { ok: true };
  const lines = [`STANDBY ${view.summary}`];
  for (const c of view.channels.filter((ch) => !ch.ok)) lines.push(`  channel ${c.channel}: ${c.why ?? 'not ok'}`);
  for (const p of view.problems.filter((pr) => !pr.startsWith('channel '))) lines.push(`  ${p}`);
  lines.push('  fix the standby config, then run `docker compose --profile standby up -d` again');
  return { ok: false, line: lines.join('\n') };
}

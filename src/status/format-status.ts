// The /status document as a few lines a person reads at 3 AM. Any field may be missing (a watcher
// of another version answered), so every read has a fallback.
import type { StatusReading } from './status-report.ts';

export function formatStatus(doc: StatusReading): string {
  const lines: string[] = [];
  const p = doc.primary;
  const probe = p?.lastProbe;
  lines.push(`phase:      ${doc.phase ?? '?'} since ${doc.phaseSince ?? '?'}`);
  const c = doc.control;
  lines.push(`mode:       ${c?.mode ?? 'auto'}${c?.since ? ` since ${c.since}` : ''}${c?.reason ? ` (${c.reason})` : ''}`);
  lines.push(
    `gateway:    ${doc.gateway?.running === null ? 'unknown' : doc.gateway?.running ? 'running' : 'stopped'} (wanted: ${doc.gateway?.wanted ? 'running' : 'stopped'}${doc.gateway?.pendingAction ? `, ${doc.gateway.pendingAction} pending` : ''})`,
    ...(doc.gateway?.mode === 'hot' ? [`standby:    hot (${doc.gateway.detail ?? 'not inspected yet'}; upkeep: ${doc.gateway.standbyHealth ?? 'unknown'})`] : []),
  );
  lines.push(`primary:    ${p?.url ?? '?'}`);
  lines.push(
    probe
      ? `last probe: ${probe.ok ? 'healthy' : `FAILED (${probe.reason}: ${probe.detail})`} in ${probe.latencyMs} ms at ${probe.at}`
      : 'last probe: none yet',
  );
  lines.push(`streaks:    ${p?.consecutiveFailures ?? 0}/${p?.failThreshold ?? '?'} failures, ${p?.consecutiveSuccesses ?? 0}/${p?.recoverThreshold ?? '?'} successes`);
  const prep = doc.standbyPrepared;
  if (prep && prep.state !== 'off') {
    const summary = 'summary' in prep ? prep.summary : undefined;
    const detail = 'detail' in prep ? prep.detail : undefined;
    lines.push(`standby:    ${summary ?? `${prep.state ?? '?'}${detail ? `: ${detail}` : ''}`}`);
    for (const ch of 'channels' in prep ? (prep.channels ?? []) : []) if (ch && !ch.ok) lines.push(`  channel ${ch.channel ?? '?'}: ${ch.why ?? 'not ok'}`);
  }
  const t = doc.lastTransition;
  if (t) {
    const timings = formatTimings(t.timings);
    lines.push(`last ${t.kind}: ${t.outcome} at ${t.decidedAt} (${t.reason})`);
    if (timings) lines.push(`  timings:  ${timings}`);
    for (const problem of t.problems ?? []) lines.push(`  problem:  ${problem}`);
  }
  const guard = doc.partitionGuard;
  if (guard?.configured) {
    lines.push(`witnesses:  ${guard.checking ? 'being asked now; ' : ''}${guard.lastCheck ? `${guard.lastCheck.reachable ? 'reachable' : 'NONE ANSWERED'} at ${guard.lastCheck.at}: ${guard.lastCheck.reason}` : 'not asked yet'}`);
  }
  const damping = doc.flapDamping;
  if (damping && ((damping.recentCycles ?? 0) > 0 || (damping.promotionFailures ?? 0) > 0 || damping.demotionAllowedAt)) {
    const parts = [`${damping.recentCycles ?? 0} recent cycle(s), hold-down ${((damping.holdDownMs ?? 0) / 1000).toFixed(0)}s`];
    if (damping.demotionAllowedAt) parts.push(`no demotion before ${damping.demotionAllowedAt}`);
    if (damping.nextPromotionAt) parts.push(`${damping.promotionFailures} failed promotion(s), next not before ${damping.nextPromotionAt}`);
    lines.push(`damping:    ${parts.join('; ')}`);
  }
  if (c?.drift) lines.push(`drift:      the standby gateway is not as the phase wants it${c.mode === 'paused' ? ' (paused: left as it is)' : ''}`);
  const d = doc.lastDrill;
  if (d) {
    lines.push(`last drill: ${d.status} at ${d.requestedAt}`);
    const timings = formatTimings(d.timings);
    if (timings) lines.push(`  timings:  ${timings}`);
    for (const problem of d.problems ?? []) lines.push(`  problem:  ${problem}`);
  }
  if (doc.lastGitSync) lines.push(`git sync:   ${doc.lastGitSync.ok ? 'ok' : 'FAILED'} at ${doc.lastGitSync.at}: ${doc.lastGitSync.detail}`);
  const docker = doc.docker;
  if (docker && docker.reachable === false) {
    lines.push(`DOCKER:     UNREACHABLE since ${docker.since ?? '?'}: ${docker.problem ?? '?'}`);
    lines.push(`  fix (${docker.setting ?? '?'}): ${docker.fix ?? '?'}`);
  }
  if (doc.dockerProblem) lines.push(`docker:     problem at ${doc.dockerProblem.at}: ${doc.dockerProblem.error}`);
  lines.push(`watcher:    ${doc.version ?? ''} up ${Math.round((doc.watcher?.uptimeMs ?? 0) / 1000)}s, ${doc.watcher?.probes ?? 0} probes`);
  return `${lines.join('\n')}\n`;
}

/** `{ syncMs: 120 }` → `sync 0.1s`, skipping what did not happen. */
export function formatTimings(timings: Record<string, number | undefined> | undefined): string {
  return Object.entries(timings ?? {})
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k.replace(/Ms$/, '')} ${((v ?? 0) / 1000).toFixed(1)}s`)
    .join(', ');
}

// The standby's deploy-time preparation, as the watcher sees it: the report that the one-shot
// openclaw-standby-prepare (compose.standby.yml) writes after installing and checking the
// standby config's channel plugins. Read from its file (pure parsing here; the polling lives
// in standby-readiness.ts), so a standby that could not become reachable is known at deploy
// time, not discovered during an outage.

export interface PreparedChannel {
  channel: string;
  plugin: string | null;
  version: string | null;
  ok: boolean;
  why: string | null;
}

export type PrepareView =
  /** Not configured (STANDBY_PREPARE_REPORT unset). */
  | { state: 'off' }
  /** No report yet: the prepare service has not finished (or never ran). */
  | { state: 'pending'; path: string; detail: string }
  | { state: 'ready' | 'failed'; path: string; finishedAt: string | null; gatewayVersion: string | null; channels: PreparedChannel[]; problems: string[]; adminHttpRpc: boolean; summary: string }
  | { state: 'invalid'; path: string; detail: string };

export function parsePrepareReport(path: string, text: string): PrepareView {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    return { state: 'invalid', path, detail: `not JSON: ${(error as Error).message}` };
  }
  if (doc === null || typeof doc !== 'object' || doc.version !== 1 || typeof doc.ok !== 'boolean') {
    return { state: 'invalid', path, detail: 'not a version-1 openclaw-standby-prepare report' };
  }
  const channels: PreparedChannel[] = (Array.isArray(doc.channels) ? doc.channels : []).map((raw) => {
    const c = (raw ?? {}) as Record<string, unknown>;
    const text = (v: unknown): string | null => (typeof v === 'string' ? v.slice(0, 600) : null);
    return { channel: text(c.channel) ?? '?', plugin: text(c.plugin), version: text(c.version), ok: c.ok === true, why: text(c.why) };
  });
  const problems = (Array.isArray(doc.problems) ? doc.problems : []).filter((p): p is string => typeof p === 'string').map((p) => p.slice(0, 600));
  const ok = doc.ok && problems.length === 0 && channels.every((c) => c.ok);
  const summary = ok
    ? channels.length === 0
      ? 'prepared: the standby config has no channel'
      : `prepared: ${channels.map((c) => `${c.channel} (plugin ${c.plugin ?? '?'} ${c.version ?? ''})`.replace(/ \)$/, ')')).join(', ')}`
    : `NOT prepared: ${problems[0] ?? channels.filter((c) => !c.ok).map((c) => `channel ${c.channel}: ${c.why ?? 'not ok'}`)[0] ?? 'the report says not ok'}`;
  return {
    state: ok ? 'ready' : 'failed',
    path,
    finishedAt: typeof doc.finishedAt === 'string' ? doc.finishedAt : null,
    gatewayVersion: typeof doc.gatewayVersion === 'string' ? doc.gatewayVersion : null,
    channels,
    problems,
    adminHttpRpc: doc.adminHttpRpc === true,
    summary,
  };
}

/** The channels the promoted standby must have live: those the report prepared. */
export function expectedChannels(view: PrepareView): string[] | undefined {
  return view.state === 'ready' || view.state === 'failed' ? view.channels.map((c) => c.channel) : undefined;
}

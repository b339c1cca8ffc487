// Keeps the watcher's view of the standby's deploy-time preparation current: re-reads the
// report openclaw-standby-prepare writes (every `up -d` runs it again), logs and notifies each
// change of verdict once, and answers health, /status and the promotion's channel list from it.
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { parsePrepareReport, type PrepareView } from './prepare-report.ts';

export interface StandbyReadiness {
  view(): PrepareView;
  /** Reads the report now; resolves with the (possibly new) view. */
  refresh(): Promise<PrepareView>;
  /** Re-reads every `intervalMs` until the signal aborts. */
  run(signal: AbortSignal): Promise<void>;
}

export function createStandbyReadiness(options: {
  path: string | undefined;
  logger: Logger;
  intervalMs?: number;
  /** Called once per change between ready and failed (not for pending/invalid flickers). */
  onVerdict?: (ok: boolean, summary: string) => void;
}): StandbyReadiness {
  const { path, logger } = options;
  let current: PrepareView = path === undefined ? { state: 'off' } : { state: 'pending', path, detail: 'not read yet' };
  let lastText: string | undefined;
  let lastVerdict: boolean | undefined;

  async function refresh(): Promise<PrepareView> {
    if (path === undefined) return current;
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (current.state !== 'pending') {
        current = { state: 'pending', path, detail: code === 'ENOENT' ? 'no report yet (openclaw-standby-prepare has not finished)' : `cannot read it: ${code ?? String(error)}` };
      } else if (current.detail === 'not read yet') {
        current = { state: 'pending', path, detail: code === 'ENOENT' ? 'no report yet (openclaw-standby-prepare has not finished)' : `cannot read it: ${code ?? String(error)}` };
        logger.warn({ event: 'standby-prepare-pending', path, detail: current.detail }, `standby preparation: ${current.detail}`);
      }
      return current;
    }
    if (text === lastText) return current;
    lastText = text;
    current = parsePrepareReport(path, text);
    if (current.state === 'invalid') {
      logger.error({ event: 'standby-prepare-invalid', path, detail: current.detail }, `standby preparation report ${path} is unusable: ${current.detail}`);
    } else if (current.state === 'ready' || current.state === 'failed') {
      const ok = current.state === 'ready';
      const fields = { event: ok ? 'standby-prepared' : 'standby-not-prepared', channels: current.channels, problems: current.problems, finishedAt: current.finishedAt };
      if (ok) logger.info(fields, `standby ${current.summary}`);
      else logger.error(fields, `STANDBY ${current.summary}`);
      if (ok && !current.adminHttpRpc && current.channels.length > 0) {
        logger.warn({ event: 'standby-no-channel-check' }, 'the standby config does not enable admin-http-rpc: promotions cannot confirm its channels are running (plugins.entries["admin-http-rpc"].enabled: true)');
      }
      if (lastVerdict !== ok) options.onVerdict?.(ok, current.summary);
      lastVerdict = ok;
    }
    return current;
  }

  return {
    view: () => current,
    refresh,
    async run(signal) {
      const intervalMs = options.intervalMs ?? 5_000;
      while (!signal.aborted && path !== undefined) {
        await refresh().catch(() => undefined);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, intervalMs);
          signal.addEventListener('abort', () => {
            clearTimeout(timer);
            resolve();
          }, { once: true });
        });
      }
    },
  };
}

/** Health: a standby that could not be prepared makes the watcher unhealthy, with why. */
export function preparedHealth(view: PrepareView): { ok: boolean; reason?: string } {
  if (view.state === 'failed') return { ok: false, reason: `standby ${view.summary}` };
  if (view.state === 'invalid') return { ok: false, reason: `standby preparation report unusable: ${view.detail}` };
  return { ok: true };
}

// Sees the standby gateway's container exit while the watcher waits for it to become reachable,
// from the Docker events stream (at once, not after PROMOTE_READY_TIMEOUT), with the last lines
// of its log for the reason.
import type { GatewayControl } from '../docker/gateway-control.ts';
import type { ExitNotice } from './wait-reachable.ts';

const LOG_LINES = 20;
const MAX_TAIL_CHARS = 1_500;

export function watchStandbyExit(gateway: GatewayControl, scrub: (text: string) => string, signal: AbortSignal): Promise<ExitNotice> {
  return new Promise<ExitNotice>((resolve) => {
    let done = false;
    const finish = (exitCode: string | undefined): void => {
      if (done || signal.aborted) return;
      done = true;
      gateway.logTail(LOG_LINES).then(
        (text) => resolve({ exitCode, logTail: tailText(scrub(text)) }),
        (error: unknown) => resolve({ exitCode, logTail: `(log unavailable: ${error instanceof Error ? error.message : String(error)})` }),
      );
    };
    void gateway.watch(
      (event) => {
        if (event.action === 'die') finish(event.exitCode);
      },
      signal,
      {
        // A container that died before the stream connected is caught by one inspect.
        onConnected: () => {
          gateway.inspect().then((g) => {
            if (!g.running && g.status !== 'created') finish(undefined);
          }, () => undefined);
        },
      },
    );
  });
}

/** The last lines, without terminal colour codes, joined on one line and capped. */
export function tailText(text: string): string {
  // eslint-disable-next-line no-control-regex -- ANSI colour codes are exactly what is removed
  const lines = text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '').split('\n').map((l) => l.trim()).filter(Boolean).slice(-LOG_LINES);
  const joined = lines.join(' | ');
  return joined.length > MAX_TAIL_CHARS ? `…${joined.slice(-MAX_TAIL_CHARS)}` : joined;
}

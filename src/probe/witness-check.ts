// The partition guard's adapter: asks every witness at once whether it can be reached. Any HTTP
// response at all counts, whatever its status or body: the question is "is the network there?",
// not "is that service healthy?", and a 401 or 404 from the tailnet's coordination host proves
// the path to it works as well as a 200 does. Bounded by one deadline for all of them.
import { Agent, request } from 'undici';
import { sharedLookup } from '../net/single-flight-lookup.ts';
import { redactUrl } from '../config/redact.ts';
import { splitCredentials, untilAborted } from './http-probe.ts';

export interface WitnessAnswer {
  /** Redacted URLs of the witnesses that answered. */
  answered: string[];
  total: number;
  /** Why the others did not, e.g. `http://w/: timeout`; redacted. */
  detail?: string;
}

export interface WitnessCheck {
  check(signal?: AbortSignal): Promise<WitnessAnswer>;
  close(): Promise<void>;
}

export function createWitnessCheck(options: { urls: readonly string[]; timeoutMs: number }): WitnessCheck {
  const { urls, timeoutMs } = options;
  const agent = new Agent({ connectTimeout: timeoutMs, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connect: { lookup: sharedLookup } });

  async function ask(url: string, signal: AbortSignal): Promise<void> {
    const target = splitCredentials(url);
    if (typeof target === 'string') throw new Error(target);
    const headers: Record<string, string> = { 'user-agent': 'openclaw-failover-witness' };
    if (target.authorization !== undefined) headers.authorization = target.authorization;
    const response = await request(target.url, { method: 'GET', dispatcher: agent, signal, headers, reset: true });
    // Only the status line matters: drop the body without reading it.
    response.body.on('error', () => undefined);
    response.body.destroy();
  }

  return {
    async check(signal?: AbortSignal): Promise<WitnessAnswer> {
      const deadline = AbortSignal.timeout(timeoutMs);
      const combined = signal === undefined ? deadline : AbortSignal.any([signal, deadline]);
      const outcomes = await Promise.allSettled(
        urls.map((url) => {
          const work = ask(url, combined);
          work.catch(() => undefined);
          return untilAborted(work, combined);
        }),
      );
      const answered: string[] = [];
      const problems: string[] = [];
      outcomes.forEach((outcome, index) => {
        const shown = redactUrl(urls[index] ?? '');
        if (outcome.status === 'fulfilled') answered.push(shown);
        else problems.push(`${shown}: ${reasonOf(outcome.reason, timeoutMs)}`);
      });
      return problems.length > 0 ? { answered, total: urls.length, detail: problems.join('; ') } : { answered, total: urls.length };
    },
    close: () => agent.destroy().catch(() => undefined),
  };
}

function reasonOf(error: unknown, timeoutMs: number): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const cause = (error as Error & { cause?: { code?: string } }).cause;
  const code = (error as NodeJS.ErrnoException).code ?? cause?.code;
  return code ?? error.message.split('\n')[0] ?? error.name;
}

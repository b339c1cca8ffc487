// A wrong PRIMARY_URL looks exactly like a dead primary: the watcher would promote a standby next
// to a healthy primary. Until the primary has answered healthy once, the first failure is logged
// with what that failure usually means for PRIMARY_URL (reminded at most once a minute), and the
// first healthy answer ends it. Wraps the probe, so the decision core is untouched.
import type { Logger } from 'pino';
import { ConditionTracker } from '../log/lasting-condition.ts';
import type { Probe, ProbeFailureReason } from './probe-result.ts';

export const PRIMARY_URL_HINTS: Partial<Record<ProbeFailureReason, string>> = {
  dns: 'the host name in PRIMARY_URL does not resolve from the watcher: use the primary\'s tailnet IP or MagicDNS name',
  refused: 'the primary host answers but nothing listens on that port: check the port in PRIMARY_URL and OPENCLAW_GATEWAY_PORT/OPENCLAW_GATEWAY_HOST on the primary',
  timeout: 'nothing answers at that address: a wrong IP in PRIMARY_URL, the tailnet down on one side, or a firewall',
  unreachable: 'no route to that address: a wrong IP in PRIMARY_URL, or the tailnet down on this host',
  status: 'something answers, but not an OpenClaw health endpoint: PRIMARY_URL must end in /healthz (or /readyz)',
  body: 'something answers 2xx but not {"ok":true}: PRIMARY_URL must be the gateway\'s /healthz (or /readyz), not its Control UI',
  redirect: 'the address redirects: PRIMARY_URL must be the gateway\'s own /healthz, redirects are never followed',
  tls: 'TLS fails: use http:// for a gateway published on the tailnet, or fix its certificate',
};

export function firstContactProbe(inner: Probe, options: { logger: Logger; url: string; now?: () => number }): Probe {
  let everHealthy = false;
  const tracker = new ConditionTracker({ now: options.now ?? Date.now, log: (line) => options.logger[line.level](line.fields, line.message) });
  return {
    async probe(signal) {
      const result = await inner.probe(signal);
      if (everHealthy) return result;
      if (result.ok) {
        everHealthy = true;
        tracker.report('first-contact', null, `the primary answered healthy at ${options.url}`);
      } else {
        const hint = PRIMARY_URL_HINTS[result.reason] ?? 'check PRIMARY_URL';
        tracker.report('first-contact', {
          key: result.reason,
          level: 'warn',
          event: 'primary-never-healthy',
          message: `the primary has not answered healthy since this watcher started (${result.reason}: ${result.detail}). If the primary is up, PRIMARY_URL is wrong: ${hint}. Test it from this host: docker exec <watcher> openclaw-failover check`,
          fields: { setting: 'PRIMARY_URL', reason: result.reason },
        });
      }
      return result;
    },
    close: () => inner.close(),
  };
}

// `openclaw-failover lease-run`: validate the etcd mode's settings (every problem at once, exit 2),
// then run until SIGTERM/SIGINT, stepping down (switch off, lease revoked) on the way out.
import { formatProblems } from '../config/load-config.ts';
import { createLogger } from '../log/logger.ts';
import type { LogLevel } from '../config/config.ts';
import { runLease } from './lease-runner.ts';
import { loadLeaseConfig } from './lease-settings.ts';

const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);

export async function leaseRun(): Promise<number> {
  const result = loadLeaseConfig(process.env);
  if (!result.ok) {
    process.stderr.write(`${formatProblems(result.problems)}\n`);
    return 2;
  }
  const level = (LEVELS.has(result.config.logLevel) ? result.config.logLevel : 'info') as LogLevel;
  const logger = createLogger({ level, format: 'json' });
  const runner = await runLease(result.config, logger);
  await new Promise<void>((resolve) => {
    const done = (): void => resolve();
    process.once('SIGTERM', done);
    process.once('SIGINT', done);
  });
  await runner.stop();
  logger.info({ event: 'lease-exit' }, 'stepped down and exiting');
  return 0;
}

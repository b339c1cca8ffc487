// The watcher's logger: pino writing JSON lines (or pretty lines) through a sink that masks known
// secret values, so a token that slipped into an error message still never reaches the log.

import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';
import type { LogFormat, LogLevel } from '../config/config.ts';
import { scrubSecrets } from '../config/redact.ts';
import { formatPrettyLine } from './pretty-line.ts';

export interface LoggerOptions {
  level: LogLevel;
  format: LogFormat;
  /** Values masked wherever they appear in a line (see secretValuesFromEnv). */
  secrets?: string[];
  /** Where lines go; stdout by default. */
  destination?: NodeJS.WritableStream;
}

/** Field names whose values are masked, at the top level and one level down. */
const SECRET_FIELDS = ['token', 'password', 'secret', 'authorization', 'Authorization', 'apiKey', 'api_key', 'cookie'];

const REDACT_PATHS = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((field) => `*.${field}`),
  'headers.authorization',
  'headers.Authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
];

/**
 * A pino destination that rewrites each complete line before passing it on. Deliberately
 * synchronous (not a Transform stream): a `fatal` line logged just before process.exit must not
 * be lost in a stream buffer.
 */
function lineSink(destination: NodeJS.WritableStream, rewrite: (line: string) => string): DestinationStream {
  let pending = '';
  return {
    write(chunk: string): void {
      pending += chunk;
      const end = pending.lastIndexOf('\n');
      if (end < 0) return;
      const lines = pending.slice(0, end).split('\n');
      pending = pending.slice(end + 1);
      destination.write(lines.map((line) => `${rewrite(line)}\n`).join(''));
    },
  };
}

export function createLogger(options: LoggerOptions): Logger {
  const secrets = options.secrets ?? [];
  const pretty = options.format === 'pretty';
  // Scrub last, so the secret is masked in whatever form the final line shows it.
  const rewrite = (line: string): string => scrubSecrets(pretty ? formatPrettyLine(line) : line, secrets);
  return pino(
    {
      level: options.level,
      base: { name: 'openclaw-failover' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: '***' },
    },
    lineSink(options.destination ?? process.stdout, rewrite),
  );
}

// LOG_FORMAT=pretty: one pino JSON line to one human line, without a pino-pretty dependency.
//   {"level":"info","time":"2026-11-22T10:00:00.123Z","msg":"promoted","readyMs":17900}
//   10:00:00.123 INFO  promoted  readyMs=17900

/** Fields that are either shown in the line's head or are noise for a human reader. */
const HEAD_FIELDS = new Set(['level', 'time', 'msg', 'name', 'pid', 'hostname']);

/** pino's numeric levels, in case a line was written without the level formatter. */
const LEVEL_NAMES: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

function formatTime(time: unknown): string | undefined {
  const date = typeof time === 'string' || typeof time === 'number' ? new Date(time) : undefined;
  // UTC, like the JSON lines, so the two formats can be compared line by line.
  return date === undefined || Number.isNaN(date.getTime()) ? undefined : date.toISOString().slice(11, 23);
}

function formatLevel(level: unknown): string | undefined {
  const name = typeof level === 'number' ? LEVEL_NAMES[level] : typeof level === 'string' ? level : undefined;
  return name?.toUpperCase().padEnd(5);
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') {
    // Quote whatever would make `key=value` ambiguous to read or to split.
    return value === '' || /[\s="]/.test(value) ? JSON.stringify(value) : value;
  }
  return JSON.stringify(value) ?? String(value);
}

/** An error's stack, which reads far better on its own lines than as an escaped JSON string. */
function stackOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || !('stack' in value)) return undefined;
  return typeof value.stack === 'string' ? value.stack : undefined;
}

/** Formats one JSON log line; anything that is not a JSON object passes through unchanged. */
export function formatPrettyLine(jsonLine: string): string {
  let record: unknown;
  try {
    record = JSON.parse(jsonLine);
  } catch {
    return jsonLine;
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return jsonLine;
  const fields = record as Record<string, unknown>;

  const msg = typeof fields.msg === 'string' ? fields.msg : undefined;
  const head = [formatTime(fields.time), formatLevel(fields.level), msg].filter((part) => part !== undefined).join(' ');
  const pairs: string[] = [];
  const stacks: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (HEAD_FIELDS.has(key)) continue;
    const stack = stackOf(value);
    if (stack === undefined) {
      pairs.push(`${key}=${formatValue(value)}`);
      continue;
    }
    const { stack: _stack, ...rest } = value as Record<string, unknown>;
    pairs.push(`${key}=${formatValue(rest)}`);
    stacks.push(stack.replace(/^/gm, '    '));
  }
  const line = pairs.length > 0 ? `${head}  ${pairs.join(' ')}` : head;
  return [line, ...stacks].join('\n');
}

import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { LogFormat, LogLevel } from '../../src/config/config.ts';
import { createLogger } from '../../src/log/logger.ts';
import { formatPrettyLine } from '../../src/log/pretty-line.ts';

/** A destination that keeps everything written to it. */
function memoryStream(): { stream: Writable; text: () => string; lines: () => string[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const text = (): string => chunks.join('');
  return { stream, text, lines: () => text().split('\n').filter((line) => line !== '') };
}

function setup(options: { level?: LogLevel; format?: LogFormat; secrets?: string[] } = {}) {
  const memory = memoryStream();
  const logger = createLogger({
    level: options.level ?? 'info',
    format: options.format ?? 'json',
    secrets: options.secrets,
    destination: memory.stream,
  });
  const records = (): Record<string, unknown>[] =>
    memory.lines().map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, ...memory, records };
}

describe('createLogger (json)', () => {
  it('writes one JSON object per line with a level string, ISO time and the watcher name', () => {
    const { logger, records, text } = setup();
    logger.info({ phase: 'promoted', readyMs: 17900 }, 'promoted');
    logger.warn('second');
    expect(text().endsWith('\n')).toBe(true);
    const [first, second] = records();
    expect(first).toMatchObject({ level: 'info', name: 'openclaw-failover', msg: 'promoted', phase: 'promoted', readyMs: 17900 });
    expect(first?.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(second).toMatchObject({ level: 'warn', msg: 'second' });
  });

  it('honours the level', () => {
    const { logger, records } = setup({ level: 'warn' });
    logger.info('hidden');
    logger.debug('hidden');
    logger.error('shown');
    expect(records().map((r) => r.msg)).toEqual(['shown']);
  });

  it('masks secret fields by path', () => {
    const { logger, records } = setup();
    logger.info(
      {
        token: 't1',
        password: 'p1',
        auth: { token: 't2', password: 'p2', secret: 's2', authorization: 'Bearer b2' },
        headers: { authorization: 'Bearer b3', accept: 'application/json' },
      },
      'request',
    );
    expect(records()[0]).toMatchObject({
      token: '***',
      password: '***',
      auth: { token: '***', password: '***', secret: '***', authorization: '***' },
      headers: { authorization: '***', accept: 'application/json' },
    });
  });

  it('scrubs secret values wherever they appear, including error messages and child bindings', () => {
    const { logger, text } = setup({ secrets: ['gw-token-1234', 'hunter22'] });
    logger.error({ err: new Error('auth failed with gw-token-1234') }, 'probe failed for hunter22');
    logger.child({ remote: 'https://bot:hunter22@github.com/x.git' }).info('sync');
    expect(text()).not.toMatch(/gw-token-1234|hunter22/);
    expect(text()).toContain('auth failed with ***');
  });
});

describe('createLogger (pretty)', () => {
  it('writes human lines, scrubbed', () => {
    const { logger, lines } = setup({ format: 'pretty', level: 'debug', secrets: ['hunter22'] });
    logger.info({ phase: 'promoted', readyMs: 17900 }, 'promoted');
    logger.debug({ note: 'has hunter22 inside' }, 'detail');
    const [first, second] = lines();
    expect(first).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}promoted {2}phase=promoted readyMs=17900$/);
    expect(second).toMatch(/ DEBUG detail {2}note="has \*\*\* inside"$/);
  });
});

describe('formatPrettyLine', () => {
  it('formats the head and the fields in the order given', () => {
    const line = JSON.stringify({
      level: 'info',
      time: '2026-11-22T10:00:00.123Z',
      name: 'openclaw-failover',
      pid: 1,
      hostname: 'h',
      msg: 'promoted',
      phase: 'promoted',
      readyMs: 17900,
    });
    expect(formatPrettyLine(line)).toBe('10:00:00.123 INFO  promoted  phase=promoted readyMs=17900');
  });

  it('quotes strings that need it and prints nested values as compact JSON', () => {
    const line = JSON.stringify({
      level: 'warn',
      time: '2026-11-22T10:00:00.123Z',
      msg: 'probe failed',
      detail: 'connect ECONNREFUSED 10.0.0.2:18789',
      empty: '',
      probe: { reason: 'refused', latencyMs: 3 },
      tags: ['a', 'b'],
      ok: false,
      missing: null,
    });
    expect(formatPrettyLine(line)).toBe(
      '10:00:00.123 WARN  probe failed  detail="connect ECONNREFUSED 10.0.0.2:18789" empty="" probe={"reason":"refused","latencyMs":3} tags=["a","b"] ok=false missing=null',
    );
  });

  it('maps numeric levels and epoch times, and omits missing parts', () => {
    expect(formatPrettyLine('{"level":50,"time":0,"msg":"x"}')).toBe('00:00:00.000 ERROR x');
    expect(formatPrettyLine('{"level":"fatal","msg":"bye"}')).toBe('FATAL bye');
    expect(formatPrettyLine('{"level":"info","time":"2026-11-22T10:00:00.123Z","k":1}')).toBe('10:00:00.123 INFO   k=1');
  });

  it('prints an error stack on indented lines below', () => {
    const line = JSON.stringify({
      level: 'error',
      time: '2026-11-22T10:00:00.123Z',
      msg: 'failed',
      err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at f (x.ts:1:1)' },
    });
    expect(formatPrettyLine(line)).toBe(
      '10:00:00.123 ERROR failed  err={"type":"Error","message":"boom"}\n    Error: boom\n        at f (x.ts:1:1)',
    );
  });

  it.each(['not json', '42', '"text"', '[1,2]', 'null', '{"level":'])('passes %j through unchanged', (line) => {
    expect(formatPrettyLine(line)).toBe(line);
  });
});

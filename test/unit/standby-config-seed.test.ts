// The hot standby's boot-time seed (docker-compose.yml, configs: openclaw-standby-config), run as
// compose runs it: node with the script, the operator's file and a state directory.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const compose = parse(readFileSync(fileURLToPath(new URL('../../docker-compose.yml', import.meta.url)), 'utf8')) as { configs: Record<string, { content: string }> };
const script = compose.configs['openclaw-standby-config']!.content;

function seed(mode: string, operatorConfig: unknown, existing: Record<string, string> = {}): { stdout: string; stateDir: string; code: number } {
  const dir = mkdtempSync(join(tmpdir(), 'ocf-seed-'));
  const stateDir = join(dir, 'state');
  execFileSync('mkdir', ['-p', stateDir]);
  for (const [name, text] of Object.entries(existing)) writeFileSync(join(stateDir, name), text);
  writeFileSync(join(dir, 'seed.cjs'), script);
  writeFileSync(join(dir, 'operator.json'), JSON.stringify(operatorConfig));
  try {
    const stdout = execFileSync(process.execPath, [join(dir, 'seed.cjs')], {
      env: { PATH: process.env.PATH, OPENCLAW_FAILOVER_STANDBY_MODE: mode, OPENCLAW_FAILOVER_SOURCE_CONFIG: join(dir, 'operator.json'), OPENCLAW_STATE_DIR: stateDir },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { stdout, stateDir, code: 0 };
  } catch (error) {
    return { stdout: String((error as { stdout?: string }).stdout ?? ''), stateDir, code: (error as { status?: number }).status ?? 1 };
  }
}

const OPERATOR = { gateway: { mode: 'local' }, channels: { defaults: { groupPolicy: 'disabled' }, irc: { enabled: true, host: 'ircd' }, discord: { token: 't' } }, plugins: { entries: { irc: { enabled: true } } } };

describe('standby config seed', () => {
  it('cold: hands the operator file over untouched and writes nothing', () => {
    const r = seed('cold', OPERATOR);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/operator\.json$/);
    expect(readdirSync(r.stateDir)).toEqual([]);
  });

  it('hot: a copy in the state volume with every channel off, admin-http-rpc on, the rest as the operator wrote it', () => {
    const r = seed('hot', OPERATOR);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(join(r.stateDir, 'openclaw.json'));
    const written = JSON.parse(readFileSync(r.stdout, 'utf8')) as typeof OPERATOR & { plugins: { entries: Record<string, { enabled: boolean }> } };
    expect(written.channels.irc).toEqual({ enabled: false, host: 'ircd' });
    expect(written.channels.discord).toEqual({ token: 't', enabled: false });
    expect(written.channels.defaults).toEqual({ groupPolicy: 'disabled' });
    expect(written.plugins.entries['admin-http-rpc']).toEqual({ enabled: true });
    expect(written.plugins.entries.irc).toEqual({ enabled: true });
    expect(written.gateway).toEqual({ mode: 'local' });
  });

  it('hot: a channel the operator disabled is left out of the copy, so no promotion can switch it on', () => {
    const r = seed('hot', { ...OPERATOR, channels: { ...OPERATOR.channels, telegram: { enabled: false, botToken: 'the-primary-token' } } });
    expect(r.code).toBe(0);
    const written = JSON.parse(readFileSync(r.stdout, 'utf8')) as { channels: Record<string, unknown> };
    expect(Object.keys(written.channels).sort()).toEqual(['defaults', 'discord', 'irc']);
    expect(readFileSync(r.stdout, 'utf8')).not.toContain('the-primary-token');
  });

  it('hot: replaces a previous run\'s config (channel on) and removes the gateway\'s backups it would restore from', () => {
    const r = seed('hot', OPERATOR, {
      'openclaw.json': JSON.stringify({ ...OPERATOR, channels: { irc: { enabled: true } }, meta: { lastTouchedVersion: '2026.9.6' } }),
      'openclaw.json.last-good': '{"channels":{"irc":{"enabled":true}}}',
      'openclaw.json.bak': '{}',
      'openclaw.json.bak.1': '{}',
      'openclaw.json.clobbered.2026-12-01T21-01-00-396Z': '{}',
      'other-file': 'kept',
    });
    expect(r.code).toBe(0);
    expect(readdirSync(r.stateDir).sort()).toEqual(['openclaw.json', 'other-file']);
    expect((JSON.parse(readFileSync(join(r.stateDir, 'openclaw.json'), 'utf8')) as typeof OPERATOR).channels.irc.enabled).toBe(false);
  });

  it('hot: an unreadable operator file fails the boot (exit 1) instead of starting with an old config', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ocf-seed-bad-'));
    writeFileSync(join(dir, 'seed.cjs'), script);
    let code = 0;
    try {
      execFileSync(process.execPath, [join(dir, 'seed.cjs')], { env: { OPENCLAW_FAILOVER_STANDBY_MODE: 'hot', OPENCLAW_FAILOVER_SOURCE_CONFIG: join(dir, 'missing.json'), OPENCLAW_STATE_DIR: dir }, stdio: 'pipe' });
    } catch (error) {
      code = (error as { status: number }).status;
    }
    expect(code).toBe(1);
    expect(existsSync(join(dir, 'openclaw.json'))).toBe(false);
  });
});

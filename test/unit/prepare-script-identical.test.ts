// openclaw-standby-prepare's script is inline twice (a standby host needs no checkout): in
// compose.standby.yml and in the Portainer standby stack. The two must be the same script byte for
// byte, and each stack must wire it the same way, or a fix to one silently misses the other.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Service {
  image?: string;
  command?: string[];
  user?: string;
  environment?: Record<string, string>;
  configs?: Array<{ source: string; target: string }>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
}
interface ComposeDoc {
  services: Record<string, Service>;
  configs: Record<string, { content: string }>;
  volumes: Record<string, unknown>;
}

function load(path: string): ComposeDoc {
  return parse(readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8')) as ComposeDoc;
}

const plain = load('compose.standby.yml');
const portainer = load('portainer/standby.stack.yml');

describe('openclaw-standby-prepare: compose.standby.yml and portainer/standby.stack.yml', () => {
  it('carry the same inline script, byte for byte', () => {
    const a = plain.configs['openclaw-standby-prepare']?.content;
    const b = portainer.configs['openclaw-standby-prepare']?.content;
    // Really the script, not two empty strings.
    expect(a).toContain("const REPORT = process.env.STANDBY_PREPARE_REPORT || '/prepare/standby-prepare.json';");
    expect(a?.length).toBeGreaterThan(5_000);
    expect(b).toBe(a);
    // Compose interpolates config content: a `$` would be substituted differently per stack.
    expect(a).not.toContain('$');
  });

  it('run it the same way: image, user, command, environment, report volume', () => {
    const p = plain.services['openclaw-standby-prepare'];
    const q = portainer.services['openclaw-standby-prepare'];
    expect(q?.image).toBe(p?.image);
    expect(q?.user).toBe(p?.user);
    expect(q?.command).toEqual(p?.command);
    // The Portainer stack may pass more (its config's token variables), never less.
    expect(q?.environment).toMatchObject(p?.environment ?? { missing: true });
    expect(q?.configs).toContainEqual({ source: 'openclaw-standby-prepare', target: '/openclaw-standby-prepare.cjs' });
    // The stack has no checkout to bind-mount: the config is the gateway's own inline one.
    expect(q?.configs).toContainEqual({ source: 'standby-openclaw-config', target: '/config/openclaw.json' });
    expect(portainer.services['openclaw-standby']?.configs).toContainEqual({ source: 'standby-openclaw-config', target: '/config/openclaw.json' });
    expect(q?.volumes).toEqual(['standby-state:/home/node/.openclaw', 'standby-prepare:/prepare']);
    expect(Object.keys(portainer.volumes)).toContain('standby-prepare');
  });

  it('gate the standby gateway on it and give the watcher its report', () => {
    for (const doc of [plain, portainer]) {
      expect(doc.services['openclaw-standby']?.depends_on?.['openclaw-standby-prepare']).toEqual({ condition: 'service_completed_successfully' });
      expect(doc.services['openclaw-standby-prepare']?.depends_on?.watcher).toEqual({ condition: 'service_started' });
      const watcher = doc.services.watcher;
      expect(watcher?.environment?.STANDBY_PREPARE_REPORT).toBe('/var/lib/openclaw-failover-prepare/standby-prepare.json');
      expect(watcher?.volumes).toContain('standby-prepare:/var/lib/openclaw-failover-prepare');
    }
  });
});

// compose.socket-proxy.yml replaces the watcher's volume list (`!override`, to drop the Docker
// socket), so every other mount compose.standby.yml gives the watcher must be repeated there: a
// missing one fails quietly (the prepare report volume left root-owned made the prepare one-shot
// exit 1 and `up -d` fail, found by the socket-proxy integration test).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';

const root = new URL('../../', import.meta.url);
const watcherVolumes = (file: string): string[] => {
  const doc = parseDocument(readFileSync(new URL(file, root), 'utf8'), { customTags: [{ tag: '!override', resolve: (v: unknown) => v }, { tag: '!reset', resolve: (v: unknown) => v }] as never });
  const volumes = doc.getIn(['services', 'watcher', 'volumes']) as { toJSON(): unknown } | undefined;
  return (volumes?.toJSON() as string[] | undefined) ?? [];
};

describe('compose.socket-proxy.yml', () => {
  it("repeats every watcher mount of compose.standby.yml except the Docker socket", () => {
    const standby = watcherVolumes('compose.standby.yml').filter((v) => !v.includes('docker.sock'));
    const proxied = watcherVolumes('compose.socket-proxy.yml');
    expect(standby.length).toBeGreaterThan(2);
    expect(proxied).toEqual(standby);
    expect(proxied.some((v) => v.includes('docker.sock'))).toBe(false);
  });
});

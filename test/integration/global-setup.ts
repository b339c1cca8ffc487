// Once per integration run: a reachable engine, and the watcher, fake gateway, socket proxy and
// IRC server images built from this checkout (the watcher from the project's own Dockerfile).
import { fileURLToPath } from 'node:url';
import { buildImage, FAKE_GATEWAY_IMAGE, IRCD_IMAGE, requireDockerEngine, SOCKET_PROXY_TEST_IMAGE, WATCHER_TEST_IMAGE } from './support/engine.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

export async function setup(): Promise<void> {
  await requireDockerEngine();
  const began = Date.now();
  await Promise.all([
    buildImage(WATCHER_TEST_IMAGE, root),
    buildImage(FAKE_GATEWAY_IMAGE, `${root}test/fixtures/fake-gateway`),
    buildImage(SOCKET_PROXY_TEST_IMAGE, `${root}socket-proxy`),
    buildImage(IRCD_IMAGE, `${root}test/fixtures/ircd`),
  ]);
  console.log(`[integration] images built in ${((Date.now() - began) / 1000).toFixed(1)} s`);
}

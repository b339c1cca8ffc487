// The IRC test bed on its own: the tests' ngIRCd on an internal network, the tests' IRC client,
// and the REAL OpenClaw gateway with the real @openclaw/irc plugin answering a DM with its
// pairing reply. Every channel scenario (e2e, bench) stands on these three pieces.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FULL_RUN } from './support/full-run.ts';
import { REPO_ROOT } from './support/compose-project.ts';
import { imageExists, IRCD_IMAGE, OPENCLAW_IMAGE } from './support/engine.ts';
import { clearPairingRequests, containerIp, installIrcPlugin, IRC_CHANNEL, registrationsOf, STANDBY_BOT } from './support/irc-bed.ts';
import { dmUntilAnswered, IrcClient } from './support/irc-client.ts';
import { run, waitFor } from './support/run.ts';

const name = `ocf-ircbed-${process.pid}`;
const network = `${name}-chat`;
const volume = `${name}-state`;
const ircd = `${name}-ircd`;
const gateway = `${name}-gateway`;
const token = 'ircbed-gateway-token-0123456789';

// Full run only (support/full-run.ts): every e2e scenario with channels stands on this bed (the
// ircd, the client, the real gateway answering a DM) in every CI run.
describe.skipIf(!FULL_RUN)('IRC test bed: ngIRCd, the test client and the real gateway', () => {
  let ircdIp = '';
  let observer: IrcClient | undefined;

  beforeAll(async () => {
    if (!(await imageExists(OPENCLAW_IMAGE))) throw new Error(`${OPENCLAW_IMAGE} is not in the local image cache: run \`sudo ../shared/ci/docker-engine.sh --openclaw\`.`);
    await run('docker', ['network', 'create', '--internal', network]);
    await run('docker', ['run', '-d', '--name', ircd, '--network', network, '--network-alias', 'ircd', IRCD_IMAGE]);
    ircdIp = await containerIp(ircd, network);
  });

  afterAll(async () => {
    observer?.close();
    if (gateway) console.log(`--- gateway log ---\n${(await run('docker', ['logs', '--tail', '30', gateway], { allowFailure: true })).stderr.slice(-4000)}`);
    await run('docker', ['rm', '-f', '-v', gateway, ircd], { allowFailure: true });
    await run('docker', ['volume', 'rm', '-f', volume], { allowFailure: true });
    await run('docker', ['network', 'rm', network], { allowFailure: true });
  });

  it('the internal network reaches nothing outside the machine', async () => {
    const out = await run('docker', ['inspect', '--format', '{{.Internal}}', network]);
    expect(out.stdout.trim()).toBe('true');
  });

  it('the test client registers, joins the channel, sees others and knows who is online', async () => {
    observer = await waitFor('the ircd accepting connections', () => IrcClient.connect({ host: ircdIp, nick: 'observer' }), { timeoutMs: 20_000, intervalMs: 500 });
    expect(await observer.join(IRC_CHANNEL)).toContain('observer');
    const since = Date.now();
    const other = await IrcClient.connect({ host: ircdIp, nick: 'visitor' });
    await other.join(IRC_CHANNEL);
    expect(await observer.online('visitor')).toBe(true);
    await observer.waitForEvent('visitor', ['join'], since, 10_000);
    await other.quit('leaving');
    const quit = await observer.waitForEvent('visitor', ['quit'], since, 10_000);
    expect(quit.detail).toContain('leaving');
    expect(await observer.online('visitor')).toBe(false);
    // The server's own record agrees with the client's.
    expect((await registrationsOf(ircd, 'visitor')).length).toBe(1);
  });

  it('the real gateway with @openclaw/irc joins the channel and answers a DM with its pairing reply', async () => {
    const config = readFileSync(`${REPO_ROOT}config/ci-irc/standby/openclaw.json`, 'utf8');
    await installIrcPlugin(volume, config, OPENCLAW_IMAGE);
    const since = Date.now();
    await run('docker', [
      'run', '-d', '--name', gateway, '--network', network,
      '-v', `${volume}:/home/node/.openclaw`, '-v', `${REPO_ROOT}config/ci-irc/standby:/config:ro`,
      '-e', 'OPENCLAW_STATE_DIR=/home/node/.openclaw', '-e', 'OPENCLAW_CONFIG_PATH=/config/openclaw.json',
      '-e', `OPENCLAW_GATEWAY_TOKEN=${token}`, '-e', 'OPENCLAW_NO_AUTO_UPDATE=1', '-e', 'OPENCLAW_DISABLE_BONJOUR=1',
      OPENCLAW_IMAGE, 'node', 'openclaw.mjs', 'gateway', '--bind', 'lan', '--port', '18789',
    ]);
    const joined = await observer!.waitForEvent(STANDBY_BOT, ['join'], since, 240_000);
    expect(joined.channel).toBe(IRC_CHANNEL);
    const dm = await dmUntilAnswered({ host: ircdIp, bot: STANDBY_BOT, timeoutMs: 60_000 });
    expect(dm.reply).toMatch(/access not configured/i);
    console.log(`[ircbed] gateway started → bot joined ${((joined.at - since) / 1000).toFixed(1)} s; DM answered in ${dm.repliedAt - dm.sentAt} ms`);

    // The gateway's own view of its channel, over admin-http-rpc with its token.
    const gatewayIp = await containerIp(gateway, network);
    const res = await fetch(`http://${gatewayIp}:18789/api/v1/admin/rpc`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'channels.status', params: {} }),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await res.json()) as { ok: boolean; payload: { channelAccounts: Record<string, Array<{ running: boolean; connected: boolean }>> } };
    expect(body.ok).toBe(true);
    expect(body.payload.channelAccounts.irc?.[0]).toMatchObject({ running: true, connected: true });

    // Three pending pairing requests fill the queue; clearing it lets the next fresh nick get a reply.
    await clearPairingRequests(gateway);
    for (let i = 0; i < 3; i++) await dmUntilAnswered({ host: ircdIp, bot: STANDBY_BOT, timeoutMs: 20_000 });
    await clearPairingRequests(gateway);
    expect((await dmUntilAnswered({ host: ircdIp, bot: STANDBY_BOT, timeoutMs: 20_000 })).reply).toMatch(/pairing code/i);

    // Stopping the gateway: the bot leaves, as the channel sees it.
    const stoppedAt = Date.now();
    await run('docker', ['stop', '-t', '10', gateway]);
    await observer!.waitForEvent(STANDBY_BOT, ['quit', 'part'], stoppedAt, 30_000);
    expect(await observer!.online(STANDBY_BOT)).toBe(false);
  });
});

// Secrets never leave through an output: a full promote/demote cycle with every secret-bearing
// setting configured (credentials in the primary, witness and git URLs; tokens in the notification
// and heartbeat URLs), then every output the watcher produced is searched for each secret value:
// its logs, /status, /metrics, the `status` and `check` commands, and what the notification
// services, the heartbeat monitor and the witness received (bodies and headers other than the
// Authorization a URL's own credentials become).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeStandbyEnv, FAKE_STANDBY_FILES } from './support/fake-standby.ts';
import { ComposeProject } from './support/compose-project.ts';
import { run, waitFor } from './support/run.ts';

const SECRETS = {
  primaryPassword: 'primary-pass-5ecr3t-a1',
  witnessPassword: 'witness-pass-5ecr3t-b2',
  webhookToken: 'webhook-token-5ecr3t-c3',
  slackToken: 'slack-token-5ecr3t-d4',
  discordToken: 'discord-token-5ecr3t-e5',
  ntfyTopic: 'ntfy-topic-5ecr3t-f6',
  heartbeatToken: 'heartbeat-token-5ecr3t-g7',
  gitPassword: 'git-pass-5ecr3t-h8',
  gatewayToken: 'gateway-token-5ecr3t-i9',
};

interface Received {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

describe('secrets stay out of every output', () => {
  let project: ComposeProject;
  let primaryId: string;

  beforeAll(async () => {
    project = new ComposeProject(
      'ocf-secrets',
      [...FAKE_STANDBY_FILES, 'test/fixtures/compose.receiver.yml'],
      await fakeStandbyEnv({
        OPENCLAW_GATEWAY_TOKEN: SECRETS.gatewayToken,
        PRIMARY_URL: `http://probe:${SECRETS.primaryPassword}@fake-primary:18789/healthz`,
        WITNESS_URLS: `http://witness:${SECRETS.witnessPassword}@receiver:8088/witness`,
        // A git remote that answers but is no repository: the sync fails, and its error is an output too.
        WORKSPACE_REMOTE: `http://git:${SECRETS.gitPassword}@receiver:8088/workspace.git`,
        NOTIFY_WEBHOOK_URL: `http://receiver:8088/hooks/${SECRETS.webhookToken}`,
        NOTIFY_SLACK_URL: `http://receiver:8088/services/T0/B0/${SECRETS.slackToken}`,
        NOTIFY_DISCORD_URL: `http://receiver:8088/api/webhooks/1/${SECRETS.discordToken}`,
        NOTIFY_NTFY_URL: `http://receiver:8088/${SECRETS.ntfyTopic}`,
        HEARTBEAT_URL: `http://receiver:8088/ping/${SECRETS.heartbeatToken}`,
        HEARTBEAT_INTERVAL: '1',
        GIT_TIMEOUT: '5',
        LOG_LEVEL: 'debug',
      }),
    );
    await project.up();
    primaryId = await project.containerId('fake-primary');
  });

  afterAll(async () => {
    await project.down();
  });

  it('a full cycle with every secret configured leaks none of them', async () => {
    await waitFor('watching a healthy primary', async () => {
      const s = await project.status();
      return s.phase === 'watching' && s.primary.lastProbe?.ok === true ? s : undefined;
    }, { timeoutMs: 60_000, intervalMs: 250 });
    await run('docker', ['stop', '-t', '1', primaryId]);
    const promoted = await project.waitForPhase('promoted', 60_000);
    expect(promoted.lastGitSync?.ok).toBe(false); // the git error went through the redaction path
    await run('docker', ['start', primaryId]);
    await project.waitForPhase('watching', 60_000);
    await waitFor('demotion finished', async () => {
      const s = await project.status();
      return s.lastTransition?.kind === 'demotion' && s.lastTransition.outcome === 'succeeded' ? s : undefined;
    }, { timeoutMs: 30_000, intervalMs: 250 });
    // Let the notifications of the demotion arrive.
    await new Promise((r) => setTimeout(r, 2_000));

    const exec = async (args: string[]): Promise<string> => {
      const out = await run('docker', ['exec', project.watcherName, ...args], { timeoutMs: 30_000, allowFailure: true });
      return out.stdout + out.stderr;
    };
    // compose prefixes log lines with terminal control codes; each record starts at its brace.
    const received = (await project.logs('receiver'))
      .split('\n')
      .filter((line) => line.includes('{"at"'))
      .map((line) => JSON.parse(line.slice(line.indexOf('{"at"'))) as Received);
    const notifications = received.filter((r) => r.method === 'POST');
    const pings = received.filter((r) => r.url.startsWith('/ping/'));
    const witnessCalls = received.filter((r) => r.url.startsWith('/witness'));

    const outputs: Record<string, string> = {
      'watcher logs': await project.logs('watcher'),
      '/status': await project.watcherGet('/status'),
      '/metrics': await project.watcherGet('/metrics'),
      'status command': await exec(['openclaw-failover', 'status']),
      'status --json': await exec(['openclaw-failover', 'status', '--json']),
      'check command': await exec(['openclaw-failover', 'check']),
      // What was sent out. A URL's own credentials become its Authorization header by design;
      // everything else (bodies, other headers) must be clean.
      'notification bodies and headers': notifications
        .map((r) => JSON.stringify({ body: r.body, headers: { ...r.headers, authorization: undefined } }))
        .join('\n'),
      'heartbeat and witness requests': [...pings, ...witnessCalls]
        .map((r) => JSON.stringify({ body: r.body, headers: { ...r.headers, authorization: undefined } }))
        .join('\n'),
    };

    // The outputs are real and about this cycle, so an empty or wrong capture cannot pass.
    expect(outputs['watcher logs']).toContain('"event":"promoted"');
    expect(outputs['watcher logs']).toContain('"event":"workspace-sync-failed"');
    expect(outputs['/status']).toContain('"phase"');
    expect(outputs['/metrics']).toContain('openclaw_failover_transitions_total');
    expect(outputs['check command']).toContain('PRIMARY_URL');
    expect(notifications.length).toBeGreaterThanOrEqual(4 * 3); // 4 services × (start, promoted, demoted) at least
    expect(pings.length).toBeGreaterThan(0);
    expect(witnessCalls.length).toBeGreaterThan(0);
    expect(witnessCalls[0]?.headers.authorization).toMatch(/^Basic /); // the witness credentials were used…

    const leaks: string[] = [];
    for (const [output, text] of Object.entries(outputs)) {
      for (const [name, secret] of Object.entries(SECRETS)) {
        if (text.includes(secret)) leaks.push(`${name} in ${output}`);
      }
    }
    expect(leaks).toEqual([]); // …and nothing else carried any secret
    console.log(`[secrets] searched ${Object.keys(outputs).length} outputs (${Object.values(outputs).reduce((n, t) => n + t.length, 0)} characters, ${notifications.length} notifications, ${pings.length} heartbeats) for ${Object.keys(SECRETS).length} secrets: none found`);
  });
});

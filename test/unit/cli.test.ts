// The command line as an operator runs it: `openclaw-failover check` with the environment only.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // A clean environment: only what the test sets (plus PATH to find nothing in particular).
    execFile(process.execPath, [cli, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 15_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('openclaw-failover check', () => {
  it('exits 2 and lists every problem at once, touching nothing', async () => {
    const r = await runCli(['check'], { CHECK_INTERVAL: '2s', FAIL_THRESHOLD: '0', LOG_FORMAT: 'xml' });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    for (const name of ['PRIMARY_URL', 'CHECK_INTERVAL', 'FAIL_THRESHOLD', 'LOG_FORMAT']) expect(r.stderr).toContain(name);
    expect(r.stderr).toMatch(/4 configuration problems/);
  });

  it('never defaults the primary address', async () => {
    const r = await runCli(['--check'], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('PRIMARY_URL');
  });

  it('exits 0 and prints the resolved settings with secrets redacted', async () => {
    const r = await runCli(['check'], {
      PRIMARY_URL: 'http://watch:pa55word-xyz@100.101.102.103:18789/healthz',
      WORKSPACE_REMOTE: 'https://oauth2:ghp_secretTOKEN123@git.example/you/ws.git',
      CHECK_INTERVAL: '1.5',
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('PRIMARY_URL');
    expect(r.stdout).toContain('100.101.102.103');
    expect(r.stdout).toMatch(/CHECK_INTERVAL: 1\.5/);
    expect(r.stdout).not.toContain('pa55word-xyz');
    expect(r.stdout).not.toContain('ghp_secretTOKEN123');
  });

  it('a bad PRIMARY_URL with a password is reported without echoing the password', async () => {
    const r = await runCli(['check'], { PRIMARY_URL: 'ftp://u:hunter2-secret@host/x' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('PRIMARY_URL');
    expect(r.stderr).not.toContain('hunter2-secret');
  });

  it('rejects an unknown command with exit 2 and the usage', async () => {
    const r = await runCli(['promote-now'], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('usage: openclaw-failover');
  });
});

describe('commands that talk to a running watcher read their settings strictly', () => {
  it('status with a STATUS_PORT that Number() would accept ("0x1F90") exits 2 naming the setting, connecting nowhere', async () => {
    const r = await runCli(['status'], { STATUS_PORT: '0x1F90' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('STATUS_PORT="0x1F90"');
    expect(r.stderr).toContain('a whole number between 1 and 65535');
  });

  it('healthcheck with a bad STATUS_PORT is unhealthy (1, never the reserved 2) and says why', async () => {
    const r = await runCli(['healthcheck'], { STATUS_PORT: '1e3' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('STATUS_PORT="1e3"');
  });

  it('a control command with a relative CONTROL_SOCKET exits 2 naming the setting', async () => {
    const r = await runCli(['pause'], { CONTROL_SOCKET: 'control.sock' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('CONTROL_SOCKET');
  });
});

// The Docker-only demo (`sh scripts/demo.sh --fake`) as a newcomer runs it: with nothing on PATH
// but Docker and a few POSIX tools (no Node), it fails over and back, prints the timing summary,
// and leaves nothing behind, also when interrupted with Ctrl-C halfway.
import { spawn } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAKE_GATEWAY_IMAGE, WATCHER_TEST_IMAGE } from './support/engine.ts';
import { REPO_ROOT } from './support/compose-project.ts';
import { run } from './support/run.ts';

/** A PATH holding only what the script may use: docker and POSIX tools, no node, no npm. */
async function dockerOnlyPath(): Promise<string> {
  const bin = mkdtempSync(join(tmpdir(), 'ocf-demo-bin-'));
  for (const tool of ['docker', 'sh', 'dirname', 'sed', 'od', 'tr', 'sleep', 'cat']) {
    const found = (await run('sh', ['-c', `command -v ${tool}`])).stdout.trim();
    symlinkSync(found, join(bin, tool));
  }
  // The compose plugin is found through docker's own plugin directories, not PATH.
  return bin;
}

interface DemoRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

function runDemo(project: string, path: string, options: { interruptWhen?: RegExp; timeoutMs: number }): Promise<DemoRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['scripts/demo.sh', '--fake'], {
      cwd: REPO_ROOT,
      // Its own process group, so an interrupt reaches every process in it, as Ctrl-C does.
      detached: true,
      env: { PATH: path, HOME: process.env.HOME ?? '/root', OCF_DEMO_PROJECT: project, WATCHER_IMAGE: WATCHER_TEST_IMAGE, FAKE_GATEWAY_IMAGE, MIN_PROMOTED: '3' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let interrupted = false;
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (options.interruptWhen && !interrupted && options.interruptWhen.test(output)) {
        interrupted = true;
        process.kill(-(child.pid ?? 0), 'SIGINT');
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => {
      process.kill(-(child.pid ?? 0), 'SIGKILL');
      reject(new Error(`demo did not finish within ${options.timeoutMs} ms:\n${output.slice(-3000)}`));
    }, options.timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    });
  });
}

async function leftovers(project: string): Promise<string[]> {
  const label = `label=com.docker.compose.project=${project}`;
  const lists = await Promise.all([
    run('docker', ['ps', '-a', '-q', '--filter', label]),
    run('docker', ['volume', 'ls', '-q', '--filter', label]),
    run('docker', ['network', 'ls', '-q', '--filter', label]),
  ]);
  return lists.flatMap((r) => r.stdout.split('\n').filter((l) => l.trim()));
}

describe('the Docker-only demo', () => {
  it('fails over and back with no Node on PATH, prints the timing summary, and removes everything', async () => {
    const project = `ocf-demo-it-${process.env.OCF_TEST_TAG ?? 'test'}-${process.pid}`;
    const result = await runDemo(project, await dockerOnlyPath(), { timeoutMs: 280_000 });
    console.log(result.output.split('\n').filter((l) => !l.includes(' INFO ') && !l.includes(' WARN ')).join('\n'));
    expect(result.code).toBe(0);
    expect(result.output).toMatch(/PROMOTED: standby gateway started and ready/);
    expect(result.output).toMatch(/DEMOTED: standby gateway stopped/);
    expect(result.output).toMatch(/==> summary/);
    for (const line of ['primary killed → promotion decided', 'decision → docker start returned', 'start → standby /readyz ready', 'primary killed → standby ready', 'primary started → standby stopped']) {
      expect(result.output).toMatch(new RegExp(`${line} +\\d+\\.\\d s`));
    }
    const detection = Number(/primary killed → promotion decided +(\d+\.\d) s/.exec(result.output)?.[1]);
    expect(detection).toBeGreaterThan(0);
    expect(result.output).toMatch(/==> removing the demo project/);
    expect(await leftovers(project)).toEqual([]);
  });

  it('Ctrl-C halfway still removes everything', async () => {
    const project = `ocf-demo-int-${process.env.OCF_TEST_TAG ?? 'test'}-${process.pid}`;
    const result = await runDemo(project, process.env.PATH ?? '', { interruptWhen: /killing the primary/, timeoutMs: 200_000 });
    expect(result.output).toMatch(/==> removing the demo project/);
    expect(result.output).not.toMatch(/==> summary/);
    expect(result.code === 130 || result.signal === 'SIGINT').toBe(true);
    expect(await leftovers(project)).toEqual([]);
  });
});

// `openclaw-failover check` beyond the environment: can this watcher reach Docker, and does its
// gateway target exist with the standby label? Each answer is one line a tired operator can act on.
import { hostname } from 'node:os';
import { createDockerClient } from './docker-client.ts';
import { describeProblem, diagnoseDockerError } from './docker-access.ts';
import { describeTarget, GatewayTargetError, locateGateway, ownComposeProject, type TargetSpec } from './gateway-target.ts';

export interface PreflightResult {
  ok: boolean;
  lines: string[];
}

function text(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] ?? error.name) : String(error);
}

export async function dockerPreflight(options: { container?: string | undefined; service: string; dockerHost: string | undefined; timeoutMs?: number }): Promise<PreflightResult> {
  const docker = createDockerClient({ timeoutMs: options.timeoutMs });
  const endpoint = { dockerHost: options.dockerHost };
  const where = options.dockerHost?.trim() || 'unix:///var/run/docker.sock';
  try {
    await docker.ping();
  } catch (error) {
    const problem = diagnoseDockerError(error, endpoint);
    return { ok: false, lines: [`docker:  FAILED ${problem ? describeProblem(problem) : `cannot reach Docker at ${where}: ${text(error)}`}`] };
  }
  const lines = [`docker:  ok (${where} answers)`];
  const target: TargetSpec = { container: options.container, service: options.service };
  if (!options.container) target.project = await ownComposeProject(docker, hostname());
  try {
    const gateway = await locateGateway(docker, target);
    lines.push(`gateway: ok: ${describeTarget(target)} is container "${gateway.name}" (${gateway.status}), labelled as the standby gateway`);
    return { ok: true, lines };
  } catch (error) {
    const problem = diagnoseDockerError(error, endpoint);
    const why = problem ? describeProblem(problem) : error instanceof GatewayTargetError ? error.message : `cannot inspect ${describeTarget(target)}: ${text(error)}`;
    lines.push(`gateway: FAILED ${why}`);
    return { ok: false, lines };
  }
}

// Finding the one container the watcher may touch. It is named explicitly (GATEWAY_CONTAINER)
// or found as a compose service of the watcher's own project, and in both cases it must carry
// the project's label: the watcher refuses to start or stop anything else.
import type Docker from 'dockerode';

export const ROLE_LABEL = 'openclaw-failover.role';
export const STANDBY_GATEWAY_ROLE = 'standby-gateway';
export const COMPOSE_PROJECT_LABEL = 'com.docker.compose.project';
export const COMPOSE_SERVICE_LABEL = 'com.docker.compose.service';

export interface TargetSpec {
  /** Explicit container name or id; wins over the service lookup. */
  container?: string | undefined;
  /** Compose service name of the gateway. */
  service: string;
  /** Compose project to look in; undefined when the watcher could not tell its own. */
  project?: string | undefined;
}

export interface LocatedGateway {
  id: string;
  name: string;
  running: boolean;
  /** Docker's State.Status: created, running, exited, paused, restarting… */
  status: string;
  startedAt: string;
  labels: Record<string, string>;
}

/** A problem the operator must fix; retrying will not help until they do. */
export class GatewayTargetError extends Error {
  override name = 'GatewayTargetError';
}

export function describeTarget(spec: TargetSpec): string {
  if (spec.container) return `container "${spec.container}"`;
  return `compose service "${spec.service}"${spec.project ? ` in project "${spec.project}"` : ''}`;
}

/** The docker events/list filter that selects the target, so events and lookups agree. */
export function targetFilters(spec: TargetSpec): Record<string, string[]> {
  if (spec.container) return { container: [spec.container] };
  const label = [`${COMPOSE_SERVICE_LABEL}=${spec.service}`, `${ROLE_LABEL}=${STANDBY_GATEWAY_ROLE}`];
  if (spec.project) label.push(`${COMPOSE_PROJECT_LABEL}=${spec.project}`);
  return { label };
}

export async function locateGateway(docker: Docker, spec: TargetSpec): Promise<LocatedGateway> {
  const id = spec.container ?? (await findServiceContainer(docker, spec));
  let info: Docker.ContainerInspectInfo;
  try {
    info = await docker.getContainer(id).inspect();
  } catch (error) {
    if (statusCode(error) === 404) {
      throw new GatewayTargetError(
        `${describeTarget(spec)} does not exist; create it with "docker compose --profile standby up -d" or fix GATEWAY_CONTAINER`,
      );
    }
    throw error;
  }
  const labels = info.Config.Labels ?? {};
  if (labels[ROLE_LABEL] !== STANDBY_GATEWAY_ROLE) {
    throw new GatewayTargetError(
      `refusing to manage container "${trimName(info.Name)}": it lacks the label ${ROLE_LABEL}=${STANDBY_GATEWAY_ROLE} ` +
        `that marks a standby gateway (add it under "labels:" of the gateway's compose service)`,
    );
  }
  return {
    id: info.Id,
    name: trimName(info.Name),
    running: info.State.Running && !info.State.Paused,
    status: info.State.Status,
    startedAt: info.State.StartedAt,
    labels,
  };
}

async function findServiceContainer(docker: Docker, spec: TargetSpec): Promise<string> {
  // Look by service (and project) label only, so that a matching container without the role
  // label is reported as refused rather than as missing.
  const label = [`${COMPOSE_SERVICE_LABEL}=${spec.service}`];
  if (spec.project) label.push(`${COMPOSE_PROJECT_LABEL}=${spec.project}`);
  const found = await docker.listContainers({ all: true, filters: { label } });
  const first = found[0];
  if (first === undefined) {
    throw new GatewayTargetError(
      `no container for ${describeTarget(spec)}; create it with "docker compose --profile standby up -d" or set GATEWAY_CONTAINER`,
    );
  }
  if (found.length > 1) {
    const names = found.map((c) => trimName(c.Names[0] ?? c.Id)).join(', ');
    throw new GatewayTargetError(
      `${found.length} containers match ${describeTarget(spec)} (${names}); set GATEWAY_CONTAINER to the one to manage`,
    );
  }
  return first.Id;
}

/**
 * The compose project the watcher itself belongs to, read from its own container's labels.
 * Docker sets a container's hostname to its short id; undefined outside a container.
 */
export async function ownComposeProject(docker: Docker, hostname: string): Promise<string | undefined> {
  try {
    const self = await docker.getContainer(hostname).inspect();
    return self.Config.Labels?.[COMPOSE_PROJECT_LABEL];
  } catch {
    return undefined;
  }
}

export function statusCode(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'statusCode' in error) {
    const code = error.statusCode;
    return typeof code === 'number' ? code : undefined;
  }
  return undefined;
}

function trimName(name: string): string {
  return name.startsWith('/') ? name.slice(1) : name;
}

// Why the watcher cannot reach Docker, in the operator's terms: which setting is wrong and the
// exact commands that fix it. A watcher that cannot reach Docker can neither stop a stray standby
// nor promote one, so this is the one start-up mistake that must never pass quietly.
import { statSync } from 'node:fs';

export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';

/** What the watcher knows about where Docker should be. */
export interface DockerEndpoint {
  /** DOCKER_HOST as the process sees it (compose sets it from WATCHER_DOCKER_HOST or the proxy overlay). */
  dockerHost: string | undefined;
  /** The socket's group id, when there is a socket and it can be stat()ed. */
  socketGid?: (path: string) => number | undefined;
  /** This process's supplementary groups (process.getgroups). */
  groups?: () => number[];
  /** What is at the socket path: a socket, a directory (a bind mount of a missing host path), … */
  socketKind?: (path: string) => 'socket' | 'directory' | 'other' | 'missing';
}

export interface DockerAccessProblem {
  /** A stable key: a change of key is a change of condition (logged again). */
  key: string;
  /** The setting to change. */
  setting: string;
  /** One line: what is wrong, with the evidence. */
  summary: string;
  /** One line: the exact fix. */
  fix: string;
  code: string | undefined;
  socketGid?: number | undefined;
}

/** Transport-level failures: Docker (or the proxy in front of it) did not answer at all. */
const UNREACHABLE_CODES = new Set(['ENOENT', 'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE', 'ENOTSOCK']);

export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function httpStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}

function message(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] ?? error.name) : String(error);
}

/** The unix socket dockerode uses: DOCKER_HOST=unix://… or the default path; undefined for tcp. */
export function socketPathOf(dockerHost: string | undefined): string | undefined {
  const host = dockerHost?.trim();
  if (!host) return DEFAULT_DOCKER_SOCKET;
  if (host.startsWith('unix://')) return host.slice('unix://'.length);
  return undefined;
}

export function realSocketKind(path: string): 'socket' | 'directory' | 'other' | 'missing' {
  try {
    const stat = statSync(path);
    return stat.isSocket() ? 'socket' : stat.isDirectory() ? 'directory' : 'other';
  } catch {
    return 'missing';
  }
}

export function realSocketGid(path: string): number | undefined {
  try {
    return statSync(path).gid;
  } catch {
    return undefined;
  }
}

const RECREATE = 'then run on the standby host: docker compose up -d watcher';

/**
 * undefined: Docker answered (a 404, a 409, a refused label are not access problems).
 * Otherwise the diagnosis, naming the setting and the fix.
 */
export function diagnoseDockerError(error: unknown, endpoint: DockerEndpoint): DockerAccessProblem | undefined {
  const code = errorCode(error);
  const status = httpStatus(error);
  const socket = socketPathOf(endpoint.dockerHost);
  const where = socket ?? endpoint.dockerHost ?? DEFAULT_DOCKER_SOCKET;
  const raw = message(error);

  if (code === 'EACCES' || code === 'EPERM') {
    const gid = socket ? (endpoint.socketGid ?? realSocketGid)(socket) : undefined;
    const groups = (endpoint.groups ?? (() => process.getgroups?.() ?? []))();
    if (gid === undefined) {
      return {
        key: 'eacces',
        setting: 'DOCKER_GID',
        summary: `permission denied on the Docker socket ${where} (${raw})`,
        fix: `set DOCKER_GID in .env to the socket's group (on the host: stat -c %g ${DEFAULT_DOCKER_SOCKET}), ${RECREATE}`,
        code,
      };
    }
    const member = groups.includes(gid);
    return {
      key: `eacces:${gid}`,
      setting: 'DOCKER_GID',
      summary: member
        ? `permission denied on the Docker socket ${where} (${raw}) although it belongs to group ${gid}, one of the watcher's groups (${groups.join(', ')}): the socket's mode does not let its group in`
        : `permission denied on the Docker socket ${where} (${raw}): the socket belongs to group ${gid}, and the watcher (uid ${process.getuid?.() ?? '?'}) runs with groups ${groups.join(', ') || 'none'}, so DOCKER_GID is wrong`,
      fix: member
        ? `make the socket group-accessible (on the host: chmod 660 ${DEFAULT_DOCKER_SOCKET}) or run the watcher with the socket's owner group; ${RECREATE}`
        : `set DOCKER_GID=${gid} in .env, ${RECREATE}`,
      code,
      socketGid: gid,
    };
  }

  if (code !== undefined && UNREACHABLE_CODES.has(code)) {
    // Docker bind-mounts a missing host path as an empty directory: DOCKER_SOCKET names no socket.
    if (socket && (endpoint.socketKind ?? realSocketKind)(socket) === 'directory') {
      return {
        key: `socket-is-directory:${socket}`,
        setting: 'DOCKER_SOCKET',
        summary: `${socket} inside the watcher is a directory, not the Docker socket (${raw}): the host path mounted there does not exist, so Docker created an empty directory`,
        fix: `set DOCKER_SOCKET in .env to the host's Docker socket (usually /var/run/docker.sock; remove the empty directory Docker created at the wrong path), ${RECREATE}`,
        code,
      };
    }
    if (socket) {
      return code === 'ENOENT' || code === 'ENOTSOCK'
        ? {
            key: `no-socket:${socket}`,
            setting: 'DOCKER_SOCKET',
            summary: `no Docker socket at ${socket} inside the watcher (${raw})`,
            fix: `mount the host's Docker socket at ${socket} (compose.standby.yml mounts \${DOCKER_SOCKET:-/var/run/docker.sock}; set DOCKER_SOCKET in .env to the host's socket path), or point WATCHER_DOCKER_HOST at a Docker API; ${RECREATE}`,
            code,
          }
        : {
            key: `socket-down:${code}`,
            setting: 'DOCKER_SOCKET',
            summary: `the Docker socket ${socket} does not answer (${raw}): is dockerd running on the host?`,
            fix: `start Docker on the host (systemctl start docker), or fix DOCKER_SOCKET in .env; ${RECREATE}`,
            code,
          };
    }
    return {
      key: `tcp-down:${code}`,
      setting: 'DOCKER_HOST',
      summary: `the Docker API at ${endpoint.dockerHost} (DOCKER_HOST) does not answer (${raw})`,
      fix: `with the socket proxy overlay: docker compose ps docker-socket-proxy && docker logs docker-socket-proxy (then docker compose up -d docker-socket-proxy watcher); without it, fix or unset WATCHER_DOCKER_HOST in .env and run docker compose up -d watcher`,
      code,
    };
  }

  // haproxy (the socket proxy) answers 503 when it cannot open the socket itself: its group is wrong.
  if (status === 502 || status === 503) {
    return {
      key: `proxy-${status}`,
      setting: 'DOCKER_GID',
      summary: `the Docker API at ${where} answers HTTP ${status}: the socket proxy cannot reach Docker (${raw})`,
      fix: `set DOCKER_GID in .env to the socket's group (on the host: stat -c %g ${DEFAULT_DOCKER_SOCKET}), then: docker compose up -d docker-socket-proxy watcher`,
      code: String(status),
    };
  }
  if (status === 403) {
    return {
      key: 'proxy-403',
      setting: 'GATEWAY_CONTAINER',
      summary: `the socket proxy at ${where} refused a call (HTTP 403; ${raw}): the watcher asked for something outside its allow-list`,
      fix: `the proxy admits only the container named by GATEWAY_CONTAINER (the same name on the proxy and the watcher; default openclaw-standby); fix it in .env, then: docker compose up -d docker-socket-proxy watcher`,
      code: '403',
    };
  }
  return undefined;
}

/** One line for logs, check and /status. */
export function describeProblem(problem: DockerAccessProblem): string {
  return `cannot reach Docker: ${problem.summary}. Fix (${problem.setting}): ${problem.fix}`;
}

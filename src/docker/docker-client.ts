// The Docker API client every part of the watcher uses: dockerode as configured by DOCKER_HOST
// (a filtering socket proxy such as tcp://docker-socket-proxy:2375, else the local socket), with
// its connections' names resolved through the shared single-flight lookup. A proxy named by a
// host name otherwise queued its lookups behind a dead primary's (10 s each on an internal
// network): `docker start` of a promotion took 44 s instead of 0.7 s.
import { Agent } from 'node:http';
import Docker from 'dockerode';
import { sharedLookup } from '../net/single-flight-lookup.ts';

export function createDockerClient(options: { timeoutMs?: number } = {}): Docker {
  // keepAlive and lifo as Node's own global agent; the lookup is what differs.
  const agent = new Agent({ keepAlive: true, scheduling: 'lifo', lookup: sharedLookup });
  // docker-modem reads `agent`; @types/dockerode does not list it.
  return new Docker({ agent, ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}) } as Docker.DockerOptions);
}

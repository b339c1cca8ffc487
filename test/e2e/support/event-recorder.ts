// Records a container's lifecycle events from a live `docker events` subscription. The engine's
// `--since` history is a small ring buffer (a busy shared engine pushes a scenario's early events
// out of it within minutes), so anything asserted over a long window is recorded as it happens.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { DockerEvent } from '../../integration/support/compose-project.ts';

export class EventRecorder {
  private readonly events: DockerEvent[] = [];
  private readonly child: ChildProcess;

  private constructor(child: ChildProcess) {
    this.child = child;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const e = JSON.parse(line) as { Action: string; id: string; Actor: { Attributes: { name: string } }; timeNano: number };
        this.events.push({ action: e.Action, id: e.id, name: e.Actor.Attributes.name, at: e.timeNano / 1e6 });
      } catch {
        // not an event line
      }
    });
  }

  /** Subscribes and resolves once the subscription is live (`docker events` prints nothing until then). */
  static async start(containerId: string): Promise<EventRecorder> {
    const child = spawn('docker', ['events', '--filter', `container=${containerId}`, '--filter', 'type=container', '--format', '{{json .}}'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    // The CLI has no "subscribed" signal; a short pause covers its connect on a loaded machine.
    await new Promise((r) => setTimeout(r, 500));
    return new EventRecorder(child);
  }

  /** Lifecycle events (start, die, kill, stop, …) recorded between two instants (epoch ms). */
  between(since: number, until = Date.now()): DockerEvent[] {
    return this.events.filter((e) => e.at >= since && e.at <= until);
  }

  stop(): void {
    this.child.kill();
  }
}

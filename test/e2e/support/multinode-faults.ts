// Faults for the multi-node suite and bench: each one is applied, then undone by its restore().
import { EtcdClient } from '../../../src/lease/etcd-client.ts';
import { run } from '../../integration/support/run.ts';
import type { MultiNode} from './multinode.ts';
import { ircdSessions, IrcProbe, NODES, overlappingSessions, type NodeNo, type Session } from './multinode.ts';

export const FAULT_KINDS = ['kill-gateway', 'kill-watcher', 'kill-node', 'cut-from-etcd', 'cut-etcd-leader', 'pause-watcher', 'lose-quorum', 'flap'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface AppliedFault {
  kind: FaultKind;
  node: NodeNo | null;
  /** Whether a quorum and a healthy node remain (then a gateway must answer again). */
  leavesService: boolean;
  restore: () => Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class Bed {
  readonly mn: MultiNode;
  readonly gatewayIps = new Set<string>();
  private readonly ipNode = new Map<string, NodeNo>();
  probe: IrcProbe | null = null;

  constructor(mn: MultiNode) {
    this.mn = mn;
  }

  async refreshIps(): Promise<void> {
    for (const n of NODES) {
      const ip = await this.mn.ip(`gateway${n}`, 'chat').catch(() => null);
      if (ip) {
        this.gatewayIps.add(ip);
        this.ipNode.set(ip, n);
      }
    }
  }

  async sessions(): Promise<Session[]> {
    return ircdSessions(this.mn, this.gatewayIps);
  }

  /** The node whose gateway has a session open on the ircd now (by the ircd's record). */
  async servingNodes(): Promise<NodeNo[]> {
    const open = (await this.sessions()).filter((s) => s.to === null);
    return open.map((s) => this.ipNode.get(s.ip)).filter((n): n is NodeNo => n !== undefined);
  }

  async overlaps(): Promise<[Session, Session][]> {
    return overlappingSessions(await this.sessions(), Date.now());
  }

  async connectProbe(): Promise<void> {
    const ircIp = await this.mn.ip('ircd', 'chat');
    this.probe = new IrcProbe(ircIp, `probe${Math.random().toString(36).slice(2, 7)}`);
    await this.probe.connect();
  }

  async dm(timeoutMs: number): Promise<{ answer: string; at: number }> {
    if (!this.probe) await this.connectProbe();
    return (this.probe as IrcProbe).dmUntilAnswered('sharedbot', timeoutMs);
  }

  async etcdLeader(): Promise<NodeNo | null> {
    const endpoints = await this.mn.etcdEndpoints().catch(() => [] as string[]);
    const client = new EtcdClient({ endpoints, timeoutMs: 2_000 });
    try {
      for (const [i, e] of endpoints.entries()) {
        const s = await client.status(e).catch(() => null);
        if (s && s.leader && s.leader === s.memberId) return (i + 1) as NodeNo;
      }
      return null;
    } finally {
      await client.close();
    }
  }

  private c(service: string): string {
    return this.mn.container(service);
  }

  private async docker(...args: string[]): Promise<void> {
    await run('docker', args, { allowFailure: true, timeoutMs: 60_000 });
  }

  async apply(kind: FaultKind, holder: NodeNo): Promise<AppliedFault> {
    const n = holder;
    const etcdNet = this.mn.network('etcd');
    switch (kind) {
      case 'kill-gateway':
        await this.docker('kill', this.c(`gateway${n}`));
        return { kind, node: n, leavesService: true, restore: () => this.docker('start', this.c(`gateway${n}`)) };
      case 'kill-watcher':
        await this.docker('kill', this.c(`watcher${n}`));
        return { kind, node: n, leavesService: true, restore: () => this.docker('start', this.c(`watcher${n}`)) };
      case 'kill-node':
        await this.docker('kill', this.c(`gateway${n}`), this.c(`watcher${n}`), this.c(`etcd${n}`));
        return { kind, node: n, leavesService: true, restore: () => this.docker('start', this.c(`etcd${n}`), this.c(`watcher${n}`), this.c(`gateway${n}`)) };
      case 'cut-from-etcd':
        // The node's watcher and its etcd member lose the etcd network; its gateway keeps the chat.
        await this.docker('network', 'disconnect', '-f', etcdNet, this.c(`watcher${n}`));
        await this.docker('network', 'disconnect', '-f', etcdNet, this.c(`etcd${n}`));
        return {
          kind,
          node: n,
          leavesService: true,
          restore: async () => {
            await this.mn.reconnectEtcd(n);
            await this.docker('network', 'connect', etcdNet, this.c(`watcher${n}`));
          },
        };
      case 'cut-etcd-leader': {
        const leader = (await this.etcdLeader()) ?? n;
        await this.docker('network', 'disconnect', '-f', etcdNet, this.c(`etcd${leader}`));
        return { kind, node: leader, leavesService: true, restore: () => this.mn.reconnectEtcd(leader) };
      }
      case 'pause-watcher':
        await this.docker('pause', this.c(`watcher${n}`));
        return { kind, node: n, leavesService: true, restore: () => this.docker('unpause', this.c(`watcher${n}`)) };
      case 'lose-quorum': {
        const others = NODES.filter((x) => x !== n);
        await this.docker('kill', ...others.map((x) => this.c(`etcd${x}`)));
        return { kind, node: null, leavesService: false, restore: () => this.docker('start', ...others.map((x) => this.c(`etcd${x}`))) };
      }
      case 'flap': {
        for (let i = 0; i < 3; i++) {
          await this.docker('network', 'disconnect', '-f', etcdNet, this.c(`watcher${n}`));
          await sleep(1_500);
          await this.docker('network', 'connect', etcdNet, this.c(`watcher${n}`));
          await sleep(1_500);
        }
        return { kind, node: n, leavesService: true, restore: async () => {} };
      }
    }
  }
}

// The node IPAM controller (pkg/controller/nodeipam, range allocator): every node gets spec.podCIDR(s),
// a /24 of the cluster CIDR no other node holds, which the kubelet turns into its CNI configuration.
// One worker, so two nodes never race for the same subnet; what other nodes hold is re-read from the
// cache on every sync, and our own allocations are remembered until the cache shows them.
import { EventRecorder, isNotFound, objectKey, refs, ResourceClient, requeueOnConflict, runWorkers, WorkQueue, type Informer } from '../../client/index.js';
import type { KubeObject } from '../../api/index.js';
import type { Controller, ControllerContext } from '../index.js';
import { CidrSet, parseCidr } from './cidr.js';

/** k3s' default pod network (DESIGN.md). */
export const DEFAULT_CLUSTER_CIDR = '10.42.0.0/16';

interface Node extends KubeObject {
  spec?: { podCIDR?: string; podCIDRs?: string[] };
}

export class NodeIpamController implements Controller {
  readonly name = 'nodeipam';
  private readonly queue = new WorkQueue<string>();
  private readonly nodes: Informer<Node>;
  private readonly client: ResourceClient<Node>;
  private readonly recorder: EventRecorder;
  private readonly clusterCidr: string;
  /** node name → the subnet we patched onto it (kept until the node is gone). */
  private readonly allocated = new Map<string, string>();
  private workers?: Promise<void>;

  constructor(ctx: ControllerContext) {
    this.clusterCidr = ctx.clusterCIDR ?? DEFAULT_CLUSTER_CIDR;
    parseCidr(this.clusterCidr);
    this.client = new ResourceClient<Node>(ctx.rest, refs.nodes);
    this.recorder = new EventRecorder(ctx.rest, { component: 'cidrAllocator' });
    this.nodes = ctx.informers.informer<Node>(refs.nodes);
    const enqueue = (n: Node): void => this.queue.add(objectKey(n));
    this.nodes.addEventHandler({ add: enqueue, update: (_o, n) => enqueue(n), delete: enqueue });
  }

  run(): void {
    this.workers = runWorkers(this.queue, 1, requeueOnConflict(this.queue, (key) => this.sync(key), this.name), this.name);
  }

  async stop(): Promise<void> {
    this.queue.shutdown();
    await this.workers;
    await this.recorder.flush();
  }

  async sync(name: string): Promise<void> {
    const node = this.nodes.lister.get(name);
    if (!node) {
      this.allocated.delete(name);
      return;
    }
    if (node.spec?.podCIDR) {
      this.allocated.delete(name);
      return;
    }
    const set = new CidrSet(parseCidr(this.clusterCidr));
    for (const n of this.nodes.lister.list()) for (const c of n.spec?.podCIDRs ?? (n.spec?.podCIDR ? [n.spec.podCIDR] : [])) set.occupy(c);
    for (const [other, c] of this.allocated) if (other !== name) set.occupy(c);
    const previous = this.allocated.get(name);
    const cidr = previous && set.occupy(previous) ? previous : set.allocate();
    if (!cidr) {
      this.recorder.event(node, 'Normal', 'CIDRNotAvailable', `Node ${name} status is now: CIDRNotAvailable`);
      throw new Error(`no pod CIDR left in ${this.clusterCidr} for node ${name}`);
    }
    this.allocated.set(name, cidr);
    try {
      await this.client.patch(name, { spec: { podCIDR: cidr, podCIDRs: [cidr] } }, 'merge');
    } catch (err) {
      this.allocated.delete(name);
      if (isNotFound(err)) return;
      throw err;
    }
  }
}

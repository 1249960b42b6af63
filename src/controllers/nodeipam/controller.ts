// The node IPAM controller (pkg/controller/nodeipam, range allocator): every node gets spec.podCIDR(s),
// a /24 of the cluster CIDR no other node holds, which the kubelet turns into its CNI configuration.
// One worker, so two nodes never race for the same subnet; what other nodes hold is re-read from the
// cache on every sync, and our own allocations are remembered until the cache shows them.
import {
  isNotFound,
  objectKey,
  QueueController,
  refs,
  ResourceClient,
  type EventRecorder,
  type Informer,
  type Node,
} from '../../client/index.js';
import type { Controller, ControllerContext } from '../index.js';
import { CidrSet, parseCidr } from './cidr.js';

/** k3s' default pod network (DESIGN.md). */
export const DEFAULT_CLUSTER_CIDR = '10.42.0.0/16';

export class NodeIpamController extends QueueController implements Controller {
  private readonly nodes: Informer<Node>;
  private readonly client: ResourceClient<Node>;
  private readonly recorder: EventRecorder;
  private readonly clusterCidr: string;
  /** node name → the subnet we patched onto it (kept until the node is gone). */
  private readonly allocated = new Map<string, string>();

  constructor(ctx: ControllerContext) {
    super('nodeipam');
    this.clusterCidr = ctx.clusterCIDR ?? DEFAULT_CLUSTER_CIDR;
    parseCidr(this.clusterCidr);
    this.client = new ResourceClient<Node>(ctx.rest, refs.nodes);
    this.recorder = this.eventRecorder(ctx.rest, 'cidrAllocator');
    this.nodes = ctx.informers.informer<Node>(refs.nodes);
    this.enqueueOn(this.nodes, objectKey);
  }

  /** One worker whatever the count, so two nodes never race for one subnet. */
  override run(): void {
    super.run(1);
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

// The service load balancer (k3s's ServiceLB, without its per-service DaemonSet: skiff's service proxy
// already answers on every node address): a LoadBalancer Service gets the eligible nodes' addresses in
// status.loadBalancer.ingress, so `kubectl get svc` shows them as EXTERNAL-IP; a Service that is no
// longer of type LoadBalancer has its stale load balancer status removed. Services are keys; a node change requeues
// every LoadBalancer Service, since each one publishes every node.
import { deepEqual, type KubeObject } from '../../api/index.js';
import {
  isNotFound,
  objectKey,
  QueueController,
  refs,
  ResourceClient,
  splitKey,
  type EventRecorder,
  type Informer,
} from '../../client/index.js';
import { SERVICES } from '../endpoints/index.js';
import type { Controller, ControllerContext } from '../index.js';
import { loadBalancerIngress, servedByUs, type LBNode, type LBService } from './addresses.js';

type Service = KubeObject & LBService;
type Node = KubeObject & LBNode;

export class ServiceLBController extends QueueController implements Controller {
  private readonly services: Informer<Service>;
  private readonly nodes: Informer<Node>;
  private readonly client: ResourceClient<Service>;
  private readonly recorder: EventRecorder;

  constructor(ctx: ControllerContext) {
    super('servicelb');
    this.client = new ResourceClient<Service>(ctx.rest, SERVICES);
    this.recorder = this.eventRecorder(ctx.rest, 'service-lb-controller');
    this.services = ctx.informers.informer<Service>(SERVICES);
    this.nodes = ctx.informers.informer<Node>(refs.nodes);
    this.enqueueOn(this.services, objectKey);
    const everyService = (): void => this.enqueueAll(this.services, (svc) => (servedByUs(svc) ? objectKey(svc) : undefined));
    this.nodes.addEventHandler({ add: everyService, update: (o, n) => (deepEqual(nodeFacts(o), nodeFacts(n)) ? undefined : everyService()), delete: everyService });
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const svc = this.services.lister.get(name, namespace);
    if (!svc) return;
    const ours = servedByUs(svc);
    // Another implementation (loadBalancerClass) owns its status; any other type has no load balancer.
    if (!ours && svc.spec?.type === 'LoadBalancer') return;
    const current = svc.status?.loadBalancer?.ingress ?? [];
    const wanted = ours ? loadBalancerIngress(svc, this.nodes.lister.list()) : [];
    if (deepEqual(current, wanted)) return;
    try {
      await this.client.patch(name, { status: { loadBalancer: { ingress: wanted.length ? wanted : null } } }, 'merge', { namespace, subresource: 'status' });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    if (!ours) return;
    const involved = { ...svc, apiVersion: 'v1', kind: 'Service' };
    if (wanted.length) this.recorder.event(involved, 'Normal', 'UpdatedLoadBalancer', `Updated LoadBalancer with new IPs: [${current.map((i) => i.ip ?? i.hostname).join(' ')}] -> [${wanted.map((i) => i.ip).join(' ')}]`);
    else this.recorder.event(involved, 'Warning', 'UnAvailableLoadBalancer', 'There are no available nodes for LoadBalancer');
  }
}

/** What of a node decides the published addresses (heartbeats change nothing else that matters). */
function nodeFacts(node: Node): unknown {
  return { labels: node.metadata.labels, addresses: node.status?.addresses, ready: node.status?.conditions?.find((c) => c.type === 'Ready')?.status };
}

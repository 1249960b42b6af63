// The node lifecycle controller (pkg/controller/nodelifecycle with its NoExecute taint eviction): every
// monitor period it looks at each node. A node whose Lease and Ready heartbeat have not changed for the
// grace period (--node-monitor-grace-period, 40 s) gets its kubelet conditions set to Unknown; nodes
// carry the not-ready/unreachable taints their Ready condition calls for (and the unschedulable taint
// when cordoned); pods of an Unknown node are marked not ready; pods on a NoExecute-tainted node are
// deleted when their tolerations run out.
// Heartbeats are judged by when *we* saw them change, as kube does, so clock skew does not matter.
import type { KubeObject } from '../../api/index.js';
import { EventRecorder, isConflict, isNotFound, isPodReady, logError, refs, ResourceClient, rfc3339, type Informer, type Node, type Pod, type Taint } from '../../client/index.js';
import type { Controller, ControllerContext } from '../index.js';
import { desiredTaints, evictionTime, unknownConditions } from './health.js';

export const DEFAULT_GRACE_PERIOD_SECONDS = 40;
export const DEFAULT_MONITOR_PERIOD_SECONDS = 5;
const LEASE_NAMESPACE = 'kube-node-lease';

interface Lease extends KubeObject {
  spec?: { renewTime?: string };
}

/** What we last saw of a node's heartbeats, and when (our clock). */
interface Probe {
  heartbeat?: string;
  renew?: string;
  seenAt: number;
}

export class NodeLifecycleController implements Controller {
  readonly name = 'nodelifecycle';
  private readonly nodes: Informer<Node>;
  private readonly leases: Informer<Lease>;
  private readonly pods: Informer<Pod>;
  private readonly nodeClient: ResourceClient<Node>;
  private readonly podClient: ResourceClient<Pod>;
  private readonly recorder: EventRecorder;
  private readonly probes = new Map<string, Probe>();
  private readonly graceMs: number;
  private readonly periodMs: number;
  private timer?: NodeJS.Timeout;
  private pass?: Promise<void>;

  constructor(private readonly ctx: ControllerContext) {
    this.graceMs = (ctx.nodeLifecycle?.gracePeriodSeconds ?? DEFAULT_GRACE_PERIOD_SECONDS) * 1000;
    this.periodMs = (ctx.nodeLifecycle?.monitorPeriodSeconds ?? DEFAULT_MONITOR_PERIOD_SECONDS) * 1000;
    this.nodes = ctx.informers.informer<Node>(refs.nodes);
    this.leases = ctx.informers.informer<Lease>(refs.leases, { namespace: LEASE_NAMESPACE });
    this.pods = ctx.informers.informer<Pod>(refs.pods);
    this.nodeClient = new ResourceClient<Node>(ctx.rest, refs.nodes);
    this.podClient = new ResourceClient<Pod>(ctx.rest, refs.pods);
    this.recorder = new EventRecorder(ctx.rest, { component: 'node-controller' });
  }

  run(): void {
    this.timer = setInterval(() => {
      if (!this.pass) this.pass = this.monitor().finally(() => (this.pass = undefined));
    }, this.periodMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.pass;
    await this.recorder.flush();
  }

  /** One monitor pass over every node; a failure on one node does not stop the others. */
  async monitor(): Promise<void> {
    const podsByNode = new Map<string, Pod[]>();
    for (const pod of this.pods.lister.list()) {
      const node = pod.spec.nodeName;
      if (node) podsByNode.set(node, [...(podsByNode.get(node) ?? []), pod]);
    }
    const names = new Set<string>();
    for (const node of this.nodes.lister.list()) {
      names.add(node.metadata.name!);
      try {
        const current = await this.checkHealth(node);
        const tainted = await this.syncTaints(current);
        const pods = podsByNode.get(node.metadata.name!) ?? [];
        await this.markPodsNotReady(tainted, pods);
        await this.evict(tainted, pods);
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) logError(this.name, `node ${node.metadata.name}`, err);
      }
    }
    for (const name of this.probes.keys()) if (!names.has(name)) this.probes.delete(name);
  }

  private async checkHealth(node: Node): Promise<Node> {
    const name = node.metadata.name!;
    const now = Date.now();
    const heartbeat = node.status?.conditions?.find((c) => c.type === 'Ready')?.lastHeartbeatTime;
    const renew = this.leases.lister.get(name, LEASE_NAMESPACE)?.spec?.renewTime;
    let probe = this.probes.get(name);
    if (!probe || probe.heartbeat !== heartbeat || probe.renew !== renew) this.probes.set(name, (probe = { heartbeat, renew, seenAt: now }));
    if (now - probe.seenAt <= this.graceMs) return node;
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
    if (ready?.status === 'Unknown') return node;
    const conditions = unknownConditions(node.status?.conditions, rfc3339(this.ctx.now()));
    const updated = await this.nodeClient.updateStatus({ ...node, status: { ...node.status, conditions } });
    this.recorder.event(updated, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
    return updated;
  }

  private async syncTaints(node: Node): Promise<Node> {
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status;
    const taints = desiredTaints(node.spec?.taints, ready, node.spec?.unschedulable === true, rfc3339(this.ctx.now()));
    const same = (a: Taint[] | undefined, b: Taint[]): boolean => JSON.stringify((a ?? []).map((t) => [t.key, t.effect])) === JSON.stringify(b.map((t) => [t.key, t.effect]));
    if (same(node.spec?.taints, taints)) return node;
    return this.nodeClient.update({ ...node, spec: { ...node.spec, taints: taints.length ? taints : undefined } });
  }

  /** MarkPodsNotReady: pods of a node whose kubelet is silent cannot be ready, so endpoints drop them now. */
  private async markPodsNotReady(node: Node, pods: Pod[]): Promise<void> {
    if (node.status?.conditions?.find((c) => c.type === 'Ready')?.status !== 'Unknown') return;
    const now = rfc3339(this.ctx.now());
    for (const pod of pods) {
      if (!isPodReady(pod) || pod.metadata.deletionTimestamp) continue;
      const patch = { status: { conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: now }] } };
      await this.podClient.patch(pod.metadata.name!, patch, 'strategic', { namespace: pod.metadata.namespace, subresource: 'status' }).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
    }
  }

  private async evict(node: Node, pods: Pod[]): Promise<void> {
    if (!(node.spec?.taints ?? []).some((t) => t.effect === 'NoExecute')) return;
    const now = this.ctx.now().getTime();
    for (const pod of pods) {
      if (pod.metadata.deletionTimestamp) continue;
      const at = evictionTime(node.spec?.taints, pod.spec.tolerations, now);
      if (at === undefined || at > now) continue;
      this.recorder.event(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${pod.metadata.namespace}/${pod.metadata.name}`);
      await this.podClient.delete(pod.metadata.name!, { namespace: pod.metadata.namespace, preconditions: { uid: pod.metadata.uid } }).catch((err: unknown) => {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      });
    }
  }
}

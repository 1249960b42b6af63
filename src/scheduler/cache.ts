// The scheduler's view of the cluster: NodeInfo per node with the pods bound (or assumed) there.
// A pod is "assumed" from the moment the scheduler picks its node until the API server's watch
// reports it bound, so the next pods see its resources as taken without waiting for the round trip.
import type { Snapshot } from './framework.js';
import { buildAntiAffinityIndex, indexAntiAffinity, NodeInfo, PodInfo, type AntiAffinityIndex } from './node-info.js';
import { imagesOf } from './plugins/image-locality/index.js';
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod, StorageClass } from './types.js';

export interface CacheLookups {
  namespaceLabels(namespace: string): Record<string, string> | undefined;
  pvc(namespace: string, name: string): PersistentVolumeClaim | undefined;
  pv(name: string): PersistentVolume | undefined;
  pvs(): PersistentVolume[];
  storageClass(name: string): StorageClass | undefined;
}

const NO_LOOKUPS: CacheLookups = { namespaceLabels: () => undefined, pvc: () => undefined, pv: () => undefined, pvs: () => [], storageClass: () => undefined };

export class SchedulerCache implements Snapshot {
  private readonly nodeMap = new Map<string, NodeInfo>();
  private nodeList: NodeInfo[] | undefined = [];
  /** pod key → node name, for every pod in the cache. */
  private readonly podNode = new Map<string, string>();
  private readonly assumed = new Set<string>();
  /** Pods bound to nodes the cache has not seen yet (the node's watch event comes later). */
  private readonly orphans = new Map<string, Map<string, PodInfo>>();
  private readonly imageNodes = new Map<string, number>();
  private readonly antiAffinity: AntiAffinityIndex = new Map();

  constructor(private readonly lookups: CacheLookups = NO_LOOKUPS) {}

  get nodes(): readonly NodeInfo[] {
    this.nodeList ??= [...this.nodeMap.values()];
    return this.nodeList;
  }

  get(name: string): NodeInfo | undefined {
    return this.nodeMap.get(name);
  }

  imageNodeCount(image: string): number {
    return this.imageNodes.get(image) ?? 0;
  }

  namespaceLabels(namespace: string): Record<string, string> | undefined {
    return this.lookups.namespaceLabels(namespace);
  }

  pvc(namespace: string, name: string): PersistentVolumeClaim | undefined {
    return this.lookups.pvc(namespace, name);
  }

  pv(name: string): PersistentVolume | undefined {
    return this.lookups.pv(name);
  }

  pvs(): PersistentVolume[] {
    return this.lookups.pvs();
  }

  storageClass(name: string): StorageClass | undefined {
    return this.lookups.storageClass(name);
  }

  antiAffinityIndex(): AntiAffinityIndex {
    return this.antiAffinity;
  }

  setNode(node: Node): void {
    const name = String(node.metadata.name);
    let info = this.nodeMap.get(name);
    if (info) {
      this.countImages(info.node, -1);
      // Topology values come from node labels: re-index the node's pods under the new ones.
      for (const pi of info.pods.values()) indexAntiAffinity(this.antiAffinity, info, pi, -1);
      info.setNode(node);
      for (const pi of info.pods.values()) indexAntiAffinity(this.antiAffinity, info, pi, 1);
    } else {
      info = new NodeInfo(node);
      this.nodeMap.set(name, info);
      this.nodeList = undefined;
      const waiting = this.orphans.get(name);
      if (waiting) {
        for (const pi of waiting.values()) this.addTo(name, pi);
        this.orphans.delete(name);
      }
    }
    this.countImages(node, 1);
  }

  removeNode(name: string): void {
    const info = this.nodeMap.get(name);
    if (!info) return;
    this.countImages(info.node, -1);
    for (const pi of info.pods.values()) indexAntiAffinity(this.antiAffinity, info, pi, -1);
    this.nodeMap.delete(name);
    this.nodeList = undefined;
    // Pods still bound there stay accounted for, in case the node comes back.
    if (info.pods.size) this.orphans.set(name, new Map(info.pods));
  }

  /** A pod the API server reports bound (confirms it if it was assumed on the same node). */
  setPod(pod: Pod): void {
    const pi = new PodInfo(pod);
    const nodeName = String(pod.spec.nodeName);
    const previous = this.podNode.get(pi.key);
    if (previous !== undefined && previous !== nodeName) this.removeFrom(previous, pi.key);
    this.assumed.delete(pi.key);
    this.podNode.set(pi.key, nodeName);
    this.addTo(nodeName, pi);
  }

  removePod(pod: Pod): void {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const nodeName = this.podNode.get(key);
    if (nodeName === undefined) return;
    this.removeFrom(nodeName, key);
    this.podNode.delete(key);
    this.assumed.delete(key);
  }

  assume(pi: PodInfo, nodeName: string): void {
    const pod: Pod = { ...pi.pod, spec: { ...pi.pod.spec, nodeName } };
    const assumed = new PodInfo(pod);
    this.podNode.set(pi.key, nodeName);
    this.assumed.add(pi.key);
    this.addTo(nodeName, assumed);
  }

  /** Undoes assume() after a failed bind. */
  forget(key: string): void {
    if (!this.assumed.has(key)) return;
    const nodeName = this.podNode.get(key);
    if (nodeName !== undefined) this.removeFrom(nodeName, key);
    this.podNode.delete(key);
    this.assumed.delete(key);
  }

  isAssumed(key: string): boolean {
    return this.assumed.has(key);
  }

  podCount(): number {
    return this.podNode.size;
  }

  private addTo(nodeName: string, pi: PodInfo): void {
    const info = this.nodeMap.get(nodeName);
    if (info) {
      const old = info.pods.get(pi.key);
      if (old) indexAntiAffinity(this.antiAffinity, info, old, -1);
      info.addPod(pi);
      indexAntiAffinity(this.antiAffinity, info, pi, 1);
      return;
    }
    let waiting = this.orphans.get(nodeName);
    if (!waiting) this.orphans.set(nodeName, (waiting = new Map()));
    waiting.set(pi.key, pi);
  }

  private removeFrom(nodeName: string, key: string): void {
    const info = this.nodeMap.get(nodeName);
    const removed = info?.removePod(key);
    if (info && removed) indexAntiAffinity(this.antiAffinity, info, removed, -1);
    if (!info) this.orphans.get(nodeName)?.delete(key);
  }

  private countImages(node: Node, sign: 1 | -1): void {
    for (const name of imagesOf(node).keys()) {
      const n = (this.imageNodes.get(name) ?? 0) + sign;
      if (n > 0) this.imageNodes.set(name, n);
      else this.imageNodes.delete(name);
    }
  }
}

/** The snapshot with one node replaced by a modified copy (preemption's and nominated pods' what-if). */
export class OverlaySnapshot implements Snapshot {
  readonly nodes: readonly NodeInfo[];
  constructor(
    private readonly base: Snapshot,
    private readonly replaced: NodeInfo,
  ) {
    this.nodes = base.nodes.map((n) => (n.name === replaced.name ? replaced : n));
  }
  get(name: string): NodeInfo | undefined {
    return name === this.replaced.name ? this.replaced : this.base.get(name);
  }
  imageNodeCount(image: string): number {
    return this.base.imageNodeCount(image);
  }
  namespaceLabels(namespace: string): Record<string, string> | undefined {
    return this.base.namespaceLabels(namespace);
  }
  pvc(namespace: string, name: string): PersistentVolumeClaim | undefined {
    return this.base.pvc(namespace, name);
  }
  pv(name: string): PersistentVolume | undefined {
    return this.base.pv(name);
  }
  pvs(): PersistentVolume[] {
    return this.base.pvs();
  }
  storageClass(name: string): StorageClass | undefined {
    return this.base.storageClass(name);
  }
  /** Built from scratch on each call: the replaced node is a copy its user keeps changing (preemption's what-ifs). */
  antiAffinityIndex(): AntiAffinityIndex {
    return buildAntiAffinityIndex(this.nodes);
  }
}

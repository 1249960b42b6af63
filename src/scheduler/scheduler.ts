// The scheduler: informers feed the queue (pending pods) and the cache (nodes, bound pods); one loop
// pops a pod, runs its profile's PreFilter/Filter over the nodes (up to percentageOfNodesToScore of
// them, round-robin), scores the feasible ones, assumes the pod on the best node and binds it in the
// background; a pod no node fits runs PostFilter (preemption), gets a FailedScheduling event and the
// PodScheduled=False condition in kube-scheduler's words, and waits in the queue.
import { lookupResource, selectorFromLabelSelector, selectorFromSet, Selector, type KubeObject, type LabelSelector, type Requirement, type ResourceInfo } from '../api/index.js';
import { EventRecorder, InformerFactory, ResourceClient, logError, refs, isNotFound, rfc3339, type Informer, type RestClient } from '../client/index.js';
import { SchedulerCache } from './cache.js';
import { buildFramework, DEFAULT_SCHEDULER_NAME, type SchedulerConfiguration } from './config.js';
import { schedulePod } from './algorithm.js';
import { Code, fitErrorMessage, unresolvable, type Framework, type Handle, type CycleState } from './framework.js';
import { PodInfo } from './node-info.js';
import { SchedulingQueue, type QueuedPod } from './queue.js';
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod, PodCondition, StorageClass } from './types.js';

export interface SchedulerOptions {
  rest: RestClient;
  config: SchedulerConfiguration;
  /** Share informers with other components in the same process (else the scheduler makes its own). */
  informers?: InformerFactory;
}

export interface SchedulerStats {
  scheduled: number;
  attempts: number;
  unschedulable: number;
  bindFailures: number;
}

function podKey(pod: KubeObject): string {
  return `${pod.metadata.namespace}/${pod.metadata.name}`;
}

function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** Did something the scheduler decides on change (not just status or resourceVersion)? */
function schedulingRelevantChange(a: Pod, b: Pod): boolean {
  return (
    JSON.stringify(a.spec) !== JSON.stringify(b.spec) ||
    JSON.stringify(a.metadata.labels ?? {}) !== JSON.stringify(b.metadata.labels ?? {}) ||
    a.metadata.deletionTimestamp !== b.metadata.deletionTimestamp
  );
}

function nodeRelevantChange(a: Node, b: Node): boolean {
  const view = (n: Node): string => JSON.stringify([n.metadata.labels, n.spec?.taints, n.spec?.unschedulable, n.status?.allocatable, n.status?.images?.length]);
  return view(a) !== view(b);
}

type Lookup = ResourceInfo & { kind: string };
function ref(group: string, version: string, resource: string): Lookup {
  const info = lookupResource(group, version, resource);
  if (!info) throw new Error(`resource ${group}/${version}/${resource} is not in the registry`);
  return info;
}

export class Scheduler {
  readonly cache: SchedulerCache;
  readonly queue = new SchedulingQueue();
  /** One per profile: events name the profile's schedulerName as their source, as kube-scheduler's do. */
  private readonly recorders = new Map<string, EventRecorder>();
  private readonly frameworks = new Map<string, Framework>();
  private readonly pods: ResourceClient<Pod>;
  private readonly factory: InformerFactory;
  private readonly ownsFactory: boolean;
  private podInformer!: Informer<Pod>;
  private readonly listers: Record<'services' | 'replicaSets' | 'statefulSets' | 'replicationControllers' | 'namespaces' | 'pvcs' | 'pvs' | 'storageClasses', Informer>;
  /** node name → pods nominated there by preemption. */
  private readonly nominated = new Map<string, Map<string, PodInfo>>();
  private readonly nominatedNode = new Map<string, string>();
  private nextStartNodeIndex = 0;
  private stopped = false;
  private loopDone?: Promise<void>;
  private readonly percentageOfNodesToScore: number;
  readonly stats: SchedulerStats = { scheduled: 0, attempts: 0, unschedulable: 0, bindFailures: 0 };

  constructor(options: SchedulerOptions) {
    const rest = options.rest;
    this.ownsFactory = !options.informers;
    this.factory = options.informers ?? new InformerFactory(rest);
    this.pods = new ResourceClient<Pod>(rest, refs.pods);
    this.percentageOfNodesToScore = options.config.percentageOfNodesToScore ?? 0;
    this.listers = {
      services: this.factory.informer(ref('', 'v1', 'services')),
      replicaSets: this.factory.informer(ref('apps', 'v1', 'replicasets')),
      statefulSets: this.factory.informer(ref('apps', 'v1', 'statefulsets')),
      replicationControllers: this.factory.informer(ref('', 'v1', 'replicationcontrollers')),
      namespaces: this.factory.informer(refs.namespaces),
      pvcs: this.factory.informer(refs.persistentVolumeClaims),
      pvs: this.factory.informer(refs.persistentVolumes),
      storageClasses: this.factory.informer(refs.storageClasses),
    };
    this.cache = new SchedulerCache({
      namespaceLabels: (ns) => this.listers.namespaces.lister.get(ns)?.metadata.labels,
      pvc: (ns, name) => this.listers.pvcs.lister.get(name, ns) as PersistentVolumeClaim | undefined,
      pv: (name) => this.listers.pvs.lister.get(name) as PersistentVolume | undefined,
      pvs: () => this.listers.pvs.lister.list() as PersistentVolume[],
      storageClass: (name) => this.listers.storageClasses.lister.get(name) as StorageClass | undefined,
    });
    for (const profile of options.config.profiles ?? [{}]) {
      const schedulerName = profile.schedulerName ?? DEFAULT_SCHEDULER_NAME;
      let fw: Framework | undefined;
      const recorder = new EventRecorder(rest, { component: schedulerName });
      this.recorders.set(schedulerName, recorder);
      const handle: Handle = {
        rest,
        recorder,
        schedulerName,
        framework: () => fw!,
        namespaceLabels: (ns) => this.cache.namespaceLabels(ns),
        defaultSpreadSelector: (pod) => this.defaultSpreadSelector(pod),
      };
      fw = buildFramework(profile, handle);
      this.frameworks.set(schedulerName, fw);
    }
  }

  /** Wires the informers, waits for their first lists, then starts scheduling. */
  async start(): Promise<void> {
    const nodes = this.factory.informer<Node>(refs.nodes);
    nodes.addEventHandler({
      add: (n) => {
        this.cache.setNode(n);
        this.queue.onEvent('NodeAdd');
      },
      update: (o, n) => {
        this.cache.setNode(n);
        if (nodeRelevantChange(o, n)) this.queue.onEvent('NodeUpdate');
      },
      delete: (n) => this.cache.removeNode(String(n.metadata.name)),
    });
    this.podInformer = this.factory.informer<Pod>(refs.pods);
    this.podInformer.addEventHandler({
      add: (p) => this.onPod(undefined, p),
      update: (o, p) => this.onPod(o, p),
      delete: (p) => this.onPodDelete(p),
    });
    this.listers.pvcs.addEventHandler({ add: () => this.queue.onEvent('PvcChange'), update: () => this.queue.onEvent('PvcChange') });
    this.listers.pvs.addEventHandler({ add: () => this.queue.onEvent('PvChange'), update: () => this.queue.onEvent('PvChange') });
    this.listers.storageClasses.addEventHandler({ add: () => this.queue.onEvent('StorageClassChange'), update: () => this.queue.onEvent('StorageClassChange') });
    this.listers.namespaces.addEventHandler({ update: () => this.queue.onEvent('NamespaceChange') });
    this.factory.start();
    await this.factory.waitForSync();
    this.loopDone = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.close();
    await this.loopDone;
    if (this.ownsFactory) this.factory.stop();
    await Promise.all([...this.recorders.values()].map((r) => r.flush()));
  }

  private recorderFor(pod: Pod): EventRecorder {
    return this.recorders.get(pod.spec.schedulerName || DEFAULT_SCHEDULER_NAME) ?? this.recorders.values().next().value!;
  }

  private responsible(pod: Pod): Framework | undefined {
    return this.frameworks.get(pod.spec.schedulerName || DEFAULT_SCHEDULER_NAME);
  }

  private onPod(old: Pod | undefined, pod: Pod): void {
    const key = podKey(pod);
    if (pod.spec.nodeName) {
      this.setNominated(key, undefined);
      if (isTerminal(pod)) {
        this.cache.removePod(pod);
        this.queue.onEvent('AssignedPodDelete');
        return;
      }
      const wasAssigned = !!old?.spec.nodeName;
      // A pod we are binding stays in flight until its bind call returns.
      if (!this.queue.inFlightPod(key)) this.queue.delete(key);
      this.cache.setPod(pod);
      if (!wasAssigned) this.queue.onEvent('AssignedPodAdd');
      else if (JSON.stringify(old?.metadata.labels) !== JSON.stringify(pod.metadata.labels)) this.queue.onEvent('AssignedPodUpdate');
      return;
    }
    if (!this.responsible(pod) || pod.metadata.deletionTimestamp || pod.spec.schedulingGates?.length) {
      this.queue.delete(key);
      this.setNominated(key, undefined);
      return;
    }
    const info = new PodInfo(pod);
    this.setNominated(key, pod.status?.nominatedNodeName ? info : undefined, pod.status?.nominatedNodeName);
    if (old && !schedulingRelevantChange(old, pod) && this.queue.has(key)) {
      // Only status moved (often our own condition write): keep the newer object, do not retry early.
      const inFlight = this.queue.inFlightPod(key);
      if (inFlight) inFlight.info = info;
      return;
    }
    this.queue.add(info);
  }

  private onPodDelete(pod: Pod): void {
    const key = podKey(pod);
    this.setNominated(key, undefined);
    if (pod.spec.nodeName) {
      this.cache.removePod(pod);
      this.queue.onEvent('AssignedPodDelete');
    } else this.queue.delete(key);
  }

  private setNominated(key: string, info: PodInfo | undefined, nodeName?: string): void {
    const previous = this.nominatedNode.get(key);
    if (previous !== undefined) {
      this.nominated.get(previous)?.delete(key);
      this.nominatedNode.delete(key);
    }
    if (info && nodeName) {
      let m = this.nominated.get(nodeName);
      if (!m) this.nominated.set(nodeName, (m = new Map()));
      m.set(key, info);
      this.nominatedNode.set(key, nodeName);
    }
  }

  private async loop(): Promise<void> {
    let n = 0;
    while (!this.stopped) {
      const q = await this.queue.pop();
      if (!q) return;
      try {
        await this.scheduleOne(q);
      } catch (err) {
        logError('scheduler', `scheduling ${q.info.key} failed`, err);
        this.queue.addBackoff(q);
      }
      // A cycle never yields; let informer events and bind responses in every few pods.
      if (++n % 16 === 0 || this.queue.sizes().active === 0) await new Promise((r) => setImmediate(r));
    }
  }

  private async scheduleOne(q: QueuedPod): Promise<void> {
    const key = q.info.key;
    const current = this.podInformer.lister.get(String(q.info.pod.metadata.name), q.info.pod.metadata.namespace);
    if (!current || current.spec.nodeName || current.metadata.deletionTimestamp || current.metadata.uid !== q.info.pod.metadata.uid) {
      this.queue.done(key);
      return;
    }
    const fw = this.responsible(current);
    if (!fw) {
      this.queue.done(key);
      return;
    }
    this.stats.attempts++;
    const pi = q.info;
    const snapshot = this.cache;
    const allNodes = snapshot.nodes;
    if (allNodes.length === 0) {
      await this.handleFailure(q, 'no nodes available to schedule pods', new Set());
      return;
    }
    const result = schedulePod(fw, snapshot, pi, {
      startIndex: this.nextStartNodeIndex,
      percentageOfNodesToScore: this.percentageOfNodesToScore,
      nominatedPods: (node) => {
        const m = this.nominated.get(node);
        return m?.size ? [...m.values()] : undefined;
      },
    });
    this.nextStartNodeIndex = (this.nextStartNodeIndex + result.processed) % allNodes.length;
    const { state, statuses } = result;
    if (result.preFilterStatus && !result.preFilterStatus.isUnschedulable()) {
      throw new Error(`running PreFilter plugin "${result.preFilterStatus.plugin}": ${result.preFilterStatus.message}`);
    }
    const host = result.host;
    if (!host) {
      const rejectedBy = new Set([...statuses.values()].map((s) => s.plugin));
      let postFilterMsg = '';
      let nominatedNodeName: string | undefined;
      const post = await fw.runPostFilter(state, pi, snapshot, statuses);
      if (post) {
        if (post.status.code !== Code.Success) postFilterMsg = post.status.message;
        else rejectedBy.add('DefaultPreemption');
        nominatedNodeName = post.nominatedNodeName;
      }
      this.stats.unschedulable++;
      const absent = result.nodeNames ? unresolvable(`node(s) didn't satisfy plugin(s) [${[...rejectedBy].join(', ')}]`) : undefined;
      const message = fitErrorMessage(allNodes.length, result.preFilterStatus?.message ?? '', statuses, postFilterMsg, absent);
      await this.handleFailure(q, message, rejectedBy, nominatedNodeName);
      return;
    }
    this.cache.assume(pi, host);
    const reserve = fw.runReserve(state, pi, host);
    if (reserve) {
      this.cache.forget(key);
      await this.handleFailure(q, reserve.message, new Set([reserve.plugin]));
      return;
    }
    void this.bind(fw, state, q, current, host);
  }

  private async bind(fw: Framework, state: CycleState, q: QueuedPod, pod: Pod, host: string): Promise<void> {
    const key = q.info.key;
    const preBind = await fw.runPreBind(state, pod, host);
    const status = preBind ?? (await fw.runBind(state, pod, host));
    if (!status) {
      this.stats.scheduled++;
      this.queue.done(key);
      this.setNominated(key, undefined);
      this.recorderFor(pod).event(pod, 'Normal', 'Scheduled', `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${host}`);
      return;
    }
    this.stats.bindFailures++;
    this.cache.forget(key);
    fw.runUnreserve(state, q.info, host);
    if (!this.podInformer.lister.get(String(pod.metadata.name), pod.metadata.namespace)) {
      this.queue.done(key);
      return;
    }
    await this.handleFailure(q, preBind ? preBind.message : `Binding rejected: ${status.message}`, new Set(), undefined, true);
  }

  /**
   * Records why the pod is not scheduled (event + PodScheduled condition, nominatedNodeName) and
   * puts it back in the queue: parked as unschedulable, or in backoff after an error.
   */
  private async handleFailure(q: QueuedPod, message: string, rejectedBy: Set<string>, nominatedNodeName?: string, isError = false): Promise<void> {
    const pod = q.info.pod;
    this.recorderFor(pod).event(pod, 'Warning', 'FailedScheduling', message);
    if (isError || rejectedBy.size === 0) this.queue.addBackoff(q);
    else this.queue.addUnschedulable(q, rejectedBy);
    if (nominatedNodeName !== undefined) this.setNominated(q.info.key, nominatedNodeName ? q.info : undefined, nominatedNodeName);
    const latest = this.podInformer.lister.get(String(pod.metadata.name), pod.metadata.namespace) ?? pod;
    const old = latest.status?.conditions?.find((c) => c.type === 'PodScheduled');
    const reason = isError ? 'SchedulerError' : 'Unschedulable';
    const nominatedChanged = nominatedNodeName !== undefined && nominatedNodeName !== (latest.status?.nominatedNodeName ?? '');
    if (old?.status === 'False' && old.reason === reason && old.message === message && !nominatedChanged) return;
    const condition: PodCondition = {
      type: 'PodScheduled',
      status: 'False',
      reason,
      message,
      lastProbeTime: null,
      lastTransitionTime: old?.status === 'False' && old.lastTransitionTime ? old.lastTransitionTime : rfc3339(),
    };
    const status: Record<string, unknown> = { conditions: [condition] };
    if (nominatedChanged) status.nominatedNodeName = nominatedNodeName || null;
    try {
      await this.pods.patch(String(pod.metadata.name), { status }, 'strategic', { namespace: pod.metadata.namespace, subresource: 'status' });
    } catch (err) {
      if (!isNotFound(err)) logError('scheduler', `could not update status of ${q.info.key}`, err);
    }
  }

  /** The selector of the Services, ReplicationControllers, ReplicaSets and StatefulSets that select the pod. */
  private defaultSpreadSelector(pod: Pod): Selector | undefined {
    const ns = pod.metadata.namespace ?? 'default';
    const labels = pod.metadata.labels ?? {};
    const set: Record<string, string> = {};
    for (const informer of [this.listers.services, this.listers.replicationControllers]) {
      for (const obj of informer.lister.listInNamespace(ns)) {
        const sel = (obj as { spec?: { selector?: Record<string, string> } }).spec?.selector;
        if (sel && Object.keys(sel).length && selectorFromSet(sel).matches(labels)) Object.assign(set, sel);
      }
    }
    const requirements: Requirement[] = [...selectorFromSet(set).requirements];
    for (const informer of [this.listers.replicaSets, this.listers.statefulSets]) {
      for (const obj of informer.lister.listInNamespace(ns)) {
        try {
          const sel = selectorFromLabelSelector((obj as { spec?: { selector?: LabelSelector } }).spec?.selector);
          if (!sel.empty() && sel.matches(labels)) requirements.push(...sel.requirements);
        } catch {
          continue;
        }
      }
    }
    return requirements.length ? Selector.of(requirements) : undefined;
  }
}

// The DaemonSet controller (pkg/controller/daemon): one pod per eligible node, placed by the scheduler
// through a node affinity to that node; RollingUpdate replaces out-of-date pods at most maxUnavailable
// at a time, OnDelete only when they are deleted; the template history lives in ControllerRevisions.
import { lookupResource, scaledValueFromIntOrPercent, type ResourceInfo, type Selector } from '../../api/index.js';
import {
  claimObjects,
  controllerRefOf,
  isAlreadyExists,
  isNotFound,
  isPodAvailable,
  isPodReady,
  newControllerRef,
  objectKey,
  podFromTemplate,
  QueueController,
  refs,
  ResourceClient,
  UIDTrackingExpectations,
  workloadSelector,
  type EventRecorder,
  type Informer,
  type Pod,
} from '../../client/index.js';
import type { Node } from '../../client/index.js';
import { computeHash } from '../deployment/index.js';
import type { Controller, ControllerContext } from '../index.js';
import { watchOwnedPods, slowStartBatch, BURST_REPLICAS } from '../replicaset/index.js';
import { nodeShouldRunDaemonPod, podSpecForNode, targetNodeName } from './placement.js';
import { maxRevision, newRevision, REVISION_HASH_LABEL, revisionData, sameData, type ControllerRevision } from './revisions.js';
import type { DaemonSet, DaemonSetStatus } from './types.js';

const COMPONENT = 'daemonset-controller';
const TEMPLATE_GENERATION = 'pod-template-generation';

const created = (p: Pod): number => Date.parse(String(p.metadata.creationTimestamp ?? 0)) || 0;

export class DaemonSetController extends QueueController implements Controller {
  private readonly expectations = new UIDTrackingExpectations();
  private readonly info: ResourceInfo;
  private readonly client: ResourceClient<DaemonSet>;
  private readonly podClient: ResourceClient<Pod>;
  private readonly revClient: ResourceClient<ControllerRevision>;
  private readonly daemonSets: Informer<DaemonSet>;
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  private readonly revisions: Informer<ControllerRevision>;
  private readonly recorder: EventRecorder;
  /** The DaemonSet a queue key names. */
  private readonly ownerOf: (key: string) => DaemonSet | undefined;

  constructor(private readonly ctx: ControllerContext) {
    super('daemonset');
    this.info = lookupResource('apps', 'v1', 'daemonsets')!;
    const revInfo = lookupResource('apps', 'v1', 'controllerrevisions')!;
    this.client = new ResourceClient<DaemonSet>(ctx.rest, this.info);
    this.podClient = new ResourceClient<Pod>(ctx.rest, refs.pods);
    this.revClient = new ResourceClient<ControllerRevision>(ctx.rest, revInfo);
    this.recorder = this.eventRecorder(ctx.rest, COMPONENT);
    this.daemonSets = ctx.informers.informer<DaemonSet>(this.info);
    this.pods = ctx.informers.informer<Pod>(refs.pods);
    this.nodes = ctx.informers.informer<Node>(refs.nodes);
    this.revisions = ctx.informers.informer<ControllerRevision>(revInfo);
    const all = (): void => this.enqueueAll(this.daemonSets, objectKey);
    // A node that appears, changes labels or taints, or goes away may change where every DaemonSet runs.
    this.nodes.addEventHandler({
      add: all,
      update: (old, node) => {
        if (JSON.stringify([old.metadata.labels, old.spec]) !== JSON.stringify([node.metadata.labels, node.spec])) all();
      },
      delete: all,
    });
    this.ownerOf = watchOwnedPods<DaemonSet>({
      kind: 'DaemonSet',
      owners: this.daemonSets,
      pods: this.pods,
      selector: workloadSelector,
      queue: this.queue,
      expectations: this.expectations,
      minReadySeconds: (ds) => ds.spec.minReadySeconds ?? 0,
    });
  }

  async sync(key: string): Promise<void> {
    const ds = this.ownerOf(key);
    if (!ds) return;
    const selector = workloadSelector(ds);
    if (!selector || selector.empty()) {
      this.recorder.event(ds, 'Warning', 'SelectingAll', 'This daemon set is selecting all pods. A non-empty selector is required.');
      return;
    }
    if (ds.metadata.deletionTimestamp) return;
    const { current, old } = await this.history(ds, selector);
    const hash = current.metadata.labels![REVISION_HASH_LABEL];
    const nodes = this.nodes.lister.list();
    const byNode = await this.podsByNode(ds, selector);
    if (this.expectations.satisfied(key)) {
      await this.manage(key, ds, nodes, byNode, hash);
      // Rolling updates wait until what manage() just did has been observed.
      const rolling = (ds.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
      if (rolling && this.expectations.satisfied(key)) await this.rollingUpdate(key, ds, nodes, byNode, hash);
      await this.cleanupHistory(ds, old, byNode);
    }
    await this.updateStatus(key, ds, nodes, byNode, hash);
  }

  /** Claims the DaemonSet's ControllerRevisions and makes sure one holds the current template. */
  private async history(ds: DaemonSet, selector: Selector): Promise<{ current: ControllerRevision; old: ControllerRevision[] }> {
    const revs = await claimObjects(this.revisions.lister.listInNamespace(ds.metadata.namespace ?? ''), { owner: ds, selector, client: this.revClient });
    const data = revisionData(ds.spec.template);
    const matching = revs.filter((r) => sameData(r.data, data)).sort((a, b) => b.revision - a.revision);
    const old = revs.filter((r) => !matching.includes(r));
    const top = maxRevision(old) + 1;
    if (matching.length) {
      const current = matching[0];
      // Rolled back to an earlier template: that revision becomes the newest again.
      if (current.revision < top) {
        const updated = await this.revClient.update({ ...current, revision: top });
        return { current: updated, old: [...old, ...matching.slice(1)] };
      }
      return { current, old: [...old, ...matching.slice(1)] };
    }
    const hash = computeHash(ds.spec.template, ds.status?.collisionCount);
    const rev = newRevision(ds, `${ds.metadata.name}-${hash}`, hash, data, top, ds.spec.template.metadata?.labels ?? {}, newControllerRef(ds));
    try {
      return { current: await this.revClient.create(rev), old };
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const existing = await this.revClient.get(String(rev.metadata.name), ds.metadata.namespace);
      if (controllerRefOf(existing)?.uid === ds.metadata.uid && sameData(existing.data, data)) return { current: existing, old };
      await this.client.updateStatus({ ...ds, status: { ...(ds.status ?? emptyStatus()), collisionCount: (ds.status?.collisionCount ?? 0) + 1 } });
      throw new Error(`found a hash collision for DaemonSet "${ds.metadata.name}" - bumping collisionCount to resolve it`);
    }
  }

  private async podsByNode(ds: DaemonSet, selector: Selector): Promise<Map<string, Pod[]>> {
    const pods = await claimObjects(this.pods.lister.listInNamespace(ds.metadata.namespace ?? ''), {
      owner: ds,
      selector,
      client: this.podClient,
      canAdopt: async () => {
        const fresh = await this.client.get(String(ds.metadata.name), ds.metadata.namespace);
        if (fresh.metadata.uid !== ds.metadata.uid) throw new Error(`original DaemonSet ${objectKey(ds)} is gone`);
      },
    });
    const byNode = new Map<string, Pod[]>();
    for (const pod of pods) {
      const node = targetNodeName(pod);
      if (!node) continue;
      byNode.set(node, [...(byNode.get(node) ?? []), pod]);
    }
    return byNode;
  }

  /** Creates pods on nodes that should have one, deletes them from nodes that should not. */
  private async manage(key: string, ds: DaemonSet, nodes: Node[], byNode: Map<string, Pod[]>, hash: string): Promise<void> {
    const create: string[] = [];
    const remove: Pod[] = [];
    for (const node of nodes) {
      const name = String(node.metadata.name);
      const pods = byNode.get(name) ?? [];
      const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
      if (shouldRun && pods.length === 0) create.push(name);
      else if (shouldContinueRunning) {
        const running: Pod[] = [];
        for (const pod of pods) {
          if (pod.metadata.deletionTimestamp) continue;
          // A failed or finished daemon pod is replaced.
          if (pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded') remove.push(pod);
          else running.push(pod);
        }
        running.sort((a, b) => created(a) - created(b));
        remove.push(...this.excessPods(ds, running, hash));
      } else remove.push(...pods.filter((p) => !p.metadata.deletionTimestamp));
    }
    // Pods for nodes that no longer exist go too.
    const names = new Set(nodes.map((n) => String(n.metadata.name)));
    for (const [node, pods] of byNode) if (!names.has(node)) remove.push(...pods.filter((p) => !p.metadata.deletionTimestamp));
    await this.syncNodes(key, ds, remove, create, hash);
  }

  /**
   * Which of a node's running pods go. Without surge all but the oldest; with surge the oldest old and
   * the oldest new pod may live side by side until the new one is available (or the old one not ready).
   */
  private excessPods(ds: DaemonSet, running: Pod[], hash: string): Pod[] {
    if (maxSurgeOf(ds, 1) === 0) return running.slice(1);
    const extra: Pod[] = [];
    let oldestNew: Pod | undefined;
    let oldestOld: Pod | undefined;
    for (const pod of running) {
      if (isUpdated(pod, ds, hash) && !oldestNew) oldestNew = pod;
      else if (!isUpdated(pod, ds, hash) && !oldestOld) oldestOld = pod;
      else extra.push(pod);
    }
    if (oldestNew && oldestOld && (!isPodReady(oldestOld) || isPodAvailable(oldestNew, ds.spec.minReadySeconds ?? 0, this.ctx.now()))) extra.push(oldestOld);
    return extra;
  }

  private async syncNodes(key: string, ds: DaemonSet, remove: Pod[], create: string[], hash: string): Promise<void> {
    const toCreate = create.slice(0, BURST_REPLICAS);
    const toDelete = remove.slice(0, BURST_REPLICAS);
    this.expectations.expectCreations(key, toCreate.length);
    this.expectations.expectPodDeletions(key, toDelete.map(objectKey));
    const ref = newControllerRef(ds);
    let next = 0;
    const { successes, error } = await slowStartBatch(toCreate.length, async () => {
      const node = toCreate[next++];
      const template = { ...ds.spec.template, spec: podSpecForNode(ds, node) };
      const pod = podFromTemplate(template, String(ds.metadata.namespace), `${ds.metadata.name}-`, ref);
      pod.metadata.labels = { ...pod.metadata.labels, [REVISION_HASH_LABEL]: hash, [TEMPLATE_GENERATION]: String(ds.metadata.generation ?? 1) };
      try {
        const made = await this.podClient.create(pod);
        this.recorder.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${made.metadata.name}`);
      } catch (err) {
        this.recorder.event(ds, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
        throw err;
      }
    });
    for (let i = successes; i < toCreate.length; i++) this.expectations.creationObserved(key);
    const errors: Error[] = error ? [error] : [];
    await Promise.all(
      toDelete.map(async (pod) => {
        try {
          await this.podClient.delete(String(pod.metadata.name), { namespace: pod.metadata.namespace });
          this.recorder.event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
        } catch (err) {
          this.expectations.podDeletionObserved(key, objectKey(pod));
          if (isNotFound(err)) return;
          this.recorder.event(ds, 'Warning', 'FailedDelete', `Error deleting: ${(err as Error).message}`);
          errors.push(err as Error);
        }
      }),
    );
    if (errors.length) throw errors[0];
  }

  /**
   * RollingUpdate: without surge, deletes out-of-date pods (unavailable ones first) while at most
   * maxUnavailable nodes lack an available pod; with maxSurge, starts new pods beside old ones on up to
   * maxSurge nodes and deletes each old pod once its replacement is available.
   */
  private async rollingUpdate(key: string, ds: DaemonSet, nodes: Node[], byNode: Map<string, Pod[]>, hash: string): Promise<void> {
    const now = this.ctx.now();
    const minReady = ds.spec.minReadySeconds ?? 0;
    const eligible = nodes.filter((n) => nodeShouldRunDaemonPod(n, ds).shouldRun).map((n) => String(n.metadata.name));
    const maxSurge = maxSurgeOf(ds, eligible.length);
    let maxUnavailable = scaledValueFromIntOrPercent(ds.spec.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1, eligible.length, true);
    if (maxUnavailable === 0 && maxSurge === 0) maxUnavailable = 1;
    const available = (p: Pod): boolean => isPodAvailable(p, minReady, now);
    let busy = 0;
    const deleteNow: Pod[] = [];
    const candidates: Pod[] = [];
    const surgeNow: string[] = [];
    const surgeCandidates: string[] = [];
    for (const node of eligible) {
      const pods = (byNode.get(node) ?? []).filter((p) => !p.metadata.deletionTimestamp);
      const fresh = pods.filter((p) => isUpdated(p, ds, hash));
      const stale = pods.filter((p) => !isUpdated(p, ds, hash));
      if (fresh.length > 1 || stale.length > 1) {
        // manage() prunes duplicates first; until then the node counts against the budget.
        busy++;
        continue;
      }
      const [newPod] = fresh;
      const [oldPod] = stale;
      if (maxSurge === 0) {
        if (!newPod === !oldPod) busy++;
        else if (newPod) {
          if (!available(newPod)) busy++;
        } else if (!available(oldPod)) deleteNow.push(oldPod);
        else candidates.push(oldPod);
        continue;
      }
      if (!oldPod) continue;
      if (!newPod) {
        if (!available(oldPod)) surgeNow.push(node);
        else surgeCandidates.push(node);
      } else if (!available(newPod)) busy++;
      else deleteNow.push(oldPod);
    }
    if (maxSurge === 0) {
      const room = Math.max(0, Math.min(maxUnavailable - busy, candidates.length));
      const victims = [...deleteNow, ...candidates.slice(0, room)];
      if (victims.length) await this.syncNodes(key, ds, victims, [], hash);
      return;
    }
    const room = Math.max(0, Math.min(maxSurge - busy, surgeCandidates.length));
    const create = [...surgeNow, ...surgeCandidates.slice(0, room)];
    if (create.length || deleteNow.length) await this.syncNodes(key, ds, deleteNow, create, hash);
  }

  /** Deletes revisions beyond revisionHistoryLimit that no pod uses any more. */
  private async cleanupHistory(ds: DaemonSet, old: ControllerRevision[], byNode: Map<string, Pod[]>): Promise<void> {
    const limit = ds.spec.revisionHistoryLimit ?? 10;
    const inUse = new Set<string>();
    for (const pods of byNode.values()) for (const p of pods) inUse.add(p.metadata.labels?.[REVISION_HASH_LABEL] ?? '');
    const unused = old.filter((r) => !inUse.has(r.metadata.labels?.[REVISION_HASH_LABEL] ?? '')).sort((a, b) => a.revision - b.revision);
    for (const rev of unused.slice(0, Math.max(0, unused.length - limit))) {
      try {
        await this.revClient.delete(String(rev.metadata.name), { namespace: rev.metadata.namespace });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  private async updateStatus(key: string, ds: DaemonSet, nodes: Node[], byNode: Map<string, Pod[]>, hash: string): Promise<void> {
    const now = this.ctx.now();
    const minReady = ds.spec.minReadySeconds ?? 0;
    const s: DaemonSetStatus = { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0, updatedNumberScheduled: 0, numberAvailable: 0 };
    for (const node of nodes) {
      const pods = (byNode.get(String(node.metadata.name)) ?? []).sort((a, b) => created(a) - created(b));
      const { shouldRun } = nodeShouldRunDaemonPod(node, ds);
      if (shouldRun) {
        s.desiredNumberScheduled++;
        if (!pods.length) continue;
        s.currentNumberScheduled++;
        const pod = pods[0];
        if (isPodReady(pod)) {
          s.numberReady++;
          if (isPodAvailable(pod, minReady, now)) s.numberAvailable!++;
        }
        if (isUpdated(pod, ds, hash)) s.updatedNumberScheduled!++;
      } else if (pods.length) s.numberMisscheduled++;
    }
    s.numberUnavailable = s.desiredNumberScheduled - s.numberAvailable!;
    s.observedGeneration = ds.metadata.generation;
    if (ds.status?.collisionCount !== undefined) s.collisionCount = ds.status.collisionCount;
    const old = ds.status ?? emptyStatus();
    const changed = (Object.keys(s) as Array<keyof DaemonSetStatus>).some((k) => (old[k] ?? 0) !== (s[k] ?? 0));
    if (changed) await this.client.updateStatus({ ...ds, status: { ...old, ...s } });
    if (minReady > 0 && s.numberReady !== s.numberAvailable) this.queue.addAfter(key, minReady * 1000);
  }
}

/** maxSurge of a RollingUpdate DaemonSet for this many nodes (0 for OnDelete or no surge). */
function maxSurgeOf(ds: DaemonSet, nodes: number): number {
  if ((ds.spec.updateStrategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return 0;
  return scaledValueFromIntOrPercent(ds.spec.updateStrategy?.rollingUpdate?.maxSurge ?? 0, nodes, true);
}

/** util.IsPodUpdated: the pod carries the current revision hash (or, from old controllers, the generation). */
function isUpdated(pod: Pod, ds: DaemonSet, hash: string): boolean {
  const labels = pod.metadata.labels ?? {};
  return labels[REVISION_HASH_LABEL] === hash || (labels[REVISION_HASH_LABEL] === undefined && labels[TEMPLATE_GENERATION] === String(ds.metadata.generation));
}

function emptyStatus(): DaemonSetStatus {
  return { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 };
}


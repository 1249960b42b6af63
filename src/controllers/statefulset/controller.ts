// The StatefulSet controller (pkg/controller/statefulset): pods with stable names and claims, created
// in ordinal order and each waited for until Running and Ready (OrderedReady) or all at once
// (Parallel), removed from the highest ordinal down, and updated from the highest ordinal down to the
// partition one pod at a time (RollingUpdate) or only when deleted (OnDelete). Template history is
// kept in ControllerRevisions named by status.currentRevision / updateRevision.
import { lookupResource, type ResourceInfo, type Selector } from '../../api/index.js';
import {
  claimObjects,
  controllerRefOf,
  isAlreadyExists,
  isNotFound,
  isPodAvailable,
  isPodReady,
  newControllerRef,
  objectKey,
  QueueController,
  refs,
  ResourceClient,
  splitKey,
  workloadSelector,
  type EventRecorder,
  type Informer,
  type Pod,
  type PodTemplate,
} from '../../client/index.js';
import { maxRevision, newRevision, REVISION_HASH_LABEL, revisionData, sameData, templateOf, type ControllerRevision } from '../daemonset/index.js';
import { computeHash } from '../deployment/index.js';
import type { Controller, ControllerContext } from '../index.js';
import { watchOwnedPods } from '../replicaset/index.js';
import { claimsFor, newStatefulPod, ordinalOf } from './identity.js';
import type { StatefulSet, StatefulSetStatus } from './types.js';

const COMPONENT = 'statefulset-controller';

const terminating = (p: Pod): boolean => Boolean(p.metadata.deletionTimestamp);
const finished = (p: Pod): boolean => p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded';
/** Running, Ready and not going away: the condition OrderedReady waits for. */
const healthy = (p: Pod): boolean => p.status?.phase === 'Running' && isPodReady(p) && !terminating(p);
const revisionOfPod = (p: Pod): string | undefined => p.metadata.labels?.[REVISION_HASH_LABEL];

export class StatefulSetController extends QueueController implements Controller {
  private readonly info: ResourceInfo;
  private readonly client: ResourceClient<StatefulSet>;
  private readonly podClient: ResourceClient<Pod>;
  private readonly pvcClient: ResourceClient;
  private readonly revClient: ResourceClient<ControllerRevision>;
  private readonly sets: Informer<StatefulSet>;
  private readonly pods: Informer<Pod>;
  private readonly revisions: Informer<ControllerRevision>;
  private readonly recorder: EventRecorder;

  constructor(private readonly ctx: ControllerContext) {
    super('statefulset');
    this.info = lookupResource('apps', 'v1', 'statefulsets')!;
    const revInfo = lookupResource('apps', 'v1', 'controllerrevisions')!;
    this.client = new ResourceClient<StatefulSet>(ctx.rest, this.info);
    this.podClient = new ResourceClient<Pod>(ctx.rest, refs.pods);
    this.pvcClient = new ResourceClient(ctx.rest, refs.persistentVolumeClaims);
    this.revClient = new ResourceClient<ControllerRevision>(ctx.rest, revInfo);
    this.recorder = this.eventRecorder(ctx.rest, COMPONENT);
    this.sets = ctx.informers.informer<StatefulSet>(this.info);
    this.pods = ctx.informers.informer<Pod>(refs.pods);
    this.revisions = ctx.informers.informer<ControllerRevision>(revInfo);
    // Pod names are deterministic, so a create or delete done twice fails harmlessly: no expectations.
    watchOwnedPods<StatefulSet>({
      kind: 'StatefulSet',
      owners: this.sets,
      pods: this.pods,
      selector: workloadSelector,
      queue: this.queue,
      minReadySeconds: (s) => s.spec.minReadySeconds ?? 0,
    });
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const set = this.sets.lister.get(name, namespace);
    if (!set || set.metadata.deletionTimestamp) return;
    const selector = workloadSelector(set);
    if (!selector || selector.empty()) return;
    const { current, update, old } = await this.history(set, selector);
    const pods = await claimObjects(this.pods.lister.listInNamespace(namespace ?? ''), {
      owner: set,
      selector,
      client: this.podClient,
      filter: (p) => ordinalOf(set, p) !== undefined,
      canAdopt: async () => {
        const fresh = await this.client.get(name, namespace);
        if (fresh.metadata.uid !== set.metadata.uid) throw new Error(`original StatefulSet ${key} is gone`);
      },
    });
    await this.reconcile(set, pods, current, update);
    await this.updateStatus(set, pods, current, update);
    await this.cleanupHistory(set, old, pods, [current, update]);
  }

  /** The current revision (status.currentRevision) and the update revision (the template now). */
  private async history(set: StatefulSet, selector: Selector): Promise<{ current: ControllerRevision; update: ControllerRevision; old: ControllerRevision[] }> {
    const revs = await claimObjects(this.revisions.lister.listInNamespace(set.metadata.namespace ?? ''), { owner: set, selector, client: this.revClient });
    const data = revisionData(set.spec.template);
    let update = revs.filter((r) => sameData(r.data, data)).sort((a, b) => b.revision - a.revision)[0];
    const others = revs.filter((r) => r !== update);
    const top = maxRevision(others) + 1;
    if (!update) {
      const hash = computeHash(data, set.status?.collisionCount);
      const rev = newRevision(set, `${set.metadata.name}-${hash}`, hash, data, top, set.spec.template.metadata?.labels ?? {}, newControllerRef(set));
      try {
        update = await this.revClient.create(rev);
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
        update = await this.revClient.get(String(rev.metadata.name), set.metadata.namespace);
        if (controllerRefOf(update)?.uid !== set.metadata.uid || !sameData(update.data, data)) {
          await this.client.updateStatus({ ...set, status: { ...(set.status ?? { replicas: 0 }), collisionCount: (set.status?.collisionCount ?? 0) + 1 } });
          throw new Error(`found a hash collision for StatefulSet "${set.metadata.name}" - bumping collisionCount to resolve it`);
        }
      }
    } else if (update.revision < top) {
      update = await this.revClient.update({ ...update, revision: top });
    }
    const current = revs.find((r) => r.metadata.name === set.status?.currentRevision) ?? update;
    return { current, update, old: others.filter((r) => r !== current) };
  }

  private async reconcile(set: StatefulSet, pods: Pod[], current: ControllerRevision, update: ControllerRevision): Promise<void> {
    const start = set.spec.ordinals?.start ?? 0;
    const replicas = set.spec.replicas ?? 1;
    const ordered = (set.spec.podManagementPolicy ?? 'OrderedReady') === 'OrderedReady';
    const slots = new Map<number, Pod>();
    const condemned: Pod[] = [];
    for (const pod of pods) {
      const ord = ordinalOf(set, pod)!;
      if (ord >= start && ord < start + replicas) slots.set(ord, pod);
      else condemned.push(pod);
    }
    condemned.sort((a, b) => ordinalOf(set, b)! - ordinalOf(set, a)!);
    const ref = newControllerRef(set);
    const rollingPartition = (set.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate' ? start + (set.spec.updateStrategy?.rollingUpdate?.partition ?? 0) : undefined;

    for (let ord = start; ord < start + replicas; ord++) {
      const pod = slots.get(ord);
      if (pod && finished(pod) && !terminating(pod)) {
        // A failed (or exited) stateful pod is deleted and comes back under the same name.
        await this.deletePod(set, pod);
        if (ordered) return;
        continue;
      }
      if (!pod) {
        // Below the partition a pod comes back at the current revision; otherwise at the update revision.
        const useCurrent = current !== update && rollingPartition !== undefined && ord < rollingPartition;
        const rev = useCurrent ? current : update;
        await this.createPod(set, newStatefulPod(set, templateOf(rev) as PodTemplate, ord, String(rev.metadata.name), ref), ord);
        if (ordered) return;
        continue;
      }
      if (ordered && !healthy(pod)) return;
    }

    for (const pod of condemned) {
      if (terminating(pod)) {
        if (ordered) return;
        continue;
      }
      // Scale-down waits for every remaining pod to be healthy, one pod at a time.
      if (ordered && [...slots.values()].some((p) => !healthy(p))) return;
      await this.deletePod(set, pod);
      if (ordered) return;
    }

    if (rollingPartition === undefined) return;
    for (let ord = start + replicas - 1; ord >= rollingPartition; ord--) {
      const pod = slots.get(ord);
      if (!pod) return;
      if (revisionOfPod(pod) !== update.metadata.name && !terminating(pod)) {
        await this.deletePod(set, pod);
        return;
      }
      if (!healthy(pod)) return;
    }
  }

  private async createPod(set: StatefulSet, pod: Pod, ordinal: number): Promise<void> {
    for (const claim of claimsFor(set, ordinal)) {
      try {
        await this.pvcClient.create(claim as never);
        this.recorder.event(set, 'Normal', 'SuccessfulCreate', `create Claim ${claim.metadata.name} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} success`);
      } catch (err) {
        if (isAlreadyExists(err)) continue;
        this.recorder.event(set, 'Warning', 'FailedCreate', `create Claim ${claim.metadata.name} for Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${(err as Error).message}`);
        throw err;
      }
    }
    try {
      await this.podClient.create(pod);
      this.recorder.event(set, 'Normal', 'SuccessfulCreate', `create Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`);
    } catch (err) {
      if (isAlreadyExists(err)) return;
      this.recorder.event(set, 'Warning', 'FailedCreate', `create Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${(err as Error).message}`);
      throw err;
    }
  }

  private async deletePod(set: StatefulSet, pod: Pod): Promise<void> {
    try {
      await this.podClient.delete(String(pod.metadata.name), { namespace: pod.metadata.namespace, preconditions: { uid: pod.metadata.uid } });
      this.recorder.event(set, 'Normal', 'SuccessfulDelete', `delete Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`);
    } catch (err) {
      if (isNotFound(err)) return;
      this.recorder.event(set, 'Warning', 'FailedDelete', `delete Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${(err as Error).message}`);
      throw err;
    }
  }

  private async updateStatus(set: StatefulSet, pods: Pod[], current: ControllerRevision, update: ControllerRevision): Promise<void> {
    const now = this.ctx.now();
    const live = pods.filter((p) => !terminating(p) && !finished(p));
    const s: StatefulSetStatus = {
      observedGeneration: set.metadata.generation,
      replicas: live.length,
      readyReplicas: live.filter(isPodReady).length,
      availableReplicas: live.filter((p) => isPodAvailable(p, set.spec.minReadySeconds ?? 0, now)).length,
      currentReplicas: live.filter((p) => revisionOfPod(p) === current.metadata.name).length,
      updatedReplicas: live.filter((p) => revisionOfPod(p) === update.metadata.name).length,
      currentRevision: String(current.metadata.name),
      updateRevision: String(update.metadata.name),
    };
    if (set.status?.collisionCount !== undefined) s.collisionCount = set.status.collisionCount;
    // The rollout is complete once every replica runs the update revision and is ready.
    const replicas = set.spec.replicas ?? 1;
    if (s.updatedReplicas === replicas && s.readyReplicas === replicas && s.replicas === replicas) {
      s.currentRevision = s.updateRevision;
      s.currentReplicas = s.updatedReplicas;
    }
    const old = set.status ?? { replicas: 0 };
    if ((Object.keys(s) as Array<keyof StatefulSetStatus>).some((k) => (old[k] ?? 0) !== (s[k] ?? 0))) await this.client.updateStatus({ ...set, status: s });
    const minReady = set.spec.minReadySeconds ?? 0;
    if (minReady > 0 && s.readyReplicas !== s.availableReplicas) this.queue.addAfter(objectKey(set), minReady * 1000);
  }

  /** Deletes the oldest unused revisions beyond revisionHistoryLimit. */
  private async cleanupHistory(set: StatefulSet, old: ControllerRevision[], pods: Pod[], live: ControllerRevision[]): Promise<void> {
    const limit = set.spec.revisionHistoryLimit ?? 10;
    const used = new Set([...pods.map(revisionOfPod), ...live.map((r) => r.metadata.name)]);
    const unused = old.filter((r) => !used.has(r.metadata.name)).sort((a, b) => a.revision - b.revision);
    for (const rev of unused.slice(0, Math.max(0, unused.length - limit))) {
      try {
        await this.revClient.delete(String(rev.metadata.name), { namespace: rev.metadata.namespace });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }
}


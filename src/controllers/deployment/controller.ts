// The Deployment controller (pkg/controller/deployment): owns ReplicaSets named
// `<deployment>-<pod-template-hash>`, moves replicas from old to new ones by the RollingUpdate or
// Recreate strategy, scales proportionally when the Deployment is resized mid-rollout, keeps
// revisions, cleans up old ReplicaSets and reports progress in status conditions.
import { lookupResource, type ResourceInfo, type Selector } from '../../api/index.js';
import {
  adoptersOf,
  claimObjects,
  controllerRefOf,
  isAlreadyExists,
  isControlledBy,
  isNotFound,
  newControllerRef,
  objectKey,
  QueueController,
  refs,
  resolveControllerRef,
  ResourceClient,
  splitKey,
  workloadSelector,
  type EventRecorder,
  type Informer,
  type Pod,
} from '../../client/index.js';
import type { Controller, ControllerContext } from '../index.js';
import type { Deployment, DeploymentStatus, ReplicaSet } from './types.js';
import {
  activeReplicaSets,
  availableReplicas,
  byCreation,
  bySizeNewer,
  bySizeOlder,
  calculateStatus,
  computeHash,
  condition,
  DESIRED_REPLICAS,
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  equalIgnoreHash,
  findActiveOrLatest,
  findNewReplicaSet,
  hasProgressDeadline,
  isRollingUpdate,
  isSaturated,
  maxSurge,
  maxUnavailable,
  newCondition,
  newRSNewReplicas,
  POD_TEMPLATE_HASH,
  proportion,
  REASON,
  removeCondition,
  replicasOf,
  REVISION,
  revisionOf,
  setCondition,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
  specReplicas,
  statusReplicas,
} from './util.js';

const COMPONENT = 'deployment-controller';

export class DeploymentController extends QueueController implements Controller {
  private readonly info: ResourceInfo;
  private readonly client: ResourceClient<Deployment>;
  private readonly rsClient: ResourceClient<ReplicaSet>;
  private readonly deployments: Informer<Deployment>;
  private readonly replicaSets: Informer<ReplicaSet>;
  private readonly pods: Informer<Pod>;
  private readonly recorder: EventRecorder;

  constructor(private readonly ctx: ControllerContext) {
    super('deployment');
    this.info = lookupResource('apps', 'v1', 'deployments')!;
    const rsInfo = lookupResource('apps', 'v1', 'replicasets')!;
    this.client = new ResourceClient<Deployment>(ctx.rest, this.info);
    this.rsClient = new ResourceClient<ReplicaSet>(ctx.rest, rsInfo);
    this.recorder = this.eventRecorder(ctx.rest, COMPONENT);
    this.deployments = ctx.informers.informer<Deployment>(this.info);
    this.replicaSets = ctx.informers.informer<ReplicaSet>(rsInfo);
    this.pods = ctx.informers.informer<Pod>(refs.pods);
    this.enqueueOn(this.deployments, objectKey);
    this.replicaSets.addEventHandler({
      add: (rs) => this.rsChanged(rs),
      update: (old, rs) => {
        if (old.metadata.resourceVersion === rs.metadata.resourceVersion) return;
        if (controllerRefOf(old)?.uid !== controllerRefOf(rs)?.uid) this.rsChanged(old);
        this.rsChanged(rs);
      },
      delete: (rs) => this.rsChanged(rs),
    });
    // Recreate waits for old pods to be gone; their deletion is the event that moves it on.
    this.pods.addEventHandler({ delete: (pod) => this.podDeleted(pod) });
  }

  private enqueue(d: Deployment): void {
    this.queue.add(objectKey(d));
  }

  private ownerOf(rs: ReplicaSet): Deployment | undefined {
    const ref = controllerRefOf(rs);
    return ref && resolveControllerRef(this.deployments.lister, 'Deployment', rs.metadata.namespace, ref);
  }

  private rsChanged(rs: ReplicaSet): void {
    if (controllerRefOf(rs)) {
      const d = this.ownerOf(rs);
      if (d) this.enqueue(d);
      return;
    }
    // An orphan: every Deployment that could adopt it looks at it.
    for (const d of adoptersOf(this.deployments.lister, rs, workloadSelector)) this.enqueue(d);
  }

  private podDeleted(pod: Pod): void {
    const ref = controllerRefOf(pod);
    if (!ref || ref.kind !== 'ReplicaSet') return;
    const rs = this.replicaSets.lister.get(ref.name, pod.metadata.namespace);
    if (!rs || rs.metadata.uid !== ref.uid) return;
    const d = this.ownerOf(rs);
    if (d && !isRollingUpdate(d)) this.enqueue(d);
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const cached = this.deployments.lister.get(name, namespace);
    if (!cached) return;
    const d = structuredClone(cached);
    const selector = workloadSelector(d);
    if (!selector || selector.empty()) {
      this.recorder.event(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) {
        await this.client.updateStatus({ ...d, status: { ...(d.status ?? {}), observedGeneration: d.metadata.generation } });
      }
      return;
    }
    const rsList = await this.claimReplicaSets(d, selector);
    if (d.metadata.deletionTimestamp) return this.syncStatusOnly(d, rsList);
    await this.checkPausedConditions(d);
    if (d.spec.paused) return this.syncScaleAndCleanup(d, rsList);
    if (this.isScalingEvent(d, rsList)) return this.syncScaleAndCleanup(d, rsList);
    if (isRollingUpdate(d)) return this.rolloutRolling(d, rsList);
    return this.rolloutRecreate(d, rsList);
  }

  private async claimReplicaSets(d: Deployment, selector: Selector): Promise<ReplicaSet[]> {
    const all = this.replicaSets.lister.listInNamespace(d.metadata.namespace ?? '');
    const claimed = await claimObjects(all, {
      owner: d,
      selector,
      client: this.rsClient,
      canAdopt: async () => {
        const fresh = await this.client.get(String(d.metadata.name), d.metadata.namespace);
        if (fresh.metadata.uid !== d.metadata.uid) throw new Error(`original Deployment ${objectKey(d)} is gone: got uid ${fresh.metadata.uid}, wanted ${d.metadata.uid}`);
        if (fresh.metadata.deletionTimestamp) throw new Error(`${objectKey(d)} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
      },
    });
    return claimed.map((rs) => structuredClone(rs));
  }

  /** Sets Progressing to DeploymentPaused / DeploymentResumed when spec.paused changed. */
  private async checkPausedConditions(d: Deployment): Promise<void> {
    if (!hasProgressDeadline(d)) return;
    const status: DeploymentStatus = { ...(d.status ?? {}), conditions: [...(d.status?.conditions ?? [])] };
    const c = condition(status, 'Progressing');
    if (c?.reason === REASON.timedOut) return;
    const pausedReason = c?.reason === REASON.paused;
    let changed = false;
    if (d.spec.paused && !pausedReason) {
      setCondition(status, newCondition('Progressing', 'Unknown', REASON.paused, 'Deployment is paused', this.ctx.now()));
      changed = true;
    } else if (!d.spec.paused && pausedReason) {
      setCondition(status, newCondition('Progressing', 'Unknown', REASON.resumed, 'Deployment is resumed', this.ctx.now()));
      changed = true;
    }
    if (!changed) return;
    const updated = await this.client.updateStatus({ ...d, status });
    d.metadata.resourceVersion = updated.metadata.resourceVersion;
    d.status = updated.status;
  }

  /** A resize of the Deployment: an active ReplicaSet was sized for another replica count. */
  private isScalingEvent(d: Deployment, rsList: ReplicaSet[]): boolean {
    for (const rs of activeReplicaSets(rsList)) {
      const desired = rs.metadata.annotations?.[DESIRED_REPLICAS];
      if (desired !== undefined && Number(desired) !== replicasOf(d)) return true;
    }
    return false;
  }

  /**
   * The new ReplicaSet (created when `create` and missing) and the old ones, with the new one's
   * revision raised above every old one and the Deployment's revision annotation kept in step.
   */
  private async newAndOld(d: Deployment, rsList: ReplicaSet[], create: boolean): Promise<{ newRS?: ReplicaSet; oldRSs: ReplicaSet[] }> {
    const existing = findNewReplicaSet(d, rsList);
    const oldRSs = rsList.filter((rs) => rs !== existing);
    const newRevision = Math.max(0, ...oldRSs.map(revisionOf)) + 1;
    if (existing) {
      const rs = structuredClone(existing);
      const annotationsChanged = setNewReplicaSetAnnotations(d, rs, newRevision, true);
      const minReadyChanged = (rs.spec.minReadySeconds ?? 0) !== (d.spec.minReadySeconds ?? 0);
      let current = existing;
      if (annotationsChanged || minReadyChanged) {
        rs.spec.minReadySeconds = d.spec.minReadySeconds;
        current = await this.rsClient.update(rs);
      }
      const status: DeploymentStatus = { ...(d.status ?? {}), conditions: [...(d.status?.conditions ?? [])] };
      let statusChanged = this.setDeploymentRevision(d, current.metadata.annotations?.[REVISION] ?? '');
      if (hasProgressDeadline(d) && !condition(status, 'Progressing')) {
        setCondition(status, newCondition('Progressing', 'True', REASON.foundNewRS, `Found new replica set "${current.metadata.name}"`, this.ctx.now()));
        statusChanged = true;
      }
      if (statusChanged) this.adoptWritten(d, await this.client.updateStatus({ ...d, status }));
      return { newRS: current, oldRSs };
    }
    if (!create) return { oldRSs };

    const hash = computeHash(d.spec.template, d.status?.collisionCount);
    const template = structuredClone(d.spec.template);
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH]: hash } };
    const selector = structuredClone(d.spec.selector ?? {});
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH]: hash };
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: `${d.metadata.name}-${hash}`, namespace: d.metadata.namespace, labels: { ...template.metadata.labels }, ownerReferences: [newControllerRef(d)] },
      spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds, selector, template },
    };
    rs.spec.replicas = newRSNewReplicas(d, [...oldRSs, rs], rs);
    setNewReplicaSetAnnotations(d, rs, newRevision, false);
    let created: ReplicaSet;
    let alreadyExisted = false;
    try {
      created = await this.rsClient.create(rs);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const other = await this.rsClient.get(String(rs.metadata.name), d.metadata.namespace);
      if (!isControlledBy(other, d) || !equalIgnoreHash(other.spec.template, d.spec.template)) {
        // A hash collision with someone else's ReplicaSet: the next hash gets another name.
        const status = { ...(d.status ?? {}), collisionCount: (d.status?.collisionCount ?? 0) + 1 };
        await this.client.updateStatus({ ...d, status });
        throw new Error(`found a hash collision for deployment "${d.metadata.name}" - bumping collisionCount to ${status.collisionCount} to resolve it`);
      }
      created = other;
      alreadyExisted = true;
    }
    if (!alreadyExisted && replicasOf(created) > 0) {
      this.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} from 0 to ${replicasOf(created)}`);
    }
    const status: DeploymentStatus = { ...(d.status ?? {}), conditions: [...(d.status?.conditions ?? [])] };
    let statusChanged = this.setDeploymentRevision(d, String(newRevision));
    if (!alreadyExisted && hasProgressDeadline(d)) {
      setCondition(status, newCondition('Progressing', 'True', REASON.newRSCreated, `Created new replica set "${created.metadata.name}"`, this.ctx.now()));
      statusChanged = true;
    }
    if (statusChanged) this.adoptWritten(d, await this.client.updateStatus({ ...d, status }));
    return { newRS: created, oldRSs };
  }

  private setDeploymentRevision(d: Deployment, revision: string): boolean {
    const a = (d.metadata.annotations ??= {});
    if (a[REVISION] === revision) return false;
    a[REVISION] = revision;
    return true;
  }

  /** Continue with what the API server stored, so later writes in this sync do not conflict. */
  private adoptWritten(d: Deployment, written: Deployment): void {
    d.metadata = written.metadata;
    d.status = written.status;
  }

  private async rolloutRolling(d: Deployment, rsList: ReplicaSet[]): Promise<void> {
    const { newRS, oldRSs } = await this.newAndOld(d, rsList, true);
    const allRSs = newRS ? [...oldRSs, newRS] : oldRSs;
    if (await this.reconcileNewReplicaSet(allRSs, newRS, d)) return this.syncRolloutStatus(allRSs, newRS, d);
    if (await this.reconcileOldReplicaSets(allRSs, activeReplicaSets(oldRSs), newRS, d)) return this.syncRolloutStatus(allRSs, newRS, d);
    if (deploymentComplete(d, d.status ?? {})) await this.cleanup(oldRSs, d);
    return this.syncRolloutStatus(allRSs, newRS, d);
  }

  private async reconcileNewReplicaSet(allRSs: ReplicaSet[], newRS: ReplicaSet | undefined, d: Deployment): Promise<boolean> {
    if (!newRS) return false;
    if (replicasOf(newRS) === replicasOf(d)) return false;
    if (replicasOf(newRS) > replicasOf(d)) return this.scaleAndRecord(newRS, replicasOf(d), d);
    return this.scaleAndRecord(newRS, newRSNewReplicas(d, allRSs, newRS), d);
  }

  private async reconcileOldReplicaSets(allRSs: ReplicaSet[], oldRSs: ReplicaSet[], newRS: ReplicaSet | undefined, d: Deployment): Promise<boolean> {
    if (specReplicas(oldRSs) === 0) return false;
    const minAvailable = replicasOf(d) - maxUnavailable(d);
    const newUnavailable = newRS ? replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0) : 0;
    const maxScaledDown = specReplicas(allRSs) - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return false;
    // Unhealthy old replicas go first: removing them cannot lower availability.
    let cleaned = 0;
    for (const rs of [...oldRSs].sort(byCreation)) {
      if (cleaned >= maxScaledDown) break;
      const unhealthy = replicasOf(rs) - (rs.status?.availableReplicas ?? 0);
      if (replicasOf(rs) === 0 || unhealthy <= 0) continue;
      const n = Math.min(maxScaledDown - cleaned, unhealthy);
      await this.scaleAndRecord(rs, replicasOf(rs) - n, d);
      cleaned += n;
    }
    const all = newRS ? [...oldRSs, newRS] : oldRSs;
    const available = availableReplicas(all);
    let scaledDown = 0;
    if (available > minAvailable) {
      const total = available - minAvailable;
      for (const rs of [...oldRSs].sort(byCreation)) {
        if (scaledDown >= total) break;
        if (replicasOf(rs) === 0) continue;
        const n = Math.min(replicasOf(rs), total - scaledDown);
        await this.scaleAndRecord(rs, replicasOf(rs) - n, d);
        scaledDown += n;
      }
    }
    return cleaned + scaledDown > 0;
  }

  private async rolloutRecreate(d: Deployment, rsList: ReplicaSet[]): Promise<void> {
    let { newRS, oldRSs } = await this.newAndOld(d, rsList, false);
    let allRSs = newRS ? [...oldRSs, newRS] : oldRSs;
    let scaledDown = false;
    for (const rs of activeReplicaSets(oldRSs)) if (await this.scaleAndRecord(rs, 0, d)) scaledDown = true;
    if (scaledDown) return this.syncRolloutStatus(allRSs, newRS, d);
    if (this.oldPodsRunning(newRS, oldRSs)) return this.syncRolloutStatus(allRSs, newRS, d);
    if (!newRS) {
      ({ newRS, oldRSs } = await this.newAndOld(d, rsList, true));
      allRSs = newRS ? [...oldRSs, newRS] : oldRSs;
    }
    if (newRS) await this.scaleAndRecord(newRS, replicasOf(d), d);
    if (deploymentComplete(d, d.status ?? {})) await this.cleanup(oldRSs, d);
    return this.syncRolloutStatus(allRSs, newRS, d);
  }

  /** Any pod of an old ReplicaSet that has not finished (Recreate waits for all of them). */
  private oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): boolean {
    if (statusReplicas(oldRSs) > 0) return true;
    const oldUids = new Set(oldRSs.map((rs) => rs.metadata.uid));
    oldUids.delete(newRS?.metadata.uid);
    return this.pods.lister
      .listInNamespace(oldRSs[0]?.metadata.namespace ?? '')
      .some((p) => oldUids.has(controllerRefOf(p)?.uid) && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
  }

  /** Paused or resized: only scale (proportionally) and clean up, no rollout. */
  private async syncScaleAndCleanup(d: Deployment, rsList: ReplicaSet[]): Promise<void> {
    const { newRS, oldRSs } = await this.newAndOld(d, rsList, false);
    await this.scale(d, newRS, oldRSs);
    if (d.spec.paused) await this.cleanup(oldRSs, d);
    const allRSs = newRS ? [...oldRSs, newRS] : oldRSs;
    await this.syncStatusOnly(d, allRSs, newRS);
  }

  private async scale(d: Deployment, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): Promise<void> {
    const one = findActiveOrLatest(newRS, oldRSs);
    if (one) {
      if (replicasOf(one) !== replicasOf(d)) await this.scaleAndRecord(one, replicasOf(d), d);
      return;
    }
    if (isSaturated(d, newRS)) {
      for (const rs of activeReplicaSets(oldRSs)) await this.scaleAndRecord(rs, 0, d);
      return;
    }
    if (!isRollingUpdate(d)) return;
    const all = activeReplicaSets(newRS ? [...oldRSs, newRS] : oldRSs);
    const allowed = replicasOf(d) > 0 ? replicasOf(d) + maxSurge(d) : 0;
    const toAdd = allowed - specReplicas(all);
    if (toAdd > 0) all.sort(bySizeNewer);
    else if (toAdd < 0) all.sort(bySizeOlder);
    const sizes = new Map<ReplicaSet, number>();
    let added = 0;
    for (const rs of all) {
      const share = toAdd !== 0 ? proportion(rs, d, toAdd, added) : 0;
      sizes.set(rs, replicasOf(rs) + share);
      added += share;
    }
    // Rounding leftovers go to the largest (scale-up) or are taken from it (scale-down).
    if (toAdd - added !== 0 && all.length) sizes.set(all[0], Math.max(0, sizes.get(all[0])! + toAdd - added));
    for (const rs of all) await this.scaleReplicaSet(rs, sizes.get(rs)!, d);
  }

  private scaleAndRecord(rs: ReplicaSet, size: number, d: Deployment): Promise<boolean> {
    if (replicasOf(rs) === size) return Promise.resolve(false);
    return this.scaleReplicaSet(rs, size, d);
  }

  /** Sets the size and the replica annotations in one update; records ScalingReplicaSet on a resize. */
  private async scaleReplicaSet(rs: ReplicaSet, size: number, d: Deployment): Promise<boolean> {
    const from = replicasOf(rs);
    const copy = structuredClone(rs);
    const annotationsChanged = setReplicasAnnotations(copy, replicasOf(d), replicasOf(d) + maxSurge(d));
    if (from === size && !annotationsChanged) return false;
    copy.spec.replicas = size;
    const updated = await this.rsClient.update(copy);
    // Later steps of this sync see the new size.
    rs.spec = updated.spec;
    rs.metadata = updated.metadata;
    if (from === size) return false;
    this.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${from < size ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${size}`);
    return true;
  }

  /** Deletes the oldest fully scaled-down ReplicaSets beyond revisionHistoryLimit. */
  private async cleanup(oldRSs: ReplicaSet[], d: Deployment): Promise<void> {
    const limit = d.spec.revisionHistoryLimit;
    if (limit === undefined) return;
    const cleanable = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp).sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b));
    const excess = cleanable.length - limit;
    for (let i = 0; i < excess; i++) {
      const rs = cleanable[i];
      if ((rs.status?.replicas ?? 0) !== 0 || replicasOf(rs) !== 0 || (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
      try {
        await this.rsClient.delete(String(rs.metadata.name), { namespace: rs.metadata.namespace });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  private async syncStatusOnly(d: Deployment, rsList: ReplicaSet[], known?: ReplicaSet): Promise<void> {
    const newRS = known ?? findNewReplicaSet(d, rsList);
    const status = calculateStatus(rsList, newRS, d, this.ctx.now());
    if (sameStatus(d.status, status)) return;
    await this.client.updateStatus({ ...d, status });
  }

  /** Status with the Progressing condition: progressing, complete, or past its deadline. */
  private async syncRolloutStatus(allRSs: ReplicaSet[], newRS: ReplicaSet | undefined, d: Deployment): Promise<void> {
    const now = this.ctx.now();
    const status = calculateStatus(allRSs, newRS, d, now);
    if (!hasProgressDeadline(d)) removeCondition(status, 'Progressing');
    const current = condition(d.status ?? {}, 'Progressing');
    const complete = status.replicas === status.updatedReplicas && current?.reason === REASON.newRSAvailable;
    if (hasProgressDeadline(d) && !complete) {
      const rsName = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
      if (deploymentComplete(d, status)) {
        setCondition(status, newCondition('Progressing', 'True', REASON.newRSAvailable, `${rsName} has successfully progressed.`, now));
      } else if (deploymentProgressing(d, status)) {
        const c = newCondition('Progressing', 'True', REASON.rsUpdated, `${rsName} is progressing.`, now);
        if (current?.status === 'True') c.lastTransitionTime = current.lastTransitionTime;
        removeCondition(status, 'Progressing');
        setCondition(status, c);
      } else if (deploymentTimedOut(d, status, now)) {
        setCondition(status, newCondition('Progressing', 'False', REASON.timedOut, `${rsName} has timed out progressing.`, now));
      }
    }
    const failure = allRSs.map((rs) => rs.status?.conditions?.find((c) => c.type === 'ReplicaFailure' && c.status === 'True')).find(Boolean);
    if (failure) setCondition(status, newCondition('ReplicaFailure', 'True', failure.reason ?? '', failure.message ?? '', now));
    else removeCondition(status, 'ReplicaFailure');
    if (sameStatus(d.status, status)) return this.requeueStuck(d, status, now);
    await this.client.updateStatus({ ...d, status });
  }

  /** Comes back when the progress deadline would pass, since no event will say so. */
  private requeueStuck(d: Deployment, status: DeploymentStatus, now: Date): void {
    const c = condition(d.status ?? {}, 'Progressing');
    if (!hasProgressDeadline(d) || !c || deploymentComplete(d, status) || c.reason === REASON.timedOut) return;
    const after = Date.parse(c.lastUpdateTime) + d.spec.progressDeadlineSeconds! * 1000 - now.getTime();
    this.queue.addAfter(objectKey(d), Math.max(1000, after));
  }
}


function sameStatus(a: DeploymentStatus | undefined, b: DeploymentStatus): boolean {
  const norm = (s: DeploymentStatus | undefined): string =>
    JSON.stringify({
      o: s?.observedGeneration ?? 0,
      r: s?.replicas ?? 0,
      u: s?.updatedReplicas ?? 0,
      rd: s?.readyReplicas ?? 0,
      a: s?.availableReplicas ?? 0,
      un: s?.unavailableReplicas ?? 0,
      c: s?.conditions ?? [],
      cc: s?.collisionCount,
    });
  return norm(a) === norm(b);
}

// The ReplicaSet controller (pkg/controller/replicaset), shared by ReplicaSets and
// ReplicationControllers: keeps `spec.replicas` active pods from the template, claiming pods by
// selector, and writes status. Informer handlers only enqueue owner keys; sync(key) is level-triggered
// and guarded by expectations so a watch that lags behind our own writes never makes it act twice.
import { lookupResource, StatusError, type ResourceInfo, type Selector } from '../../api/index.js';
import {
  claimObjects,
  controllerRefOf,
  isConflict,
  isNotFound,
  isPodActive,
  newControllerRef,
  objectKey,
  podFromTemplate,
  QueueController,
  refs,
  ResourceClient,
  UIDTrackingExpectations,
  type EventRecorder,
  type Informer,
  type Pod,
} from '../../client/index.js';
import type { Controller, ControllerContext } from '../index.js';
import { watchOwnedPods } from './pod-events.js';
import { podsToDelete } from './ranking.js';
import { calculateStatus, statusUpToDate } from './status.js';
import type { ReplicaSet } from './types.js';

/** kube-controller-manager's burstReplicas: at most this many creations or deletions per sync. */
export const BURST_REPLICAS = 500;

export interface ReplicaSetKind {
  /** The controller's name in startControllers. */
  name: string;
  group: string;
  resource: string;
  /** Event source component: "replicaset-controller" / "replication-controller". */
  component: string;
  /** The pod selector; undefined for an invalid one (validation refuses those; such an owner is left alone). */
  selector(rs: ReplicaSet): Selector | undefined;
}

/** Runs `fn` `count` times in batches of 1, 2, 4…, stopping after a batch with a failure. */
export async function slowStartBatch(count: number, fn: () => Promise<void>): Promise<{ successes: number; error?: Error }> {
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, 1); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, fn));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += results.filter((r) => r.status === 'fulfilled').length;
    if (failed) return { successes, error: failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason)) };
    remaining -= batch;
  }
  return { successes };
}

export class ReplicaSetCore extends QueueController implements Controller {
  private readonly expectations = new UIDTrackingExpectations();
  private readonly info: ResourceInfo;
  private readonly client: ResourceClient<ReplicaSet>;
  private readonly podClient: ResourceClient<Pod>;
  private readonly rsInformer: Informer<ReplicaSet>;
  private readonly podInformer: Informer<Pod>;
  private readonly recorder: EventRecorder;
  /** The ReplicaSet a queue key names. */
  private readonly ownerOf: (key: string) => ReplicaSet | undefined;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly kind: ReplicaSetKind,
  ) {
    super(kind.name);
    this.info = lookupResource(kind.group, 'v1', kind.resource)!;
    this.client = new ResourceClient<ReplicaSet>(ctx.rest, this.info);
    this.podClient = new ResourceClient<Pod>(ctx.rest, refs.pods);
    this.recorder = this.eventRecorder(ctx.rest, kind.component);
    this.rsInformer = ctx.informers.informer<ReplicaSet>(this.info);
    this.podInformer = ctx.informers.informer<Pod>(refs.pods);
    this.ownerOf = watchOwnedPods<ReplicaSet>({
      kind: this.info.kind,
      owners: this.rsInformer,
      pods: this.podInformer,
      selector: (rs) => this.kind.selector(rs),
      queue: this.queue,
      expectations: this.expectations,
      minReadySeconds: (rs) => rs.spec.minReadySeconds ?? 0,
    });
  }

  async sync(key: string): Promise<void> {
    const rs = this.ownerOf(key);
    if (!rs) return;
    const needsSync = this.expectations.satisfied(key);
    const selector = this.kind.selector(rs);
    // Validation refuses invalid selectors; an object that has one anyway is left alone.
    if (!selector) return;
    const active = this.podInformer.lister.listInNamespace(rs.metadata.namespace ?? '').filter(isPodActive);
    const pods = await claimObjects(active, { owner: rs, selector, client: this.podClient, canAdopt: () => this.recheck(rs) });
    let manageError: { error: Error; scalingUp: boolean } | undefined;
    if (needsSync && !rs.metadata.deletionTimestamp) manageError = await this.manageReplicas(key, rs, pods);
    const now = this.ctx.now();
    const updated = await this.updateStatus(rs, calculateStatus(rs, pods, manageError, now));
    if (manageError) throw manageError.error;
    const minReady = updated.spec.minReadySeconds ?? 0;
    const replicas = updated.spec.replicas ?? 1;
    if (minReady > 0 && updated.status?.readyReplicas === replicas && updated.status?.availableReplicas !== replicas) this.queue.addAfter(key, minReady * 1000);
  }

  /** The owner as the API server has it now, refusing adoption by an owner that is gone or going. */
  private async recheck(rs: ReplicaSet): Promise<void> {
    const fresh = await this.client.get(String(rs.metadata.name), rs.metadata.namespace);
    if (fresh.metadata.uid !== rs.metadata.uid) throw new Error(`original ${this.info.kind} ${objectKey(rs)} is gone: got uid ${fresh.metadata.uid}, wanted ${rs.metadata.uid}`);
    if (fresh.metadata.deletionTimestamp) throw new Error(`${objectKey(rs)} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
  }

  private async manageReplicas(key: string, rs: ReplicaSet, pods: Pod[]): Promise<{ error: Error; scalingUp: boolean } | undefined> {
    const diff = pods.length - (rs.spec.replicas ?? 1);
    if (diff < 0) {
      const count = Math.min(-diff, BURST_REPLICAS);
      this.expectations.expectCreations(key, count);
      const ref = newControllerRef(rs);
      const { successes, error } = await slowStartBatch(count, () => this.createPod(rs, ref));
      // Creations that were never attempted or failed will never be observed.
      for (let i = successes; i < count; i++) this.expectations.creationObserved(key);
      return error && { error, scalingUp: true };
    }
    if (diff > 0) {
      const count = Math.min(diff, BURST_REPLICAS);
      const victims = podsToDelete(pods, this.relatedPods(rs), count, this.ctx.now());
      this.expectations.expectPodDeletions(key, victims.map(objectKey));
      const errors: Error[] = [];
      await Promise.all(
        victims.map(async (pod) => {
          try {
            await this.podClient.delete(String(pod.metadata.name), { namespace: pod.metadata.namespace });
            this.recorder.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
          } catch (err) {
            this.expectations.podDeletionObserved(key, objectKey(pod));
            if (isNotFound(err)) return;
            this.recorder.event(rs, 'Warning', 'FailedDelete', `Error deleting: ${(err as Error).message}`);
            errors.push(err as Error);
          }
        }),
      );
      return errors.length ? { error: errors[0], scalingUp: false } : undefined;
    }
    return undefined;
  }

  private async createPod(rs: ReplicaSet, ref: ReturnType<typeof newControllerRef>): Promise<void> {
    const template = rs.spec.template ?? {};
    if (!Object.keys(template.metadata?.labels ?? {}).length) throw new Error('unable to create pods, no labels');
    const pod = podFromTemplate(template, String(rs.metadata.namespace), `${rs.metadata.name}-`, ref);
    try {
      const created = await this.podClient.create(pod);
      this.recorder.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
    } catch (err) {
      // A namespace being deleted refuses new pods; that is expected, not a failure to retry.
      if (err instanceof StatusError && err.details?.causes?.some((c) => c.reason === 'NamespaceTerminating')) return;
      this.recorder.event(rs, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
      throw err;
    }
  }

  /** Active pods of this owner and of its siblings (same controller, e.g. one Deployment's ReplicaSets). */
  private relatedPods(rs: ReplicaSet): Pod[] {
    const owner = controllerRefOf(rs);
    const siblings = owner
      ? this.rsInformer.lister.listInNamespace(rs.metadata.namespace ?? '').filter((r) => controllerRefOf(r)?.uid === owner.uid)
      : [rs];
    const uids = new Set(siblings.map((r) => r.metadata.uid));
    return this.podInformer.lister.listInNamespace(rs.metadata.namespace ?? '').filter((p) => isPodActive(p) && uids.has(controllerRefOf(p)?.uid));
  }

  private async updateStatus(rs: ReplicaSet, status: ReturnType<typeof calculateStatus>): Promise<ReplicaSet> {
    if (statusUpToDate(rs, status)) return rs;
    const write = (obj: ReplicaSet): Promise<ReplicaSet> => this.client.updateStatus({ ...obj, status: { ...status, observedGeneration: obj.metadata.generation } });
    try {
      return await write(rs);
    } catch (err) {
      if (!isConflict(err)) throw err;
      // Our cached copy was stale: one more try on the current object, else the requeue retries.
      const fresh = await this.client.get(String(rs.metadata.name), rs.metadata.namespace);
      return write(fresh);
    }
  }
}

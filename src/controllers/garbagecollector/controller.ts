// The garbage collector (pkg/controller/garbagecollector): watches every deletable resource and keeps
// an owner graph. Queue items are object uids; sync(uid) looks at one object and
//  - deletes it when all its owners are gone (dangling references) or waiting for it (foreground),
//    propagating its own finalizer choice (orphan/foregroundDeletion/background);
//  - drops references to gone owners when a live owner remains;
//  - for an owner deleted with propagationPolicy=Orphan: strips the reference from every dependent,
//    then removes the `orphan` finalizer;
//  - for an owner deleted in the foreground: deletes the dependents and removes `foregroundDeletion`
//    once no dependent with blockOwnerDeletion is left.
// An owner missing from the caches is looked up in the API before anything is deleted, so a lagging
// watch never makes the collector delete a dependent whose owner exists.
import type { KubeObject, OwnerReference, ResourceInfo } from '../../api/index.js';
import { isInvalid, isNotFound, QueueController, ResourceClient, type Informer } from '../../client/index.js';
import type { Controller, ControllerContext } from '../index.js';
import { deletingInForeground, FOREGROUND_FINALIZER, hasFinalizer, ORPHAN_FINALIZER, OwnerGraph } from './graph.js';
import { deletableResources, resourceOfRef } from './resources.js';

type OwnerState = 'solid' | 'dangling' | 'waiting';

export class GarbageCollector extends QueueController implements Controller {
  readonly graph = new OwnerGraph();
  private readonly informers: Array<Informer<KubeObject>> = [];

  constructor(private readonly ctx: ControllerContext) {
    super('garbagecollector');
    for (const info of deletableResources()) {
      const informer = ctx.informers.informer<KubeObject>(info);
      this.informers.push(informer);
      informer.addEventHandler({
        add: (obj) => this.observed(info, obj),
        update: (_old, obj) => this.observed(info, obj),
        delete: (obj) => this.gone(obj),
      });
    }
  }

  private observed(info: ResourceInfo, obj: KubeObject): void {
    const uid = obj.metadata.uid;
    if (!uid) return;
    const old = this.graph.set(info, obj);
    const meta = obj.metadata;
    if ((meta.ownerReferences ?? []).length || (meta.deletionTimestamp && (hasFinalizer(obj, ORPHAN_FINALIZER) || hasFinalizer(obj, FOREGROUND_FINALIZER)))) {
      this.queue.add(uid);
    }
    // An owner entering foreground deletion: its dependents are now to be deleted.
    if (deletingInForeground(obj) && !(old && deletingInForeground(old.obj))) for (const d of this.graph.dependentsOf(uid)) this.queue.add(d.obj.metadata.uid!);
    // A dependent that let go of an owner may be what a foreground owner waits for.
    for (const ref of old?.obj.metadata.ownerReferences ?? []) this.queue.add(ref.uid);
  }

  private gone(obj: KubeObject): void {
    const uid = obj.metadata.uid;
    if (!uid) return;
    this.graph.remove(obj);
    for (const d of this.graph.dependentsOf(uid)) this.queue.add(d.obj.metadata.uid!);
    for (const ref of obj.metadata.ownerReferences ?? []) this.queue.add(ref.uid);
  }

  private client(info: ResourceInfo): ResourceClient {
    return new ResourceClient(this.ctx.rest, info);
  }

  async sync(uid: string): Promise<void> {
    const node = this.graph.get(uid);
    if (!node) return;
    const { info, obj } = node;
    if (obj.metadata.deletionTimestamp) {
      if (hasFinalizer(obj, ORPHAN_FINALIZER)) await this.orphanDependents(info, obj);
      else if (hasFinalizer(obj, FOREGROUND_FINALIZER)) await this.deleteDependentsFirst(info, obj);
      return;
    }
    const refs = obj.metadata.ownerReferences ?? [];
    if (!refs.length) return;
    const states = await Promise.all(refs.map((r) => this.ownerState(obj, r)));
    const solid = states.filter((s) => s === 'solid').length;
    if (solid > 0) {
      if (solid < refs.length) await this.dropOwnerRefs(info, obj, refs.filter((_r, i) => states[i] !== 'solid').map((r) => r.uid));
      return;
    }
    const policy = hasFinalizer(obj, ORPHAN_FINALIZER)
      ? 'Orphan'
      : hasFinalizer(obj, FOREGROUND_FINALIZER) || (states.includes('waiting') && this.graph.dependentsOf(uid).length > 0)
        ? 'Foreground'
        : 'Background';
    try {
      await this.client(info).delete(obj.metadata.name!, { namespace: obj.metadata.namespace, propagationPolicy: policy, preconditions: { uid } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** Whether the owner a reference names exists (solid), is gone (dangling) or waits for its dependents. */
  private async ownerState(obj: KubeObject, ref: OwnerReference): Promise<OwnerState> {
    const cached = this.graph.get(ref.uid);
    if (cached) return deletingInForeground(cached.obj) ? 'waiting' : 'solid';
    const info = resourceOfRef(ref);
    // A kind we do not know may be served by something we cannot see: never delete on its account.
    if (!info) return 'solid';
    if (info.namespaced && !obj.metadata.namespace) return 'dangling';
    try {
      const owner = await this.client(info).get(ref.name, info.namespaced ? obj.metadata.namespace : undefined);
      if (owner.metadata.uid !== ref.uid) return 'dangling';
      return deletingInForeground(owner) ? 'waiting' : 'solid';
    } catch (err) {
      if (isNotFound(err)) return 'dangling';
      throw err;
    }
  }

  private async orphanDependents(info: ResourceInfo, owner: KubeObject): Promise<void> {
    const uid = owner.metadata.uid!;
    for (const d of this.graph.dependentsOf(uid)) {
      await this.dropOwnerRefs(d.info, d.obj, [uid]);
    }
    await this.removeFinalizer(info, owner, ORPHAN_FINALIZER);
  }

  private async deleteDependentsFirst(info: ResourceInfo, owner: KubeObject): Promise<void> {
    const dependents = this.graph.dependentsOf(owner.metadata.uid!);
    for (const d of dependents) this.queue.add(d.obj.metadata.uid!);
    if (dependents.some((d) => d.ref.blockOwnerDeletion)) return;
    await this.removeFinalizer(info, owner, FOREGROUND_FINALIZER);
  }

  /** Drops the given owners from an object's ownerReferences (strategic merge by uid, as kube's GC does). */
  private async dropOwnerRefs(info: ResourceInfo, obj: KubeObject, ownerUids: string[]): Promise<void> {
    const patch = { metadata: { uid: obj.metadata.uid, ownerReferences: ownerUids.map((uid) => ({ $patch: 'delete', uid })) } };
    try {
      await this.client(info).patch(obj.metadata.name!, patch, 'strategic', { namespace: obj.metadata.namespace });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** Removes one finalizer from the object's current version, only if nobody changed it meanwhile. */
  private async removeFinalizer(info: ResourceInfo, obj: KubeObject, finalizer: string): Promise<void> {
    const client = this.client(info);
    try {
      const fresh = await client.get(obj.metadata.name!, obj.metadata.namespace);
      if (fresh.metadata.uid !== obj.metadata.uid || !hasFinalizer(fresh, finalizer)) return;
      const rest = (fresh.metadata.finalizers ?? []).filter((f) => f !== finalizer);
      const patch = [
        { op: 'test', path: '/metadata/resourceVersion', value: fresh.metadata.resourceVersion },
        rest.length ? { op: 'replace', path: '/metadata/finalizers', value: rest } : { op: 'remove', path: '/metadata/finalizers' },
      ];
      await client.patch(obj.metadata.name!, patch, 'json', { namespace: obj.metadata.namespace });
    } catch (err) {
      // A failed resourceVersion test (422) means the object changed since our GET; that change is
      // an update event that queues the owner again.
      if (!isNotFound(err) && !isInvalid(err)) throw err;
    }
  }
}

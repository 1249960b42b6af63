// The garbage collector's view of the cluster (garbagecollector/graph.go reduced): every watched
// object by uid, and for each owner uid the uids of the objects that name it in ownerReferences.
// Owners need not be present: a dependent whose owner never shows up is how dangling refs are found.
import type { KubeObject, OwnerReference, ResourceInfo } from '../../api/index.js';

export interface GraphNode {
  info: ResourceInfo;
  obj: KubeObject;
}

export class OwnerGraph {
  private readonly nodes = new Map<string, GraphNode>();
  private readonly dependents = new Map<string, Set<string>>();

  get(uid: string): GraphNode | undefined {
    return this.nodes.get(uid);
  }

  /** Records the latest version of an object; returns the previous one. */
  set(info: ResourceInfo, obj: KubeObject): GraphNode | undefined {
    const uid = obj.metadata.uid;
    if (!uid) return undefined;
    const old = this.nodes.get(uid);
    if (old) this.unlink(uid, old.obj);
    this.nodes.set(uid, { info, obj });
    for (const ref of obj.metadata.ownerReferences ?? []) {
      let set = this.dependents.get(ref.uid);
      if (!set) this.dependents.set(ref.uid, (set = new Set()));
      set.add(uid);
    }
    return old;
  }

  remove(obj: KubeObject): void {
    const uid = obj.metadata.uid;
    const old = uid ? this.nodes.get(uid) : undefined;
    if (!uid || !old) return;
    this.unlink(uid, old.obj);
    this.nodes.delete(uid);
  }

  /** The objects that name `ownerUid` as an owner, with the reference they hold. */
  dependentsOf(ownerUid: string): Array<GraphNode & { ref: OwnerReference }> {
    const out: Array<GraphNode & { ref: OwnerReference }> = [];
    for (const uid of this.dependents.get(ownerUid) ?? []) {
      const node = this.nodes.get(uid);
      const ref = node?.obj.metadata.ownerReferences?.find((r) => r.uid === ownerUid);
      if (node && ref) out.push({ ...node, ref });
    }
    return out;
  }

  private unlink(uid: string, obj: KubeObject): void {
    for (const ref of obj.metadata.ownerReferences ?? []) {
      const set = this.dependents.get(ref.uid);
      set?.delete(uid);
      if (set?.size === 0) this.dependents.delete(ref.uid);
    }
  }
}

export const ORPHAN_FINALIZER = 'orphan';
export const FOREGROUND_FINALIZER = 'foregroundDeletion';

export function hasFinalizer(obj: KubeObject, name: string): boolean {
  return (obj.metadata.finalizers ?? []).includes(name);
}

/** An owner in foreground deletion: its dependents go first, blocking ones hold it back. */
export function deletingInForeground(obj: KubeObject): boolean {
  return !!obj.metadata.deletionTimestamp && hasFinalizer(obj, FOREGROUND_FINALIZER);
}

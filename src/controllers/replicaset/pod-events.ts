// The pod informer handlers every pod-owning controller needs (ReplicaSet, Job, DaemonSet,
// StatefulSet): map a pod event to its controller's key — through the controller reference, or for
// orphans to every owner whose selector matches — and tell the expectations what was observed.
import { controllerRefOf, isPodReady, objectKey, type EventHandler, type UIDTrackingExpectations, type Pod } from '../../client/index.js';
import type { KubeObject, OwnerReference } from '../../api/index.js';

export interface PodOwnerHooks<O extends KubeObject> {
  /** The owner a controller reference points at, if it is one of ours and still the same object. */
  resolve(namespace: string | undefined, ref: OwnerReference): O | undefined;
  /** Owners that could adopt an orphan pod. */
  matchingOwners(pod: Pod): O[];
  enqueue(owner: O, afterMs?: number): void;
  /** Told what was observed; controllers that act on deterministic names (StatefulSet) have none. */
  expectations?: UIDTrackingExpectations;
  /** Seconds after becoming ready that a pod becomes available (ReplicaSets' minReadySeconds). */
  minReadySeconds?(owner: O): number;
}

export function podEventHandler<O extends KubeObject>(h: PodOwnerHooks<O>): EventHandler<Pod> {
  const owner = (pod: Pod): O | undefined => {
    const ref = controllerRefOf(pod);
    return ref ? h.resolve(pod.metadata.namespace, ref) : undefined;
  };
  const deleted = (pod: Pod): void => {
    const o = owner(pod);
    if (!o) return;
    h.expectations?.podDeletionObserved(objectKey(o), objectKey(pod));
    h.enqueue(o);
  };
  return {
    add(pod) {
      if (pod.metadata.deletionTimestamp) return deleted(pod);
      if (controllerRefOf(pod)) {
        const o = owner(pod);
        if (!o) return;
        h.expectations?.creationObserved(objectKey(o));
        return h.enqueue(o);
      }
      for (const o of h.matchingOwners(pod)) h.enqueue(o);
    },
    update(old, pod) {
      if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
      const labelsChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(pod.metadata.labels ?? {});
      if (pod.metadata.deletionTimestamp) {
        // A pod being deleted no longer counts: tell its owner now, not at the final delete.
        deleted(pod);
        if (labelsChanged) deleted(old);
        return;
      }
      const ref = controllerRefOf(pod);
      const oldRef = controllerRefOf(old);
      const refChanged = ref?.uid !== oldRef?.uid;
      if (refChanged && oldRef) {
        const previous = owner(old);
        if (previous) h.enqueue(previous);
      }
      if (ref) {
        const o = owner(pod);
        if (!o) return;
        h.enqueue(o);
        const minReady = h.minReadySeconds?.(o) ?? 0;
        // Availability comes minReadySeconds after readiness, with no event to announce it.
        if (minReady > 0 && !isPodReady(old) && isPodReady(pod)) h.enqueue(o, minReady * 1000 + 1000);
        return;
      }
      if (labelsChanged || refChanged) for (const o of h.matchingOwners(pod)) h.enqueue(o);
    },
    delete: deleted,
  };
}

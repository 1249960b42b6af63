// The informer wiring every pod-owning controller needs (ReplicaSet, Job, DaemonSet, StatefulSet): an
// owner's own events enqueue it (and a deleted one's expectations go); a pod event enqueues its
// controller — through the controller reference, or for orphans every owner whose selector matches —
// and tells the expectations what was observed.
import {
  adoptersOf,
  controllerRefOf,
  isPodReady,
  objectKey,
  resolveControllerRef,
  splitKey,
  type EventHandler,
  type Informer,
  type Pod,
  type UIDTrackingExpectations,
  type WorkQueue,
} from '../../client/index.js';
import type { KubeObject, Selector } from '../../api/index.js';

export interface PodOwnerHooks<O extends KubeObject> {
  /** The owners' kind, as pods' controller references name it. */
  kind: string;
  owners: Informer<O>;
  pods: Informer<Pod>;
  /** An owner's pod selector; undefined when it is invalid (it adopts nothing). */
  selector(owner: O): Selector | undefined;
  /** Where owner keys (namespace/name) go. */
  queue: WorkQueue<string>;
  /** Told what was observed; controllers that act on deterministic names (StatefulSet) have none. */
  expectations?: UIDTrackingExpectations;
  /** Seconds after becoming ready that a pod becomes available (ReplicaSets' minReadySeconds). */
  minReadySeconds?(owner: O): number;
}

/** Returns the lookup of the owner a queue key names (undefined once it is gone; its expectations go with it). */
export function watchOwnedPods<O extends KubeObject>(h: PodOwnerHooks<O>): (key: string) => O | undefined {
  const enqueue = (o: O, afterMs?: number): void => (afterMs ? h.queue.addAfter(objectKey(o), afterMs) : h.queue.add(objectKey(o)));
  h.owners.addEventHandler({
    add: (o) => enqueue(o),
    update: (_old, o) => enqueue(o),
    delete: (o) => {
      h.expectations?.delete(objectKey(o));
      enqueue(o);
    },
  });
  h.pods.addEventHandler(podEventHandler(h, enqueue));
  return (key) => {
    const { namespace, name } = splitKey(key);
    const owner = h.owners.lister.get(name, namespace);
    if (!owner) h.expectations?.delete(key);
    return owner;
  };
}

function podEventHandler<O extends KubeObject>(h: PodOwnerHooks<O>, enqueue: (o: O, afterMs?: number) => void): EventHandler<Pod> {
  const owner = (pod: Pod): O | undefined => {
    const ref = controllerRefOf(pod);
    return ref ? resolveControllerRef(h.owners.lister, h.kind, pod.metadata.namespace, ref) : undefined;
  };
  const adopters = (pod: Pod): O[] => adoptersOf(h.owners.lister, pod, h.selector);
  const deleted = (pod: Pod): void => {
    const o = owner(pod);
    if (!o) return;
    h.expectations?.podDeletionObserved(objectKey(o), objectKey(pod));
    enqueue(o);
  };
  return {
    add(pod) {
      if (pod.metadata.deletionTimestamp) return deleted(pod);
      if (controllerRefOf(pod)) {
        const o = owner(pod);
        if (!o) return;
        h.expectations?.creationObserved(objectKey(o));
        return enqueue(o);
      }
      for (const o of adopters(pod)) enqueue(o);
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
        if (previous) enqueue(previous);
      }
      if (ref) {
        const o = owner(pod);
        if (!o) return;
        enqueue(o);
        const minReady = h.minReadySeconds?.(o) ?? 0;
        // Availability comes minReadySeconds after readiness, with no event to announce it.
        if (minReady > 0 && !isPodReady(old) && isPodReady(pod)) enqueue(o, minReady * 1000 + 1000);
        return;
      }
      if (labelsChanged || refChanged) for (const o of adopters(pod)) enqueue(o);
    },
    delete: deleted,
  };
}

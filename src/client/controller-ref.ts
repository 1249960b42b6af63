// Controller references (metav1.NewControllerRef, GetControllerOf) and the ControllerRefManager of
// k8s.io/kubernetes pkg/controller: an owner claims the objects its selector matches — adopting
// orphans, releasing objects it owns that no longer match — by patching their ownerReferences, so two
// controllers never fight over one pod.
import { selectorFromLabelSelector, type KubeObject, type LabelSelector, type OwnerReference, type Selector } from '../api/index.js';
import type { LabelMatcher, Lister } from './cache.js';
import { isInvalid, isNotFound } from './errors.js';
import type { ResourceClient } from './resource.js';

/** The owner reference a controller puts on what it creates. */
export function newControllerRef(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: String(owner.metadata.name),
    uid: String(owner.metadata.uid),
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function controllerRefOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}

export function isControlledBy(obj: KubeObject, owner: KubeObject): boolean {
  return controllerRefOf(obj)?.uid === owner.metadata.uid;
}

/** A workload's spec.selector; undefined when it is invalid (validation refuses those; such an owner adopts nothing). */
export function workloadSelector(owner: { spec: { selector?: LabelSelector | null } }): Selector | undefined {
  try {
    return selectorFromLabelSelector(owner.spec.selector ?? undefined);
  } catch {
    return undefined;
  }
}

/** The `kind` owner a controller reference names, from a lister, if it is still the same object (uid). */
export function resolveControllerRef<O extends KubeObject>(owners: Lister<O>, kind: string, namespace: string | undefined, ref: OwnerReference): O | undefined {
  if (ref.kind !== kind) return undefined;
  const owner = owners.get(ref.name, namespace);
  return owner?.metadata.uid === ref.uid ? owner : undefined;
}

/** The owners in the object's namespace whose non-empty selector matches it: who may adopt it as an orphan. */
export function adoptersOf<O extends KubeObject>(owners: Lister<O>, obj: KubeObject, selector: (owner: O) => Selector | undefined): O[] {
  return owners.listInNamespace(obj.metadata.namespace ?? '').filter((o) => {
    const s = selector(o);
    return !!s && !s.empty() && s.matches(obj.metadata.labels ?? {});
  });
}

export interface ClaimOptions<T extends KubeObject> {
  owner: KubeObject;
  selector: LabelMatcher;
  /** The client for the claimed kind: adoption and release are patches through it. */
  client: ResourceClient<T>;
  /**
   * Checked once, before the first adoption: the owner, read fresh from the API server, is still the
   * same object and not being deleted (RecheckDeletionTimestamp). Throwing stops adoption.
   */
  canAdopt?: () => Promise<void>;
  /** Extra condition an object must meet to be claimed (e.g. a DaemonSet pod's node). */
  filter?: (obj: T) => boolean;
}

/**
 * Returns the objects the owner controls after claiming: its own that still match, plus adopted
 * orphans. Objects owned by another controller are never touched.
 */
export async function claimObjects<T extends KubeObject>(objects: T[], o: ClaimOptions<T>): Promise<T[]> {
  const ownerUid = String(o.owner.metadata.uid);
  const ownerDeleting = Boolean(o.owner.metadata.deletionTimestamp);
  const claimed: T[] = [];
  let adoptionChecked = false;
  for (const obj of objects) {
    const matches = o.selector.matches(obj.metadata.labels ?? {}) && (o.filter?.(obj) ?? true);
    const ref = controllerRefOf(obj);
    if (ref) {
      if (ref.uid !== ownerUid) continue;
      if (matches) {
        claimed.push(obj);
        continue;
      }
      if (ownerDeleting) continue;
      await release(obj, ownerUid, o.client);
      continue;
    }
    if (!matches || ownerDeleting || obj.metadata.deletionTimestamp || obj.metadata.namespace !== o.owner.metadata.namespace) continue;
    if (!adoptionChecked) {
      await o.canAdopt?.();
      adoptionChecked = true;
    }
    const adopted = await adopt(obj, o.owner, o.client);
    if (adopted) claimed.push(adopted);
  }
  return claimed;
}

/** Adds the controller reference; the object's uid in the patch makes it fail if the name was reused. */
async function adopt<T extends KubeObject>(obj: T, owner: KubeObject, client: ResourceClient<T>): Promise<T | undefined> {
  const patch = { metadata: { ownerReferences: [newControllerRef(owner)], uid: obj.metadata.uid } };
  try {
    return await client.patch(String(obj.metadata.name), patch, 'strategic', { namespace: obj.metadata.namespace });
  } catch (err) {
    // Gone or replaced meanwhile: nothing to adopt.
    if (isNotFound(err) || isInvalid(err)) return undefined;
    throw err;
  }
}

async function release<T extends KubeObject>(obj: T, ownerUid: string, client: ResourceClient<T>): Promise<void> {
  const patch = { metadata: { ownerReferences: [{ $patch: 'delete', uid: ownerUid }], uid: obj.metadata.uid } };
  try {
    await client.patch(String(obj.metadata.name), patch, 'strategic', { namespace: obj.metadata.namespace });
  } catch (err) {
    if (isNotFound(err) || isInvalid(err)) return;
    throw err;
  }
}

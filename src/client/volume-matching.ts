// PersistentVolume ↔ claim matching (pkg/controller/volume/persistentvolume/index.go findBestMatchForClaim)
// and binding (storagehelpers), shared by the PV controller and the scheduler's VolumeBinding, as pure
// functions: class, access modes, volume mode, selector and capacity must fit; the smallest fitting
// volume wins, and a volume pre-bound to the claim (claimRef) is taken first.
import { Quantity, selectorFromLabelSelector } from '../api/index.js';
import type { PersistentVolume, PersistentVolumeClaim } from './types.js';

/** On a claim: the node the scheduler chose for a WaitForFirstConsumer claim's provisioning. */
export const SELECTED_NODE_ANNOTATION = 'volume.kubernetes.io/selected-node';
/** On a claim: the PV controller finished binding it. */
export const BIND_COMPLETED_ANNOTATION = 'pv.kubernetes.io/bind-completed';
/** On both halves of a binding the controllers (not a user) made. */
export const BOUND_BY_CONTROLLER_ANNOTATION = 'pv.kubernetes.io/bound-by-controller';

/** BindVolumeToClaim: the volume with its claimRef set to the claim, marked as bound by a controller. */
export function volumeBoundToClaim(pv: PersistentVolume, claim: PersistentVolumeClaim): PersistentVolume {
  return {
    ...pv,
    metadata: { ...pv.metadata, annotations: { ...(pv.metadata.annotations ?? {}), [BOUND_BY_CONTROLLER_ANNOTATION]: 'yes' } },
    spec: {
      ...pv.spec,
      claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid, resourceVersion: claim.metadata.resourceVersion },
    },
  };
}

export function claimClass(claim: PersistentVolumeClaim): string {
  return claim.spec.storageClassName ?? '';
}

function capacity(pv: PersistentVolume): Quantity {
  return Quantity.parse(pv.spec.capacity?.storage ?? '0');
}

/** Whether a volume is free for this claim (no claimRef, or a claimRef naming this claim). */
function available(pv: PersistentVolume, claim: PersistentVolumeClaim): boolean {
  const ref = pv.spec.claimRef;
  if (pv.metadata.deletionTimestamp) return false;
  if (!ref) return pv.status?.phase !== 'Released' && pv.status?.phase !== 'Failed';
  return ref.namespace === claim.metadata.namespace && ref.name === claim.metadata.name && (!ref.uid || ref.uid === claim.metadata.uid);
}

export function fits(pv: PersistentVolume, claim: PersistentVolumeClaim): boolean {
  if ((pv.spec.storageClassName ?? '') !== claimClass(claim)) return false;
  if ((pv.spec.volumeMode ?? 'Filesystem') !== (claim.spec.volumeMode ?? 'Filesystem')) return false;
  const modes = new Set(pv.spec.accessModes ?? []);
  if (!(claim.spec.accessModes ?? []).every((m) => modes.has(m))) return false;
  const request = claim.spec.resources?.requests?.storage;
  if (request && capacity(pv).cmp(Quantity.parse(request)) < 0) return false;
  if (claim.spec.selector) {
    try {
      if (!selectorFromLabelSelector(claim.spec.selector).matches(pv.metadata.labels ?? {})) return false;
    } catch {
      return false;
    }
  }
  return true;
}

export interface MatchOptions {
  /** The claim's class binds on first consumer: without a node only a volume pre-bound to it is taken. */
  delayBinding?: boolean;
  /** The scheduler's question: can a pod on this node use the volume (its node affinity)? */
  fitsNode?: (pv: PersistentVolume) => boolean;
}

/**
 * The volume to bind a claim to: pre-bound first (none at all when that one does not fit the node),
 * then the smallest that fits; undefined when none.
 */
export function bestMatch(pvs: PersistentVolume[], claim: PersistentVolumeClaim, options: MatchOptions = {}): PersistentVolume | undefined {
  const candidates = pvs.filter((pv) => available(pv, claim) && fits(pv, claim));
  const prebound = candidates.find((pv) => pv.spec.claimRef);
  if (prebound) return !options.fitsNode || options.fitsNode(prebound) ? prebound : undefined;
  if (!options.fitsNode && options.delayBinding) return undefined;
  return candidates.filter((pv) => !options.fitsNode || options.fitsNode(pv)).sort((a, b) => capacity(a).cmp(capacity(b)) || String(a.metadata.name).localeCompare(String(b.metadata.name)))[0];
}

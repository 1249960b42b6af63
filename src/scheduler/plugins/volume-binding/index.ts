// VolumeBinding (the part that applies without dynamic provisioning): every PVC the pod uses must
// exist and be bound, and the node must satisfy the node affinity of the PVs they are bound to.
import { SKIP, unresolvable, type Plugin } from '../../framework.js';
import { nodeSelectorMatches } from '../../node-selector.js';
import type { PersistentVolume } from '../../types.js';

export const NAME = 'VolumeBinding';
export const ERR_NODE_CONFLICT = 'node(s) had volume node affinity conflict';
const STATE_KEY = 'VolumeBinding/pvs';

export function volumeBinding(): Plugin {
  return {
    name: NAME,
    preFilter: (state, pod, snapshot) => {
      const claims = (pod.pod.spec.volumes ?? []).filter((v) => v.persistentVolumeClaim).map((v) => v.persistentVolumeClaim!.claimName);
      if (!claims.length) return SKIP;
      const ns = pod.pod.metadata.namespace ?? 'default';
      const pvs: PersistentVolume[] = [];
      for (const name of claims) {
        const pvc = snapshot.pvc(ns, name);
        if (!pvc) return unresolvable(`persistentvolumeclaim "${name}" not found`);
        if (pvc.metadata.deletionTimestamp) return unresolvable(`persistentvolumeclaim "${name}" is being deleted`);
        const volumeName = pvc.spec?.volumeName;
        if (!volumeName) return unresolvable('pod has unbound immediate PersistentVolumeClaims');
        const pv = snapshot.pv(volumeName);
        if (!pv) return unresolvable('node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)');
        pvs.push(pv);
      }
      state.write(STATE_KEY, pvs);
      return undefined;
    },
    filter: (state, _pod, node) => {
      for (const pv of state.read<PersistentVolume[]>(STATE_KEY) ?? []) {
        const required = pv.spec?.nodeAffinity?.required;
        if (required && !nodeSelectorMatches(required, node.node)) return unresolvable(ERR_NODE_CONFLICT);
      }
      return undefined;
    },
  };
}

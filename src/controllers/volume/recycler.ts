// The Recycle reclaim policy as kube-controller-manager carries it out (pv_controller.go
// recycleVolumeOperation, pkg/volume/util/recyclerclient): a pod `recycler-for-<pv>` in the default
// namespace mounts the volume at /scrub and empties it; when it succeeds the volume is Available again.
// Only the hostPath and NFS volume plugins can recycle; anything else fails with Kubernetes' message.
import { Quantity } from '../../api/index.js';
import type { PersistentVolume, Pod, PodSpec } from '../../client/index.js';

export const RECYCLER_POD_PREFIX = 'recycler-for-';
export const RECYCLER_NAMESPACE = 'default';
export const NO_RECYCLER_MESSAGE = 'No recycler plugin found for the volume!';

/** kube-controller-manager's --pv-recycler-minimum-timeout-{hostpath,nfs} and --pv-recycler-increment-timeout-nfs (hostPath uses the same 30 s). */
const TIMEOUTS = { hostPath: { minimum: 60, increment: 30 }, nfs: { minimum: 300, increment: 30 } };

/** util.CalculateTimeoutForVolume: `increment` seconds per whole GiB, at least `minimum`. */
export function recycleTimeoutSeconds(pv: PersistentVolume, minimum: number, increment: number): number {
  const gib = Math.floor(Quantity.parse(pv.spec.capacity?.storage ?? '0').value() / 2 ** 30);
  return Math.max(minimum, gib * increment);
}

/** The recycler pod for `pv`, or undefined when no plugin can recycle its kind of volume. */
export function recyclerPod(pv: PersistentVolume): Pod | undefined {
  const hostPath = pv.spec.hostPath;
  const nfs = pv.spec.nfs as { server: string; path: string; readOnly?: boolean } | undefined;
  const plugin = hostPath ? TIMEOUTS.hostPath : nfs ? TIMEOUTS.nfs : undefined;
  if (!plugin) return undefined;
  const source = hostPath ? { hostPath: { path: hostPath.path } } : { nfs: { server: nfs!.server, path: nfs!.path } };
  const spec: PodSpec = {
    activeDeadlineSeconds: recycleTimeoutSeconds(pv, plugin.minimum, plugin.increment),
    restartPolicy: 'Never',
    volumes: [{ name: 'vol', ...source }],
    containers: [
      {
        name: 'pv-recycler',
        // busybox, the image every skiff node has offline, with the scrub command of Kubernetes' busybox
        // template (its later `find -delete` needs a find busybox builds do not always have).
        image: 'busybox',
        command: ['/bin/sh'],
        args: ['-c', 'test -e /scrub && rm -rf /scrub/..?* /scrub/.[!.]* /scrub/*  && test -z "$(ls -A /scrub)" || exit 1'],
        volumeMounts: [{ name: 'vol', mountPath: '/scrub' }],
      },
    ],
  };
  // Kubernetes leaves the recycler unpinned (its hostPath recycling is for one-node clusters); a volume
  // pinned to a node (local-path) is scrubbed on that node, where its data is.
  const required = pv.spec.nodeAffinity?.required;
  if (required) spec.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: required } };
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: `${RECYCLER_POD_PREFIX}${pv.metadata.name}`, namespace: RECYCLER_NAMESPACE }, spec };
}

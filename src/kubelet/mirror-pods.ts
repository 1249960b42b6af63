// Mirror pods (pkg/kubelet/pod/mirror_client.go): the API's read-only picture of a static pod — the
// same name, spec and labels, annotated kubernetes.io/config.mirror=<static pod hash> and owned by the
// Node. The kubelet keeps exactly one per static pod: a deleted or outdated mirror is created again,
// a mirror whose static pod is gone is deleted. The containers only ever follow the manifest file.
import { isAlreadyExists, isConflict, isNotFound, type ResourceClient } from '../client/index.js';
import { CONFIG_MIRROR_ANNOTATION } from './static-pods.js';
import type { Pod } from '../client/index.js';

export function isMirrorPod(pod: Pod): boolean {
  return pod.metadata.annotations?.[CONFIG_MIRROR_ANNOTATION] !== undefined;
}

/** The static pod's uid (its config hash) a mirror pod stands for. */
export function mirrorOf(pod: Pod): string | undefined {
  return pod.metadata.annotations?.[CONFIG_MIRROR_ANNOTATION];
}

export function mirrorPodFor(staticPod: Pod, node: { name: string; uid: string }): Pod {
  const m = staticPod.metadata;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: m.name,
      namespace: m.namespace,
      labels: m.labels,
      annotations: { ...m.annotations, [CONFIG_MIRROR_ANNOTATION]: m.uid! },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node.name, uid: node.uid, controller: true }],
    },
    spec: staticPod.spec,
  };
}

/**
 * How long a mirror deleted by a user stays away before it is created again: `kubectl delete --wait`
 * looks for the old object, then watches for its deletion; a replacement that is already there when
 * its watch starts would hide that deletion from it.
 */
const RECREATE_DELAY_MS = 1000;

function key(pod: Pod): string {
  return `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`;
}

export class MirrorPods {
  private readonly blocked = new Set<string>();
  /** When we removed a terminating mirror, by namespace/name. */
  private readonly removedAt = new Map<string, number>();

  constructor(
    private readonly pods: ResourceClient<Pod>,
    private readonly node: () => Promise<{ name: string; uid: string }>,
    private readonly log: (message: string) => void,
  ) {}

  /**
   * Makes the mirror pods among apiPods (this node's pods) match staticPods. Returns the uids of the
   * static pods that got a new mirror (whose status must be written again) and, when a mirror waits to
   * be created again, how soon to call again.
   */
  async reconcile(staticPods: Iterable<Pod>, apiPods: Pod[]): Promise<{ created: string[]; again?: number }> {
    const byKey = new Map(apiPods.map((p) => [key(p), p]));
    const wanted = new Map([...staticPods].map((p) => [key(p), p]));
    const created: string[] = [];
    let again: number | undefined;
    for (const [k, sp] of wanted) {
      const current = byKey.get(k);
      if (current && !isMirrorPod(current)) {
        if (!this.blocked.has(k)) this.log(`static pod ${k}: a pod of that name that is not its mirror exists; no mirror pod is created`);
        this.blocked.add(k);
        continue;
      }
      this.blocked.delete(k);
      if (current && mirrorOf(current) === sp.metadata.uid && !current.metadata.deletionTimestamp) continue;
      if (current) {
        await this.remove(current);
        if (current.metadata.deletionTimestamp) this.removedAt.set(k, Date.now());
      }
      const wait = (this.removedAt.get(k) ?? 0) + RECREATE_DELAY_MS - Date.now();
      if (wait > 0) {
        again = Math.min(again ?? wait, wait);
        continue;
      }
      this.removedAt.delete(k);
      try {
        await this.pods.create(mirrorPodFor(sp, await this.node()), { namespace: sp.metadata.namespace });
        created.push(sp.metadata.uid!);
      } catch (err) {
        // The informer has not shown our last create yet; the next pass sees it.
        if (!isAlreadyExists(err)) throw err;
      }
    }
    for (const p of apiPods) if (isMirrorPod(p) && !wanted.has(key(p))) await this.remove(p);
    return { created, again };
  }

  /** Deletes the mirror of a static pod that stopped (its file went away or changed). */
  async removeMirrorOf(staticPod: Pod, apiPods: Pod[]): Promise<void> {
    const mirror = apiPods.find((p) => key(p) === key(staticPod) && mirrorOf(p) === staticPod.metadata.uid);
    if (mirror) await this.remove(mirror);
  }

  private async remove(pod: Pod): Promise<void> {
    try {
      await this.pods.delete(pod.metadata.name!, { namespace: pod.metadata.namespace, gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
    } catch (err) {
      // Gone already, or replaced by a newer object (a uid precondition conflict): nothing to delete.
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }
}

// Which pods a ReplicaSet deletes first when it scales down (controller.ActivePodsWithRanks): the
// least useful first — unscheduled, pending, not ready, cheap to delete (pod-deletion-cost), doubled up
// on a node, ready for the shortest time, restarted most, newest. Times compare on a log2 scale of
// their age (LogarithmicScaleDown), so pods of similar age are not told apart by seconds.
import { isPodReady, maxContainerRestarts, podReadyTime, type Pod } from '../../client/index.js';

export const POD_DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

const PHASE_ORDER: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

export interface RankedPod {
  pod: Pod;
  /** How many related active pods share its node. */
  rank: number;
}

function deletionCost(pod: Pod): number {
  const v = Number(pod.metadata.annotations?.[POD_DELETION_COST] ?? 0);
  return Number.isInteger(v) ? v : 0;
}

/** log2 buckets of age: pods within a factor of two of each other tie. */
function logRank(t: number, now: number): number {
  const ageNs = (now - t) * 1e6;
  return ageNs > 0 ? Math.floor(Math.log2(ageNs)) : -1;
}

/** Negative when pod a should be deleted before b (a younger), by time t (undefined = zero time). */
function compareTimes(ta: number | undefined, tb: number | undefined, a: Pod, b: Pod, now: number): number {
  if (ta === undefined || tb === undefined) return ta === undefined ? -1 : 1;
  const diff = logRank(ta, now) - logRank(tb, now);
  if (diff !== 0) return diff;
  const ua = String(a.metadata.uid ?? '');
  const ub = String(b.metadata.uid ?? '');
  return ua < ub ? -1 : ua > ub ? 1 : 0;
}

export function compareForDeletion(a: RankedPod, b: RankedPod, now: number): number {
  const pa = a.pod;
  const pb = b.pod;
  const na = pa.spec.nodeName ?? '';
  const nb = pb.spec.nodeName ?? '';
  if (na !== nb && (na === '' || nb === '')) return na === '' ? -1 : 1;
  const oa = PHASE_ORDER[pa.status?.phase ?? ''] ?? 0;
  const ob = PHASE_ORDER[pb.status?.phase ?? ''] ?? 0;
  if (oa !== ob) return oa - ob;
  const ra = isPodReady(pa);
  const rb = isPodReady(pb);
  if (ra !== rb) return ra ? 1 : -1;
  const ca = deletionCost(pa);
  const cb = deletionCost(pb);
  if (ca !== cb) return ca - cb;
  if (a.rank !== b.rank) return b.rank - a.rank;
  if (ra && rb) {
    const ta = podReadyTime(pa);
    const tb = podReadyTime(pb);
    if (ta !== tb) {
      const c = compareTimes(ta, tb, pa, pb, now);
      if (c !== 0) return c;
    }
  }
  const xa = maxContainerRestarts(pa);
  const xb = maxContainerRestarts(pb);
  if (xa !== xb) return xb - xa;
  const ta = pa.metadata.creationTimestamp ? Date.parse(pa.metadata.creationTimestamp) : undefined;
  const tb = pb.metadata.creationTimestamp ? Date.parse(pb.metadata.creationTimestamp) : undefined;
  if (ta !== tb) return compareTimes(ta, tb, pa, pb, now);
  return 0;
}

/**
 * The `count` pods to delete: ranked by how many of `related` (the pods of this controller and its
 * siblings) run on the same node, then by compareForDeletion.
 */
export function podsToDelete(pods: Pod[], related: Pod[], count: number, now: Date): Pod[] {
  if (count >= pods.length) return pods;
  const perNode = new Map<string, number>();
  for (const p of related) {
    const node = p.spec.nodeName;
    if (node) perNode.set(node, (perNode.get(node) ?? 0) + 1);
  }
  const ranked = pods.map((pod) => ({ pod, rank: pod.spec.nodeName ? (perNode.get(pod.spec.nodeName) ?? 0) : 0 }));
  ranked.sort((a, b) => compareForDeletion(a, b, now.getTime()));
  return ranked.slice(0, count).map((r) => r.pod);
}

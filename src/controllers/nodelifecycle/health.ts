// Node health as the node lifecycle controller judges it (node_lifecycle_controller.go
// tryUpdateNodeHealth + doNoExecuteTaintingPass, taint_eviction.go), as pure functions: when a node
// is Unknown, which taints its Ready condition calls for, and when a pod on a tainted node is evicted.
import type { NodeCondition, Taint, Toleration } from '../../client/index.js';
import { tolerates } from '../../scheduler/index.js';

export const NOT_READY_TAINT = 'node.kubernetes.io/not-ready';
export const UNREACHABLE_TAINT = 'node.kubernetes.io/unreachable';
export const UNSCHEDULABLE_TAINT = 'node.kubernetes.io/unschedulable';
/** The taints this controller owns; any other taint on a node is left as it is. */
const OWNED = new Set([NOT_READY_TAINT, UNREACHABLE_TAINT, UNSCHEDULABLE_TAINT]);

/** The conditions the kubelet reports that become Unknown when it stops reporting. */
const KUBELET_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

/** The node's conditions after its kubelet went silent: Unknown, "Kubelet stopped posting node status.". */
export function unknownConditions(conditions: NodeCondition[] | undefined, now: string): NodeCondition[] {
  const out = (conditions ?? []).map((c) => ({ ...c }));
  for (const type of KUBELET_CONDITIONS) {
    let c = out.find((x) => x.type === type);
    if (!c) out.push((c = { type, status: 'Unknown', lastHeartbeatTime: now }));
    if (c.status !== 'Unknown') c.lastTransitionTime = now;
    else c.lastTransitionTime ??= now;
    c.status = 'Unknown';
    c.reason = 'NodeStatusUnknown';
    c.message = c.lastHeartbeatTime === now && type === 'Ready' ? 'Kubelet never posted node status.' : 'Kubelet stopped posting node status.';
  }
  return out;
}

/**
 * The node's taints with the ones we own set from its Ready condition and unschedulable flag
 * (TaintNodesByCondition + the NoExecute pass); taints already present keep their timeAdded.
 */
export function desiredTaints(current: Taint[] | undefined, ready: string | undefined, unschedulable: boolean, now: string): Taint[] {
  const want: Taint[] = [];
  const key = ready === 'False' ? NOT_READY_TAINT : ready === 'True' ? undefined : UNREACHABLE_TAINT;
  if (key) want.push({ key, effect: 'NoSchedule' }, { key, effect: 'NoExecute', timeAdded: now });
  if (unschedulable) want.push({ key: UNSCHEDULABLE_TAINT, effect: 'NoSchedule', timeAdded: now });
  const keep = (current ?? []).filter((t) => !OWNED.has(t.key));
  for (const t of want) {
    const existing = (current ?? []).find((c) => c.key === t.key && c.effect === t.effect);
    const out: Taint = existing ?? t;
    if (out.effect === 'NoSchedule' && out.key !== UNSCHEDULABLE_TAINT) delete out.timeAdded;
    keep.push(out);
  }
  return keep;
}

/**
 * When a pod on a node with these taints must be evicted (ms since epoch): now for a NoExecute taint it
 * does not tolerate, the earliest timeAdded + tolerationSeconds otherwise, undefined never.
 */
export function evictionTime(taints: Taint[] | undefined, tolerations: Toleration[] | undefined, now: number): number | undefined {
  let at: number | undefined;
  for (const taint of taints ?? []) {
    if (taint.effect !== 'NoExecute') continue;
    const matching = (tolerations ?? []).filter((t) => tolerates(t, taint));
    if (!matching.length) return now;
    // Tolerations without tolerationSeconds tolerate forever; among those with it, the shortest wins.
    const seconds = matching.map((t) => t.tolerationSeconds).filter((s): s is number => typeof s === 'number');
    if (seconds.length === 0) continue;
    const added = taint.timeAdded ? Date.parse(taint.timeAdded) : now;
    const when = added + Math.max(0, Math.min(...seconds)) * 1000;
    at = at === undefined ? when : Math.min(at, when);
  }
  return at;
}

// Which nodes a DaemonSet runs on (daemon_controller.go NodeShouldRunDaemonPod) and what its pod for a
// node looks like: the template with DaemonSet's default tolerations and a required node affinity to
// that one node, so the scheduler places it there.
// The scheduler's node-affinity and taint matching, the one implementation of those rules.
import { firstUntoleratedTaint, podMatchesNodeSelectorAndAffinity } from '../../scheduler/index.js';
import type { Node, Pod, PodSpec, Toleration } from '../../client/index.js';
import type { DaemonSet } from './types.js';

const NO_SCHEDULE = new Set(['NoSchedule', 'NoExecute']);
const NO_EXECUTE = new Set(['NoExecute']);

/** util.AddOrUpdateDaemonPodTolerations: daemons keep running through these node problems. */
export function daemonTolerations(spec: { hostNetwork?: boolean; tolerations?: Toleration[] }): Toleration[] {
  const extra: Toleration[] = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (spec.hostNetwork) extra.push({ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' });
  const out = [...(spec.tolerations ?? [])];
  for (const t of extra) if (!out.some((x) => x.key === t.key && x.effect === t.effect)) out.push(t);
  return out;
}

/** The DaemonSet's pod for a node, before the API server names it. */
export function podSpecForNode(ds: DaemonSet, nodeName: string): PodSpec {
  const spec = structuredClone(ds.spec.template.spec ?? { containers: [] });
  spec.tolerations = daemonTolerations(spec);
  spec.affinity ??= {};
  spec.affinity.nodeAffinity ??= {};
  spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = {
    nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }],
  };
  return spec;
}

/** shouldRun: a new pod belongs there; shouldContinueRunning: an existing one may stay. */
export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): { shouldRun: boolean; shouldContinueRunning: boolean } {
  const spec = ds.spec.template.spec ?? { containers: [] };
  const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: '', namespace: ds.metadata.namespace }, spec: { ...spec, nodeName: node.metadata.name } };
  if (!podMatchesNodeSelectorAndAffinity(pod, node)) return { shouldRun: false, shouldContinueRunning: false };
  const tolerations = daemonTolerations(spec);
  const taints = node.spec?.taints;
  if (firstUntoleratedTaint(taints, tolerations, NO_EXECUTE)) return { shouldRun: false, shouldContinueRunning: false };
  if (firstUntoleratedTaint(taints, tolerations, NO_SCHEDULE)) return { shouldRun: false, shouldContinueRunning: true };
  return { shouldRun: true, shouldContinueRunning: true };
}

/** util.GetTargetNodeName: the node a daemon pod is on, or is bound for by its node affinity. */
export function targetNodeName(pod: Pod): string | undefined {
  if (pod.spec.nodeName) return pod.spec.nodeName;
  const terms = (pod.spec as { affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: Array<{ matchFields?: Array<{ key: string; operator: string; values?: string[] }> }> } } } })
    .affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  for (const term of terms ?? []) {
    for (const f of term.matchFields ?? []) if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  }
  return undefined;
}

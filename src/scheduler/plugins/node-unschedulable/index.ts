// NodeUnschedulable: cordoned nodes (spec.unschedulable) take only pods that tolerate the
// node.kubernetes.io/unschedulable:NoSchedule taint.
import { unresolvable, type Plugin } from '../../framework.js';
import { tolerates } from '../../node-selector.js';

export const NAME = 'NodeUnschedulable';
export const ERR_REASON = 'node(s) were unschedulable';
const UNSCHEDULABLE_TAINT = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' as const };

export function nodeUnschedulable(): Plugin {
  return {
    name: NAME,
    filter: (_state, pod, node) => {
      if (!node.node.spec?.unschedulable) return undefined;
      const tolerated = (pod.pod.spec.tolerations ?? []).some((t) => tolerates(t, UNSCHEDULABLE_TAINT));
      return tolerated ? undefined : unresolvable(ERR_REASON);
    },
  };
}

// TaintToleration: NoSchedule/NoExecute taints keep pods off unless tolerated; untolerated
// PreferNoSchedule taints lower a node's score (fewer is better).
import { defaultNormalizeScore, unresolvable, type Plugin } from '../../framework.js';
import { firstUntoleratedTaint, tolerates } from '../../node-selector.js';
import type { Toleration } from '../../types.js';

export const NAME = 'TaintToleration';
const FILTER_EFFECTS = new Set(['NoSchedule', 'NoExecute']);
const STATE_KEY = 'TaintToleration/preferTolerations';

export function taintToleration(): Plugin {
  return {
    name: NAME,
    filter: (_state, pod, node) => {
      const taint = firstUntoleratedTaint(node.node.spec?.taints, pod.pod.spec.tolerations, FILTER_EFFECTS);
      return taint ? unresolvable(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`) : undefined;
    },
    preScore: (state, pod) => {
      state.write(STATE_KEY, (pod.pod.spec.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule'));
      return undefined;
    },
    score: (state, _pod, node) => {
      const tolerations = state.read<Toleration[]>(STATE_KEY) ?? [];
      let count = 0;
      for (const taint of node.node.spec?.taints ?? []) {
        if (taint.effect === 'PreferNoSchedule' && !tolerations.some((t) => tolerates(t, taint))) count++;
      }
      return count;
    },
    normalizeScore: (_state, _pod, scores) => defaultNormalizeScore(scores, true),
  };
}

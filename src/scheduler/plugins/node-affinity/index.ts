// NodeAffinity: nodeSelector and required node affinity filter nodes (terms ORed, expressions ANDed);
// preferred terms add their weight to the nodes they match.
import { defaultNormalizeScore, SKIP, unresolvable, type Plugin } from '../../framework.js';
import { nodeSelectorTermMatches, podMatchesNodeSelectorAndAffinity } from '../../node-selector.js';

export const NAME = 'NodeAffinity';
export const ERR_REASON = "node(s) didn't match Pod's node affinity/selector";

export function nodeAffinity(): Plugin {
  return {
    name: NAME,
    preFilter: (_state, pod) => {
      const spec = pod.pod.spec;
      const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
      if (!required && !Object.keys(spec.nodeSelector ?? {}).length) return SKIP;
      // Terms that all pin metadata.name let the cycle look at those nodes only.
      const terms = required?.nodeSelectorTerms ?? [];
      if (!terms.length || Object.keys(spec.nodeSelector ?? {}).length) return undefined;
      const names = new Set<string>();
      for (const term of terms) {
        const pin = term.matchFields?.find((f) => f.key === 'metadata.name' && f.operator === 'In');
        if (!pin) return undefined;
        for (const v of pin.values ?? []) names.add(v);
      }
      return { nodeNames: names };
    },
    filter: (_state, pod, node) => (podMatchesNodeSelectorAndAffinity(pod.pod, node.node) ? undefined : unresolvable(ERR_REASON)),
    preScore: (_state, pod) => (pod.pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length ? undefined : SKIP),
    score: (_state, pod, node) => {
      let total = 0;
      for (const term of pod.pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
        if (term.weight && nodeSelectorTermMatches(term.preference, node.node)) total += term.weight;
      }
      return total;
    },
    normalizeScore: (_state, _pod, scores) => defaultNormalizeScore(scores, false),
  };
}

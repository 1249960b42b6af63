// NodeResourcesBalancedAllocation: prefers nodes whose cpu and memory would be used in similar
// proportions with the pod placed (1 - standard deviation of the fractions).
import { MAX_NODE_SCORE, type Plugin } from '../../framework.js';
import { DEFAULT_RESOURCES, type ResourceSpec } from '../node-resources-fit/index.js';

export const NAME = 'NodeResourcesBalancedAllocation';

export function balancedAllocation(args: { resources?: ResourceSpec[] } = {}): Plugin {
  const resources = args.resources?.length ? args.resources : DEFAULT_RESOURCES;
  return {
    name: NAME,
    score: (_state, pod, node) => {
      const fractions: number[] = [];
      for (const r of resources) {
        const allocatable = node.allocatable[r.name] ?? 0;
        if (allocatable === 0) continue;
        const requested = (node.requested[r.name] ?? 0) + (pod.requests[r.name] ?? 0);
        fractions.push(Math.min(1, requested / allocatable));
      }
      let std = 0;
      if (fractions.length === 2) std = Math.abs((fractions[0] - fractions[1]) / 2);
      else if (fractions.length > 2) {
        const mean = fractions.reduce((a, b) => a + b, 0) / fractions.length;
        std = Math.sqrt(fractions.reduce((a, f) => a + (f - mean) ** 2, 0) / fractions.length);
      }
      return Math.trunc((1 - std) * MAX_NODE_SCORE);
    },
  };
}

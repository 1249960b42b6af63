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
      // Two passes over the resources instead of building arrays: this runs for every pod × node.
      let count = 0;
      let sum = 0;
      let first = 0;
      let second = 0;
      for (let i = 0; i < resources.length; i++) {
        const f = fraction(resources[i].name);
        if (f < 0) continue;
        if (count === 0) first = f;
        else if (count === 1) second = f;
        sum += f;
        count++;
      }
      let std = 0;
      if (count === 2) std = Math.abs((first - second) / 2);
      else if (count > 2) {
        const mean = sum / count;
        let squares = 0;
        for (let i = 0; i < resources.length; i++) {
          const f = fraction(resources[i].name);
          if (f >= 0) squares += (f - mean) ** 2;
        }
        std = Math.sqrt(squares / count);
      }
      return Math.trunc((1 - std) * MAX_NODE_SCORE);

      /** requested/allocatable with the pod placed, capped at 1; -1 when the node has none of it. */
      function fraction(name: string): number {
        const allocatable = node.allocatable[name] ?? 0;
        if (allocatable === 0) return -1;
        return Math.min(1, ((node.requested[name] ?? 0) + (pod.requests[name] ?? 0)) / allocatable);
      }
    },
  };
}

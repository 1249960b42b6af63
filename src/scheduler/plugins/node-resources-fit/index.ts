// NodeResourcesFit: the pod's requests (not limits) must fit in what the node's allocatable leaves
// after the pods already there; scoring prefers the least (default) or the most allocated nodes.
import { MAX_NODE_SCORE, Status, Code, type Plugin } from '../../framework.js';
import type { NodeInfo, PodInfo } from '../../node-info.js';
import { CPU, MEMORY, PODS } from '../../resources.js';

export const NAME = 'NodeResourcesFit';

export interface ResourceSpec {
  name: string;
  weight: number;
}

export interface FitArgs {
  scoringStrategy?: { type?: 'LeastAllocated' | 'MostAllocated'; resources?: ResourceSpec[] };
  ignoredResources?: string[];
}

export const DEFAULT_RESOURCES: ResourceSpec[] = [
  { name: CPU, weight: 1 },
  { name: MEMORY, weight: 1 },
];

interface Insufficient {
  reason: string;
  /** The pod asks for more than the node has at all: removing pods cannot help. */
  unresolvable: boolean;
}

const NONE: Insufficient[] = [];

/** Every resource the pod does not fit on the node for, in Kubernetes' order (pods, cpu, memory, storage, others). */
export function insufficientResources(pod: PodInfo, node: NodeInfo, ignored?: ReadonlySet<string>): Insufficient[] {
  // Hot path (every pod × every node): no closures or allocations unless something is missing.
  let out: Insufficient[] | undefined;
  if (node.pods.size + 1 > (node.allocatable[PODS] ?? 0)) (out ??= []).push({ reason: 'Too many pods', unresolvable: false });
  const names = pod.requested;
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    const want = pod.requests[name];
    if (want <= node.free(name) || ignored?.has(name)) continue;
    (out ??= []).push({ reason: `Insufficient ${name}`, unresolvable: want > (node.allocatable[name] ?? 0) });
  }
  return out ?? NONE;
}

/** The requested amount of `name` on the node if the pod were added (cpu/memory count 100m/200Mi for request-less containers). */
function requestedWithPod(pod: PodInfo, node: NodeInfo, name: string, nonZero: boolean): number {
  if (nonZero && name === CPU) return node.nonZeroRequested.cpu + pod.nonZero.cpu;
  if (nonZero && name === MEMORY) return node.nonZeroRequested.memory + pod.nonZero.memory;
  return (node.requested[name] ?? 0) + (pod.requests[name] ?? 0);
}

/** The weighted per-resource score kube's resourceAllocationScorer computes. */
export function resourceScore(pod: PodInfo, node: NodeInfo, resources: ResourceSpec[], nonZero: boolean, scorer: (requested: number, allocatable: number) => number): number {
  let total = 0;
  let weights = 0;
  for (const r of resources) {
    const allocatable = node.allocatable[r.name] ?? 0;
    if (allocatable === 0) continue;
    if (r.name !== CPU && r.name !== MEMORY && !(pod.requests[r.name] > 0)) continue;
    total += scorer(requestedWithPod(pod, node, r.name, nonZero), allocatable) * r.weight;
    weights += r.weight;
  }
  return weights === 0 ? 0 : Math.floor(total / weights);
}

export const leastAllocated = (requested: number, allocatable: number): number =>
  requested > allocatable ? 0 : Math.floor(((allocatable - requested) * MAX_NODE_SCORE) / allocatable);

export const mostAllocated = (requested: number, allocatable: number): number =>
  Math.floor((Math.min(requested, allocatable) * MAX_NODE_SCORE) / allocatable);

export function nodeResourcesFit(args: FitArgs = {}): Plugin {
  const ignored = args.ignoredResources?.length ? new Set(args.ignoredResources) : undefined;
  const resources = args.scoringStrategy?.resources?.length ? args.scoringStrategy.resources : DEFAULT_RESOURCES;
  const scorer = args.scoringStrategy?.type === 'MostAllocated' ? mostAllocated : leastAllocated;
  return {
    name: NAME,
    filter: (_state, pod, node) => {
      const missing = insufficientResources(pod, node, ignored);
      if (!missing.length) return undefined;
      const code = missing.some((m) => m.unresolvable) ? Code.UnschedulableAndUnresolvable : Code.Unschedulable;
      return new Status(code, missing.map((m) => m.reason));
    },
    score: (_state, pod, node) => resourceScore(pod, node, resources, true, scorer),
  };
}

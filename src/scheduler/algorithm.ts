// One scheduling decision, free of I/O: PreFilter, Filter over the nodes (round-robin from a start
// index, stopping once numFeasibleNodesToFind pass), Score, pick the best. The Scheduler wraps it with
// the queue, the cache, PostFilter and the API calls; tests call it directly.
import { CycleState, type Framework, type Snapshot, type Status } from './framework.js';
import type { NodeInfo, PodInfo } from './node-info.js';

const MIN_FEASIBLE_NODES = 100;
const MIN_FEASIBLE_PERCENTAGE = 5;

/** kube-scheduler's numFeasibleNodesToFind: all nodes below 100, else an adaptive share (50% − nodes/125, at least 5%, at least 100 nodes). */
export function numFeasibleNodesToFind(percentage: number, numAllNodes: number): number {
  if (numAllNodes < MIN_FEASIBLE_NODES || percentage >= 100) return numAllNodes;
  let adaptive = percentage;
  if (adaptive <= 0) adaptive = Math.max(MIN_FEASIBLE_PERCENTAGE, 50 - Math.trunc(numAllNodes / 125));
  return Math.max(MIN_FEASIBLE_NODES, Math.trunc((numAllNodes * adaptive) / 100));
}

export interface ScheduleOptions {
  /** Where the round-robin over nodes starts (kube's nextStartNodeIndex). */
  startIndex?: number;
  percentageOfNodesToScore?: number;
  /** Pods nominated to a node by preemption, counted there when filtering. */
  nominatedPods?: (nodeName: string) => PodInfo[] | undefined;
}

export interface ScheduleResult {
  /** The chosen node, when one fits. */
  host?: string;
  state: CycleState;
  /** Why each rejected node was rejected. */
  statuses: Map<string, Status>;
  /** A failing PreFilter (then every node carries it). */
  preFilterStatus?: Status;
  /** PreFilter limited the cycle to these nodes. */
  nodeNames?: Set<string>;
  /** Nodes looked at, for the next cycle's start index. */
  processed: number;
}

export function schedulePod(fw: Framework, snapshot: Snapshot, pi: PodInfo, options: ScheduleOptions = {}): ScheduleResult {
  const state = new CycleState();
  const statuses = new Map<string, Status>();
  const allNodes = snapshot.nodes;
  const pre = fw.runPreFilter(state, pi, snapshot);
  if (pre.status) {
    for (const n of allNodes) statuses.set(n.name, pre.status);
    return { state, statuses, preFilterStatus: pre.status, processed: 0 };
  }
  const filters = fw.activeFilters(state);
  const nominated = options.nominatedPods;
  const filter = (node: NodeInfo): Status | undefined => {
    const extra = nominated?.(node.name)?.filter((p) => p.key !== pi.key && p.priority >= pi.priority);
    if (extra?.length) {
      const clone = node.clone();
      for (const p of extra) clone.addPod(p);
      const st = fw.runFilter(state, pi, clone, filters);
      if (st) return st;
    }
    return fw.runFilter(state, pi, node, filters);
  };
  const feasible: NodeInfo[] = [];
  let processed = 0;
  const candidates: NodeInfo[] = pre.nodeNames ? [...pre.nodeNames].map((n) => snapshot.get(n)).filter((n): n is NodeInfo => !!n) : (allNodes as NodeInfo[]);
  const n = candidates.length;
  const want = pre.nodeNames ? n : numFeasibleNodesToFind(fw.percentageOfNodesToScore || options.percentageOfNodesToScore || 0, n);
  const start = pre.nodeNames || n === 0 ? 0 : (options.startIndex ?? 0) % n;
  for (let i = 0; i < n; i++) {
    const node = candidates[(start + i) % n];
    processed++;
    const st = filter(node);
    if (st) statuses.set(node.name, st);
    else {
      feasible.push(node);
      if (feasible.length >= want) break;
    }
  }
  if (!feasible.length) return { state, statuses, nodeNames: pre.nodeNames, processed };
  if (feasible.length === 1) return { host: feasible[0].name, state, statuses, nodeNames: pre.nodeNames, processed };
  return { host: selectHost(feasible, fw.runScore(state, pi, feasible, snapshot)), state, statuses, nodeNames: pre.nodeNames, processed };
}

/** The highest total; ties broken uniformly at random (reservoir sampling, as kube does). */
export function selectHost(nodes: NodeInfo[], totals: number[]): string {
  let best = 0;
  let ties = 1;
  for (let i = 1; i < nodes.length; i++) {
    if (totals[i] > totals[best]) {
      best = i;
      ties = 1;
    } else if (totals[i] === totals[best]) {
      ties++;
      if (Math.random() * ties < 1) best = i;
    }
  }
  return nodes[best].name;
}

// The scheduling framework (kube-scheduler's framework/interface.go): plugins implement any of the
// extension points; a profile is an ordered list of plugins per point plus score weights, run by
// Framework. A scheduling cycle runs without yielding to the event loop, so the cache is a consistent
// snapshot for its whole duration (what kube-scheduler copies a snapshot for).
import type { Selector } from '../api/index.js';
import type { RestClient, EventRecorder } from '../client/index.js';
import type { AntiAffinityIndex, NodeInfo, PodInfo } from './node-info.js';
import type { Pod, PersistentVolume, PersistentVolumeClaim, StorageClass } from './types.js';

export enum Code {
  Success = 0,
  Error = 1,
  /** The pod does not fit now; preemption or cluster changes may help. */
  Unschedulable = 2,
  /** Preempting pods on the node cannot help (node affinity, taints...). */
  UnschedulableAndUnresolvable = 3,
  /** PreFilter/PreScore: this plugin has nothing to do for the pod; skip its Filter/Score. */
  Skip = 5,
}

export class Status {
  plugin = '';
  constructor(
    readonly code: Code,
    readonly reasons: string[] = [],
  ) {}
  get message(): string {
    return this.reasons.join(', ');
  }
  isUnschedulable(): boolean {
    return this.code === Code.Unschedulable || this.code === Code.UnschedulableAndUnresolvable;
  }
}

export const unschedulable = (...reasons: string[]): Status => new Status(Code.Unschedulable, reasons);
export const unresolvable = (...reasons: string[]): Status => new Status(Code.UnschedulableAndUnresolvable, reasons);
export const errorStatus = (message: string): Status => new Status(Code.Error, [message]);
export const SKIP = new Status(Code.Skip);

/** Per-cycle scratch space plugins share between their own extension points. */
export class CycleState {
  private readonly data = new Map<string, unknown>();
  /** Plugins whose PreFilter said Skip: their Filter is not run this cycle. */
  readonly skipFilter = new Set<string>();
  readonly skipScore = new Set<string>();
  read<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }
  write(key: string, value: unknown): void {
    this.data.set(key, value);
  }
}

/** The cluster as one cycle sees it. */
export interface Snapshot {
  readonly nodes: readonly NodeInfo[];
  get(name: string): NodeInfo | undefined;
  /** How many nodes report having this (normalized) image. */
  imageNodeCount(image: string): number;
  namespaceLabels(namespace: string): Record<string, string> | undefined;
  pvc(namespace: string, name: string): PersistentVolumeClaim | undefined;
  pv(name: string): PersistentVolume | undefined;
  pvs(): PersistentVolume[];
  storageClass(name: string): StorageClass | undefined;
  /** Running pods' required anti-affinity terms by topology value (InterPodAffinity's existing-pods check). */
  antiAffinityIndex(): AntiAffinityIndex;
}

export type PreFilterOutcome = Status | { nodeNames: Set<string> } | undefined;

export interface PostFilterResult {
  status: Status;
  /** The node preemption made room on; "" clears an earlier nomination; undefined keeps it. */
  nominatedNodeName?: string;
}

export const MAX_NODE_SCORE = 100;

export interface Plugin {
  readonly name: string;
  preFilter?(state: CycleState, pod: PodInfo, snapshot: Snapshot): PreFilterOutcome;
  filter?(state: CycleState, pod: PodInfo, node: NodeInfo): Status | undefined;
  postFilter?(state: CycleState, pod: PodInfo, snapshot: Snapshot, statuses: Map<string, Status>): Promise<PostFilterResult>;
  preScore?(state: CycleState, pod: PodInfo, nodes: NodeInfo[], snapshot: Snapshot): Status | undefined;
  /** 0..100 unless the plugin normalizes afterwards. */
  score?(state: CycleState, pod: PodInfo, node: NodeInfo): number;
  /** Rescales `scores` (one per node, same order as `nodes`) in place. */
  normalizeScore?(state: CycleState, pod: PodInfo, scores: number[], nodes: readonly NodeInfo[]): void;
  reserve?(state: CycleState, pod: PodInfo, nodeName: string): Status | undefined;
  unreserve?(state: CycleState, pod: PodInfo, nodeName: string): void;
  /** Work the binding waits for (VolumeBinding's volume bindings); a failure unreserves the pod. */
  preBind?(state: CycleState, pod: Pod, nodeName: string): Promise<Status | undefined>;
  bind?(state: CycleState, pod: Pod, nodeName: string): Promise<Status | undefined>;
}

/** What plugins may use besides their arguments. */
export interface Handle {
  rest: RestClient;
  recorder: EventRecorder;
  /** The framework the plugin belongs to (preemption re-runs filters). */
  framework(): Framework;
  schedulerName: string;
  /** Labels of a namespace (pod affinity namespaceSelector). */
  namespaceLabels(namespace: string): Record<string, string> | undefined;
  /** What the pod's Services and controllers select (default topology spread). */
  defaultSpreadSelector(pod: Pod): Selector | undefined;
}

export type PluginFactory = (args: Record<string, unknown>, handle: Handle) => Plugin;

export interface ScorePlugin {
  plugin: Plugin;
  weight: number;
}

export class Framework {
  constructor(
    readonly schedulerName: string,
    readonly preFilterPlugins: Plugin[],
    readonly filterPlugins: Plugin[],
    readonly postFilterPlugins: Plugin[],
    readonly preScorePlugins: Plugin[],
    readonly scorePlugins: ScorePlugin[],
    readonly reservePlugins: Plugin[],
    readonly preBindPlugins: Plugin[],
    readonly bindPlugins: Plugin[],
    /** Profile override of the global percentageOfNodesToScore (0 = use the global one). */
    readonly percentageOfNodesToScore: number,
  ) {}

  /** Runs every PreFilter; returns a failing status, or the intersection of node-name restrictions. */
  runPreFilter(state: CycleState, pod: PodInfo, snapshot: Snapshot): { status?: Status; nodeNames?: Set<string> } {
    let nodeNames: Set<string> | undefined;
    for (const p of this.preFilterPlugins) {
      const out = p.preFilter!(state, pod, snapshot);
      if (out === undefined) continue;
      if (out instanceof Status) {
        if (out.code === Code.Skip) {
          state.skipFilter.add(p.name);
          continue;
        }
        out.plugin = p.name;
        return { status: out };
      }
      nodeNames = nodeNames ? new Set([...nodeNames].filter((n) => out.nodeNames.has(n))) : out.nodeNames;
      if (nodeNames.size === 0) {
        const status = unresolvable(`node(s) didn't satisfy plugin(s) [${p.name}] simultaneously`);
        status.plugin = p.name;
        return { status };
      }
    }
    return { nodeNames };
  }

  /** The Filter plugins this cycle runs (those whose PreFilter did not say Skip). */
  activeFilters(state: CycleState): Plugin[] {
    return state.skipFilter.size ? this.filterPlugins.filter((p) => !state.skipFilter.has(p.name)) : this.filterPlugins;
  }

  /** The first failing Filter's status for this node (kube-scheduler stops at the first), or undefined. */
  runFilter(state: CycleState, pod: PodInfo, node: NodeInfo, filters: Plugin[] = this.activeFilters(state)): Status | undefined {
    for (let i = 0; i < filters.length; i++) {
      const p = filters[i];
      const status = p.filter!(state, pod, node);
      if (status && status.code !== Code.Success) {
        status.plugin = p.name;
        return status;
      }
    }
    return undefined;
  }

  /** Would the pod pass PreFilter and Filter on `node` in `snapshot`? (preemption's dry runs) */
  evaluate(pod: PodInfo, snapshot: Snapshot, node: NodeInfo): Status | undefined {
    const state = new CycleState();
    const pre = this.runPreFilter(state, pod, snapshot);
    if (pre.status) return pre.status;
    if (pre.nodeNames && !pre.nodeNames.has(node.name)) return unresolvable(`node(s) didn't satisfy plugin(s) simultaneously`);
    return this.runFilter(state, pod, node);
  }

  async runPostFilter(state: CycleState, pod: PodInfo, snapshot: Snapshot, statuses: Map<string, Status>): Promise<PostFilterResult | undefined> {
    let last: PostFilterResult | undefined;
    for (const p of this.postFilterPlugins) {
      const result = await p.postFilter!(state, pod, snapshot, statuses);
      if (result.status.code === Code.Success) return result;
      last = result;
    }
    return last;
  }

  /** Weighted total score per node (same order as `nodes`). */
  runScore(state: CycleState, pod: PodInfo, nodes: NodeInfo[], snapshot: Snapshot): number[] {
    const totals = new Array<number>(nodes.length).fill(0);
    for (const p of this.preScorePlugins) {
      const status = p.preScore!(state, pod, nodes, snapshot);
      if (status?.code === Code.Skip) state.skipScore.add(p.name);
    }
    const scores = new Array<number>(nodes.length);
    for (const { plugin, weight } of this.scorePlugins) {
      if (state.skipScore.has(plugin.name)) continue;
      for (let i = 0; i < nodes.length; i++) scores[i] = plugin.score!(state, pod, nodes[i]);
      plugin.normalizeScore?.(state, pod, scores, nodes);
      for (let i = 0; i < nodes.length; i++) totals[i] += scores[i] * weight;
    }
    return totals;
  }

  runReserve(state: CycleState, pod: PodInfo, nodeName: string): Status | undefined {
    for (let i = 0; i < this.reservePlugins.length; i++) {
      const status = this.reservePlugins[i].reserve!(state, pod, nodeName);
      if (status && status.code !== Code.Success) {
        for (let j = i; j >= 0; j--) this.reservePlugins[j].unreserve?.(state, pod, nodeName);
        return status;
      }
    }
    return undefined;
  }

  runUnreserve(state: CycleState, pod: PodInfo, nodeName: string): void {
    for (let j = this.reservePlugins.length - 1; j >= 0; j--) this.reservePlugins[j].unreserve?.(state, pod, nodeName);
  }

  async runPreBind(state: CycleState, pod: Pod, nodeName: string): Promise<Status | undefined> {
    for (const p of this.preBindPlugins) {
      const status = await p.preBind!(state, pod, nodeName);
      if (status && status.code !== Code.Success) return new Status(status.code, [`running PreBind plugin "${p.name}": ${status.message}`]);
    }
    return undefined;
  }

  async runBind(state: CycleState, pod: Pod, nodeName: string): Promise<Status | undefined> {
    for (const p of this.bindPlugins) {
      const status = await p.bind!(state, pod, nodeName);
      if (status?.code === Code.Skip) continue;
      return status;
    }
    return errorStatus('no bind plugin bound the pod');
  }
}

/** Scales scores to 0..100 by the highest (reverse = the lowest raw score gets 100), as DefaultNormalizeScore does. */
export function defaultNormalizeScore(scores: number[], reverse: boolean): void {
  let max = 0;
  for (const s of scores) if (s > max) max = s;
  if (max === 0) {
    if (reverse) scores.fill(MAX_NODE_SCORE);
    return;
  }
  for (let i = 0; i < scores.length; i++) {
    const v = Math.floor((MAX_NODE_SCORE * scores[i]) / max);
    scores[i] = reverse ? MAX_NODE_SCORE - v : v;
  }
}

/**
 * FitError's message, exactly as kube-scheduler words it: "0/3 nodes are available: 1 Insufficient
 * cpu, 2 node(s) didn't match Pod's node affinity/selector. preemption: ...". Reasons are counted over
 * nodes and sorted as strings; nodes without a status count under `absent`.
 */
export function fitErrorMessage(numAllNodes: number, preFilterMsg: string, statuses: Map<string, Status>, postFilterMsg = '', absent?: Status): string {
  let msg = `0/${numAllNodes} nodes are available:`;
  if (preFilterMsg) msg += ` ${preFilterMsg}.`;
  else {
    const reasons = new Map<string, number>();
    for (const status of statuses.values()) for (const r of status.reasons) reasons.set(r, (reasons.get(r) ?? 0) + 1);
    if (absent && statuses.size < numAllNodes) for (const r of absent.reasons) reasons.set(r, (reasons.get(r) ?? 0) + numAllNodes - statuses.size);
    const sorted = [...reasons].map(([r, n]) => `${n} ${r}`).sort();
    if (sorted.length) msg += ` ${sorted.join(', ')}.`;
  }
  if (postFilterMsg) msg += ` ${postFilterMsg}`;
  return msg;
}

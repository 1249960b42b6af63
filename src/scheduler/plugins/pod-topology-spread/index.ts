// PodTopologySpread: keeps matching pods spread over topology domains. DoNotSchedule constraints
// filter (skew = pods in this domain + the pod itself − pods in the emptiest domain ≤ maxSkew);
// ScheduleAnyway constraints score. Pods without constraints get the default ones (hostname maxSkew 3,
// zone maxSkew 5, ScheduleAnyway) over the selector of the Services/ReplicaSets/StatefulSets/
// ReplicationControllers that own them, as kube-scheduler's system defaulting does.
import { newRequirement, Selector, selectorFromLabelSelector, type Requirement } from '../../../api/index.js';
import { MAX_NODE_SCORE, SKIP, unresolvable, unschedulable, type Plugin, type Snapshot } from '../../framework.js';
import type { NodeInfo, PodInfo } from '../../node-info.js';
import { firstUntoleratedTaint, podMatchesNodeSelectorAndAffinity } from '../../node-selector.js';
import type { Pod, TopologySpreadConstraint } from '../../types.js';

export const NAME = 'PodTopologySpread';
export const ERR_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
export const ERR_NODE_LABEL_NOT_MATCH = "node(s) didn't match pod topology spread constraints (missing required label)";
const HOSTNAME = 'kubernetes.io/hostname';
const FILTER_KEY = 'PodTopologySpread/filter';
const SCORE_KEY = 'PodTopologySpread/score';
const TAINT_EFFECTS = new Set(['NoSchedule', 'NoExecute']);

export const SYSTEM_DEFAULT_CONSTRAINTS: Array<Omit<TopologySpreadConstraint, 'labelSelector'>> = [
  { maxSkew: 3, topologyKey: HOSTNAME, whenUnsatisfiable: 'ScheduleAnyway' },
  { maxSkew: 5, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway' },
];

export interface PodTopologySpreadArgs {
  defaultConstraints?: Array<Omit<TopologySpreadConstraint, 'labelSelector'>>;
  defaultingType?: 'System' | 'List';
}

/** The selector default constraints use: what the pod's Services and controllers select. */
export type DefaultSelector = (pod: Pod) => Selector | undefined;

interface Constraint {
  maxSkew: number;
  topologyKey: string;
  selector: Selector;
  minDomains: number;
  honorAffinity: boolean;
  honorTaints: boolean;
}

function buildConstraints(pod: Pod, list: TopologySpreadConstraint[], when: 'DoNotSchedule' | 'ScheduleAnyway'): Constraint[] {
  const out: Constraint[] = [];
  for (const c of list) {
    if (c.whenUnsatisfiable !== when) continue;
    let selector: Selector;
    try {
      selector = selectorFromLabelSelector(c.labelSelector);
      const extra: Requirement[] = [];
      for (const key of c.matchLabelKeys ?? []) {
        const v = pod.metadata.labels?.[key];
        if (v !== undefined) extra.push(newRequirement(key, 'in', [v]));
      }
      if (extra.length) selector = Selector.of([...selector.requirements, ...extra]);
    } catch {
      selector = Selector.nothing();
    }
    out.push({
      maxSkew: c.maxSkew,
      topologyKey: c.topologyKey,
      selector,
      minDomains: c.minDomains ?? 1,
      honorAffinity: c.nodeAffinityPolicy !== 'Ignore',
      honorTaints: c.nodeTaintsPolicy === 'Honor',
    });
  }
  return out;
}

/** Does the node take part in counting for these constraints (policies and all topology keys present)? */
function nodeCounts(pod: Pod, node: NodeInfo, constraints: Constraint[]): boolean {
  const labels = node.labels;
  for (const c of constraints) {
    if (labels[c.topologyKey] === undefined) return false;
    if (c.honorAffinity && !podMatchesNodeSelectorAndAffinity(pod, node.node)) return false;
    if (c.honorTaints && firstUntoleratedTaint(node.node.spec?.taints, pod.spec.tolerations, TAINT_EFFECTS)) return false;
  }
  return true;
}

function matchingPods(node: NodeInfo, namespace: string, selector: Selector): number {
  let n = 0;
  for (const pi of node.pods.values()) {
    const p = pi.pod;
    if (p.metadata.namespace === namespace && !p.metadata.deletionTimestamp && selector.matches(p.metadata.labels)) n++;
  }
  return n;
}

interface FilterState {
  constraints: Constraint[];
  counts: Array<Map<string, number>>;
  minMatch: number[];
}

interface ScoreState {
  constraints: Constraint[];
  counts: Array<Map<string, number>>;
  weights: number[];
  ignored: Set<string>;
}

export function podTopologySpread(args: PodTopologySpreadArgs = {}, defaultSelector?: DefaultSelector): Plugin {
  const defaults = args.defaultingType === 'List' ? (args.defaultConstraints ?? []) : SYSTEM_DEFAULT_CONSTRAINTS;

  const constraintsFor = (pod: Pod, when: 'DoNotSchedule' | 'ScheduleAnyway'): Constraint[] => {
    const own = pod.spec.topologySpreadConstraints ?? [];
    if (own.length) return buildConstraints(pod, own, when);
    if (!defaults.length || !defaultSelector) return [];
    const selector = defaultSelector(pod);
    if (!selector || selector.empty()) return [];
    return buildConstraints(pod, defaults, when).map((c) => ({ ...c, selector }));
  };

  return {
    name: NAME,
    preFilter: (state, pod: PodInfo, snapshot: Snapshot) => {
      const constraints = constraintsFor(pod.pod, 'DoNotSchedule');
      if (!constraints.length) return SKIP;
      const ns = pod.pod.metadata.namespace ?? 'default';
      const counts = constraints.map(() => new Map<string, number>());
      for (const node of snapshot.nodes) {
        if (!nodeCounts(pod.pod, node, constraints)) continue;
        constraints.forEach((c, i) => {
          const v = node.labels[c.topologyKey];
          counts[i].set(v, (counts[i].get(v) ?? 0) + matchingPods(node, ns, c.selector));
        });
      }
      const minMatch = constraints.map((c, i) => {
        if (counts[i].size < c.minDomains) return 0;
        let min = Infinity;
        for (const n of counts[i].values()) min = Math.min(min, n);
        return min === Infinity ? 0 : min;
      });
      state.write(FILTER_KEY, { constraints, counts, minMatch } satisfies FilterState);
      return undefined;
    },
    filter: (state, pod, node) => {
      const st = state.read<FilterState>(FILTER_KEY)!;
      for (let i = 0; i < st.constraints.length; i++) {
        const c = st.constraints[i];
        const v = node.labels[c.topologyKey];
        if (v === undefined) return unresolvable(ERR_NODE_LABEL_NOT_MATCH);
        const self = c.selector.matches(pod.pod.metadata.labels) ? 1 : 0;
        const skew = (st.counts[i].get(v) ?? 0) + self - st.minMatch[i];
        if (skew > c.maxSkew) return unschedulable(ERR_CONSTRAINTS_NOT_MATCH);
      }
      return undefined;
    },
    preScore: (state, pod, nodes, snapshot) => {
      const constraints = constraintsFor(pod.pod, 'ScheduleAnyway');
      if (!constraints.length) return SKIP;
      const ns = pod.pod.metadata.namespace ?? 'default';
      const ignored = new Set<string>();
      const counts = constraints.map(() => new Map<string, number>());
      for (const node of nodes) {
        if (constraints.some((c) => node.labels[c.topologyKey] === undefined)) {
          ignored.add(node.name);
          continue;
        }
        constraints.forEach((c, i) => {
          if (c.topologyKey !== HOSTNAME) counts[i].set(node.labels[c.topologyKey], 0);
        });
      }
      const weights = constraints.map((c, i) => Math.log((c.topologyKey === HOSTNAME ? nodes.length - ignored.size : counts[i].size) + 2));
      // Domains are those of the candidate nodes, but their pods are counted on every node in them.
      for (const node of snapshot.nodes) {
        if (!nodeCounts(pod.pod, node, constraints)) continue;
        constraints.forEach((c, i) => {
          if (c.topologyKey === HOSTNAME) return;
          const v = node.labels[c.topologyKey];
          if (counts[i].has(v)) counts[i].set(v, counts[i].get(v)! + matchingPods(node, ns, c.selector));
        });
      }
      state.write(SCORE_KEY, { constraints, counts, weights, ignored } satisfies ScoreState);
      return undefined;
    },
    score: (state, pod, node) => {
      const st = state.read<ScoreState>(SCORE_KEY)!;
      if (st.ignored.has(node.name)) return 0;
      const ns = pod.pod.metadata.namespace ?? 'default';
      let score = 0;
      st.constraints.forEach((c, i) => {
        const count = c.topologyKey === HOSTNAME ? matchingPods(node, ns, c.selector) : (st.counts[i].get(node.labels[c.topologyKey]) ?? 0);
        score += count * st.weights[i] + (c.maxSkew - 1);
      });
      return Math.round(score);
    },
    normalizeScore: (state, _pod, scores, nodes) => {
      const st = state.read<ScoreState>(SCORE_KEY)!;
      let min = Infinity;
      let max = -Infinity;
      for (let i = 0; i < scores.length; i++) {
        if (st.ignored.has(nodes[i].name)) continue;
        min = Math.min(min, scores[i]);
        max = Math.max(max, scores[i]);
      }
      for (let i = 0; i < scores.length; i++) {
        if (st.ignored.has(nodes[i].name)) scores[i] = 0;
        else if (max === 0) scores[i] = MAX_NODE_SCORE;
        else scores[i] = Math.trunc((MAX_NODE_SCORE * (max + min - scores[i])) / max);
      }
    },
  };
}

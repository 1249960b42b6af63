// InterPodAffinity: required pod affinity / anti-affinity by topology domain (topologyKey's value on
// the node), the required anti-affinity of pods already running, and preferred terms (of the pod and
// of running pods) as a score.
import { Code, MAX_NODE_SCORE, SKIP, Status, type Plugin, type Snapshot } from '../../framework.js';
import { termMatches, type AffinityTerm, type NamespaceLabels, type PodInfo } from '../../node-info.js';

export const NAME = 'InterPodAffinity';
export const ERR_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
export const ERR_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";

const FILTER_KEY = 'InterPodAffinity/filter';
const SCORE_KEY = 'InterPodAffinity/score';

/** Counts per topology pair "key=value". */
class TopologyCounts {
  readonly counts = new Map<string, Map<string, number>>();
  add(key: string, value: string | undefined, n: number): void {
    if (value === undefined || n === 0) return;
    let byValue = this.counts.get(key);
    if (!byValue) this.counts.set(key, (byValue = new Map()));
    byValue.set(value, (byValue.get(value) ?? 0) + n);
  }
  get(key: string, value: string | undefined): number {
    return value === undefined ? 0 : (this.counts.get(key)?.get(value) ?? 0);
  }
  get empty(): boolean {
    return this.counts.size === 0;
  }
  /** Does any pair with a positive count match the node's labels? */
  anyOn(labels: Record<string, string>): boolean {
    for (const [key, byValue] of this.counts) {
      const v = labels[key];
      if (v !== undefined && (byValue.get(v) ?? 0) > 0) return true;
    }
    return false;
  }
}

interface FilterState {
  existingAnti: TopologyCounts;
  affinity: TopologyCounts;
  anti: TopologyCounts;
}

export interface InterPodAffinityArgs {
  hardPodAffinityWeight?: number;
}

export function interPodAffinity(args: InterPodAffinityArgs = {}, namespaceLabels?: NamespaceLabels): Plugin {
  const hardWeight = args.hardPodAffinityWeight ?? 1;
  const matches = (term: AffinityTerm, pod: PodInfo): boolean => termMatches(term, pod.pod, namespaceLabels);
  return {
    name: NAME,
    preFilter: (state, pod, snapshot) => {
      const st: FilterState = { existingAnti: new TopologyCounts(), affinity: new TopologyCounts(), anti: new TopologyCounts() };
      // Running pods' anti-affinity, merged by identical term: one selector match per distinct term.
      for (const { term, counts } of snapshot.antiAffinityIndex().values()) {
        if (!matches(term, pod)) continue;
        for (const [value, n] of counts) st.existingAnti.add(term.topologyKey, value, n);
      }
      const hasOwn = pod.requiredAffinity.length > 0 || pod.requiredAntiAffinity.length > 0;
      if (!hasOwn && st.existingAnti.empty) return SKIP;
      if (hasOwn) {
        const slowAnti = pod.requiredAntiAffinity.filter((t) => !t.exact);
        for (const node of snapshot.nodes) {
          if (node.pods.size === 0) continue;
          const labels = node.labels;
          // Terms of one namespace and one label value are answered from the node's label counts.
          for (const t of pod.requiredAntiAffinity) {
            if (t.exact) st.anti.add(t.topologyKey, labels[t.topologyKey], node.labelCount(t.exact.countKey));
          }
          if (!slowAnti.length && !pod.requiredAffinity.length) continue;
          for (const existing of node.pods.values()) {
            if (pod.requiredAffinity.length && pod.requiredAffinity.every((t) => matches(t, existing))) {
              for (const t of pod.requiredAffinity) st.affinity.add(t.topologyKey, labels[t.topologyKey], 1);
            }
            for (const t of slowAnti) if (matches(t, existing)) st.anti.add(t.topologyKey, labels[t.topologyKey], 1);
          }
        }
      }
      state.write(FILTER_KEY, st);
      return undefined;
    },
    filter: (state, pod, node) => {
      const st = state.read<FilterState>(FILTER_KEY)!;
      const labels = node.labels;
      if (pod.requiredAffinity.length) {
        const satisfied = pod.requiredAffinity.every((t) => st.affinity.get(t.topologyKey, labels[t.topologyKey]) > 0);
        // The first pod of a group that selects itself may go anywhere that has the topology keys.
        const firstOfGroup = st.affinity.empty && pod.requiredAffinity.every((t) => matches(t, pod) && labels[t.topologyKey] !== undefined);
        if (!satisfied && !firstOfGroup) return new Status(Code.UnschedulableAndUnresolvable, [ERR_AFFINITY]);
      }
      for (const t of pod.requiredAntiAffinity) {
        if (st.anti.get(t.topologyKey, labels[t.topologyKey]) > 0) return new Status(Code.Unschedulable, [ERR_ANTI_AFFINITY]);
      }
      if (st.existingAnti.anyOn(labels)) return new Status(Code.Unschedulable, [ERR_EXISTING_ANTI_AFFINITY]);
      return undefined;
    },
    preScore: (state, pod, _nodes, snapshot: Snapshot) => {
      const hasPreferred = pod.preferredAffinity.length > 0 || pod.preferredAntiAffinity.length > 0;
      const scores = new TopologyCounts();
      for (const node of snapshot.nodes) {
        if (!hasPreferred && node.podsWithScoringTerms === 0) continue;
        const labels = node.labels;
        for (const existing of node.pods.values()) {
          if (hasPreferred) {
            for (const t of pod.preferredAffinity) if (matches(t, existing)) scores.add(t.topologyKey, labels[t.topologyKey], t.weight);
            for (const t of pod.preferredAntiAffinity) if (matches(t, existing)) scores.add(t.topologyKey, labels[t.topologyKey], -t.weight);
          }
          if (!existing.hasScoringTerms) continue;
          if (hardWeight > 0) for (const t of existing.requiredAffinity) if (matches(t, pod)) scores.add(t.topologyKey, labels[t.topologyKey], hardWeight);
          for (const t of existing.preferredAffinity) if (matches(t, pod)) scores.add(t.topologyKey, labels[t.topologyKey], t.weight);
          for (const t of existing.preferredAntiAffinity) if (matches(t, pod)) scores.add(t.topologyKey, labels[t.topologyKey], -t.weight);
        }
      }
      if (scores.empty) return SKIP;
      state.write(SCORE_KEY, scores);
      return undefined;
    },
    score: (state, _pod, node) => {
      const scores = state.read<TopologyCounts>(SCORE_KEY)!;
      let total = 0;
      for (const [key, byValue] of scores.counts) {
        const v = node.labels[key];
        if (v !== undefined) total += byValue.get(v) ?? 0;
      }
      return total;
    },
    normalizeScore: (_state, _pod, scores) => {
      let min = Infinity;
      let max = -Infinity;
      for (const s of scores) {
        min = Math.min(min, s);
        max = Math.max(max, s);
      }
      const diff = max - min;
      for (let i = 0; i < scores.length; i++) scores[i] = diff > 0 ? Math.trunc((MAX_NODE_SCORE * (scores[i] - min)) / diff) : 0;
    },
  };
}

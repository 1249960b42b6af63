// What the scheduler knows per pod and per node, computed once per object change rather than once per
// scheduling decision: a pod's requests, host ports and parsed affinity terms; a node's allocatable,
// the sum of its pods' requests, its used host ports and how many of its pods carry affinity terms.
import { selectorFromLabelSelector, Selector } from '../api/index.js';
import { CPU, MEMORY, PODS, podRequests, toResources, type Resources } from './resources.js';
import type { Node, Pod, PodAffinityTerm } from './types.js';

export interface AffinityTerm {
  selector: Selector;
  /** Namespaces listed by name (the pod's own when neither names nor a namespaceSelector are given). */
  namespaces: Set<string>;
  /** Namespaces chosen by their labels; an empty selector means every namespace. */
  namespaceSelector?: Selector;
  topologyKey: string;
  /** Identical terms of different pods share this key (for indexes over many pods). */
  signature: string;
  /** Set when the term selects one namespace and one label value: counts can replace pod scans. */
  exact?: { namespace: string; key: string; value: string; countKey: string };
}

/** Looks up a namespace's labels (from the scheduler's namespace informer). */
export type NamespaceLabels = (namespace: string) => Record<string, string> | undefined;

export interface WeightedAffinityTerm extends AffinityTerm {
  weight: number;
}

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

// Validation rejects bad selectors at admission; one that slips through matches nothing.
function safeSelector(ls: PodAffinityTerm['labelSelector']): Selector {
  try {
    return selectorFromLabelSelector(ls);
  } catch {
    return Selector.nothing();
  }
}

function parseTerm(pod: Pod, term: PodAffinityTerm): AffinityTerm {
  const namespaces = new Set(term.namespaces ?? []);
  if (namespaces.size === 0 && !term.namespaceSelector) namespaces.add(pod.metadata.namespace ?? 'default');
  const selector = safeSelector(term.labelSelector);
  const namespaceSelector = term.namespaceSelector ? safeSelector(term.namespaceSelector) : undefined;
  const signature = [[...namespaces].sort().join(','), namespaceSelector ? `ns:${namespaceSelector.selectsNothing ? '!' : namespaceSelector.toString()}` : '', selector.selectsNothing ? '!' : selector.toString(), term.topologyKey].join('|');
  let exact: AffinityTerm['exact'];
  const only = selector.requirements.length === 1 ? selector.requirements[0] : undefined;
  if (!namespaceSelector && namespaces.size === 1 && !selector.selectsNothing && only && ['=', '==', 'in'].includes(only.operator) && only.values.length === 1) {
    const namespace = [...namespaces][0];
    exact = { namespace, key: only.key, value: only.values[0], countKey: labelCountKey(namespace, only.key, only.values[0]) };
  }
  return { selector, namespaces, namespaceSelector, topologyKey: term.topologyKey, signature, exact };
}

export function labelCountKey(namespace: string, key: string, value: string): string {
  return `${namespace}\0${key}=${value}`;
}

/** Does `pod` fall under the term (its namespaces and label selector)? */
export function termMatches(term: AffinityTerm, pod: Pod, namespaceLabels?: NamespaceLabels): boolean {
  const ns = pod.metadata.namespace ?? 'default';
  if (!term.namespaces.has(ns)) {
    if (!term.namespaceSelector) return false;
    if (!term.namespaceSelector.empty() && !term.namespaceSelector.matches(namespaceLabels?.(ns))) return false;
  }
  return term.selector.matches(pod.metadata.labels);
}

export class PodInfo {
  readonly key: string;
  readonly requests: Resources;
  /** Resources the pod requests (> 0), cpu, memory, ephemeral-storage first, then the others sorted: the order fit reasons are reported in. */
  readonly requested: string[];
  /** cpu and memory with 100m / 200Mi for containers that request none (for scoring). */
  readonly nonZero: { cpu: number; memory: number };
  readonly priority: number;
  readonly hostPorts: HostPort[];
  readonly requiredAffinity: AffinityTerm[];
  readonly requiredAntiAffinity: AffinityTerm[];
  readonly preferredAffinity: WeightedAffinityTerm[];
  readonly preferredAntiAffinity: WeightedAffinityTerm[];

  constructor(readonly pod: Pod) {
    this.key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    this.requests = podRequests(pod);
    const first = ['cpu', 'memory', 'ephemeral-storage'];
    this.requested = [...first, ...Object.keys(this.requests).filter((k) => !first.includes(k)).sort()].filter((k) => (this.requests[k] ?? 0) > 0);
    const nz = podRequests(pod, true);
    this.nonZero = { cpu: nz[CPU] ?? 0, memory: nz[MEMORY] ?? 0 };
    this.priority = pod.spec.priority ?? 0;
    this.hostPorts = [];
    for (const c of pod.spec.containers ?? []) {
      for (const p of c.ports ?? []) {
        if (p.hostPort && p.hostPort > 0) this.hostPorts.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
      }
    }
    const aff = pod.spec.affinity;
    this.requiredAffinity = (aff?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => parseTerm(pod, t));
    this.requiredAntiAffinity = (aff?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => parseTerm(pod, t));
    this.preferredAffinity = (aff?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => ({ ...parseTerm(pod, w.podAffinityTerm), weight: w.weight }));
    this.preferredAntiAffinity = (aff?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => ({ ...parseTerm(pod, w.podAffinityTerm), weight: w.weight }));
  }

  get hasAffinity(): boolean {
    return this.requiredAffinity.length + this.requiredAntiAffinity.length + this.preferredAffinity.length + this.preferredAntiAffinity.length > 0;
  }

  /** Terms that score other pods (required affinity with hardPodAffinityWeight, preferred terms). */
  get hasScoringTerms(): boolean {
    return this.requiredAffinity.length + this.preferredAffinity.length + this.preferredAntiAffinity.length > 0;
  }
}

/** Required anti-affinity terms of running pods, merged by signature: how many pods per topology value. */
export type AntiAffinityIndex = Map<string, { term: AffinityTerm; counts: Map<string, number> }>;

/** Adds (sign 1) or removes (-1) a pod's required anti-affinity terms, placed on `node`, to an index. */
export function indexAntiAffinity(index: AntiAffinityIndex, node: NodeInfo, pi: PodInfo, sign: 1 | -1): void {
  for (const term of pi.requiredAntiAffinity) {
    const value = node.labels[term.topologyKey];
    if (value === undefined) continue;
    let entry = index.get(term.signature);
    if (!entry) index.set(term.signature, (entry = { term, counts: new Map() }));
    const n = (entry.counts.get(value) ?? 0) + sign;
    if (n > 0) entry.counts.set(value, n);
    else entry.counts.delete(value);
    if (entry.counts.size === 0) index.delete(term.signature);
  }
}

/** The index computed from scratch (for snapshots that are modified copies). */
export function buildAntiAffinityIndex(nodes: readonly NodeInfo[]): AntiAffinityIndex {
  const index: AntiAffinityIndex = new Map();
  for (const node of nodes) {
    if (node.podsWithRequiredAntiAffinity === 0) continue;
    for (const pi of node.pods.values()) indexAntiAffinity(index, node, pi, 1);
  }
  return index;
}

export class NodeInfo {
  readonly pods = new Map<string, PodInfo>();
  /** Sum of the pods' requests, plus their count under "pods". */
  requested: Resources = {};
  nonZeroRequested = { cpu: 0, memory: 0 };
  allocatable: Resources = {};
  /** "ip/protocol/port" of every host port in use. */
  readonly usedPorts = new Map<string, number>();
  /** "namespace\0key=value" → pods here carrying that label. */
  private readonly labelCounts = new Map<string, number>();
  podsWithAffinity = 0;
  podsWithRequiredAntiAffinity = 0;
  /** Pods whose terms score incoming pods (see PodInfo.hasScoringTerms). */
  podsWithScoringTerms = 0;
  /** Bumped on every change; lets callers notice a node changed under them. */
  generation = 0;
  node!: Node;

  constructor(node?: Node) {
    if (node) this.setNode(node);
  }

  get name(): string {
    return String(this.node.metadata.name);
  }

  get labels(): Record<string, string> {
    return this.node.metadata.labels ?? {};
  }

  setNode(node: Node): void {
    this.node = node;
    this.allocatable = toResources(node.status?.allocatable ?? node.status?.capacity);
    this.generation++;
  }

  addPod(pi: PodInfo): void {
    if (this.pods.has(pi.key)) this.removePod(pi.key);
    this.pods.set(pi.key, pi);
    this.account(pi, 1);
  }

  removePod(key: string): PodInfo | undefined {
    const pi = this.pods.get(key);
    if (!pi) return undefined;
    this.pods.delete(key);
    this.account(pi, -1);
    return pi;
  }

  /** A copy whose pods can be changed without touching this one (preemption's what-if). */
  clone(): NodeInfo {
    const copy = new NodeInfo(this.node);
    for (const pi of this.pods.values()) copy.addPod(pi);
    return copy;
  }

  /** How many pods here have the label, for a key made by labelCountKey(namespace, key, value). */
  labelCount(countKey: string): number {
    return this.labelCounts.get(countKey) ?? 0;
  }

  /** Free amount of a resource after the pods already placed here. */
  free(name: string): number {
    return (this.allocatable[name] ?? 0) - (this.requested[name] ?? 0);
  }

  portInUse(p: HostPort): boolean {
    if (p.ip === '0.0.0.0') {
      for (const key of this.usedPorts.keys()) if (key.endsWith(`/${p.protocol}/${p.port}`)) return true;
      return false;
    }
    return this.usedPorts.has(`${p.ip}/${p.protocol}/${p.port}`) || this.usedPorts.has(`0.0.0.0/${p.protocol}/${p.port}`);
  }

  private account(pi: PodInfo, sign: 1 | -1): void {
    for (const [k, v] of Object.entries(pi.requests)) this.requested[k] = (this.requested[k] ?? 0) + sign * v;
    this.requested[PODS] = (this.requested[PODS] ?? 0) + sign;
    this.nonZeroRequested.cpu += sign * pi.nonZero.cpu;
    this.nonZeroRequested.memory += sign * pi.nonZero.memory;
    for (const p of pi.hostPorts) {
      const key = `${p.ip}/${p.protocol}/${p.port}`;
      const n = (this.usedPorts.get(key) ?? 0) + sign;
      if (n > 0) this.usedPorts.set(key, n);
      else this.usedPorts.delete(key);
    }
    const ns = pi.pod.metadata.namespace ?? 'default';
    for (const [k, v] of Object.entries(pi.pod.metadata.labels ?? {})) {
      const key = labelCountKey(ns, k, v);
      const n = (this.labelCounts.get(key) ?? 0) + sign;
      if (n > 0) this.labelCounts.set(key, n);
      else this.labelCounts.delete(key);
    }
    if (pi.hasAffinity) this.podsWithAffinity += sign;
    if (pi.hasScoringTerms) this.podsWithScoringTerms += sign;
    if (pi.requiredAntiAffinity.length) this.podsWithRequiredAntiAffinity += sign;
    this.generation++;
  }
}

// Matching nodes against NodeSelector terms (node affinity, PV node affinity) and taints against
// tolerations — shared by several plugins (component-helpers' scheduling/corev1 in Kubernetes).
// Label expressions reuse src/api's label requirements; matchFields supports metadata.name only.
import { newRequirement, Selector, type Operator } from '../api/index.js';
import type { Node, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, Pod, Taint, Toleration } from './types.js';

const OPERATORS: Record<string, Operator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!', Gt: '>', Lt: '<' };

interface CompiledTerm {
  labels?: Selector;
  fields?: Selector;
  /** A term that is empty or invalid matches no node. */
  never: boolean;
}

const compiled = new WeakMap<NodeSelectorTerm, CompiledTerm>();

function compileRequirements(reqs: NodeSelectorRequirement[]): Selector {
  return Selector.of(
    reqs.map((r) => {
      const op = OPERATORS[r.operator];
      if (!op) throw new Error(`${r.operator} is not a valid node selector operator`);
      return newRequirement(r.key, op, [...(r.values ?? [])]);
    }),
  );
}

function compile(term: NodeSelectorTerm): CompiledTerm {
  let c = compiled.get(term);
  if (c) return c;
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  try {
    c = {
      labels: exprs.length ? compileRequirements(exprs) : undefined,
      fields: fields.length ? compileRequirements(fields.map((f) => (f.key === 'metadata.name' ? f : { ...f, operator: 'In', values: [] }))) : undefined,
      never: exprs.length === 0 && fields.length === 0,
    };
  } catch {
    c = { never: true };
  }
  compiled.set(term, c);
  return c;
}

export function nodeSelectorTermMatches(term: NodeSelectorTerm, node: Node): boolean {
  const c = compile(term);
  if (c.never) return false;
  if (c.labels && !c.labels.matches(node.metadata.labels)) return false;
  if (c.fields && !c.fields.matches({ 'metadata.name': String(node.metadata.name) })) return false;
  return true;
}

/** Terms are ORed; a selector without terms matches nothing. */
export function nodeSelectorMatches(selector: NodeSelector, node: Node): boolean {
  return (selector.nodeSelectorTerms ?? []).some((t) => nodeSelectorTermMatches(t, node));
}

/** The pod's nodeSelector and required node affinity (what NodeAffinity filters on). */
export function podMatchesNodeSelectorAndAffinity(pod: Pod, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const required = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  return !required || nodeSelectorMatches(required, node);
}

export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (t.operator === 'Exists') return true;
  // An empty key is only valid with Exists; with Equal it cannot match a real taint key.
  if (!t.key) return false;
  return (t.value ?? '') === (taint.value ?? '');
}

/** The first taint with one of `effects` that no toleration tolerates. */
export function firstUntoleratedTaint(taints: Taint[] | undefined, tolerations: Toleration[] | undefined, effects: ReadonlySet<string>): Taint | undefined {
  for (const taint of taints ?? []) {
    if (!effects.has(taint.effect)) continue;
    if (!(tolerations ?? []).some((t) => tolerates(t, taint))) return taint;
  }
  return undefined;
}

// DefaultTolerationSeconds (plugin/pkg/admission/defaulttolerationseconds): a new pod that does not
// tolerate the not-ready/unreachable NoExecute taints gets tolerations for them with 300 s, so the
// node lifecycle controller evicts it five minutes after its node fails rather than at once.
import type { AdmissionPlugin } from '../admission.js';

export const NOT_READY_TAINT = 'node.kubernetes.io/not-ready';
export const UNREACHABLE_TAINT = 'node.kubernetes.io/unreachable';
export const DEFAULT_TOLERATION_SECONDS = 300;

interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

/** Whether an existing toleration already covers the taint key with NoExecute (or every effect). */
function covers(t: Toleration, key: string): boolean {
  const keyMatches = t.key === key || (!t.key && t.operator === 'Exists');
  return keyMatches && (!t.effect || t.effect === 'NoExecute');
}

export const defaultTolerationSeconds: AdmissionPlugin = {
  name: 'DefaultTolerationSeconds',
  async admit(attrs) {
    if (attrs.operation !== 'CREATE' || attrs.subresource || attrs.info.group !== '' || attrs.info.resource !== 'pods' || !attrs.object) return;
    const spec = ((attrs.object.spec ??= {}) as { tolerations?: Toleration[] | null });
    const tolerations = spec.tolerations ?? [];
    for (const key of [NOT_READY_TAINT, UNREACHABLE_TAINT]) {
      if (!tolerations.some((t) => covers(t, key))) tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: DEFAULT_TOLERATION_SECONDS });
    }
    spec.tolerations = tolerations;
  },
};

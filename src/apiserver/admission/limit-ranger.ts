// LimitRanger admission (plugin/pkg/admission/limitranger) for Container limits: a new pod's containers
// get the namespace LimitRanges' default limits and default requests where they set none (noted in
// the kubernetes.io/limit-ranger annotation), and a container outside a range's min/max is refused
// with kube's message.
import { forbidden, lookupResource, Quantity, type KubeObject } from '../../api/index.js';
import type { AdmissionPlugin } from '../admission.js';

const LIMIT_RANGES = lookupResource('', 'v1', 'limitranges')!;
export const LIMIT_RANGER_ANNOTATION = 'kubernetes.io/limit-ranger';

type ResourceList = Record<string, string>;

interface LimitRangeItem {
  type?: string;
  max?: ResourceList;
  min?: ResourceList;
  default?: ResourceList;
  defaultRequest?: ResourceList;
}

interface Container {
  name: string;
  resources?: { requests?: ResourceList; limits?: ResourceList };
}

/** SetDefaults_LimitRangeItem: default limit ← max, default request ← default limit, then ← min. */
export function containerDefaults(item: LimitRangeItem): { limits: ResourceList; requests: ResourceList } {
  const limits = { ...(item.max ?? {}), ...(item.default ?? {}) };
  const requests = { ...(item.min ?? {}), ...limits, ...(item.defaultRequest ?? {}) };
  return { limits, requests };
}

/** Applies the defaults; returns the annotation text kube writes ("" when nothing was set). */
export function defaultContainers(containers: Container[], items: LimitRangeItem[]): string {
  const notes: string[] = [];
  for (const item of items.filter((i) => i.type === 'Container')) {
    const d = containerDefaults(item);
    for (const c of containers) {
      const res = (c.resources ??= {});
      const setReq = Object.keys(d.requests).filter((r) => res.requests?.[r] === undefined && res.limits?.[r] === undefined);
      const setLim = Object.keys(d.limits).filter((r) => res.limits?.[r] === undefined);
      // A container with only a limit gets the limit as its request (API defaulting), not the range's.
      for (const r of setLim) (res.limits ??= {})[r] = d.limits[r];
      for (const r of setReq) (res.requests ??= {})[r] = d.requests[r];
      if (setReq.length) notes.push(`${setReq.sort().join(', ')} request for container ${c.name}`);
      if (setLim.length) notes.push(`${setLim.sort().join(', ')} limit for container ${c.name}`);
    }
  }
  return notes.length ? `LimitRanger plugin set: ${notes.join('; ')}` : '';
}

/** The first min/max violation of a container, in kube's words. */
export function violation(containers: Container[], items: LimitRangeItem[]): string | undefined {
  for (const item of items.filter((i) => i.type === 'Container')) {
    for (const c of containers) {
      for (const [r, max] of Object.entries(item.max ?? {})) {
        const limit = c.resources?.limits?.[r];
        if (limit === undefined) return `maximum ${r} usage per Container is ${max}.  No limit is specified`;
        if (Quantity.parse(limit).cmp(Quantity.parse(max)) > 0) return `maximum ${r} usage per Container is ${max}, but limit is ${limit}`;
      }
      for (const [r, min] of Object.entries(item.min ?? {})) {
        const request = c.resources?.requests?.[r];
        if (request === undefined) return `minimum ${r} usage per Container is ${min}.  No request is specified`;
        if (Quantity.parse(request).cmp(Quantity.parse(min)) < 0) return `minimum ${r} usage per Container is ${min}, but request is ${request}`;
      }
    }
  }
  return undefined;
}

export const limitRanger: AdmissionPlugin = {
  name: 'LimitRanger',
  async admit(attrs, ctx) {
    if (attrs.operation !== 'CREATE' || attrs.subresource || attrs.info.group !== '' || attrs.info.resource !== 'pods' || !attrs.object) return;
    const items = (ctx.list(LIMIT_RANGES, attrs.namespace) as Array<KubeObject & { spec?: { limits?: LimitRangeItem[] } }>).flatMap((lr) => lr.spec?.limits ?? []);
    if (!items.length) return;
    const pod = attrs.object;
    const spec = (pod.spec ?? {}) as { containers?: Container[]; initContainers?: Container[] };
    const all = [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
    const note = defaultContainers(all, items);
    if (note) pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), [LIMIT_RANGER_ANNOTATION]: note };
    const why = violation(all, items);
    if (why) throw forbidden('pods', '', pod.metadata.name || attrs.name, why);
  },
};

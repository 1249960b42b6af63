// ResourceQuota admission (plugin/pkg/admission/resourcequota): a create that would take a namespace
// over any of its quotas' hard limits is refused with kube's "exceeded quota" message. Usage is
// recounted from the API server's cache rather than read from quota status, so it is never stale.
import { forbidden, lookupResource, Quantity, type KubeObject } from '../../api/index.js';
import type { AdmissionPlugin } from '../admission.js';
import { objectUsage, prettyUsage, resourcesFor, type Usage } from './quota-usage.js';

const QUOTAS = lookupResource('', 'v1', 'resourcequotas')!;

interface ResourceQuota extends KubeObject {
  spec?: { hard?: Record<string, string> };
}

export const resourceQuota: AdmissionPlugin = {
  name: 'ResourceQuota',
  validating: true,
  async admit(attrs, ctx) {
    if (attrs.operation !== 'CREATE' || attrs.subresource || !attrs.info.namespaced || !attrs.object) return;
    const quotas = ctx.list(QUOTAS, attrs.namespace) as ResourceQuota[];
    if (!quotas.length) return;
    const requested = objectUsage(attrs.info, attrs.object);
    for (const quota of quotas) {
      const hard = quota.spec?.hard ?? {};
      const keys = Object.keys(hard).filter((k) => requested.has(k));
      if (!keys.length) continue;
      const used: Usage = new Map();
      for (const key of keys) {
        let total = Quantity.parse('0');
        for (const info of resourcesFor(key)) for (const obj of ctx.list(info, attrs.namespace)) {
          const q = objectUsage(info, obj).get(key);
          if (q) total = total.add(q);
        }
        used.set(key, total);
      }
      const exceeded = keys.filter((k) => used.get(k)!.add(requested.get(k)!).cmp(Quantity.parse(String(hard[k]))) > 0);
      if (!exceeded.length) continue;
      const limited: Usage = new Map(exceeded.map((k) => [k, Quantity.parse(String(hard[k]))]));
      throw forbidden(
        attrs.info.resource,
        attrs.info.group,
        attrs.object.metadata.name || attrs.name,
        `exceeded quota: ${quota.metadata.name}, requested: ${prettyUsage(requested, exceeded)}, used: ${prettyUsage(used, exceeded)}, limited: ${prettyUsage(limited, exceeded)}`,
      );
    }
  },
};

// What an object counts against a ResourceQuota (kube's quota evaluators, pkg/quota/v1/evaluator/core):
// object counts (pods, services, configmaps… and count/<resource>), pod compute requests/limits,
// service node ports and load balancers, claim storage. Pure; the ResourceQuota admission plugin and
// the quota status controller both use it.
import { lookupResource, Quantity, type KubeObject, type ResourceInfo } from '../../api/index.js';

export type Usage = Map<string, Quantity>;

const LEGACY_COUNTS: Record<string, string> = {
  pods: 'pods',
  services: 'services',
  configmaps: 'configmaps',
  secrets: 'secrets',
  persistentvolumeclaims: 'persistentvolumeclaims',
  replicationcontrollers: 'replicationcontrollers',
  resourcequotas: 'resourcequotas',
};

interface Container {
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

const ONE = Quantity.parse('1');

function add(u: Usage, key: string, q: Quantity): void {
  const cur = u.get(key);
  u.set(key, cur ? cur.add(q) : q);
}

/** Pods that finished hold no quota (kube's QuotaV1Pod). */
function podCounts(pod: KubeObject): boolean {
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed';
}

/** Sum over containers, at least the largest init container, per resource (PodRequests/PodLimits). */
function podCompute(pod: KubeObject, kind: 'requests' | 'limits'): Usage {
  const spec = (pod.spec ?? {}) as { containers?: Container[]; initContainers?: Container[] };
  const sum: Usage = new Map();
  for (const c of spec.containers ?? []) for (const [r, v] of Object.entries(c.resources?.[kind] ?? {})) add(sum, r, Quantity.parse(String(v)));
  for (const c of spec.initContainers ?? []) {
    for (const [r, v] of Object.entries(c.resources?.[kind] ?? {})) {
      const q = Quantity.parse(String(v));
      const cur = sum.get(r);
      if (!cur || q.cmp(cur) > 0) sum.set(r, q);
    }
  }
  return sum;
}

/** countKey of a resource: count/pods, count/deployments.apps. */
export function countKey(info: Pick<ResourceInfo, 'resource' | 'group'>): string {
  return info.group ? `count/${info.resource}.${info.group}` : `count/${info.resource}`;
}

/** Everything one object uses, under every name a quota may limit it by. */
export function objectUsage(info: ResourceInfo, obj: KubeObject): Usage {
  const u: Usage = new Map();
  if (info.group === '' && info.resource === 'pods' && !podCounts(obj)) return u;
  add(u, countKey(info), ONE);
  if (info.group === '' && LEGACY_COUNTS[info.resource]) add(u, LEGACY_COUNTS[info.resource], ONE);
  if (info.group === '' && info.resource === 'pods') {
    for (const [r, q] of podCompute(obj, 'requests')) {
      add(u, `requests.${r}`, q);
      if (r === 'cpu' || r === 'memory' || r === 'ephemeral-storage') add(u, r, q);
    }
    for (const [r, q] of podCompute(obj, 'limits')) add(u, `limits.${r}`, q);
  }
  if (info.group === '' && info.resource === 'services') {
    const spec = (obj.spec ?? {}) as { type?: string; ports?: Array<{ nodePort?: number }> };
    if (spec.type === 'LoadBalancer') add(u, 'services.loadbalancers', ONE);
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') add(u, 'services.nodeports', Quantity.parse(String((spec.ports ?? []).length)));
  }
  if (info.group === '' && info.resource === 'persistentvolumeclaims') {
    const storage = ((obj.spec ?? {}) as { resources?: { requests?: { storage?: string } } }).resources?.requests?.storage;
    if (storage) add(u, 'requests.storage', Quantity.parse(storage));
  }
  return u;
}

/** The resources whose objects a quota's hard keys count (pods for requests.cpu, services for services.nodeports…). */
export function resourcesFor(hardKey: string): ResourceInfo[] {
  const core = (r: string): ResourceInfo[] => [lookupResource('', 'v1', r)!];
  if (hardKey.startsWith('count/')) {
    const [resource, ...group] = hardKey.slice('count/'.length).split('.');
    const info = lookupResource(group.join('.'), 'v1', resource) ?? lookupResource(group.join('.'), 'v2', resource);
    return info ? [info] : [];
  }
  if (LEGACY_COUNTS[hardKey]) return core(hardKey);
  if (hardKey.startsWith('services.')) return core('services');
  if (hardKey === 'requests.storage') return core('persistentvolumeclaims');
  return core('pods');
}

/** "k1=v1,k2=v2" sorted by key, as kube's quota messages print resource lists. */
export function prettyUsage(u: Usage, keys: string[]): string {
  return [...keys].sort().map((k) => `${k}=${(u.get(k) ?? Quantity.parse('0')).toString()}`).join(',');
}

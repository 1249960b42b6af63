// Discovery documents, built once from the resource registry: legacy (/api, /apis, /api/v1,
// /apis/<g>, /apis/<g>/<v>) and aggregated (apidiscovery.k8s.io v2 and v2beta1), which kubectl
// negotiates by Accept and recognises by the exact Content-Type (kubectl-compat §1).
import { allResources, apiGroups as registryGroups, apiVersionOf, resourcesIn as registryResources, subresourcesOf, type ApiGroupInfo, type ResourceInfo } from '../api/index.js';
import { METRICS_GROUP, metricsResources } from './metrics-api.js';

/** The registry's groups and the metrics group, which the API server serves without storage (metrics-api.ts). */
function apiGroups(): ApiGroupInfo[] {
  return [...registryGroups(), METRICS_GROUP];
}

function resourcesIn(group: string, version: string): ResourceInfo[] {
  return group === METRICS_GROUP.name ? metricsResources(version) : registryResources(group, version);
}

function groupVersions(g: ApiGroupInfo): Array<{ groupVersion: string; version: string }> {
  return g.versions.map((v) => ({ groupVersion: apiVersionOf(g.name, v), version: v }));
}

function apiGroup(g: ApiGroupInfo): Record<string, unknown> {
  return { name: g.name, versions: groupVersions(g), preferredVersion: { groupVersion: apiVersionOf(g.name, g.preferredVersion), version: g.preferredVersion } };
}

export function legacyApi(serverAddress: string): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

export function legacyApis(): Record<string, unknown> {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: apiGroups().filter((g) => g.name !== '').map(apiGroup) };
}

export function legacyGroup(name: string): Record<string, unknown> | undefined {
  const g = apiGroups().find((x) => x.name === name && name !== '');
  return g ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(g) } : undefined;
}

/** The APIResourceList of one group/version, subresources as `res/sub` entries (needed by can-i and drain). */
export function resourceList(group: string, version: string): Record<string, unknown> | undefined {
  const infos = resourcesIn(group, version);
  if (infos.length === 0) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const r of infos) {
    const entry: Record<string, unknown> = { name: r.resource, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs };
    if (r.shortNames.length) entry.shortNames = r.shortNames;
    if (r.categories.length) entry.categories = r.categories;
    resources.push(entry);
    for (const s of subresourcesOf(r)) {
      const sub: Record<string, unknown> = { name: `${r.resource}/${s.subresource}`, singularName: '', namespaced: r.namespaced, kind: s.kind, verbs: s.verbs };
      if (s.group !== group || s.version !== version) Object.assign(sub, { group: s.group, version: s.version });
      resources.push(sub);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf(group, version), resources };
}

function discoveryResource(r: ResourceInfo): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    resource: r.resource,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: r.verbs,
  };
  if (r.shortNames.length) entry.shortNames = r.shortNames;
  if (r.categories.length) entry.categories = r.categories;
  const subs = subresourcesOf(r);
  if (subs.length) entry.subresources = subs.map((s) => ({ subresource: s.subresource, responseKind: { group: s.group, version: s.version, kind: s.kind }, verbs: s.verbs }));
  return entry;
}

/** APIGroupDiscoveryList for /api (core only) or /apis (every named group). */
export function aggregated(core: boolean, version: 'v2' | 'v2beta1'): Record<string, unknown> {
  const groups = apiGroups().filter((g) => (g.name === '') === core);
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${version}`,
    metadata: {},
    items: groups.map((g) => ({
      metadata: { name: g.name },
      versions: g.versions.map((v) => ({ version: v, resources: resourcesIn(g.name, v).map(discoveryResource), freshness: 'Current' })),
    })),
  };
}

/** Every storage resource, for the watch cache. */
export function storageResources(): Set<string> {
  return new Set(allResources().map((r) => r.storageResource));
}

// The built-in resource table: every group/version/resource skiff serves, with the names, scope,
// short names, categories, verbs and subresources kube-apiserver v1.33 shows in discovery. Discovery,
// routing, storage keys and the REST mapper all read this one table.

import type { ResourceInfo, ScaleSubresource } from './resource.js';

/** Verbs of an ordinary resource, in discovery's (alphabetical) order. */
const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** Native scale subresources answer autoscaling/v1 Scale built from these fields. */
const REPLICAS_SCALE: ScaleSubresource = { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.spec.selector' };

interface Entry {
  resource: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  all?: boolean;
  verbs?: string[];
  status?: boolean;
  scale?: boolean;
  others?: string[];
  /** Defaults to `resource`; set where two group/versions share objects. */
  storageResource?: string;
  /** Only meaningful when several versions share storageResource. */
  storageVersion?: boolean;
}

/** One group/version and its resources, in the order kube-apiserver lists groups and versions. */
interface GroupVersionTable {
  group: string;
  version: string;
  resources: Entry[];
}

// Group order = kube-aggregator's group priorities (apps 17800, events.k8s.io 17750, autoscaling 17500,
// batch 17400, networking 17200, policy 17100, rbac 17000, storage 16800, scheduling 16600,
// coordination 16500, discovery 16200); versions within a group by version priority (autoscaling v2 first).
const TABLE: GroupVersionTable[] = [
  {
    group: '',
    version: 'v1',
    resources: [
      { resource: 'configmaps', singular: 'configmap', kind: 'ConfigMap', namespaced: true, shortNames: ['cm'] },
      { resource: 'endpoints', singular: 'endpoints', kind: 'Endpoints', namespaced: true, shortNames: ['ep'] },
      { resource: 'events', singular: 'event', kind: 'Event', namespaced: true, shortNames: ['ev'], storageVersion: true },
      { resource: 'limitranges', singular: 'limitrange', kind: 'LimitRange', namespaced: true, shortNames: ['limits'] },
      {
        resource: 'namespaces',
        singular: 'namespace',
        kind: 'Namespace',
        namespaced: false,
        shortNames: ['ns'],
        verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
        status: true,
        others: ['finalize'],
      },
      { resource: 'nodes', singular: 'node', kind: 'Node', namespaced: false, shortNames: ['no'], status: true, others: ['proxy'] },
      { resource: 'persistentvolumeclaims', singular: 'persistentvolumeclaim', kind: 'PersistentVolumeClaim', namespaced: true, shortNames: ['pvc'], status: true },
      { resource: 'persistentvolumes', singular: 'persistentvolume', kind: 'PersistentVolume', namespaced: false, shortNames: ['pv'], status: true },
      {
        resource: 'pods',
        singular: 'pod',
        kind: 'Pod',
        namespaced: true,
        shortNames: ['po'],
        all: true,
        status: true,
        others: ['attach', 'binding', 'eviction', 'exec', 'log', 'portforward', 'proxy'],
      },
      { resource: 'replicationcontrollers', singular: 'replicationcontroller', kind: 'ReplicationController', namespaced: true, shortNames: ['rc'], all: true, status: true, scale: true },
      { resource: 'resourcequotas', singular: 'resourcequota', kind: 'ResourceQuota', namespaced: true, shortNames: ['quota'], status: true },
      { resource: 'secrets', singular: 'secret', kind: 'Secret', namespaced: true },
      { resource: 'serviceaccounts', singular: 'serviceaccount', kind: 'ServiceAccount', namespaced: true, shortNames: ['sa'], others: ['token'] },
      { resource: 'services', singular: 'service', kind: 'Service', namespaced: true, shortNames: ['svc'], all: true, status: true, others: ['proxy'] },
    ],
  },
  {
    group: 'apps',
    version: 'v1',
    resources: [
      { resource: 'controllerrevisions', singular: 'controllerrevision', kind: 'ControllerRevision', namespaced: true },
      { resource: 'daemonsets', singular: 'daemonset', kind: 'DaemonSet', namespaced: true, shortNames: ['ds'], all: true, status: true },
      { resource: 'deployments', singular: 'deployment', kind: 'Deployment', namespaced: true, shortNames: ['deploy'], all: true, status: true, scale: true },
      { resource: 'replicasets', singular: 'replicaset', kind: 'ReplicaSet', namespaced: true, shortNames: ['rs'], all: true, status: true, scale: true },
      { resource: 'statefulsets', singular: 'statefulset', kind: 'StatefulSet', namespaced: true, shortNames: ['sts'], all: true, status: true, scale: true },
    ],
  },
  {
    group: 'events.k8s.io',
    version: 'v1',
    resources: [{ resource: 'events', singular: 'event', kind: 'Event', namespaced: true, shortNames: ['ev'], storageVersion: false }],
  },
  {
    group: 'autoscaling',
    version: 'v2',
    resources: [
      { resource: 'horizontalpodautoscalers', singular: 'horizontalpodautoscaler', kind: 'HorizontalPodAutoscaler', namespaced: true, shortNames: ['hpa'], all: true, status: true, storageVersion: true },
    ],
  },
  {
    group: 'autoscaling',
    version: 'v1',
    resources: [
      { resource: 'horizontalpodautoscalers', singular: 'horizontalpodautoscaler', kind: 'HorizontalPodAutoscaler', namespaced: true, shortNames: ['hpa'], all: true, status: true, storageVersion: false },
    ],
  },
  {
    group: 'batch',
    version: 'v1',
    resources: [
      { resource: 'cronjobs', singular: 'cronjob', kind: 'CronJob', namespaced: true, shortNames: ['cj'], all: true, status: true },
      { resource: 'jobs', singular: 'job', kind: 'Job', namespaced: true, all: true, status: true },
    ],
  },
  {
    group: 'networking.k8s.io',
    version: 'v1',
    resources: [
      { resource: 'ingressclasses', singular: 'ingressclass', kind: 'IngressClass', namespaced: false },
      { resource: 'ingresses', singular: 'ingress', kind: 'Ingress', namespaced: true, shortNames: ['ing'], status: true },
      { resource: 'networkpolicies', singular: 'networkpolicy', kind: 'NetworkPolicy', namespaced: true, shortNames: ['netpol'] },
    ],
  },
  {
    group: 'policy',
    version: 'v1',
    resources: [{ resource: 'poddisruptionbudgets', singular: 'poddisruptionbudget', kind: 'PodDisruptionBudget', namespaced: true, shortNames: ['pdb'], status: true }],
  },
  {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    resources: [
      { resource: 'clusterrolebindings', singular: 'clusterrolebinding', kind: 'ClusterRoleBinding', namespaced: false },
      { resource: 'clusterroles', singular: 'clusterrole', kind: 'ClusterRole', namespaced: false },
      { resource: 'rolebindings', singular: 'rolebinding', kind: 'RoleBinding', namespaced: true },
      { resource: 'roles', singular: 'role', kind: 'Role', namespaced: true },
    ],
  },
  {
    group: 'storage.k8s.io',
    version: 'v1',
    resources: [{ resource: 'storageclasses', singular: 'storageclass', kind: 'StorageClass', namespaced: false, shortNames: ['sc'] }],
  },
  {
    group: 'scheduling.k8s.io',
    version: 'v1',
    resources: [{ resource: 'priorityclasses', singular: 'priorityclass', kind: 'PriorityClass', namespaced: false, shortNames: ['pc'] }],
  },
  {
    group: 'coordination.k8s.io',
    version: 'v1',
    resources: [{ resource: 'leases', singular: 'lease', kind: 'Lease', namespaced: true }],
  },
  {
    group: 'discovery.k8s.io',
    version: 'v1',
    resources: [{ resource: 'endpointslices', singular: 'endpointslice', kind: 'EndpointSlice', namespaced: true }],
  },
];

function toInfo(group: string, version: string, e: Entry): ResourceInfo {
  const subresources: ResourceInfo['subresources'] = {};
  if (e.status) subresources.status = true;
  if (e.scale) subresources.scale = REPLICAS_SCALE;
  if (e.others) subresources.others = e.others;
  return {
    group,
    version,
    resource: e.resource,
    singular: e.singular,
    kind: e.kind,
    namespaced: e.namespaced,
    shortNames: e.shortNames ?? [],
    categories: e.all ? ['all'] : [],
    verbs: e.verbs ?? ALL_VERBS,
    subresources,
    storageResource: e.storageResource ?? e.resource,
    storageVersion: e.storageVersion ?? true,
  };
}

const RESOURCES: readonly ResourceInfo[] = TABLE.flatMap((gv) => gv.resources.map((e) => toInfo(gv.group, gv.version, e)));

/** Every served resource, grouped by group/version in discovery order. */
export function allResources(): readonly ResourceInfo[] {
  return RESOURCES;
}

export interface ApiGroupInfo {
  /** "" for the core group (served at /api). */
  name: string;
  /** In kube-apiserver's order; the first is the preferred version. */
  versions: string[];
  preferredVersion: string;
}

/** The core group first, then the named groups in the order /apis lists them. */
export function apiGroups(): ApiGroupInfo[] {
  const groups: ApiGroupInfo[] = [];
  for (const gv of TABLE) {
    const existing = groups.find((g) => g.name === gv.group);
    if (existing) existing.versions.push(gv.version);
    else groups.push({ name: gv.group, versions: [gv.version], preferredVersion: gv.version });
  }
  return groups;
}

/** Resources of one group/version ("" group for core), in discovery order; empty if not served. */
export function resourcesIn(group: string, version: string): ResourceInfo[] {
  return RESOURCES.filter((r) => r.group === group && r.version === version);
}

export function lookupResource(group: string, version: string, resource: string): ResourceInfo | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.resource === resource);
}

export function lookupKind(group: string, version: string, kind: string): ResourceInfo | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.kind === kind);
}

/**
 * Resolves what a user types as kubectl does: plural, singular, short name or kind (case-insensitive),
 * optionally qualified by group or version and group ("deployments.apps", "hpa.v1.autoscaling").
 * The table is in discovery priority order (core first, preferred versions first), so the first
 * match is the one kubectl picks.
 */
export function lookupByName(name: string): ResourceInfo | undefined {
  const lower = name.toLowerCase();
  const dot = lower.indexOf('.');
  const bare = dot < 0 ? lower : lower.slice(0, dot);
  let group = dot < 0 ? undefined : lower.slice(dot + 1);
  let version: string | undefined;
  const versioned = group?.match(/^(v\d+(?:(?:alpha|beta)\d+)?)(?:\.(.*))?$/);
  if (versioned) {
    version = versioned[1];
    group = versioned[2] ?? '';
  }
  return RESOURCES.find(
    (r) =>
      (group === undefined || r.group === group) &&
      (version === undefined || r.version === version) &&
      (r.resource === bare || r.singular === bare || r.kind.toLowerCase() === bare || r.shortNames.includes(bare)),
  );
}

/** The other group/versions whose objects live in the same storage (autoscaling v1/v2, core/events.k8s.io events). */
export function storagePeers(info: ResourceInfo): ResourceInfo[] {
  return RESOURCES.filter((r) => r.storageResource === info.storageResource && r !== info);
}

/** The version objects of this resource are stored in. */
export function storageInfo(info: ResourceInfo): ResourceInfo {
  return info.storageVersion ? info : (storagePeers(info).find((r) => r.storageVersion) ?? info);
}

export interface SubresourceInfo {
  subresource: string;
  /** The kind the subresource answers with, which may live in another group ("policy/v1 Eviction"). */
  group: string;
  version: string;
  kind: string;
  verbs: string[];
}

const PROXY_VERBS = ['create', 'delete', 'get', 'patch', 'update'];

/** What each named subresource answers, as discovery lists it. */
const OTHER_SUBRESOURCES: Record<string, (parent: ResourceInfo) => Omit<SubresourceInfo, 'subresource'>> = {
  attach: () => ({ group: '', version: 'v1', kind: 'PodAttachOptions', verbs: ['create', 'get'] }),
  binding: () => ({ group: '', version: 'v1', kind: 'Binding', verbs: ['create'] }),
  eviction: () => ({ group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] }),
  exec: () => ({ group: '', version: 'v1', kind: 'PodExecOptions', verbs: ['create', 'get'] }),
  finalize: () => ({ group: '', version: 'v1', kind: 'Namespace', verbs: ['update'] }),
  log: () => ({ group: '', version: 'v1', kind: 'Pod', verbs: ['get'] }),
  portforward: () => ({ group: '', version: 'v1', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] }),
  proxy: (parent) => ({ group: '', version: 'v1', kind: `${parent.kind}ProxyOptions`, verbs: PROXY_VERBS }),
  token: () => ({ group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] }),
};

/** Every subresource of a resource with the kind and verbs discovery shows, sorted by name as kube lists them. */
export function subresourcesOf(info: ResourceInfo): SubresourceInfo[] {
  const out: SubresourceInfo[] = [];
  if (info.subresources.status) out.push({ subresource: 'status', group: info.group, version: info.version, kind: info.kind, verbs: ['get', 'patch', 'update'] });
  if (info.subresources.scale) out.push({ subresource: 'scale', group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });
  for (const name of info.subresources.others ?? []) out.push({ subresource: name, ...OTHER_SUBRESOURCES[name]!(info) });
  return out.sort((a, b) => (a.subresource < b.subresource ? -1 : a.subresource > b.subresource ? 1 : 0));
}

// Patch metadata of the built-in types: the `patchStrategy` / `patchMergeKey` struct tags of
// k8s.io/api and k8s.io/apimachinery's ObjectMeta (read from kubernetes/api types.go). Only the
// fields that carry a tag, and the struct fields leading to them, are listed: every other list is
// atomic (replaced by a patch) and every other object merges key by key, which is what the
// untagged Go fields do. Tolerations, envFrom, endpoints' subsets and containerStatuses are atomic
// in Kubernetes and therefore absent here.

export interface FieldPatchMeta {
  /** Struct type of the field (or of its list elements), a key of TYPES. */
  type?: string;
  /** The tag's strategies: "merge", "replace", "retainKeys" or "merge,retainKeys". */
  strategy?: string;
  mergeKey?: string;
}

type TypeTable = Record<string, Record<string, FieldPatchMeta>>;

const conditions: FieldPatchMeta = { strategy: 'merge', mergeKey: 'type' };
const statusWithConditions = { conditions };

const TYPES: TypeTable = {
  ObjectMeta: {
    finalizers: { strategy: 'merge' },
    ownerReferences: { strategy: 'merge', mergeKey: 'uid' },
  },
  PodTemplateSpec: { metadata: { type: 'ObjectMeta' }, spec: { type: 'PodSpec' } },
  PodSpec: {
    containers: { type: 'Container', strategy: 'merge', mergeKey: 'name' },
    initContainers: { type: 'Container', strategy: 'merge', mergeKey: 'name' },
    ephemeralContainers: { type: 'Container', strategy: 'merge', mergeKey: 'name' },
    volumes: { strategy: 'merge,retainKeys', mergeKey: 'name' },
    imagePullSecrets: { strategy: 'merge', mergeKey: 'name' },
    hostAliases: { strategy: 'merge', mergeKey: 'ip' },
    topologySpreadConstraints: { strategy: 'merge', mergeKey: 'topologyKey' },
    schedulingGates: { strategy: 'merge', mergeKey: 'name' },
    resourceClaims: { strategy: 'merge,retainKeys', mergeKey: 'name' },
  },
  Container: {
    ports: { strategy: 'merge', mergeKey: 'containerPort' },
    env: { strategy: 'merge', mergeKey: 'name' },
    volumeMounts: { strategy: 'merge', mergeKey: 'mountPath' },
    volumeDevices: { strategy: 'merge', mergeKey: 'devicePath' },
  },
  PodStatus: {
    conditions,
    hostIPs: { strategy: 'merge', mergeKey: 'ip' },
    podIPs: { strategy: 'merge', mergeKey: 'ip' },
    resourceClaimStatuses: { strategy: 'merge,retainKeys', mergeKey: 'name' },
  },
  StatusWithConditions: statusWithConditions,
  WorkloadSpec: { template: { type: 'PodTemplateSpec' } },
  DeploymentSpec: { template: { type: 'PodTemplateSpec' }, strategy: { strategy: 'retainKeys' } },
  JobTemplateSpec: { metadata: { type: 'ObjectMeta' }, spec: { type: 'WorkloadSpec' } },
  CronJobSpec: { jobTemplate: { type: 'JobTemplateSpec' } },
  ServiceSpec: { ports: { strategy: 'merge', mergeKey: 'port' } },
  NodeSpec: { podCIDRs: { strategy: 'merge' } },
  NodeStatus: { conditions, addresses: { strategy: 'merge', mergeKey: 'type' } },
  PodDisruptionBudgetSpec: { selector: { strategy: 'replace' } },

  // Kinds (roots). Every root has metadata: ObjectMeta.
  Object: { metadata: { type: 'ObjectMeta' } },
  Pod: { metadata: { type: 'ObjectMeta' }, spec: { type: 'PodSpec' }, status: { type: 'PodStatus' } },
  PodTemplate: { metadata: { type: 'ObjectMeta' }, template: { type: 'PodTemplateSpec' } },
  Workload: { metadata: { type: 'ObjectMeta' }, spec: { type: 'WorkloadSpec' }, status: { type: 'StatusWithConditions' } },
  Deployment: { metadata: { type: 'ObjectMeta' }, spec: { type: 'DeploymentSpec' }, status: { type: 'StatusWithConditions' } },
  CronJob: { metadata: { type: 'ObjectMeta' }, spec: { type: 'CronJobSpec' } },
  Service: { metadata: { type: 'ObjectMeta' }, spec: { type: 'ServiceSpec' }, status: { type: 'StatusWithConditions' } },
  ServiceAccount: { metadata: { type: 'ObjectMeta' }, secrets: { strategy: 'merge', mergeKey: 'name' } },
  Node: { metadata: { type: 'ObjectMeta' }, spec: { type: 'NodeSpec' }, status: { type: 'NodeStatus' } },
  WithStatusConditions: { metadata: { type: 'ObjectMeta' }, status: { type: 'StatusWithConditions' } },
  PodDisruptionBudget: { metadata: { type: 'ObjectMeta' }, spec: { type: 'PodDisruptionBudgetSpec' }, status: { type: 'StatusWithConditions' } },
};

/** group/Kind → root type. Kinds of built-in groups not listed here get "Object" (metadata only). */
const ROOTS: Record<string, string> = {
  '/Pod': 'Pod',
  '/PodTemplate': 'PodTemplate',
  '/ReplicationController': 'Workload',
  'apps/ReplicaSet': 'Workload',
  'apps/DaemonSet': 'Workload',
  'apps/StatefulSet': 'Workload',
  'apps/Deployment': 'Deployment',
  'batch/Job': 'Workload',
  'batch/CronJob': 'CronJob',
  '/Service': 'Service',
  '/ServiceAccount': 'ServiceAccount',
  '/Node': 'Node',
  '/Namespace': 'WithStatusConditions',
  '/PersistentVolumeClaim': 'WithStatusConditions',
  'autoscaling/HorizontalPodAutoscaler': 'WithStatusConditions',
  'policy/PodDisruptionBudget': 'PodDisruptionBudget',
};

/** API groups whose kinds are compiled into kube-apiserver and therefore accept strategic merge patches. */
const BUILT_IN_GROUPS = new Set([
  '',
  'apps',
  'batch',
  'autoscaling',
  'policy',
  'networking.k8s.io',
  'discovery.k8s.io',
  'coordination.k8s.io',
  'events.k8s.io',
  'storage.k8s.io',
  'scheduling.k8s.io',
  'rbac.authorization.k8s.io',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'certificates.k8s.io',
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'apiregistration.k8s.io',
  'node.k8s.io',
  'flowcontrol.apiserver.k8s.io',
]);

/** A position in a type: what a strategic merge needs to know about the fields below it. */
export interface PatchSchema {
  /** Type name, used in error messages like kube's. */
  readonly name: string;
  field(key: string): { schema: PatchSchema; meta: FieldPatchMeta };
}

class TableSchema implements PatchSchema {
  constructor(
    readonly name: string,
    private readonly table: TypeTable,
  ) {}

  field(key: string): { schema: PatchSchema; meta: FieldPatchMeta } {
    const meta = this.table[this.name]?.[key] ?? {};
    return { schema: new TableSchema(meta.type ?? '', this.table), meta };
  }
}

/** A schema over an explicit type table (tests, or types that are not built in). */
export function schemaFromTable(root: string, table: TypeTable): PatchSchema {
  return new TableSchema(root, table);
}

/**
 * The strategic-merge schema of a built-in kind, or undefined when the kind has none (custom
 * resources), for which kube-apiserver refuses strategic merge patches with 415.
 */
export function strategicMergeSchema(group: string, kind: string): PatchSchema | undefined {
  if (!BUILT_IN_GROUPS.has(group)) return undefined;
  return new TableSchema(ROOTS[`${group}/${kind}`] ?? 'Object', TYPES);
}

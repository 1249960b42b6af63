// applyDefaults: what kube-apiserver's defaulters (SetObjectDefaults_<Kind>) fill in when an object
// of a given group/version is decoded, for every built-in resource skiff serves.

import type { KubeObject } from '../object.js';
import type { ResourceInfo } from '../resource.js';
import { ensureObject, getObject, getObjects, isObject, setDefault, setDefaultString, type JsonObject } from '../json.js';
import { defaultPod, defaultPodTemplateSpec, defaultResourceList } from './pod.js';

export { defaultPod, defaultPodSpec, defaultPodTemplateSpec, defaultResourceList, imageTag } from './pod.js';

type Defaulter = (obj: JsonObject) => void;

const spec = (obj: JsonObject): JsonObject => ensureObject(obj, 'spec');

function defaultReplicationController(obj: JsonObject): void {
  const s = spec(obj);
  const template = getObject(s, 'template');
  const labels = getObject(template, 'metadata')?.labels;
  // The selector and the object's labels default to the template's labels.
  if (isObject(labels)) {
    if (!isObject(s.selector) || Object.keys(s.selector).length === 0) s.selector = { ...labels };
    const meta = ensureObject(obj, 'metadata');
    if (!isObject(meta.labels) || Object.keys(meta.labels).length === 0) meta.labels = { ...labels };
  }
  setDefault(s, 'replicas', 1);
  defaultPodTemplateSpec(template);
}

function defaultService(obj: JsonObject): void {
  const s = spec(obj);
  setDefaultString(s, 'sessionAffinity', 'None');
  if (s.sessionAffinity === 'None') delete s.sessionAffinityConfig;
  if (s.sessionAffinity === 'ClientIP') {
    const clientIP = getObject(getObject(s, 'sessionAffinityConfig'), 'clientIP');
    if (clientIP?.timeoutSeconds == null) s.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
  }
  setDefaultString(s, 'type', 'ClusterIP');
  for (const port of getObjects(s, 'ports')) {
    setDefaultString(port, 'protocol', 'TCP');
    if (port.targetPort === undefined || port.targetPort === null || port.targetPort === 0 || port.targetPort === '') port.targetPort = port.port;
  }
  const externalIPs = Array.isArray(s.externalIPs) ? s.externalIPs : [];
  const externallyAccessible = s.type === 'LoadBalancer' || s.type === 'NodePort' || (s.type === 'ClusterIP' && externalIPs.length > 0);
  if (externallyAccessible) setDefaultString(s, 'externalTrafficPolicy', 'Cluster');
  if (s.type === 'NodePort' || s.type === 'LoadBalancer' || s.type === 'ClusterIP') setDefault(s, 'internalTrafficPolicy', 'Cluster');
  if (s.type === 'LoadBalancer') setDefault(s, 'allocateLoadBalancerNodePorts', true);
  // Set by the service REST storage on create in kube (single-stack IPv4 cluster); no family for ExternalName.
  if (s.type !== 'ExternalName') {
    setDefault(s, 'ipFamilyPolicy', 'SingleStack');
    setDefault(s, 'ipFamilies', ['IPv4']);
  }
}

function defaultNamespace(obj: JsonObject): void {
  const meta = ensureObject(obj, 'metadata');
  // The kubernetes.io/metadata.name label always mirrors the name (when there is one yet).
  if (typeof meta.name === 'string' && meta.name) meta.labels = { ...(isObject(meta.labels) ? meta.labels : {}), 'kubernetes.io/metadata.name': meta.name };
  setDefaultString(ensureObject(obj, 'status'), 'phase', 'Active');
}

function defaultPersistentVolume(obj: JsonObject): void {
  setDefaultString(ensureObject(obj, 'status'), 'phase', 'Pending');
  const s = spec(obj);
  defaultResourceList(s.capacity);
  setDefaultString(s, 'persistentVolumeReclaimPolicy', 'Retain');
  setDefault(s, 'volumeMode', 'Filesystem');
}

function defaultPersistentVolumeClaim(obj: JsonObject): void {
  setDefaultString(ensureObject(obj, 'status'), 'phase', 'Pending');
  const s = spec(obj);
  setDefault(s, 'volumeMode', 'Filesystem');
  const resources = getObject(s, 'resources');
  defaultResourceList(resources?.requests);
  defaultResourceList(resources?.limits);
  defaultResourceList(getObject(obj, 'status')?.capacity);
}

function defaultEndpoints(obj: JsonObject): void {
  for (const subset of getObjects(obj, 'subsets')) for (const port of getObjects(subset, 'ports')) setDefaultString(port, 'protocol', 'TCP');
}

function defaultLimitRange(obj: JsonObject): void {
  for (const item of getObjects(spec(obj), 'limits')) {
    for (const f of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio']) defaultResourceList(item[f]);
    if (item.type !== 'Container') continue;
    // Default limit ← max; default request ← default limit, else min.
    const def = ensureObject(item, 'default');
    const defaultRequest = ensureObject(item, 'defaultRequest');
    for (const [k, v] of Object.entries(getObject(item, 'max') ?? {})) setDefault(def, k, v);
    for (const [k, v] of Object.entries(def)) setDefault(defaultRequest, k, v);
    for (const [k, v] of Object.entries(getObject(item, 'min') ?? {})) setDefault(defaultRequest, k, v);
  }
}

function defaultNode(obj: JsonObject): void {
  const status = getObject(obj, 'status');
  defaultResourceList(status?.capacity);
  defaultResourceList(status?.allocatable);
  if (status && isObject(status.capacity)) setDefault(status, 'allocatable', { ...status.capacity });
}

function defaultDeployment(obj: JsonObject): void {
  const s = spec(obj);
  setDefault(s, 'replicas', 1);
  const strategy = ensureObject(s, 'strategy');
  setDefaultString(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const rolling = ensureObject(strategy, 'rollingUpdate');
    setDefault(rolling, 'maxUnavailable', '25%');
    setDefault(rolling, 'maxSurge', '25%');
  }
  setDefault(s, 'revisionHistoryLimit', 10);
  setDefault(s, 'progressDeadlineSeconds', 600);
  defaultPodTemplateSpec(s.template);
}

function defaultReplicaSet(obj: JsonObject): void {
  const s = spec(obj);
  setDefault(s, 'replicas', 1);
  defaultPodTemplateSpec(s.template);
}

function defaultDaemonSet(obj: JsonObject): void {
  const s = spec(obj);
  const strategy = ensureObject(s, 'updateStrategy');
  setDefaultString(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const rolling = ensureObject(strategy, 'rollingUpdate');
    setDefault(rolling, 'maxUnavailable', 1);
    setDefault(rolling, 'maxSurge', 0);
  }
  setDefault(s, 'revisionHistoryLimit', 10);
  defaultPodTemplateSpec(s.template);
}

function defaultStatefulSet(obj: JsonObject): void {
  const s = spec(obj);
  setDefaultString(s, 'podManagementPolicy', 'OrderedReady');
  const strategy = ensureObject(s, 'updateStrategy');
  if (!strategy.type) {
    strategy.type = 'RollingUpdate';
    setDefault(strategy, 'rollingUpdate', {});
  }
  const rolling = getObject(strategy, 'rollingUpdate');
  if (strategy.type === 'RollingUpdate' && rolling) setDefault(rolling, 'partition', 0);
  const retention = ensureObject(s, 'persistentVolumeClaimRetentionPolicy');
  setDefaultString(retention, 'whenDeleted', 'Retain');
  setDefaultString(retention, 'whenScaled', 'Retain');
  setDefault(s, 'replicas', 1);
  setDefault(s, 'revisionHistoryLimit', 10);
  for (const claim of getObjects(s, 'volumeClaimTemplates')) defaultPersistentVolumeClaim(claim);
  defaultPodTemplateSpec(s.template);
}

function defaultJob(obj: JsonObject): void {
  const s = spec(obj);
  // A non-parallel job leaves both unset: both become 1.
  if (s.completions == null && s.parallelism == null) s.completions = 1;
  setDefault(s, 'parallelism', 1);
  setDefault(s, 'backoffLimit', s.backoffLimitPerIndex != null ? 2147483647 : 6);
  const templateLabels = getObject(getObject(s, 'template'), 'metadata')?.labels;
  const meta = ensureObject(obj, 'metadata');
  if (isObject(templateLabels) && (!isObject(meta.labels) || Object.keys(meta.labels).length === 0)) meta.labels = { ...templateLabels };
  setDefault(s, 'completionMode', 'NonIndexed');
  setDefault(s, 'suspend', false);
  setDefault(s, 'podReplacementPolicy', s.podFailurePolicy != null ? 'Failed' : 'TerminatingOrFailed');
  for (const rule of getObjects(getObject(s, 'podFailurePolicy'), 'rules')) for (const cond of getObjects(rule, 'onPodConditions')) setDefaultString(cond, 'status', 'True');
  defaultPodTemplateSpec(s.template);
}

function defaultCronJob(obj: JsonObject): void {
  const s = spec(obj);
  setDefaultString(s, 'concurrencyPolicy', 'Allow');
  setDefault(s, 'suspend', false);
  setDefault(s, 'successfulJobsHistoryLimit', 3);
  setDefault(s, 'failedJobsHistoryLimit', 1);
  defaultPodTemplateSpec(getObject(getObject(s, 'jobTemplate'), 'spec')?.template);
}

function defaultHPAv1(obj: JsonObject): void {
  setDefault(spec(obj), 'minReplicas', 1);
}

const SCALE_UP_DEFAULTS = { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] };
const SCALE_DOWN_DEFAULTS = { stabilizationWindowSeconds: 300, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] };

function defaultHPAv2(obj: JsonObject): void {
  const s = spec(obj);
  setDefault(s, 'minReplicas', 1);
  if (!Array.isArray(s.metrics) || s.metrics.length === 0) {
    s.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
  }
  // A behavior, once given, has all its nil parts filled with the defaults.
  const behavior = getObject(s, 'behavior');
  if (behavior) {
    for (const [key, defaults] of [
      ['scaleUp', SCALE_UP_DEFAULTS],
      ['scaleDown', SCALE_DOWN_DEFAULTS],
    ] as const) {
      const rules = ensureObject(behavior, key);
      for (const [k, v] of Object.entries(defaults)) setDefault(rules, k, structuredClone(v));
    }
  }
}

function defaultNetworkPolicy(obj: JsonObject): void {
  const s = spec(obj);
  for (const rule of [...getObjects(s, 'ingress'), ...getObjects(s, 'egress')]) for (const port of getObjects(rule, 'ports')) setDefaultString(port, 'protocol', 'TCP');
  if (!Array.isArray(s.policyTypes) || s.policyTypes.length === 0) {
    s.policyTypes = Array.isArray(s.egress) && s.egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
  }
}

function defaultEndpointSlice(obj: JsonObject): void {
  for (const port of getObjects(obj, 'ports')) {
    setDefault(port, 'name', '');
    setDefaultString(port, 'protocol', 'TCP');
  }
}

function defaultStorageClass(obj: JsonObject): void {
  setDefaultString(obj, 'reclaimPolicy', 'Delete');
  setDefaultString(obj, 'volumeBindingMode', 'Immediate');
}

function defaultPriorityClass(obj: JsonObject): void {
  setDefaultString(obj, 'preemptionPolicy', 'PreemptLowerPriority');
}

const RBAC_GROUP = 'rbac.authorization.k8s.io';

function defaultBinding(obj: JsonObject): void {
  setDefaultString(ensureObject(obj, 'roleRef'), 'apiGroup', RBAC_GROUP);
  for (const subject of getObjects(obj, 'subjects')) {
    if (subject.kind === 'ServiceAccount') setDefault(subject, 'apiGroup', '');
    else if (subject.kind === 'User' || subject.kind === 'Group') setDefaultString(subject, 'apiGroup', RBAC_GROUP);
  }
}

function defaultSecret(obj: JsonObject): void {
  setDefaultString(obj, 'type', 'Opaque');
}

/** Keyed by "group/version/Kind" ("" group for core). */
const DEFAULTERS: Record<string, Defaulter> = {
  '/v1/Pod': defaultPod,
  '/v1/ReplicationController': defaultReplicationController,
  '/v1/Service': defaultService,
  '/v1/Namespace': defaultNamespace,
  '/v1/PersistentVolume': defaultPersistentVolume,
  '/v1/PersistentVolumeClaim': defaultPersistentVolumeClaim,
  '/v1/Endpoints': defaultEndpoints,
  '/v1/LimitRange': defaultLimitRange,
  '/v1/ResourceQuota': (obj) => {
    defaultResourceList(spec(obj).hard);
    defaultResourceList(getObject(obj, 'status')?.hard);
    defaultResourceList(getObject(obj, 'status')?.used);
  },
  '/v1/Node': defaultNode,
  '/v1/Secret': defaultSecret,
  'apps/v1/Deployment': defaultDeployment,
  'apps/v1/ReplicaSet': defaultReplicaSet,
  'apps/v1/DaemonSet': defaultDaemonSet,
  'apps/v1/StatefulSet': defaultStatefulSet,
  'batch/v1/Job': defaultJob,
  'batch/v1/CronJob': defaultCronJob,
  'autoscaling/v1/HorizontalPodAutoscaler': defaultHPAv1,
  'autoscaling/v2/HorizontalPodAutoscaler': defaultHPAv2,
  'networking.k8s.io/v1/NetworkPolicy': defaultNetworkPolicy,
  'discovery.k8s.io/v1/EndpointSlice': defaultEndpointSlice,
  'storage.k8s.io/v1/StorageClass': defaultStorageClass,
  'scheduling.k8s.io/v1/PriorityClass': defaultPriorityClass,
  'rbac.authorization.k8s.io/v1/RoleBinding': defaultBinding,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': defaultBinding,
};

/**
 * Fills in defaults in place, for an object in `info`'s group/version (call it on request bodies
 * before validation, as kube-apiserver does on decode). Returns the same object.
 */
export function applyDefaults<T extends KubeObject>(info: ResourceInfo, obj: T): T {
  DEFAULTERS[`${info.group}/${info.version}/${info.kind}`]?.(obj);
  return obj;
}


// validate / validateUpdate / validateStatusUpdate for every built-in kind: what each kube-apiserver
// strategy's Validate, ValidateUpdate and the status strategies' ValidateUpdate check.

import type { FieldError } from '../errors.js';
import type { KubeObject } from '../object.js';
import type { ResourceInfo } from '../resource.js';
import { getObject, type JsonObject } from '../json.js';
import { nameIsDNS1035Label, nameIsDNSLabel, nameIsDNSSubdomain, nameIsPathSegment, type NameValidator } from '../names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { validatePod, validatePodStatusUpdate, validatePodUpdate } from './pod.js';
import {
  validateControllerRevisionUpdate,
  validateCronJob,
  validateCronJobUpdate,
  validateDaemonSet,
  validateDeployment,
  validateJob,
  validateJobUpdate,
  validateReplicaSet,
  validateReplicationController,
  validateSelectorImmutable,
  validateStatefulSet,
  validateStatefulSetUpdate,
} from './workloads.js';
import {
  validateConfigMapData,
  validateCoreEvent,
  validateEndpoints,
  validateEventsV1Event,
  validateImmutableData,
  validateLimitRangeSpec,
  validateNamespaceSpec,
  validateNodeSpec,
  validateNodeUpdate,
  validatePersistentVolumeClaimSpec,
  validatePersistentVolumeClaimUpdate,
  validatePersistentVolumeSpec,
  validateResourceQuotaSpec,
  validateSecretData,
  validateSecretUpdate,
  validateServiceSpec,
  validateServiceUpdate,
} from './core.js';
import {
  validateBindingRoleRef,
  validateEndpointSlice,
  validateEndpointSliceUpdate,
  validateHPASpec,
  validateIngressSpec,
  validateLeaseSpec,
  validateNetworkPolicySpec,
  validatePodDisruptionBudgetSpec,
  validatePriorityClass,
  validatePriorityClassUpdate,
  validateRBACBinding,
  validateRBACRules,
  validateStorageClass,
  validateStorageClassUpdate,
} from './groups.js';

export { validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate, goLabelSelector } from './meta.js';
export { validatePodSpec, validatePodTemplateSpec } from './pod.js';

interface KindRules {
  /** How metadata.name is checked (DNS subdomain unless said otherwise). */
  name?: NameValidator;
  /** Whole-object validation when kind-specific (it then checks metadata itself). */
  create?: (obj: JsonObject, info: ResourceInfo) => FieldError[];
  /** Checks beyond metadata, run on create and update. */
  spec?: (obj: JsonObject, info: ResourceInfo) => FieldError[];
  /** Full update validation when kind-specific (it then checks metadata itself). */
  update?: (newObj: JsonObject, oldObj: JsonObject, info: ResourceInfo) => FieldError[];
  /** Replaces the spec checks on update (they then see the old object too). */
  specUpdate?: (newObj: JsonObject, oldObj: JsonObject) => FieldError[];
  /** Update checks added to metadata + spec checks. */
  updateExtra?: (newObj: JsonObject, oldObj: JsonObject) => FieldError[];
}

const specOf = (obj: JsonObject): JsonObject => getObject(obj, 'spec') ?? {};

/** Whole-object rules reused on update, where metadata is checked by the update rules instead. */
const withoutMeta = (errs: FieldError[]): FieldError[] => errs.filter((e) => !e.field.startsWith('metadata.'));

const RULES: Record<string, KindRules> = {
  '/Pod': { create: validatePod, update: validatePodUpdate },
  '/ReplicationController': { create: validateReplicationController },
  '/Service': { name: nameIsDNS1035Label, spec: (obj) => validateServiceSpec(specOf(obj)), specUpdate: (n, o) => validateServiceUpdate(specOf(n), specOf(o)) },
  '/Namespace': { name: nameIsDNSLabel, spec: validateNamespaceSpec },
  '/ConfigMap': { spec: validateConfigMapData, updateExtra: (n, o) => validateImmutableData(n, o, ['data', 'binaryData']) },
  '/Secret': { spec: validateSecretData, specUpdate: validateSecretUpdate },
  '/PersistentVolume': { spec: validatePersistentVolumeSpec },
  '/PersistentVolumeClaim': { spec: (obj) => validatePersistentVolumeClaimSpec(specOf(obj)), specUpdate: validatePersistentVolumeClaimUpdate },
  '/ResourceQuota': { spec: validateResourceQuotaSpec },
  '/LimitRange': { spec: validateLimitRangeSpec },
  '/Endpoints': { spec: validateEndpoints },
  '/Node': { spec: validateNodeSpec, updateExtra: validateNodeUpdate },
  // Events names only need to be usable in a URL; their content rules depend on the API used.
  '/Event': { name: nameIsPathSegment, spec: validateCoreEvent },
  'events.k8s.io/Event': { spec: validateEventsV1Event },
  'apps/Deployment': { create: validateDeployment, updateExtra: validateSelectorImmutable },
  'apps/ReplicaSet': { create: validateReplicaSet, updateExtra: validateSelectorImmutable },
  'apps/DaemonSet': { create: validateDaemonSet, updateExtra: validateSelectorImmutable },
  'apps/StatefulSet': { create: validateStatefulSet, specUpdate: validateStatefulSetUpdate, updateExtra: validateSelectorImmutable },
  'apps/ControllerRevision': { updateExtra: validateControllerRevisionUpdate },
  'batch/Job': { create: validateJob, specUpdate: validateJobUpdate },
  'batch/CronJob': { create: validateCronJob, specUpdate: validateCronJobUpdate },
  'autoscaling/HorizontalPodAutoscaler': { spec: validateHPASpec },
  'networking.k8s.io/Ingress': { spec: validateIngressSpec },
  'networking.k8s.io/NetworkPolicy': { spec: validateNetworkPolicySpec },
  'policy/PodDisruptionBudget': { spec: validatePodDisruptionBudgetSpec },
  'scheduling.k8s.io/PriorityClass': { spec: validatePriorityClass, updateExtra: validatePriorityClassUpdate },
  'storage.k8s.io/StorageClass': { spec: validateStorageClass, updateExtra: validateStorageClassUpdate },
  'coordination.k8s.io/Lease': { spec: validateLeaseSpec },
  'discovery.k8s.io/EndpointSlice': { spec: validateEndpointSlice, updateExtra: validateEndpointSliceUpdate },
  'rbac.authorization.k8s.io/Role': { name: nameIsPathSegment, spec: validateRBACRules },
  'rbac.authorization.k8s.io/ClusterRole': { name: nameIsPathSegment, spec: validateRBACRules },
  'rbac.authorization.k8s.io/RoleBinding': { name: nameIsPathSegment, spec: (obj) => validateRBACBinding(obj, true), updateExtra: validateBindingRoleRef },
  'rbac.authorization.k8s.io/ClusterRoleBinding': { name: nameIsPathSegment, spec: (obj) => validateRBACBinding(obj, false), updateExtra: validateBindingRoleRef },
};

function rulesFor(info: ResourceInfo): KindRules {
  return RULES[`${info.group}/${info.kind}`] ?? {};
}

function metaErrors(obj: JsonObject, info: ResourceInfo, name: NameValidator): FieldError[] {
  return validateObjectMeta(getObject(obj, 'metadata') ?? {}, info.namespaced, name);
}

function metaUpdateErrors(newObj: JsonObject, oldObj: JsonObject): FieldError[] {
  return validateObjectMetaUpdate(getObject(newObj, 'metadata') ?? {}, getObject(oldObj, 'metadata') ?? {});
}

/** Validation of a new object (after defaulting and prepareForCreate). Empty = valid. */
export function validate(info: ResourceInfo, obj: KubeObject): FieldError[] {
  const rules = rulesFor(info);
  if (rules.create) return rules.create(obj, info);
  return [...metaErrors(obj, info, rules.name ?? nameIsDNSSubdomain), ...(rules.spec?.(obj, info) ?? [])];
}

/** Validation of an update of the main resource (after prepareForUpdate). */
export function validateUpdate(info: ResourceInfo, newObj: KubeObject, oldObj: KubeObject): FieldError[] {
  const rules = rulesFor(info);
  if (rules.update) return rules.update(newObj, oldObj, info);
  const errs = metaUpdateErrors(newObj, oldObj);
  if (rules.specUpdate) errs.push(...rules.specUpdate(newObj, oldObj));
  else if (rules.create) errs.push(...withoutMeta(rules.create(newObj, info)));
  else errs.push(...(rules.spec?.(newObj, info) ?? []));
  errs.push(...(rules.updateExtra?.(newObj, oldObj) ?? []));
  return errs;
}

/** Validation of a status subresource update: metadata rules (and the pod status checks). */
export function validateStatusUpdate(info: ResourceInfo, newObj: KubeObject, oldObj: KubeObject): FieldError[] {
  if (info.group === '' && info.kind === 'Pod') return validatePodStatusUpdate(newObj, oldObj);
  return metaUpdateErrors(newObj, oldObj);
}

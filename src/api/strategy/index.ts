// Per-resource create/update rules of kube-apiserver's registry strategies (pkg/registry/*/strategy.go):
// what PrepareForCreate resets, what PrepareForUpdate keeps, how generation moves, and which
// validation runs for the resource and for its status subresource.
//
// The API server's order, as kube's generic registry: decode → applyDefaults → (server metadata:
// uid, name from generateName, creationTimestamp) → prepareForCreate → validate; for updates the
// server-owned metadata is copied from the old object first, then prepareForUpdate → validateUpdate.

import type { FieldError } from '../errors.js';
import type { KubeObject } from '../object.js';
import type { ResourceInfo } from '../resource.js';
import { deepEqual, ensureObject, getObject, getObjects, type JsonObject } from '../json.js';
import { podQOSClass } from '../qos.js';
import { validate, validateStatusUpdate, validateUpdate } from '../validation/index.js';

export interface Strategy {
  /** Resets what clients may not set on create (status, generation...). Call after metadata.uid/name are set. */
  prepareForCreate(obj: KubeObject): void;
  /**
   * `subresource` is "" for the resource itself, "status" for /status, "finalize" for namespaces'
   * /finalize (which alone may change spec.finalizers); others behave as the resource.
   */
  prepareForUpdate(newObj: KubeObject, oldObj: KubeObject, subresource: string): void;
  validate(obj: KubeObject): FieldError[];
  validateUpdate(newObj: KubeObject, oldObj: KubeObject, subresource: string): FieldError[];
}

/** Kinds whose strategies maintain metadata.generation (1 on create, +1 per spec change; pods since 1.33). */
const GENERATION_KINDS = new Set([
  '/Pod',
  '/ReplicationController',
  'apps/Deployment',
  'apps/ReplicaSet',
  'apps/DaemonSet',
  'apps/StatefulSet',
  'batch/Job',
  'batch/CronJob',
  'autoscaling/HorizontalPodAutoscaler',
  'policy/PodDisruptionBudget',
  'networking.k8s.io/Ingress',
  'networking.k8s.io/IngressClass',
  'networking.k8s.io/NetworkPolicy',
]);

/**
 * Kinds whose status is reset on create (clients cannot create an object with a status), to the
 * empty status as kube serializes it: fields without omitempty read back as zeros.
 */
const INITIAL_STATUS: Record<string, () => JsonObject> = {
  '/ReplicationController': () => ({ replicas: 0 }),
  '/Service': () => ({ loadBalancer: {} }),
  '/ResourceQuota': () => ({}),
  'apps/Deployment': () => ({}),
  'apps/ReplicaSet': () => ({ replicas: 0 }),
  'apps/DaemonSet': () => ({ currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 }),
  'apps/StatefulSet': () => ({ replicas: 0, availableReplicas: 0 }),
  'batch/Job': () => ({}),
  'batch/CronJob': () => ({}),
  'autoscaling/HorizontalPodAutoscaler': () => ({ desiredReplicas: 0 }),
  'policy/PodDisruptionBudget': () => ({ disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 }),
  'networking.k8s.io/Ingress': () => ({ loadBalancer: {} }),
};

/** Status subresources that also keep the old labels (apps' status strategies). */
const STATUS_KEEPS_LABELS = new Set(['apps/Deployment', 'apps/ReplicaSet', 'apps/DaemonSet', 'apps/StatefulSet']);

/** The part of an object whose change is a "spec change": everything but metadata and status. */
function specPart(obj: JsonObject): JsonObject {
  const { metadata: _metadata, status: _status, apiVersion: _apiVersion, kind: _kind, ...rest } = obj;
  return rest;
}

const kindKey = (info: ResourceInfo): string => `${info.group}/${info.kind}`;

function prepareJobCreate(job: KubeObject): void {
  const spec = ensureObject(job, 'spec');
  if (spec.manualSelector === true) return;
  // Generated selector: the controller-uid label makes the job's pods match only this job.
  const uid = job.metadata.uid ?? '';
  const name = job.metadata.name ?? '';
  const template = ensureObject(spec, 'template');
  const labels = ensureObject(ensureObject(template, 'metadata'), 'labels');
  for (const k of ['job-name', 'batch.kubernetes.io/job-name']) if (!(k in labels)) labels[k] = name;
  for (const k of ['controller-uid', 'batch.kubernetes.io/controller-uid']) if (!(k in labels)) labels[k] = uid;
  const selector = ensureObject(spec, 'selector');
  const matchLabels = ensureObject(selector, 'matchLabels');
  if (!('batch.kubernetes.io/controller-uid' in matchLabels)) matchLabels['batch.kubernetes.io/controller-uid'] = uid;
}

/** Secrets: stringData is a write-only convenience merged into (base64) data. */
function mergeStringData(secret: KubeObject): void {
  const stringData = getObject(secret, 'stringData');
  if (!stringData) {
    delete secret.stringData;
    return;
  }
  const data = ensureObject(secret, 'data');
  for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
  delete secret.stringData;
}

function needsClusterIP(spec: JsonObject): boolean {
  return spec.type !== 'ExternalName';
}

function needsNodePort(spec: JsonObject): boolean {
  return spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);
}

/** kube's service REST keeps allocated values an update leaves out (patchAllocatedValues). */
function keepAllocatedServiceValues(newSvc: KubeObject, oldSvc: KubeObject): void {
  const spec = ensureObject(newSvc, 'spec');
  const old = getObject(oldSvc, 'spec') ?? {};
  if (needsClusterIP(old) && needsClusterIP(spec)) {
    if (!spec.clusterIP && old.clusterIP) spec.clusterIP = old.clusterIP;
    if ((!Array.isArray(spec.clusterIPs) || spec.clusterIPs.length === 0) && Array.isArray(old.clusterIPs) && spec.clusterIP === old.clusterIP) spec.clusterIPs = old.clusterIPs;
    if (spec.ipFamilies == null && old.ipFamilies != null) spec.ipFamilies = old.ipFamilies;
    if (spec.ipFamilyPolicy == null && old.ipFamilyPolicy != null) spec.ipFamilyPolicy = old.ipFamilyPolicy;
  }
  if (needsNodePort(old) && needsNodePort(spec)) {
    const oldPorts = getObjects(old, 'ports');
    for (const port of getObjects(spec, 'ports')) {
      if (port.nodePort) continue;
      const match = oldPorts.find((p) => p.port === port.port && (p.protocol ?? 'TCP') === (port.protocol ?? 'TCP'));
      if (match?.nodePort) port.nodePort = match.nodePort;
    }
  }
  if (spec.healthCheckNodePort == null && old.healthCheckNodePort != null && spec.externalTrafficPolicy === 'Local' && spec.type === 'LoadBalancer') spec.healthCheckNodePort = old.healthCheckNodePort;
}

function schedulingGatedCondition(pod: KubeObject): JsonObject[] {
  const gates = getObject(pod, 'spec')?.schedulingGates;
  if (!Array.isArray(gates) || gates.length === 0) return [];
  return [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated', message: 'Scheduling is blocked due to non-empty scheduling gates', lastProbeTime: null, lastTransitionTime: null }];
}

/**
 * ObjectMeta's maps and lists are omitempty in kube: removing the last label (`kubectl label po x
 * env-`) leaves no `labels: {}` behind.
 */
function dropEmptyMetadata(obj: KubeObject): void {
  const meta = obj.metadata as unknown as JsonObject;
  for (const field of ['labels', 'annotations']) {
    const v = meta[field];
    if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) delete meta[field];
  }
  for (const field of ['finalizers', 'ownerReferences', 'managedFields']) {
    const v = meta[field];
    if (Array.isArray(v) && v.length === 0) delete meta[field];
  }
}

/**
 * A pod condition's lastProbeTime is a non-pointer time in Go, so kube always writes it, null when unset;
 * merge patches drop nulls inside list items, which leaves it to be put back here.
 */
function podConditionProbeTimes(pod: KubeObject): void {
  const conditions = getObject(pod, 'status')?.conditions;
  if (!Array.isArray(conditions)) return;
  for (const c of conditions) if (c && typeof c === 'object' && !Array.isArray(c) && !('lastProbeTime' in c)) (c as JsonObject).lastProbeTime = null;
}

function createRules(info: ResourceInfo, obj: KubeObject): void {
  dropEmptyMetadata(obj);
  const key = kindKey(info);
  const initialStatus = INITIAL_STATUS[key];
  if (initialStatus) obj.status = initialStatus();
  switch (key) {
    case '/Pod': {
      const conditions = schedulingGatedCondition(obj);
      obj.status = { phase: 'Pending', ...(conditions.length ? { conditions } : {}), qosClass: podQOSClass(obj) };
      break;
    }
    case '/Namespace': {
      // Every namespace carries the "kubernetes" finalizer, which the namespace controller removes.
      const spec = ensureObject(obj, 'spec');
      const finalizers = Array.isArray(spec.finalizers) ? spec.finalizers : [];
      spec.finalizers = finalizers.includes('kubernetes') ? finalizers : [...finalizers, 'kubernetes'];
      obj.status = { phase: 'Active' };
      break;
    }
    case '/PersistentVolume':
      obj.status = { phase: 'Pending', lastPhaseTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
      break;
    case '/PersistentVolumeClaim':
      obj.status = { phase: 'Pending' };
      break;
    case '/Secret':
      mergeStringData(obj);
      break;
    case 'batch/Job':
      prepareJobCreate(obj);
      break;
  }
  if (GENERATION_KINDS.has(key)) obj.metadata.generation = 1;
  else delete obj.metadata.generation;
}

/**
 * rest.BeforeUpdate's metadata rules: identity and deletion state come from the stored object. An
 * update without resourceVersion is unconditional (every built-in strategy allows it): it applies
 * to the stored version.
 */
function keepSystemMetadata(newObj: KubeObject, oldObj: KubeObject): void {
  const meta = newObj.metadata;
  const old = oldObj.metadata;
  if (!meta.resourceVersion && old.resourceVersion) meta.resourceVersion = old.resourceVersion;
  if (!meta.uid && old.uid) meta.uid = old.uid;
  if (old.creationTimestamp) meta.creationTimestamp = old.creationTimestamp;
  if (old.deletionTimestamp) meta.deletionTimestamp = old.deletionTimestamp;
  if (old.deletionGracePeriodSeconds !== undefined && meta.deletionGracePeriodSeconds === undefined) meta.deletionGracePeriodSeconds = old.deletionGracePeriodSeconds;
}

function updateRules(info: ResourceInfo, newObj: KubeObject, oldObj: KubeObject, subresource: string): void {
  const key = kindKey(info);
  keepSystemMetadata(newObj, oldObj);
  dropEmptyMetadata(newObj);
  if (subresource === 'status') {
    // The status subresource changes status only: everything else comes from the stored object.
    for (const k of Object.keys(newObj)) if (k !== 'metadata' && k !== 'status' && k !== 'apiVersion' && k !== 'kind') delete newObj[k];
    for (const [k, v] of Object.entries(oldObj)) if (k !== 'metadata' && k !== 'status' && k !== 'apiVersion' && k !== 'kind') newObj[k] = structuredClone(v);
    if (STATUS_KEEPS_LABELS.has(key)) {
      if (oldObj.metadata.labels === undefined) delete newObj.metadata.labels;
      else newObj.metadata.labels = structuredClone(oldObj.metadata.labels);
    }
    // Old kubelets corrupted owner references through pods/status; kube ignores them there.
    if (key === '/Pod') {
      newObj.metadata.ownerReferences = structuredClone(oldObj.metadata.ownerReferences);
      podConditionProbeTimes(newObj);
    }
  } else {
    if (info.subresources.status || key === '/Namespace' || key === '/Node') {
      if (oldObj.status === undefined) delete newObj.status;
      else newObj.status = structuredClone(oldObj.status);
    }
    switch (key) {
      case '/Namespace': {
        // spec.finalizers change only through the finalize subresource (the namespace controller).
        if (subresource === 'finalize') break;
        const oldFinalizers = getObject(oldObj, 'spec')?.finalizers;
        const spec = ensureObject(newObj, 'spec');
        if (oldFinalizers === undefined) delete spec.finalizers;
        else spec.finalizers = structuredClone(oldFinalizers);
        break;
      }
      case '/Service':
        keepAllocatedServiceValues(newObj, oldObj);
        break;
      case '/Secret':
        mergeStringData(newObj);
        break;
    }
  }
  // The status subresource never moves generation (kube's status strategies keep it), even when the
  // write carries metadata such as the deployment controller's revision annotation.
  if (!GENERATION_KINDS.has(key) || subresource === 'status') {
    if (oldObj.metadata.generation === undefined) delete newObj.metadata.generation;
    else newObj.metadata.generation = oldObj.metadata.generation;
    return;
  }
  const generation = oldObj.metadata.generation ?? 1;
  let changed = !deepEqual(specPart(newObj), specPart(oldObj));
  // Deployments bump on annotation changes too: annotations are copied to their replica sets.
  if (key === 'apps/Deployment' && !deepEqual(newObj.metadata.annotations ?? {}, oldObj.metadata.annotations ?? {})) changed = true;
  newObj.metadata.generation = changed ? generation + 1 : generation;
}

const strategies = new Map<ResourceInfo, Strategy>();

/** The strategy of a served resource (one instance per ResourceInfo). */
export function strategyFor(info: ResourceInfo): Strategy {
  let s = strategies.get(info);
  if (!s) {
    s = {
      prepareForCreate: (obj) => createRules(info, obj),
      prepareForUpdate: (newObj, oldObj, subresource) => updateRules(info, newObj, oldObj, subresource),
      validate: (obj) => validate(info, obj),
      validateUpdate: (newObj, oldObj, subresource) => (subresource === 'status' ? validateStatusUpdate(info, newObj, oldObj) : validateUpdate(info, newObj, oldObj)),
    };
    strategies.set(info, s);
  }
  return s;
}


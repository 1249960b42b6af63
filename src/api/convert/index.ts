// Conversions between versions that share storage: autoscaling/v1 ⇄ autoscaling/v2 HPAs (stored as
// v2) and core/v1 ⇄ events.k8s.io/v1 Events (stored as core/v1). What v1 HPAs cannot express travels
// in annotations, as kube's conversion keeps it, so a round trip loses nothing.

import type { KubeObject } from '../object.js';
import type { ResourceInfo } from '../resource.js';
import { apiVersionOf } from '../object.js';
import { storageInfo } from '../registry.js';
import { applyDefaults } from '../defaults/index.js';
import { getObject, getObjects, isObject, type JsonObject } from '../json.js';

const METRICS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/metrics';
const CURRENT_METRICS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/current-metrics';
const CONDITIONS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/conditions';
const BEHAVIOR_ANNOTATION = 'autoscaling.alpha.kubernetes.io/behavior';

function isCPUUtilization(metric: JsonObject, targetKey: 'target' | 'current'): boolean {
  const resource = getObject(metric, 'resource');
  return metric.type === 'Resource' && resource?.name === 'cpu' && (targetKey === 'current' || getObject(resource, 'target')?.type === 'Utilization');
}

function parseAnnotation(annotations: Record<string, string>, key: string): unknown[] | JsonObject | undefined {
  const text = annotations[key];
  if (text === undefined) return undefined;
  delete annotations[key];
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) || isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function withoutEmpty(obj: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined));
}

function hpaV2ToV1(obj: KubeObject): KubeObject {
  const spec = getObject(obj, 'spec') ?? {};
  const status = getObject(obj, 'status');
  const annotations: Record<string, string> = { ...(obj.metadata.annotations ?? {}) };
  const metrics = getObjects(spec, 'metrics');
  const cpu = metrics.find((m) => isCPUUtilization(m, 'target'));
  const others = metrics.filter((m) => m !== cpu);
  if (others.length) annotations[METRICS_ANNOTATION] = JSON.stringify(others);
  if (spec.behavior != null) annotations[BEHAVIOR_ANNOTATION] = JSON.stringify(spec.behavior);
  const out: KubeObject = {
    ...obj,
    apiVersion: 'autoscaling/v1',
    metadata: { ...obj.metadata },
    spec: withoutEmpty({
      scaleTargetRef: spec.scaleTargetRef,
      minReplicas: spec.minReplicas,
      maxReplicas: spec.maxReplicas,
      targetCPUUtilizationPercentage: getObject(getObject(cpu, 'resource'), 'target')?.averageUtilization,
    }),
  };
  if (status) {
    const current = getObjects(status, 'currentMetrics');
    const currentCPU = current.find((m) => isCPUUtilization(m, 'current'));
    const otherCurrent = current.filter((m) => m !== currentCPU);
    if (otherCurrent.length) annotations[CURRENT_METRICS_ANNOTATION] = JSON.stringify(otherCurrent);
    if (Array.isArray(status.conditions) && status.conditions.length) annotations[CONDITIONS_ANNOTATION] = JSON.stringify(status.conditions);
    out.status = withoutEmpty({
      observedGeneration: status.observedGeneration,
      lastScaleTime: status.lastScaleTime,
      currentReplicas: status.currentReplicas ?? 0,
      desiredReplicas: status.desiredReplicas ?? 0,
      currentCPUUtilizationPercentage: getObject(getObject(currentCPU, 'resource'), 'current')?.averageUtilization,
    });
  }
  if (Object.keys(annotations).length) out.metadata.annotations = annotations;
  else delete out.metadata.annotations;
  return out;
}

function hpaV1ToV2(obj: KubeObject): KubeObject {
  const spec = getObject(obj, 'spec') ?? {};
  const status = getObject(obj, 'status');
  const annotations: Record<string, string> = { ...(obj.metadata.annotations ?? {}) };
  const otherMetrics = parseAnnotation(annotations, METRICS_ANNOTATION);
  const behavior = parseAnnotation(annotations, BEHAVIOR_ANNOTATION);
  const otherCurrent = parseAnnotation(annotations, CURRENT_METRICS_ANNOTATION);
  const conditions = parseAnnotation(annotations, CONDITIONS_ANNOTATION);
  const metrics: unknown[] = [];
  if (typeof spec.targetCPUUtilizationPercentage === 'number')
    metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage } } });
  if (Array.isArray(otherMetrics)) metrics.push(...otherMetrics);
  const out: KubeObject = {
    ...obj,
    apiVersion: 'autoscaling/v2',
    metadata: { ...obj.metadata },
    spec: withoutEmpty({
      scaleTargetRef: spec.scaleTargetRef,
      minReplicas: spec.minReplicas,
      maxReplicas: spec.maxReplicas,
      metrics: metrics.length ? metrics : undefined,
      behavior: isObject(behavior) ? behavior : undefined,
    }),
  };
  if (status) {
    const current: unknown[] = [];
    if (typeof status.currentCPUUtilizationPercentage === 'number')
      current.push({ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: status.currentCPUUtilizationPercentage } } });
    if (Array.isArray(otherCurrent)) current.push(...otherCurrent);
    out.status = withoutEmpty({
      observedGeneration: status.observedGeneration,
      lastScaleTime: status.lastScaleTime,
      currentReplicas: status.currentReplicas,
      desiredReplicas: status.desiredReplicas ?? 0,
      currentMetrics: current.length ? current : undefined,
      conditions: Array.isArray(conditions) ? conditions : undefined,
    });
  }
  if (Object.keys(annotations).length) out.metadata.annotations = annotations;
  else delete out.metadata.annotations;
  return out;
}

/** core/v1 field ⇄ events.k8s.io/v1 field; the rest (reason, type, eventTime, series, action, related, reportingInstance) is shared. */
const EVENT_FIELDS: [core: string, events: string][] = [
  ['involvedObject', 'regarding'],
  ['message', 'note'],
  ['reportingComponent', 'reportingController'],
  ['source', 'deprecatedSource'],
  ['firstTimestamp', 'deprecatedFirstTimestamp'],
  ['lastTimestamp', 'deprecatedLastTimestamp'],
  ['count', 'deprecatedCount'],
];

function renameFields(obj: KubeObject, apiVersion: string, pairs: [string, string][]): KubeObject {
  const out: KubeObject = { ...obj, apiVersion };
  for (const [from, to] of pairs) {
    if (from in out) {
      out[to] = out[from];
      delete out[from];
    }
  }
  return out;
}

type Converter = (obj: KubeObject) => KubeObject;

/** Keyed "fromApiVersion>toApiVersion/Kind". */
const CONVERTERS: Record<string, Converter> = {
  'autoscaling/v1>autoscaling/v2/HorizontalPodAutoscaler': hpaV1ToV2,
  'autoscaling/v2>autoscaling/v1/HorizontalPodAutoscaler': hpaV2ToV1,
  'events.k8s.io/v1>v1/Event': (obj) => renameFields(obj, 'v1', EVENT_FIELDS.map(([core, events]) => [events, core])),
  'v1>events.k8s.io/v1/Event': (obj) => renameFields(obj, 'events.k8s.io/v1', EVENT_FIELDS),
};

function convert(obj: KubeObject, from: ResourceInfo, to: ResourceInfo): KubeObject {
  const fromVersion = apiVersionOf(from.group, from.version);
  const toVersion = apiVersionOf(to.group, to.version);
  if (fromVersion === toVersion) return obj;
  const converter = CONVERTERS[`${fromVersion}>${toVersion}/${to.kind}`];
  if (!converter) throw new Error(`no conversion from ${fromVersion} to ${toVersion} for ${to.kind}`);
  return converter(obj);
}

/**
 * An object of `info`'s version as it is stored (the storage version of its resource), with the
 * storage version's defaults filled in as kube does when it decodes stored objects.
 */
export function convertForStorage(info: ResourceInfo, obj: KubeObject): KubeObject {
  const target = storageInfo(info);
  if (target === info) return obj;
  return applyDefaults(target, convert(obj, info, target));
}

/** A stored object as `info`'s version serves it. */
export function convertFromStorage(info: ResourceInfo, obj: KubeObject): KubeObject {
  const source = storageInfo(info);
  return source === info ? obj : convert(obj, source, info);
}

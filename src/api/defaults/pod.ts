// Pod and pod-template defaults: SetDefaults_PodSpec, _Pod, _Container, _Probe, _Volume... of
// k8s.io/kubernetes/pkg/apis/core/v1/defaults.go. The spec-level ones apply to every pod template
// (deployments, jobs...); SetDefaults_Pod adds what only a real Pod gets.

import { ensureObject, getObject, getObjects, isObject, setDefault, setDefaultString, type JsonObject } from '../json.js';
import { QuantityError, quantityOf } from '../quantity.js';

/**
 * SetDefaults_ResourceList: quantities rounded up to milli precision and, as kube re-serializes
 * them, written in canonical form ("1000m" → "1", 2 → "2"). Unparsable values stay for validation.
 */
export function defaultResourceList(list: unknown): void {
  if (!isObject(list)) return;
  for (const [name, value] of Object.entries(list)) {
    try {
      list[name] = quantityOf(value).roundUpToMilli().toString();
    } catch (e) {
      if (!(e instanceof QuantityError)) throw e;
    }
  }
}

/** Tag of an image reference, "" when it has only a digest, "latest" when it has neither. */
export function imageTag(image: string): string {
  const at = image.indexOf('@');
  const name = at < 0 ? image : image.slice(0, at);
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > slash) return name.slice(colon + 1);
  return at < 0 ? 'latest' : '';
}

function defaultProbe(probe: JsonObject | undefined): void {
  if (!probe) return;
  for (const [key, value] of [
    ['timeoutSeconds', 1],
    ['periodSeconds', 10],
    ['successThreshold', 1],
    ['failureThreshold', 3],
  ] as const) {
    if (!probe[key]) probe[key] = value;
  }
  defaultHandler(probe);
}

/** Probe and lifecycle handlers: httpGet path "/" and scheme HTTP. */
function defaultHandler(handler: JsonObject | undefined): void {
  const http = getObject(handler, 'httpGet');
  if (http) {
    setDefaultString(http, 'path', '/');
    setDefaultString(http, 'scheme', 'HTTP');
  }
}

function defaultContainer(c: JsonObject): void {
  // Not a default in kube but a non-pointer struct: it always serializes, so pods read back with it.
  setDefault(c, 'resources', {});
  const resources = getObject(c, 'resources');
  defaultResourceList(resources?.limits);
  defaultResourceList(resources?.requests);
  if (!c.imagePullPolicy) c.imagePullPolicy = imageTag(typeof c.image === 'string' ? c.image : '') === 'latest' ? 'Always' : 'IfNotPresent';
  setDefaultString(c, 'terminationMessagePath', '/dev/termination-log');
  setDefaultString(c, 'terminationMessagePolicy', 'File');
  for (const port of getObjects(c, 'ports')) setDefaultString(port, 'protocol', 'TCP');
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) defaultProbe(getObject(c, probe));
  const lifecycle = getObject(c, 'lifecycle');
  defaultHandler(getObject(lifecycle, 'postStart'));
  defaultHandler(getObject(lifecycle, 'preStop'));
  for (const env of getObjects(c, 'env')) {
    const fieldRef = getObject(getObject(env, 'valueFrom'), 'fieldRef');
    if (fieldRef) setDefaultString(fieldRef, 'apiVersion', 'v1');
  }
}

const VOLUME_SOURCES_WITH_MODE = ['secret', 'configMap', 'downwardAPI', 'projected'];

function defaultVolume(v: JsonObject): void {
  const sources = Object.keys(v).filter((k) => k !== 'name');
  // A volume with no source at all is an emptyDir.
  if (sources.length === 0) v.emptyDir = {};
  for (const source of VOLUME_SOURCES_WITH_MODE) {
    const s = getObject(v, source);
    if (s) setDefault(s, 'defaultMode', 0o644);
  }
  const emptyDir = getObject(v, 'emptyDir');
  if (emptyDir?.sizeLimit !== undefined) {
    try {
      emptyDir.sizeLimit = quantityOf(emptyDir.sizeLimit).toString();
    } catch (e) {
      if (!(e instanceof QuantityError)) throw e;
    }
  }
  const hostPath = getObject(v, 'hostPath');
  if (hostPath) setDefault(hostPath, 'type', '');
  for (const item of getObjects(getObject(v, 'downwardAPI'), 'items')) {
    const fieldRef = getObject(item, 'fieldRef');
    if (fieldRef) setDefaultString(fieldRef, 'apiVersion', 'v1');
  }
}

/** hostNetwork pods publish each container port on the same host port. */
function defaultHostNetworkPorts(containers: JsonObject[]): void {
  for (const c of containers) for (const port of getObjects(c, 'ports')) if (!port.hostPort) port.hostPort = port.containerPort;
}

function allContainers(spec: JsonObject): JsonObject[] {
  return [...getObjects(spec, 'initContainers'), ...getObjects(spec, 'containers'), ...getObjects(spec, 'ephemeralContainers')];
}

/** SetDefaults_PodSpec and the defaults of everything nested in a pod spec. */
export function defaultPodSpec(spec: JsonObject): void {
  setDefaultString(spec, 'dnsPolicy', 'ClusterFirst');
  setDefaultString(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefaultString(spec, 'schedulerName', 'default-scheduler');
  defaultResourceList(spec.overhead);
  for (const c of allContainers(spec)) defaultContainer(c);
  for (const v of getObjects(spec, 'volumes')) defaultVolume(v);
}

/** A pod template (`spec.template` of workloads): its spec gets the pod-spec defaults. */
export function defaultPodTemplateSpec(template: unknown): void {
  if (!isObject(template)) return;
  defaultPodSpec(ensureObject(template, 'spec'));
}

/** SetDefaults_Pod: requests default to limits, service links on, then the spec defaults. */
export function defaultPod(pod: JsonObject): void {
  const spec = ensureObject(pod, 'spec');
  for (const c of [...getObjects(spec, 'initContainers'), ...getObjects(spec, 'containers')]) {
    const resources = getObject(c, 'resources');
    const limits = getObject(resources, 'limits');
    if (resources && limits) {
      const requests = ensureObject(resources, 'requests');
      for (const [k, v] of Object.entries(limits)) setDefault(requests, k, v);
    }
  }
  setDefault(spec, 'enableServiceLinks', true);
  // Only Pods, not templates: DefaultHostNetworkHostPortsInPodTemplates is off since 1.28.
  if (spec.hostNetwork === true) defaultHostNetworkPorts([...getObjects(spec, 'initContainers'), ...getObjects(spec, 'containers')]);
  defaultPodSpec(spec);
}

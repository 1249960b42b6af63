// Pod and pod template validation: the parts of pkg/apis/core/validation (ValidatePodSpec,
// validateContainers, ValidatePodUpdate...) that users meet, with Kubernetes' paths and messages.

import type { FieldError } from '../errors.js';
import { deepEqual, getObject, getObjects, isObject, type JsonObject } from '../json.js';
import { isConfigMapKey, isDNS1123Label, isDNS1123Subdomain, isEnvVarName, isQualifiedName, isValidPortName, isValidPortNum, nameIsDNSSubdomain } from '../names.js';
import { QuantityError, quantityOf, type Quantity } from '../quantity.js';
import { child, duplicate, forbidden, index, invalidValue, key, notFound, notSupported, required } from './field.js';
import { validateAnnotations, validateLabels, validateLabelSelector, validateNonnegative, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const MAX_INT32 = 2147483647;

function dns1123Label(value: string, path: string): FieldError[] {
  return isDNS1123Label(value).map((msg) => invalidValue(path, value, msg));
}

function validateContainerPorts(ports: JsonObject[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const p = index(path, i);
    const name = str(port.name);
    if (name) {
      const msgs = isValidPortName(name);
      if (msgs.length) for (const msg of msgs) errs.push(invalidValue(child(p, 'name'), name, msg));
      else if (names.has(name)) errs.push(duplicate(child(p, 'name'), name));
      else names.add(name);
    }
    if (!port.containerPort) errs.push(required(child(p, 'containerPort')));
    else for (const msg of isValidPortNum(Number(port.containerPort))) errs.push(invalidValue(child(p, 'containerPort'), port.containerPort, msg));
    if (port.hostPort) for (const msg of isValidPortNum(Number(port.hostPort))) errs.push(invalidValue(child(p, 'hostPort'), port.hostPort, msg));
    errs.push(...validateProtocol(port.protocol, child(p, 'protocol')));
  });
  return errs;
}

export function validateProtocol(protocol: unknown, path: string): FieldError[] {
  if (!protocol) return [required(path)];
  return ['SCTP', 'TCP', 'UDP'].includes(str(protocol)) ? [] : [notSupported(path, protocol, ['SCTP', 'TCP', 'UDP'])];
}

function validateEnv(env: JsonObject[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  env.forEach((ev, i) => {
    const p = index(path, i);
    const name = str(ev.name);
    if (!name) errs.push(required(child(p, 'name')));
    else for (const msg of isEnvVarName(name)) errs.push(invalidValue(child(p, 'name'), name, msg));
    const valueFrom = getObject(ev, 'valueFrom');
    if (valueFrom) {
      const sources = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'].filter((s) => valueFrom[s] != null);
      if (sources.length === 0) errs.push(invalidValue(child(p, 'valueFrom'), '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
      else if (sources.length > 1) errs.push(invalidValue(child(p, 'valueFrom'), '', 'may not have more than one field specified at a time'));
      if (str(ev.value)) errs.push(invalidValue(child(p, 'valueFrom'), '', 'may not be specified when `value` is not empty'));
      for (const ref of ['configMapKeyRef', 'secretKeyRef']) {
        const r = getObject(valueFrom, ref);
        if (!r) continue;
        if (!str(r.key)) errs.push(required(child(p, 'valueFrom', ref, 'key')));
        else for (const msg of isConfigMapKey(str(r.key))) errs.push(invalidValue(child(p, 'valueFrom', ref, 'key'), r.key, msg));
      }
    }
  });
  return errs;
}

const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);

function validateResources(resources: JsonObject | undefined, path: string): FieldError[] {
  if (!resources) return [];
  const errs: FieldError[] = [];
  const parsed: Record<'limits' | 'requests', Map<string, Quantity>> = { limits: new Map(), requests: new Map() };
  for (const kind of ['limits', 'requests'] as const) {
    const list = getObject(resources, kind);
    for (const [name, value] of Object.entries(list ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
      const p = key(child(path, kind), name);
      if (!name.includes('/')) {
        if (!STANDARD_CONTAINER_RESOURCES.has(name) && !name.startsWith('hugepages-')) errs.push(invalidValue(p, name, 'must be a standard resource for containers'));
      } else {
        for (const msg of isQualifiedName(name)) errs.push(invalidValue(p, name, msg));
      }
      try {
        const q = quantityOf(value);
        if (q.nanos < 0n) errs.push(invalidValue(p, q.toString(), 'must be greater than or equal to 0'));
        parsed[kind].set(name, q);
      } catch (e) {
        if (!(e instanceof QuantityError)) throw e;
        errs.push(invalidValue(p, value, e.message));
      }
    }
  }
  for (const [name, request] of parsed.requests) {
    const limit = parsed.limits.get(name);
    if (limit && request.cmp(limit) > 0)
      errs.push(invalidValue(key(child(path, 'requests'), name), request.toString(), `must be less than or equal to ${name} limit of ${limit.toString()}`));
  }
  return errs;
}

function validateProbe(probe: JsonObject | undefined, path: string): FieldError[] {
  if (!probe) return [];
  const errs: FieldError[] = [];
  const handlers = ['exec', 'httpGet', 'tcpSocket', 'grpc'].filter((h) => probe[h] != null);
  if (handlers.length === 0) errs.push(required(path, 'must specify a handler type'));
  else if (handlers.length > 1) errs.push(forbidden(child(path, handlers[1]!), 'may not specify more than 1 handler type'));
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) errs.push(...validateNonnegative(probe[f], child(path, f)));
  const http = getObject(probe, 'httpGet');
  if (http) {
    errs.push(...validatePortNumOrName(http.port, child(path, 'httpGet', 'port')));
    if (!['HTTP', 'HTTPS'].includes(str(http.scheme))) errs.push(notSupported(child(path, 'httpGet', 'scheme'), http.scheme ?? '', ['HTTP', 'HTTPS']));
  }
  const tcp = getObject(probe, 'tcpSocket');
  if (tcp) errs.push(...validatePortNumOrName(tcp.port, child(path, 'tcpSocket', 'port')));
  return errs;
}

/** ValidatePortNumOrName: an absent value is the integer 0 to Go. */
export function validatePortNumOrName(port: unknown, path: string): FieldError[] {
  if (typeof port === 'string') return isValidPortName(port).map((msg) => invalidValue(path, port, msg));
  const n = typeof port === 'number' ? port : 0;
  return isValidPortNum(n).map((msg) => invalidValue(path, n, msg));
}

function validateContainerCommon(c: JsonObject, volumes: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(c.name);
  if (!name) errs.push(required(child(path, 'name')));
  else errs.push(...dns1123Label(name, child(path, 'name')));
  // Surrounding whitespace is only refused on pod updates (validateContainerUpdates), as in kube.
  if (!str(c.image)) errs.push(required(child(path, 'image')));
  const tmp = c.terminationMessagePolicy;
  if (!tmp) errs.push(required(child(path, 'terminationMessagePolicy')));
  else if (tmp !== 'File' && tmp !== 'FallbackToLogsOnError') errs.push(notSupported(child(path, 'terminationMessagePolicy'), tmp, ['File', 'FallbackToLogsOnError']));
  errs.push(...validateContainerPorts(getObjects(c, 'ports'), child(path, 'ports')));
  errs.push(...validateEnv(getObjects(c, 'env'), child(path, 'env')));
  const mountPaths = new Set<string>();
  getObjects(c, 'volumeMounts').forEach((m, i) => {
    const p = index(child(path, 'volumeMounts'), i);
    const mName = str(m.name);
    if (!mName) errs.push(required(child(p, 'name')));
    else if (!volumes.has(mName)) errs.push(notFound(child(p, 'name'), mName));
    const mountPath = str(m.mountPath);
    if (!mountPath) errs.push(required(child(p, 'mountPath')));
    else if (mountPaths.has(mountPath)) errs.push(invalidValue(child(p, 'mountPath'), mountPath, 'must be unique'));
    mountPaths.add(mountPath);
  });
  const pull = c.imagePullPolicy;
  if (!pull) errs.push(required(child(path, 'imagePullPolicy')));
  else if (!['Always', 'IfNotPresent', 'Never'].includes(str(pull))) errs.push(notSupported(child(path, 'imagePullPolicy'), pull, ['Always', 'IfNotPresent', 'Never']));
  errs.push(...validateResources(getObject(c, 'resources'), child(path, 'resources')));
  return errs;
}

function validateContainers(containers: JsonObject[], volumes: Set<string>, path: string): FieldError[] {
  if (containers.length === 0) return [required(path)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  containers.forEach((c, i) => {
    const p = index(path, i);
    errs.push(...validateContainerCommon(c, volumes, p));
    if (names.has(str(c.name))) errs.push(duplicate(child(p, 'name'), str(c.name)));
    else names.add(str(c.name));
    for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) errs.push(...validateProbe(getObject(c, probe), child(p, probe)));
    if (c.restartPolicy != null) errs.push(forbidden(child(p, 'restartPolicy'), 'may not be set for non-init containers'));
  });
  return errs;
}

function validateInitContainers(init: JsonObject[], regular: JsonObject[], volumes: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set(regular.map((c) => str(c.name)));
  init.forEach((c, i) => {
    const p = index(path, i);
    errs.push(...validateContainerCommon(c, volumes, p));
    if (names.has(str(c.name))) errs.push(duplicate(child(p, 'name'), str(c.name)));
    else names.add(str(c.name));
    if (c.restartPolicy != null && c.restartPolicy !== 'Always') errs.push(notSupported(child(p, 'restartPolicy'), c.restartPolicy, ['Always']));
  });
  return errs;
}

const VOLUME_SOURCES = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi', 'glusterfs', 'persistentVolumeClaim',
  'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc', 'azureFile', 'configMap', 'vsphereVolume', 'quobyte', 'azureDisk',
  'photonPersistentDisk', 'projected', 'portworxVolume', 'scaleIO', 'storageos', 'csi', 'ephemeral', 'image',
];

function validateVolumes(volumes: JsonObject[], path: string): { names: Set<string>; errs: FieldError[] } {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  volumes.forEach((v, i) => {
    const p = index(path, i);
    const name = str(v.name);
    if (!name) errs.push(required(child(p, 'name')));
    else {
      errs.push(...dns1123Label(name, child(p, 'name')));
      if (names.has(name)) errs.push(duplicate(child(p, 'name'), name));
      names.add(name);
    }
    const sources = VOLUME_SOURCES.filter((s) => v[s] != null);
    if (sources.length === 0) errs.push(required(p, 'must specify a volume type'));
    else if (sources.length > 1) errs.push(forbidden(child(p, sources[1]!), 'may not specify more than 1 volume type'));
    const hostPath = getObject(v, 'hostPath');
    if (hostPath && !str(hostPath.path)) errs.push(required(child(p, 'hostPath', 'path')));
    const pvc = getObject(v, 'persistentVolumeClaim');
    if (pvc && !str(pvc.claimName)) errs.push(required(child(p, 'persistentVolumeClaim', 'claimName')));
    const cm = getObject(v, 'configMap');
    if (cm && !str(cm.name)) errs.push(required(child(p, 'configMap', 'name')));
    const secret = getObject(v, 'secret');
    if (secret && !str(secret.secretName)) errs.push(required(child(p, 'secret', 'secretName')));
  });
  return { names, errs };
}

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];

function validateTolerations(tolerations: JsonObject[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  tolerations.forEach((t, i) => {
    const p = index(path, i);
    const k = str(t.key);
    if (k) for (const msg of isQualifiedName(k)) errs.push(invalidValue(child(p, 'key'), k, msg));
    if (!k && t.operator !== 'Exists') errs.push(invalidValue(child(p, 'operator'), t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    if (t.tolerationSeconds != null && t.effect !== 'NoExecute') errs.push(invalidValue(child(p, 'effect'), t.effect ?? '', 'effect must be \'NoExecute\' when `tolerationSeconds` is set'));
    if (t.operator && t.operator !== 'Equal' && t.operator !== 'Exists') errs.push(notSupported(child(p, 'operator'), t.operator, ['Equal', 'Exists']));
    if (t.operator === 'Exists' && str(t.value)) errs.push(invalidValue(child(p, 'operator'), t.value, 'value must be empty when `operator` is \'Exists\''));
    if (t.effect && !['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(str(t.effect))) errs.push(notSupported(child(p, 'effect'), t.effect, ['NoSchedule', 'PreferNoSchedule', 'NoExecute']));
  });
  return errs;
}

function validateNodeSelectorRequirements(reqs: JsonObject[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  reqs.forEach((rq, i) => {
    const p = index(path, i);
    const values = Array.isArray(rq.values) ? rq.values : [];
    switch (rq.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(required(child(p, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(forbidden(child(p, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      case 'Gt':
      case 'Lt':
        if (values.length !== 1) errs.push(required(child(p, 'values'), "must be specified single value when `operator` is 'Lt' or 'Gt'"));
        break;
      default:
        errs.push(invalidValue(child(p, 'operator'), rq.operator ?? '', 'not a valid selector operator'));
    }
    for (const msg of isQualifiedName(str(rq.key))) errs.push(invalidValue(child(p, 'key'), str(rq.key), msg));
  });
  return errs;
}

function validateNodeSelectorTerm(term: JsonObject, path: string): FieldError[] {
  return [
    ...validateNodeSelectorRequirements(getObjects(term, 'matchExpressions'), child(path, 'matchExpressions')),
    ...validateNodeSelectorRequirements(getObjects(term, 'matchFields'), child(path, 'matchFields')),
  ];
}

function validatePodAffinityTerm(term: JsonObject, path: string): FieldError[] {
  const errs = validateLabelSelector(term.labelSelector, child(path, 'labelSelector'));
  errs.push(...validateLabelSelector(term.namespaceSelector, child(path, 'namespaceSelector')));
  const topologyKey = str(term.topologyKey);
  if (!topologyKey) errs.push(required(child(path, 'topologyKey'), 'can not be empty'));
  else for (const msg of isQualifiedName(topologyKey)) errs.push(invalidValue(child(path, 'topologyKey'), topologyKey, msg));
  return errs;
}

function validateWeight(term: JsonObject, path: string): FieldError[] {
  const w = term.weight;
  return typeof w === 'number' && w >= 1 && w <= 100 ? [] : [invalidValue(child(path, 'weight'), w ?? 0, 'must be in the range 1-100')];
}

/** validateAffinity: node selector operators, term weights, topology keys. */
function validateAffinity(affinity: JsonObject | undefined, path: string): FieldError[] {
  if (!affinity) return [];
  const errs: FieldError[] = [];
  const node = getObject(affinity, 'nodeAffinity');
  const requiredNode = getObject(node, 'requiredDuringSchedulingIgnoredDuringExecution');
  if (requiredNode) {
    const p = child(path, 'nodeAffinity', 'requiredDuringSchedulingIgnoredDuringExecution', 'nodeSelectorTerms');
    const terms = getObjects(requiredNode, 'nodeSelectorTerms');
    if (terms.length === 0) errs.push(required(p, 'must have at least one node selector term'));
    terms.forEach((t, i) => errs.push(...validateNodeSelectorTerm(t, index(p, i))));
  }
  getObjects(node, 'preferredDuringSchedulingIgnoredDuringExecution').forEach((t, i) => {
    const p = index(child(path, 'nodeAffinity', 'preferredDuringSchedulingIgnoredDuringExecution'), i);
    errs.push(...validateWeight(t, p), ...validateNodeSelectorTerm(getObject(t, 'preference') ?? {}, child(p, 'preference')));
  });
  for (const kind of ['podAffinity', 'podAntiAffinity']) {
    const a = getObject(affinity, kind);
    getObjects(a, 'requiredDuringSchedulingIgnoredDuringExecution').forEach((t, i) =>
      errs.push(...validatePodAffinityTerm(t, index(child(path, kind, 'requiredDuringSchedulingIgnoredDuringExecution'), i))),
    );
    getObjects(a, 'preferredDuringSchedulingIgnoredDuringExecution').forEach((t, i) => {
      const p = index(child(path, kind, 'preferredDuringSchedulingIgnoredDuringExecution'), i);
      errs.push(...validateWeight(t, p), ...validatePodAffinityTerm(getObject(t, 'podAffinityTerm') ?? {}, child(p, 'podAffinityTerm')));
    });
  }
  return errs;
}

/** ValidatePodSpec. */
export function validatePodSpec(spec: JsonObject, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const { names: volumes, errs: volumeErrs } = validateVolumes(getObjects(spec, 'volumes'), child(path, 'volumes'));
  errs.push(...volumeErrs);
  const containers = getObjects(spec, 'containers');
  errs.push(...validateContainers(containers, volumes, child(path, 'containers')));
  errs.push(...validateInitContainers(getObjects(spec, 'initContainers'), containers, volumes, child(path, 'initContainers')));
  const restart = spec.restartPolicy;
  if (!restart) errs.push(required(child(path, 'restartPolicy')));
  else if (!RESTART_POLICIES.includes(str(restart))) errs.push(notSupported(child(path, 'restartPolicy'), restart, RESTART_POLICIES));
  const dns = spec.dnsPolicy;
  if (!dns) errs.push(required(child(path, 'dnsPolicy')));
  else if (!DNS_POLICIES.includes(str(dns))) errs.push(notSupported(child(path, 'dnsPolicy'), dns, DNS_POLICIES));
  errs.push(...validateLabels(spec.nodeSelector, child(path, 'nodeSelector')));
  errs.push(...validateAffinity(getObject(spec, 'affinity'), child(path, 'affinity')));
  const sa = str(spec.serviceAccountName);
  if (sa) for (const msg of isDNS1123Subdomain(sa)) errs.push(invalidValue(child(path, 'serviceAccountName'), sa, msg));
  const node = str(spec.nodeName);
  if (node) for (const msg of isDNS1123Subdomain(node)) errs.push(invalidValue(child(path, 'nodeName'), node, msg));
  const ads = spec.activeDeadlineSeconds;
  if (typeof ads === 'number' && (ads < 1 || ads > MAX_INT32)) errs.push(invalidValue(child(path, 'activeDeadlineSeconds'), ads, `must be between 1 and ${MAX_INT32}, inclusive`));
  for (const f of ['hostname', 'subdomain']) if (str(spec[f])) errs.push(...dns1123Label(str(spec[f]), child(path, f)));
  errs.push(...validateTolerations(getObjects(spec, 'tolerations'), child(path, 'tolerations')));
  const pc = str(spec.priorityClassName);
  if (pc) for (const msg of isDNS1123Subdomain(pc)) errs.push(invalidValue(child(path, 'priorityClassName'), pc, msg));
  errs.push(...validateNonnegative(spec.terminationGracePeriodSeconds, child(path, 'terminationGracePeriodSeconds')));
  return errs;
}

/** ValidatePodTemplateSpec (labels are reported under `<path>.labels`, as kube does). */
export function validatePodTemplateSpec(template: unknown, path: string): FieldError[] {
  if (!isObject(template)) return [required(path)];
  const meta = getObject(template, 'metadata') ?? {};
  const errs: FieldError[] = [];
  errs.push(...validateLabels(meta.labels, child(path, 'labels')));
  errs.push(...validateAnnotations(meta.annotations, child(path, 'annotations')));
  const spec = getObject(template, 'spec') ?? {};
  errs.push(...validatePodSpec(spec, child(path, 'spec')));
  if (getObjects(spec, 'ephemeralContainers').length > 0) errs.push(forbidden(child(path, 'spec', 'ephemeralContainers'), 'ephemeral containers not allowed in pod template'));
  return errs;
}

/** ValidatePodCreate. */
export function validatePod(pod: JsonObject): FieldError[] {
  const errs = validateObjectMeta(getObject(pod, 'metadata') ?? {}, true, nameIsDNSSubdomain);
  const spec = getObject(pod, 'spec') ?? {};
  errs.push(...validatePodSpec(spec, 'spec'));
  if (getObjects(spec, 'ephemeralContainers').length > 0) errs.push(forbidden('spec.ephemeralContainers', 'cannot be set on create'));
  if (str(spec.nodeName) && Array.isArray(spec.schedulingGates) && spec.schedulingGates.length > 0)
    errs.push(forbidden('spec.nodeName', 'cannot be set until all schedulingGates have been cleared'));
  return errs;
}

const UPDATABLE_POD_FIELDS =
  '`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

function validateContainerUpdates(newCs: JsonObject[], oldCs: JsonObject[], path: string): { errs: FieldError[]; stop: boolean } {
  if (newCs.length !== oldCs.length) return { errs: [forbidden(path, 'pod updates may not add or remove containers')], stop: true };
  const errs: FieldError[] = [];
  newCs.forEach((c, i) => {
    const image = str(c.image);
    if (!image) errs.push(required(child(index(path, i), 'image')));
    if (image.trim() !== image) errs.push(invalidValue(child(index(path, i), 'image'), image, 'must not have leading or trailing whitespace'));
  });
  return { errs, stop: false };
}

/** Paths of the leaves that differ, for the "pod updates may not change fields" detail. */
function diffPaths(a: unknown, b: unknown, path: string, out: string[]): void {
  if (deepEqual(a, b)) return;
  if (isObject(a) && isObject(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) diffPaths(a[k], b[k], path ? `${path}.${k}` : k, out);
  } else if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((x, i) => diffPaths(x, b[i], `${path}[${i}]`, out));
  } else {
    out.push(`${path}: ${JSON.stringify(a)} -> ${JSON.stringify(b)}`);
  }
}

/** ValidatePodUpdate: only images, activeDeadlineSeconds, added tolerations and gate removals may change. */
export function validatePodUpdate(newPod: JsonObject, oldPod: JsonObject): FieldError[] {
  const errs = validateObjectMetaUpdate(getObject(newPod, 'metadata') ?? {}, getObject(oldPod, 'metadata') ?? {});
  errs.push(...validatePod({ ...newPod, spec: { ...(getObject(newPod, 'spec') ?? {}), ephemeralContainers: undefined } }));
  const newSpec = getObject(newPod, 'spec') ?? {};
  const oldSpec = getObject(oldPod, 'spec') ?? {};
  for (const list of ['containers', 'initContainers']) {
    const r = validateContainerUpdates(getObjects(newSpec, list), getObjects(oldSpec, list), child('spec', list));
    errs.push(...r.errs);
    if (r.stop) return errs;
  }
  const newADS = newSpec.activeDeadlineSeconds;
  const oldADS = oldSpec.activeDeadlineSeconds;
  if (typeof newADS === 'number') {
    if (newADS < 0 || newADS > MAX_INT32) return [...errs, invalidValue('spec.activeDeadlineSeconds', newADS, `must be between 0 and ${MAX_INT32}, inclusive`)];
    if (typeof oldADS === 'number' && oldADS < newADS) return [...errs, invalidValue('spec.activeDeadlineSeconds', newADS, 'must be less than or equal to previous value')];
  } else if (typeof oldADS === 'number') {
    errs.push(invalidValue('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
  }
  const newTolerations = getObjects(newSpec, 'tolerations');
  for (const old of getObjects(oldSpec, 'tolerations')) {
    const kept = newTolerations.some((t) => deepEqual({ ...t, tolerationSeconds: undefined }, { ...old, tolerationSeconds: undefined }));
    if (!kept) {
      errs.push(forbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds'));
      break;
    }
  }
  if (deepEqual(newSpec, oldSpec)) return errs;
  // Put the updatable fields back to their old values; anything still different is forbidden.
  const munged: JsonObject = structuredClone(newSpec);
  for (const list of ['containers', 'initContainers']) {
    const oldList = getObjects(oldSpec, list);
    getObjects(munged, list).forEach((c, i) => {
      c.image = oldList[i]?.image;
    });
  }
  munged.activeDeadlineSeconds = oldSpec.activeDeadlineSeconds;
  munged.schedulingGates = oldSpec.schedulingGates;
  munged.tolerations = oldSpec.tolerations;
  const oldTGPS = oldSpec.terminationGracePeriodSeconds;
  if (typeof oldTGPS === 'number' && oldTGPS < 0 && munged.terminationGracePeriodSeconds === 1) munged.terminationGracePeriodSeconds = oldTGPS;
  if (!deepEqual(munged, oldSpec)) {
    const diffs: string[] = [];
    diffPaths(oldSpec, munged, 'spec', diffs);
    errs.push(forbidden('spec', `pod updates may not change fields other than ${UPDATABLE_POD_FIELDS}\n${diffs.join('\n')}`));
  }
  return errs;
}

/** ValidatePodStatusUpdate: metadata rules plus a well-formed status. */
export function validatePodStatusUpdate(newPod: JsonObject, oldPod: JsonObject): FieldError[] {
  const errs = validateObjectMetaUpdate(getObject(newPod, 'metadata') ?? {}, getObject(oldPod, 'metadata') ?? {});
  const status = getObject(newPod, 'status') ?? {};
  const nominated = str(status.nominatedNodeName);
  if (nominated) for (const msg of isDNS1123Subdomain(nominated)) errs.push(invalidValue('status.nominatedNodeName', nominated, msg));
  return errs;
}

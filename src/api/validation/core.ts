// Validation of core/v1 kinds other than pods and RCs (pkg/apis/core/validation): services, config
// maps, secrets, namespaces, volumes, quotas, endpoints, events and nodes, with kube's messages.

import type { FieldError } from '../errors.js';
import { deepEqual, getObject, getObjects, isObject, type JsonObject } from '../json.js';
import { isConfigMapKey, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, isValidPortNum } from '../names.js';
import { QuantityError, quantityOf } from '../quantity.js';
import { child, duplicate, forbidden, GoValue, goQuote, index, invalidValue, key, notSupported, required, tooLong } from './field.js';
import { validateImmutable, validateLabelSelector, validateLabels } from './meta.js';
import { validatePortNumOrName, validateProtocol } from './pod.js';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const specOf = (obj: JsonObject): JsonObject => getObject(obj, 'spec') ?? {};
const MAX_SECRET_SIZE = 1024 * 1024;

function dns1123Subdomain(value: string, path: string): FieldError[] {
  return isDNS1123Subdomain(value).map((msg) => invalidValue(path, value, msg));
}

// --- services -------------------------------------------------------------------------------------

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];

function isHeadless(spec: JsonObject): boolean {
  return spec.clusterIP === 'None';
}

export function validateServiceSpec(spec: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  const ports = getObjects(spec, 'ports');
  if (ports.length === 0 && !isHeadless(spec) && spec.type !== 'ExternalName') errs.push(required('spec.ports'));
  if ((spec.type === 'LoadBalancer' || spec.type === 'NodePort') && isHeadless(spec))
    errs.push(invalidValue('spec.clusterIPs[0]', 'None', `may not be set to 'None' for ${String(spec.type)} services`));
  if (spec.type === 'ExternalName') {
    if (str(spec.clusterIP) && spec.clusterIP !== 'None') errs.push(forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    const cname = str(spec.externalName).replace(/\.$/, '');
    if (cname) errs.push(...dns1123Subdomain(cname, 'spec.externalName'));
    else errs.push(required('spec.externalName'));
  }
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const p = index('spec.ports', i);
    const name = str(port.name);
    if (ports.length > 1 && !name) errs.push(required(child(p, 'name')));
    else if (name) {
      errs.push(...isDNS1123Label(name).map((msg) => invalidValue(child(p, 'name'), name, msg)));
      if (names.has(name)) errs.push(duplicate(child(p, 'name'), name));
      names.add(name);
    }
    errs.push(...isValidPortNum(typeof port.port === 'number' ? port.port : 0).map((msg) => invalidValue(child(p, 'port'), port.port ?? 0, msg)));
    errs.push(...validateProtocol(port.protocol, child(p, 'protocol')));
    errs.push(...validatePortNumOrName(port.targetPort, child(p, 'targetPort')));
  });
  if (spec.selector != null) errs.push(...validateLabels(spec.selector, 'spec.selector'));
  const affinity = spec.sessionAffinity;
  if (!affinity) errs.push(required('spec.sessionAffinity'));
  else if (affinity !== 'ClientIP' && affinity !== 'None') errs.push(notSupported('spec.sessionAffinity', affinity, ['ClientIP', 'None']));
  if (affinity === 'ClientIP') {
    const timeout = getObject(getObject(spec, 'sessionAffinityConfig'), 'clientIP')?.timeoutSeconds;
    if (typeof timeout === 'number' && (timeout <= 0 || timeout > 86400))
      errs.push(invalidValue('spec.sessionAffinityConfig.clientIP.timeoutSeconds', timeout, 'must be greater than 0 and less than 86400'));
  } else if (spec.sessionAffinityConfig != null) {
    errs.push(invalidValue('spec.sessionAffinityConfig', new GoValue('&core.SessionAffinityConfig{...}'), `must not be set when session affinity is ${String(affinity)}`));
  }
  const type = spec.type;
  if (!type) errs.push(required('spec.type'));
  else if (!SERVICE_TYPES.includes(str(type))) errs.push(notSupported('spec.type', type, SERVICE_TYPES));
  if (type === 'ClusterIP') ports.forEach((port, i) => port.nodePort && errs.push(forbidden(child(index('spec.ports', i), 'nodePort'), "may not be used when `type` is 'ClusterIP'")));
  const nodePorts = new Set<string>();
  const portKeys = new Set<string>();
  ports.forEach((port, i) => {
    const p = index('spec.ports', i);
    if (port.nodePort) {
      const k = `${String(port.protocol)}/${String(port.nodePort)}`;
      if (nodePorts.has(k)) errs.push(duplicate(child(p, 'nodePort'), port.nodePort));
      nodePorts.add(k);
    }
    const k = `${String(port.protocol)}/${String(port.port)}`;
    if (portKeys.has(k)) errs.push(duplicate(p, new GoValue(`core.ServicePort{Name:"", Protocol:${goQuote(str(port.protocol))}, AppProtocol:(*string)(nil), Port:${String(port.port)}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`)));
    portKeys.add(k);
  });
  const etp = spec.externalTrafficPolicy;
  if (etp && etp !== 'Cluster' && etp !== 'Local') errs.push(notSupported('spec.externalTrafficPolicy', etp, ['Cluster', 'Local']));
  const itp = spec.internalTrafficPolicy;
  if (itp && itp !== 'Cluster' && itp !== 'Local') errs.push(notSupported('spec.internalTrafficPolicy', itp, ['Cluster', 'Local']));
  return errs;
}

export function validateServiceUpdate(newSpec: JsonObject, oldSpec: JsonObject): FieldError[] {
  const errs = validateServiceSpec(newSpec);
  // The primary cluster IP may not change unless the service moves to or from ExternalName.
  if (newSpec.type !== 'ExternalName' && oldSpec.type !== 'ExternalName' && str(oldSpec.clusterIP) && str(newSpec.clusterIP) !== str(oldSpec.clusterIP))
    errs.push(invalidValue('spec.clusterIPs[0]', str(newSpec.clusterIP), 'may not change once set'));
  return errs;
}

// --- config maps, secrets ------------------------------------------------------------------------

function validateDataKeys(data: unknown, path: string, other: unknown, otherName: string): { errs: FieldError[]; size: number } {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(isObject(data) ? data : {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (const msg of isConfigMapKey(k)) errs.push(invalidValue(key(path, k), k, msg));
    if (isObject(other) && k in other) errs.push(invalidValue(key(path, k), k, `duplicate of key present in ${otherName}`));
    size += String(v).length;
  }
  return { errs, size };
}

export function validateConfigMapData(obj: JsonObject): FieldError[] {
  const data = validateDataKeys(obj.data, 'data', obj.binaryData, 'binaryData');
  const binary = validateDataKeys(obj.binaryData, 'binaryData', obj.data, 'data');
  const errs = [...data.errs, ...binary.errs];
  // binaryData is base64 in JSON: count decoded bytes.
  if (data.size + Math.floor((binary.size * 3) / 4) > MAX_SECRET_SIZE) errs.push(tooLong('', MAX_SECRET_SIZE));
  return errs;
}

/** ConfigMaps and Secrets marked immutable keep their data (and the flag) forever. */
export function validateImmutableData(newObj: JsonObject, oldObj: JsonObject, dataFields: string[]): FieldError[] {
  if (oldObj.immutable !== true) return [];
  const errs: FieldError[] = [];
  const detail = 'field is immutable when `immutable` is set';
  if (newObj.immutable !== true) errs.push(forbidden('immutable', detail));
  for (const f of dataFields) if (!deepEqual(newObj[f] ?? {}, oldObj[f] ?? {})) errs.push(forbidden(f, detail));
  return errs;
}

export function validateSecretData(obj: JsonObject): FieldError[] {
  const { errs, size } = validateDataKeys(obj.data, 'data', undefined, '');
  if (Math.floor((size * 3) / 4) > MAX_SECRET_SIZE) errs.push(tooLong('data', MAX_SECRET_SIZE));
  const data = isObject(obj.data) ? obj.data : {};
  const annotations = getObject(getObject(obj, 'metadata'), 'annotations') ?? {};
  const has = (k: string): boolean => k in data;
  switch (obj.type) {
    case 'kubernetes.io/service-account-token':
      if (!str(annotations['kubernetes.io/service-account.name'])) errs.push(required(key('metadata.annotations', 'kubernetes.io/service-account.name')));
      break;
    case 'kubernetes.io/dockercfg':
      if (!has('.dockercfg')) errs.push(required(key('data', '.dockercfg')));
      break;
    case 'kubernetes.io/dockerconfigjson':
      if (!has('.dockerconfigjson')) errs.push(required(key('data', '.dockerconfigjson')));
      break;
    case 'kubernetes.io/basic-auth':
      if (!has('username') && !has('password')) errs.push(required(key('data', 'username')), required(key('data', 'password')));
      break;
    case 'kubernetes.io/ssh-auth':
      if (!str(data['ssh-privatekey'])) errs.push(required(key('data', 'ssh-privatekey')));
      break;
    case 'kubernetes.io/tls':
      if (!has('tls.crt')) errs.push(required(key('data', 'tls.crt')));
      if (!has('tls.key')) errs.push(required(key('data', 'tls.key')));
      break;
  }
  return errs;
}

export function validateSecretUpdate(newObj: JsonObject, oldObj: JsonObject): FieldError[] {
  const errs = validateSecretData(newObj);
  errs.push(...validateImmutable(newObj.type ?? 'Opaque', oldObj.type ?? 'Opaque', 'type'));
  errs.push(...validateImmutableData(newObj, oldObj, ['data']));
  return errs;
}

// --- namespaces, volumes, quotas ------------------------------------------------------------------

const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

export function validateNamespaceSpec(obj: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of Array.isArray(specOf(obj).finalizers) ? (specOf(obj).finalizers as unknown[]).map(String) : []) {
    for (const msg of isQualifiedName(f)) errs.push(invalidValue('spec.finalizers', f, msg));
    if (!f.includes('/') && !STANDARD_FINALIZERS.has(f)) errs.push(invalidValue('spec.finalizers', f, 'name is neither a standard finalizer name nor is it fully qualified'));
  }
  return errs;
}

const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];

function validateAccessModes(modes: unknown, path: string, requiredDetail: string): FieldError[] {
  const list = Array.isArray(modes) ? modes : [];
  if (list.length === 0) return [required(path, requiredDetail)];
  return list.filter((m) => !ACCESS_MODES.includes(String(m))).map((m) => notSupported(path, m, ACCESS_MODES));
}

function validatePositiveQuantity(value: unknown, path: string): FieldError[] {
  try {
    const q = quantityOf(value);
    return q.nanos <= 0n ? [invalidValue(path, q.toString(), 'must be greater than zero')] : [];
  } catch (e) {
    if (!(e instanceof QuantityError)) throw e;
    return [invalidValue(path, value, e.message)];
  }
}

const PV_SOURCES = [
  'gcePersistentDisk', 'awsElasticBlockStore', 'hostPath', 'glusterfs', 'nfs', 'rbd', 'quobyte', 'iscsi', 'cinder', 'cephfs', 'fc', 'flocker',
  'flexVolume', 'azureFile', 'vsphereVolume', 'azureDisk', 'photonPersistentDisk', 'portworxVolume', 'scaleIO', 'local', 'storageos', 'csi',
];

export function validatePersistentVolumeSpec(obj: JsonObject): FieldError[] {
  const spec = specOf(obj);
  const errs = validateAccessModes(spec.accessModes, 'spec.accessModes', '');
  const capacity = getObject(spec, 'capacity');
  if (!capacity || Object.keys(capacity).length === 0) errs.push(required('spec.capacity'));
  else {
    if (!('storage' in capacity) || Object.keys(capacity).length > 1) errs.push(notSupported('spec.capacity', new GoValue('core.ResourceList{...}'), ['storage']));
    for (const [r, q] of Object.entries(capacity)) errs.push(...validatePositiveQuantity(q, key('spec.capacity', r)));
  }
  const reclaim = spec.persistentVolumeReclaimPolicy;
  if (reclaim && !['Delete', 'Recycle', 'Retain'].includes(str(reclaim))) errs.push(notSupported('spec.persistentVolumeReclaimPolicy', reclaim, ['Delete', 'Recycle', 'Retain']));
  const sources = PV_SOURCES.filter((s) => spec[s] != null);
  if (sources.length === 0) errs.push(required('spec', 'must specify a volume type'));
  else if (sources.length > 1) errs.push(forbidden(child('spec', sources[1]!), 'may not specify more than 1 volume type'));
  const hostPath = getObject(spec, 'hostPath');
  if (hostPath && !str(hostPath.path)) errs.push(required('spec.hostPath.path'));
  const vm = spec.volumeMode;
  if (vm != null && vm !== 'Block' && vm !== 'Filesystem') errs.push(notSupported('spec.volumeMode', vm, ['Block', 'Filesystem']));
  return errs;
}

export function validatePersistentVolumeClaimSpec(spec: JsonObject, path = 'spec'): FieldError[] {
  const errs = validateAccessModes(spec.accessModes, child(path, 'accessModes'), 'at least 1 access mode is required');
  if (spec.selector != null) errs.push(...validateLabelSelector(spec.selector, child(path, 'selector')));
  const storage = getObject(getObject(spec, 'resources'), 'requests')?.storage;
  if (storage === undefined) errs.push(required(key(child(path, 'resources'), 'storage')));
  else errs.push(...validatePositiveQuantity(storage, key(child(path, 'resources'), 'storage')));
  const vm = spec.volumeMode;
  if (vm != null && vm !== 'Block' && vm !== 'Filesystem') errs.push(notSupported(child(path, 'volumeMode'), vm, ['Block', 'Filesystem']));
  return errs;
}

export function validatePersistentVolumeClaimUpdate(newObj: JsonObject, oldObj: JsonObject): FieldError[] {
  const newSpec = specOf(newObj);
  const oldSpec = specOf(oldObj);
  const errs = validatePersistentVolumeClaimSpec(newSpec);
  const bound = getObject(oldObj, 'status')?.phase === 'Bound';
  // Binding may fill volumeName once; a bound claim may change its storage request.
  const comparable = (spec: JsonObject, volumeName: unknown): JsonObject => {
    const c = structuredClone(spec);
    c.volumeName = volumeName;
    if (bound) delete c.resources;
    delete c.volumeAttributesClassName;
    return c;
  };
  const volumeName = str(oldSpec.volumeName) || newSpec.volumeName;
  if (!deepEqual(comparable(newSpec, newSpec.volumeName), comparable(oldSpec, volumeName)))
    errs.push(forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'));
  return errs;
}

export function validateResourceQuotaSpec(obj: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  for (const [r, q] of Object.entries(getObject(specOf(obj), 'hard') ?? {})) {
    try {
      if (quantityOf(q).nanos < 0n) errs.push(invalidValue(key('spec.hard', r), String(q), 'must be greater than or equal to 0'));
    } catch (e) {
      if (!(e instanceof QuantityError)) throw e;
      errs.push(invalidValue(key('spec.hard', r), q, e.message));
    }
  }
  return errs;
}

export function validateLimitRangeSpec(obj: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  getObjects(specOf(obj), 'limits').forEach((item, i) => {
    const p = index('spec.limits', i);
    if (!['Pod', 'Container', 'PersistentVolumeClaim'].includes(str(item.type))) errs.push(notSupported(child(p, 'type'), item.type ?? '', ['Container', 'PersistentVolumeClaim', 'Pod']));
    for (const f of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'])
      for (const [r, q] of Object.entries(getObject(item, f) ?? {})) {
        try {
          quantityOf(q);
        } catch (e) {
          if (!(e instanceof QuantityError)) throw e;
          errs.push(invalidValue(key(child(p, f), r), q, e.message));
        }
      }
  });
  return errs;
}

export function validateEndpoints(obj: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  getObjects(obj, 'subsets').forEach((subset, i) => {
    const p = index('subsets', i);
    for (const list of ['addresses', 'notReadyAddresses'])
      getObjects(subset, list).forEach((a, j) => {
        if (!str(a.ip)) errs.push(invalidValue(child(index(child(p, list), j), 'ip'), str(a.ip), 'must be a valid IP address'));
      });
    getObjects(subset, 'ports').forEach((port, j) => {
      const pp = index(child(p, 'ports'), j);
      errs.push(...isValidPortNum(typeof port.port === 'number' ? port.port : 0).map((msg) => invalidValue(child(pp, 'port'), port.port ?? 0, msg)));
      errs.push(...validateProtocol(port.protocol, child(pp, 'protocol')));
    });
  });
  return errs;
}

// --- events ---------------------------------------------------------------------------------------

const REPORTING_INSTANCE_LIMIT = 128;
const ACTION_LIMIT = 128;
const REASON_LIMIT = 128;
const NOTE_LIMIT = 1024;

/**
 * core/v1 Events (legacyValidateEvent): old-style events (no eventTime) only need their namespace to
 * agree with the involved object's; new-style ones also need the reporting fields.
 */
export function validateCoreEvent(obj: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  const namespace = str(getObject(obj, 'metadata')?.namespace);
  const involvedNamespace = str(getObject(obj, 'involvedObject')?.namespace);
  const mismatch = (): FieldError => invalidValue('involvedObject.namespace', involvedNamespace, 'does not match event.namespace');
  if (!obj.eventTime) {
    if (!involvedNamespace) {
      if (namespace !== '' && namespace !== 'default') errs.push(mismatch());
    } else if (namespace !== involvedNamespace) errs.push(mismatch());
  } else {
    if (!involvedNamespace && namespace !== 'default' && namespace !== 'kube-system') errs.push(mismatch());
    const controller = str(obj.reportingComponent);
    if (!controller) errs.push(required('reportingComponent'));
    for (const msg of isQualifiedName(controller)) errs.push(invalidValue('reportingComponent', controller, msg));
    errs.push(...validateEventStrings(obj, 'message'));
  }
  for (const msg of isDNS1123Subdomain(namespace)) errs.push(invalidValue('namespace', namespace, msg));
  return errs;
}

function validateEventStrings(obj: JsonObject, noteField: string): FieldError[] {
  const errs: FieldError[] = [];
  const limits: [string, number][] = [
    ['reportingInstance', REPORTING_INSTANCE_LIMIT],
    ['action', ACTION_LIMIT],
    ['reason', REASON_LIMIT],
  ];
  for (const [f, limit] of limits) {
    const v = str(obj[f]);
    if (!v) errs.push(required(f));
    if (v.length > limit) errs.push(invalidValue(f, '', `can have at most ${limit} characters`));
  }
  if (str(obj[noteField]).length > NOTE_LIMIT) errs.push(invalidValue(noteField, '', `can have at most ${NOTE_LIMIT} characters`));
  return errs;
}

/** events.k8s.io/v1 Events: the strict rules of ValidateEventCreate for the new API. */
export function validateEventsV1Event(obj: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  if (!obj.eventTime) errs.push(required('eventTime'));
  if (obj.type !== 'Normal' && obj.type !== 'Warning') errs.push(invalidValue('type', '', `has invalid value: ${str(obj.type)}`));
  for (const f of ['deprecatedFirstTimestamp', 'deprecatedLastTimestamp']) if (obj[f]) errs.push(invalidValue(f, '', 'needs to be unset'));
  if (obj.deprecatedCount) errs.push(invalidValue('deprecatedCount', '', 'needs to be unset'));
  if (isObject(obj.deprecatedSource) && Object.keys(obj.deprecatedSource).length) errs.push(invalidValue('deprecatedSource', '', 'needs to be unset'));
  const controller = str(obj.reportingController);
  if (!controller) errs.push(required('reportingController'));
  else for (const msg of isQualifiedName(controller)) errs.push(invalidValue('reportingController', controller, msg));
  errs.push(...validateEventStrings(obj, 'note'));
  return errs;
}

// --- nodes ----------------------------------------------------------------------------------------

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export function validateNodeSpec(obj: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  getObjects(specOf(obj), 'taints').forEach((taint, i) => {
    const p = index('spec.taints', i);
    const k = str(taint.key);
    for (const msg of isQualifiedName(k)) errs.push(invalidValue(child(p, 'key'), k, msg));
    const value = str(taint.value);
    const valueErrs = isValidLabelValue(value);
    if (valueErrs.length) errs.push(invalidValue(child(p, 'value'), value, valueErrs.join(';')));
    const effect = str(taint.effect);
    if (!effect) errs.push(required(child(p, 'effect')));
    else if (!TAINT_EFFECTS.includes(effect)) errs.push(notSupported(child(p, 'effect'), effect, TAINT_EFFECTS));
    const id = `${effect}\u0000${k}`;
    if (seen.has(id)) {
      const dup = duplicate(p, new GoValue(`core.Taint{Key:${goQuote(k)}, Value:${goQuote(value)}, Effect:${goQuote(effect)}, TimeAdded:<nil>}`));
      errs.push({ ...dup, message: `${dup.message}: taints must be unique by key and effect pair` });
    }
    seen.add(id);
  });
  return errs;
}

/** A node's pod CIDRs and provider ID are set once (by the node IPAM controller / cloud), then fixed. */
export function validateNodeUpdate(newObj: JsonObject, oldObj: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  const newSpec = specOf(newObj);
  const oldSpec = specOf(oldObj);
  const oldCIDRs = Array.isArray(oldSpec.podCIDRs) ? oldSpec.podCIDRs : [];
  if (oldCIDRs.length > 0 && !deepEqual(newSpec.podCIDRs ?? [], oldCIDRs))
    errs.push(forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
  if (str(oldSpec.providerID) && newSpec.providerID !== oldSpec.providerID)
    errs.push(forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  return errs;
}

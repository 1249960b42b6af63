// Validation of the small kinds outside core/v1 and apps/batch: networking, policy, scheduling,
// storage, RBAC, discovery, autoscaling and coordination (pkg/apis/<group>/validation).

import type { FieldError } from '../errors.js';
import { deepEqual, getObject, getObjects, type JsonObject } from '../json.js';
import { isDNS1123Subdomain, isQualifiedName, isValidPortName, isValidPortNum, nameIsDNS1035Label, nameIsPathSegment } from '../names.js';
import { child, forbidden, GoValue, index, invalidValue, notSupported, required } from './field.js';
import { validateImmutable, validateLabelSelector, validateNonnegative } from './meta.js';
import { validatePortNumOrName, validateProtocol } from './pod.js';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const specOf = (obj: JsonObject): JsonObject => getObject(obj, 'spec') ?? {};

// --- networking -----------------------------------------------------------------------------------

function validateIngressBackend(backend: JsonObject, path: string): FieldError[] {
  const service = getObject(backend, 'service');
  const resource = backend.resource != null;
  if (service && resource) return [invalidValue(path, '', 'cannot set both resource and service backends')];
  if (resource) return [];
  if (!service) return [invalidValue(path, '', 'resource or service backend is required')];
  const errs: FieldError[] = [];
  const name = str(service.name);
  if (!name) errs.push(required(child(path, 'service', 'name')));
  else errs.push(...nameIsDNS1035Label(name, false).map((msg) => invalidValue(child(path, 'service', 'name'), name, msg)));
  const port = getObject(service, 'port') ?? {};
  const portName = str(port.name);
  const portNumber = typeof port.number === 'number' ? port.number : 0;
  if (portName && portNumber) errs.push(invalidValue(path, '', 'cannot set both port name & port number'));
  else if (portName) errs.push(...isValidPortName(portName).map((msg) => invalidValue(child(path, 'service', 'port', 'name'), portName, msg)));
  else if (portNumber) errs.push(...isValidPortNum(portNumber).map((msg) => invalidValue(child(path, 'service', 'port', 'number'), portNumber, msg)));
  else errs.push(required(path, 'port name or number is required'));
  return errs;
}

const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];

export function validateIngressSpec(obj: JsonObject): FieldError[] {
  const spec = specOf(obj);
  const errs: FieldError[] = [];
  const rules = getObjects(spec, 'rules');
  const defaultBackend = getObject(spec, 'defaultBackend');
  if (rules.length === 0 && !defaultBackend) errs.push(invalidValue('spec', null, 'either `defaultBackend` or `rules` must be specified'));
  if (defaultBackend) errs.push(...validateIngressBackend(defaultBackend, 'spec.defaultBackend'));
  rules.forEach((rule, i) => {
    const p = index('spec.rules', i);
    const host = str(rule.host);
    if (host) {
      const bare = host.startsWith('*.') ? host.slice(2) : host;
      errs.push(...isDNS1123Subdomain(bare).map((msg) => invalidValue(child(p, 'host'), host, msg)));
    }
    getObjects(getObject(rule, 'http'), 'paths').forEach((hp, j) => {
      const pp = index(child(p, 'http', 'paths'), j);
      const pathType = hp.pathType;
      if (!pathType) errs.push(required(child(pp, 'pathType'), 'pathType must be specified'));
      else if (!PATH_TYPES.includes(str(pathType))) errs.push(notSupported(child(pp, 'pathType'), pathType, PATH_TYPES));
      if ((pathType === 'Exact' || pathType === 'Prefix') && !str(hp.path).startsWith('/')) errs.push(invalidValue(child(pp, 'path'), str(hp.path), 'must be an absolute path'));
      errs.push(...validateIngressBackend(getObject(hp, 'backend') ?? {}, child(pp, 'backend')));
    });
  });
  getObjects(spec, 'tls').forEach((tls, i) => {
    (Array.isArray(tls.hosts) ? tls.hosts : []).forEach((h, j) => {
      const host = String(h);
      const bare = host.startsWith('*.') ? host.slice(2) : host;
      errs.push(...isDNS1123Subdomain(bare).map((msg) => invalidValue(index(child(index('spec.tls', i), 'hosts'), j), host, msg)));
    });
  });
  return errs;
}

export function validateNetworkPolicySpec(obj: JsonObject): FieldError[] {
  const spec = specOf(obj);
  const errs = validateLabelSelector(spec.podSelector, 'spec.podSelector');
  for (const dir of ['ingress', 'egress'])
    getObjects(spec, dir).forEach((rule, i) => {
      getObjects(rule, 'ports').forEach((port, j) => {
        const p = index(child(index(child('spec', dir), i), 'ports'), j);
        if (port.protocol != null) errs.push(...validateProtocol(port.protocol, child(p, 'protocol')));
        if (port.port != null) errs.push(...validatePortNumOrName(port.port, child(p, 'port')));
      });
    });
  for (const t of Array.isArray(spec.policyTypes) ? spec.policyTypes : [])
    if (t !== 'Ingress' && t !== 'Egress') errs.push(notSupported('spec.policyTypes', t, ['Ingress', 'Egress']));
  return errs;
}

// --- policy ---------------------------------------------------------------------------------------

export function validatePodDisruptionBudgetSpec(obj: JsonObject): FieldError[] {
  const spec = specOf(obj);
  const errs: FieldError[] = [];
  if (spec.minAvailable != null && spec.maxUnavailable != null) errs.push(invalidValue('spec', new GoValue('policy.PodDisruptionBudgetSpec{...}'), 'minAvailable and maxUnavailable cannot be both set'));
  errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  return errs;
}

// --- scheduling -----------------------------------------------------------------------------------

export function validatePriorityClass(obj: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(getObject(obj, 'metadata')?.name);
  if (name.startsWith('system-') && !['system-node-critical', 'system-cluster-critical'].includes(name))
    errs.push(forbidden('metadata.name', 'priority class names with \'system-\' prefix are reserved for system use only'));
  if (typeof obj.value !== 'number') errs.push(required('value'));
  return errs;
}

export function validatePriorityClassUpdate(newObj: JsonObject, oldObj: JsonObject): FieldError[] {
  return [...validatePriorityClass(newObj), ...validateImmutable(newObj.value, oldObj.value, 'value'), ...validateImmutable(newObj.preemptionPolicy, oldObj.preemptionPolicy, 'preemptionPolicy')];
}

// --- storage --------------------------------------------------------------------------------------

export function validateStorageClass(obj: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  const provisioner = str(obj.provisioner);
  if (!provisioner) errs.push(required('provisioner'));
  // kube validates provisioners as qualified names, so "rancher.io/local-path" is fine.
  else errs.push(...isQualifiedName(provisioner.toLowerCase()).map((msg) => invalidValue('provisioner', provisioner.toLowerCase(), msg)));
  if (obj.reclaimPolicy != null && obj.reclaimPolicy !== 'Delete' && obj.reclaimPolicy !== 'Retain') errs.push(notSupported('reclaimPolicy', obj.reclaimPolicy, ['Delete', 'Retain']));
  if (obj.volumeBindingMode != null && obj.volumeBindingMode !== 'Immediate' && obj.volumeBindingMode !== 'WaitForFirstConsumer')
    errs.push(notSupported('volumeBindingMode', obj.volumeBindingMode, ['Immediate', 'WaitForFirstConsumer']));
  return errs;
}

export function validateStorageClassUpdate(newObj: JsonObject, oldObj: JsonObject): FieldError[] {
  const errs = validateStorageClass(newObj);
  for (const f of ['parameters', 'provisioner', 'reclaimPolicy', 'volumeBindingMode'])
    if (!deepEqual(newObj[f] ?? null, oldObj[f] ?? null)) errs.push(forbidden(f, 'updates to ' + f + ' are forbidden.'));
  return errs;
}

// --- rbac -----------------------------------------------------------------------------------------

export function validateBindingRoleRef(newObj: JsonObject, oldObj: JsonObject): FieldError[] {
  return deepEqual(newObj.roleRef, oldObj.roleRef) ? [] : [invalidValue('roleRef', new GoValue('rbac.RoleRef{...}'), 'cannot change roleRef')];
}

export function validateRBACBinding(obj: JsonObject, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const roleRef = getObject(obj, 'roleRef') ?? {};
  if (roleRef.apiGroup !== 'rbac.authorization.k8s.io') errs.push(notSupported('roleRef.apiGroup', roleRef.apiGroup ?? '', ['rbac.authorization.k8s.io']));
  const kinds = namespaced ? ['ClusterRole', 'Role'] : ['ClusterRole'];
  if (!kinds.includes(str(roleRef.kind))) errs.push(notSupported('roleRef.kind', roleRef.kind ?? '', kinds));
  if (!str(roleRef.name)) errs.push(required('roleRef.name'));
  getObjects(obj, 'subjects').forEach((s, i) => {
    const p = index('subjects', i);
    if (!str(s.name)) errs.push(required(child(p, 'name')));
    if (!['ServiceAccount', 'User', 'Group'].includes(str(s.kind))) errs.push(notSupported(child(p, 'kind'), s.kind ?? '', ['ServiceAccount', 'User', 'Group']));
  });
  return errs;
}

export function validateRBACRules(obj: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  getObjects(obj, 'rules').forEach((rule, i) => {
    const p = index('rules', i);
    if (!Array.isArray(rule.verbs) || rule.verbs.length === 0) errs.push(required(child(p, 'verbs'), 'verbs must contain at least one value'));
    const nonResource = Array.isArray(rule.nonResourceURLs) && rule.nonResourceURLs.length > 0;
    const resources = Array.isArray(rule.resources) && rule.resources.length > 0;
    if (!nonResource && !resources) errs.push(required(child(p, 'resources'), 'resource rules must supply at least one api group'));
    if (resources && !Array.isArray(rule.apiGroups)) errs.push(required(child(p, 'apiGroups'), 'resource rules must supply at least one api group'));
  });
  return errs;
}

// --- discovery ------------------------------------------------------------------------------------

export function validateEndpointSlice(obj: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  const at = obj.addressType;
  if (!at) errs.push(required('addressType'));
  else if (!['FQDN', 'IPv4', 'IPv6'].includes(str(at))) errs.push(notSupported('addressType', at, ['FQDN', 'IPv4', 'IPv6']));
  getObjects(obj, 'endpoints').forEach((ep, i) => {
    if (!Array.isArray(ep.addresses) || ep.addresses.length === 0) errs.push(required(child(index('endpoints', i), 'addresses'), 'must contain at least 1 address'));
  });
  return errs;
}

export function validateEndpointSliceUpdate(newObj: JsonObject, oldObj: JsonObject): FieldError[] {
  return [...validateEndpointSlice(newObj), ...validateImmutable(newObj.addressType, oldObj.addressType, 'addressType')];
}

// --- autoscaling ----------------------------------------------------------------------------------

const METRIC_TYPES = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];

/** HorizontalPodAutoscaler spec (both versions: v1's target percentage or v2's metrics). */
export function validateHPASpec(obj: JsonObject): FieldError[] {
  const spec = specOf(obj);
  const errs: FieldError[] = [];
  const min = spec.minReplicas;
  const max = typeof spec.maxReplicas === 'number' ? spec.maxReplicas : 0;
  if (typeof min === 'number' && min < 1) errs.push(invalidValue('spec.minReplicas', min, 'must be greater than or equal to 1'));
  if (max < 1) errs.push(invalidValue('spec.maxReplicas', max, 'must be greater than 0'));
  if (typeof min === 'number' && max < min) errs.push(invalidValue('spec.maxReplicas', max, 'must be greater than or equal to `minReplicas`'));
  const ref = getObject(spec, 'scaleTargetRef') ?? {};
  if (!str(ref.kind)) errs.push(required('spec.scaleTargetRef.kind'));
  const name = str(ref.name);
  if (!name) errs.push(required('spec.scaleTargetRef.name'));
  else errs.push(...nameIsPathSegment(name, false).map((msg) => invalidValue('spec.scaleTargetRef.name', name, msg)));
  const cpu = spec.targetCPUUtilizationPercentage;
  if (typeof cpu === 'number' && cpu < 1) errs.push(invalidValue('spec.targetCPUUtilizationPercentage', cpu, 'must be greater than 0'));
  getObjects(spec, 'metrics').forEach((m, i) => {
    const p = index('spec.metrics', i);
    if (!m.type) errs.push(required(child(p, 'type'), 'must specify a metric source type'));
    else if (!METRIC_TYPES.includes(str(m.type))) errs.push(notSupported(child(p, 'type'), m.type, METRIC_TYPES));
    const averageUtilization = getObject(getObject(m, 'resource'), 'target')?.averageUtilization;
    if (typeof averageUtilization === 'number' && averageUtilization < 1)
      errs.push(invalidValue(child(p, 'resource', 'target', 'averageUtilization'), averageUtilization, 'must be greater than 0'));
  });
  return errs;
}


// --- coordination ---------------------------------------------------------------------------------

export function validateLeaseSpec(obj: JsonObject): FieldError[] {
  const spec = specOf(obj);
  const errs: FieldError[] = [];
  if (typeof spec.leaseDurationSeconds === 'number' && spec.leaseDurationSeconds <= 0) errs.push(invalidValue('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0'));
  errs.push(...validateNonnegative(spec.leaseTransitions, 'spec.leaseTransitions'));
  return errs;
}

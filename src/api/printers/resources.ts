// Printers of services, networking, nodes, storage, configuration, events, RBAC bindings and the
// other built-in kinds (kubernetes pkg/printers/internalversion): same columns and cells.

import type { KubeObject } from '../object.js';
import { formatLabelSelector, type LabelSelector } from '../labels.js';
import { since } from './duration.js';
import { ageColumn, at, formatLabels, list, listWithMore, nameColumn, num, orNone, quantity, record, str, strings, type Obj } from './cells.js';
import { column, type RowPrinter } from './table.js';

const age = (obj: KubeObject, now: number) => since(obj.metadata.creationTimestamp, now);

/** LoadBalancer / Ingress status: the sorted set of IPs or hostnames (never clipped: the server prints wide). */
function loadBalancerAddresses(status: unknown): string {
  const set = new Set<string>();
  for (const i of list(at(status, 'ingress'))) {
    if (str(i.ip)) set.add(str(i.ip));
    else if (str(i.hostname)) set.add(str(i.hostname));
  }
  return [...set].sort().join(',');
}

function serviceExternalIP(svc: KubeObject): string {
  const spec = record(svc.spec);
  const externalIPs = strings(spec.externalIPs);
  switch (spec.type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerAddresses(at(svc, 'status', 'loadBalancer'));
      if (externalIPs.length > 0) return [...(lb ? lb.split(',') : []), ...externalIPs].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return str(spec.externalName);
    default:
      return '<unknown>';
  }
}

function servicePorts(ports: unknown): string {
  return list(ports)
    .map((p) => (num(p.nodePort) > 0 ? `${num(p.port)}:${num(p.nodePort)}/${str(p.protocol)}` : `${num(p.port)}/${str(p.protocol)}`))
    .join(',');
}

function joinHostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** formatEndpoints: up to three ip:port, then "+ N more...". */
function formatEndpoints(subsets: unknown): string {
  const ss = list(subsets);
  if (ss.length === 0) return '<none>';
  const shown: string[] = [];
  let count = 0;
  for (const s of ss) {
    const addresses = list(s.addresses).map((a) => str(a.ip));
    const ports = list(s.ports);
    if (ports.length === 0) {
      count += addresses.length;
      for (const ip of addresses) if (shown.length < 3) shown.push(ip);
      continue;
    }
    for (const p of ports) {
      count += addresses.length;
      for (const ip of addresses) if (shown.length < 3) shown.push(joinHostPort(ip, num(p.port)));
    }
  }
  return count > 3 ? `${shown.join(',')} + ${count - 3} more...` : shown.join(',');
}

function accessModes(modes: unknown): string {
  const given = strings(modes);
  const short: [string, string][] = [
    ['ReadWriteOnce', 'RWO'],
    ['ReadOnlyMany', 'ROX'],
    ['ReadWriteMany', 'RWX'],
    ['ReadWriteOncePod', 'RWOP'],
  ];
  return short
    .filter(([mode]) => given.includes(mode))
    .map(([, s]) => s)
    .join(',');
}

/** The storage class of a PV or PVC: the beta annotation wins over spec.storageClassName. */
function storageClassOf(obj: KubeObject): string {
  return obj.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? str(at(obj, 'spec', 'storageClassName'));
}

function nodeRow(node: KubeObject, now: number): unknown[] {
  const status = record(node.status);
  const ready = list(status.conditions).find((c) => c.type === 'Ready');
  const states = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (at(node, 'spec', 'unschedulable') === true) states.push('SchedulingDisabled');
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/') && k.length > 'node-role.kubernetes.io/'.length) roles.add(k.slice('node-role.kubernetes.io/'.length));
    else if (k === 'kubernetes.io/role' && v !== '') roles.add(v);
  }
  const address = (type: string) => str(list(status.addresses).find((a) => a.type === type)?.address) || '<none>';
  const info = record(status.nodeInfo);
  const orUnknown = (s: unknown) => str(s) || '<unknown>';
  return [
    node.metadata.name,
    states.join(','),
    orNone([...roles].sort().join(',')),
    age(node, now),
    str(info.kubeletVersion),
    address('InternalIP'),
    address('ExternalIP'),
    orUnknown(info.osImage),
    orUnknown(info.kernelVersion),
    orUnknown(info.containerRuntimeVersion),
  ];
}

/** A core/v1 Event or an events.k8s.io/v1 Event, read through the fields both share in kube's internal type. */
function eventRow(ev: KubeObject, now: number): unknown[] {
  const isNew = ev.apiVersion === 'events.k8s.io/v1';
  const pick = (core: string, events: string) => (isNew ? ev[events] : ev[core]);
  const involved = record(pick('involvedObject', 'regarding'));
  const source = record(pick('source', 'deprecatedSource'));
  const stamp = (v: unknown) => (typeof v === 'string' && v !== '' ? since(v, now) : undefined);
  const first = stamp(pick('firstTimestamp', 'deprecatedFirstTimestamp')) ?? since(ev.eventTime, now);
  let last = stamp(pick('lastTimestamp', 'deprecatedLastTimestamp')) ?? first;
  let count = num(pick('count', 'deprecatedCount'));
  const series = ev.series as Obj | undefined;
  if (series) {
    last = since(series.lastObservedTime, now);
    count = num(series.count);
  } else if (count === 0) {
    // Singleton events of the new API carry no count.
    count = 1;
  }
  const kind = str(involved.kind).toLowerCase();
  const target = str(involved.name) ? `${kind}/${str(involved.name)}` : kind;
  const component = str(source.component) || str(ev.reportingController);
  const instance = str(source.host) || str(ev.reportingInstance);
  return [
    last,
    str(ev.type),
    str(ev.reason),
    target,
    str(involved.fieldPath),
    instance ? `${component}, ${instance}` : component,
    str(pick('message', 'note')).trim(),
    first,
    count,
    ev.metadata.name,
  ];
}

/** HPA TARGETS: "cpu: 40%/80%", "<unknown>/500m" … at most two, then "+ N more...". */
function hpaMetrics(obj: KubeObject): string {
  let specs = list(at(obj, 'spec', 'metrics'));
  let statuses = list(at(obj, 'status', 'currentMetrics'));
  const v1Target = at(obj, 'spec', 'targetCPUUtilizationPercentage');
  if (typeof v1Target === 'number') {
    // autoscaling/v1 converts to one cpu utilization metric.
    specs = [{ type: 'Resource', resource: { name: 'cpu', target: { averageUtilization: v1Target } } }];
    const current = at(obj, 'status', 'currentCPUUtilizationPercentage');
    statuses = typeof current === 'number' ? [{ resource: { current: { averageUtilization: current } } }] : [];
  }
  if (specs.length === 0) return '<none>';
  const items = specs.map((spec, i) => {
    const status = statuses[i];
    const pair = (source: string, withAvg: boolean) => {
      const target = record(at(spec, source, 'target'));
      const current = at(status, source, 'current');
      if (target.averageValue !== undefined) {
        const cur = current !== undefined && at(current, 'averageValue') !== undefined ? quantity(at(current, 'averageValue')) : '<unknown>';
        return `${cur}/${quantity(target.averageValue)}${withAvg ? ' (avg)' : ''}`;
      }
      const cur = current !== undefined ? quantity(at(current, 'value')) : '<unknown>';
      return `${cur}/${quantity(target.value)}`;
    };
    switch (spec.type) {
      case 'External':
        return pair('external', true);
      case 'Object':
        return pair('object', true);
      case 'Pods': {
        const current = at(status, 'pods', 'current', 'averageValue');
        return `${current !== undefined ? quantity(current) : '<unknown>'}/${quantity(at(spec, 'pods', 'target', 'averageValue'))}`;
      }
      case 'Resource':
      case 'ContainerResource': {
        const source = spec.type === 'Resource' ? 'resource' : 'containerResource';
        const name = str(at(spec, source, 'name'));
        const target = record(at(spec, source, 'target'));
        if (target.averageValue !== undefined) {
          const current = at(status, source, 'current', 'averageValue');
          return `${name}: ${current !== undefined ? quantity(current) : '<unknown>'}/${quantity(target.averageValue)}`;
        }
        const current = at(status, source, 'current', 'averageUtilization');
        const targetText = typeof target.averageUtilization === 'number' ? `${target.averageUtilization}%` : '<auto>';
        return `${name}: ${typeof current === 'number' ? `${current}%` : '<unknown>'}/${targetText}`;
      }
      default:
        return '<unknown type>';
    }
  });
  return items.length > 2 ? `${items.slice(0, 2).join(', ')} + ${items.length - 2} more...` : items.join(', ');
}

function quotaColumns(obj: KubeObject): [string, string] {
  const hard = record(at(obj, 'status', 'hard'));
  const used = record(at(obj, 'status', 'used'));
  const requests: string[] = [];
  const limits: string[] = [];
  for (const name of Object.keys(hard).sort()) {
    const text = `${name}: ${quantity(used[name])}/${quantity(hard[name])}`;
    (name.split('.').length > 1 && name.split('.')[0] === 'limits' ? limits : requests).push(text);
  }
  return [requests.join(', '), limits.join(', ')];
}

function bindingRow(obj: KubeObject, now: number): unknown[] {
  const ref = record(obj.roleRef);
  const subjects = list(obj.subjects);
  const of = (kind: string) => subjects.filter((s) => s.kind === kind);
  const sas = of('ServiceAccount').map((s) => (str(s.namespace) ? `${str(s.namespace)}/${str(s.name)}` : str(s.name)));
  return [obj.metadata.name, `${str(ref.kind)}/${str(ref.name)}`, age(obj, now), of('User').map((s) => str(s.name)).join(', '), of('Group').map((s) => str(s.name)).join(', '), sas.join(', ')];
}

const bindingColumns = (what: string, roleRefDoc: string) => [
  nameColumn(),
  column('Role', 'string', roleRefDoc),
  ageColumn(),
  column('Users', 'string', `Users in the ${what}`, 1),
  column('Groups', 'string', `Groups in the ${what}`, 1),
  column('ServiceAccounts', 'string', `ServiceAccounts in the ${what}`, 1),
];

const eventPrinter: RowPrinter = {
  columns: [
    column('Last Seen', 'string', 'Event.lastTimestamp'),
    column('Type', 'string', 'Event.type'),
    column('Reason', 'string', 'Event.reason'),
    column('Object', 'string', 'Event.involvedObject'),
    column('Subobject', 'string', 'ObjectReference.fieldPath', 1),
    column('Source', 'string', 'Event.source', 1),
    column('Message', 'string', 'Event.message'),
    column('First Seen', 'string', 'Event.firstTimestamp', 1),
    column('Count', 'string', 'Event.count', 1),
    column('Name', 'string', 'ObjectMeta.name', 1, 'name'),
  ],
  row: (obj, now) => ({ cells: eventRow(obj, now) }),
};

export const resourcePrinters: Record<string, RowPrinter> = {
  '/services': {
    columns: [
      nameColumn(),
      column('Type', 'string', 'ServiceSpec.type'),
      column('Cluster-IP', 'string', 'ServiceSpec.clusterIP'),
      column('External-IP', 'string', 'ServiceSpec.externalIPs'),
      column('Port(s)', 'string', 'ServiceSpec.ports'),
      ageColumn(),
      column('Selector', 'string', 'ServiceSpec.selector', 1),
    ],
    row: (obj, now) => {
      const spec = record(obj.spec);
      const clusterIP = strings(spec.clusterIPs)[0] ?? str(spec.clusterIP);
      return { cells: [obj.metadata.name, str(spec.type), orNone(clusterIP), serviceExternalIP(obj), orNone(servicePorts(spec.ports)), age(obj, now), formatLabels(spec.selector)] };
    },
  },
  '/endpoints': {
    columns: [nameColumn(), column('Endpoints', 'string', 'Endpoints.subsets'), ageColumn()],
    row: (obj, now) => ({ cells: [obj.metadata.name, formatEndpoints(obj.subsets), age(obj, now)] }),
  },
  'discovery.k8s.io/endpointslices': {
    columns: [nameColumn(), column('AddressType', 'string', 'EndpointSlice.addressType'), column('Ports', 'string', 'EndpointSlice.ports'), column('Endpoints', 'string', 'EndpointSlice.endpoints'), ageColumn()],
    row: (obj, now) => {
      const ports = list(obj.ports).map((p) => (typeof p.port === 'number' ? String(p.port) : str(p.name) || '*'));
      const addresses = list(obj.endpoints).flatMap((e) => strings(e.addresses));
      return { cells: [obj.metadata.name, str(obj.addressType), listWithMore(ports, ports.length), listWithMore(addresses, addresses.length), age(obj, now)] };
    },
  },
  'networking.k8s.io/ingresses': {
    columns: [
      nameColumn(),
      column('Class', 'string', 'The name of the IngressClass resource that should be used for additional configuration'),
      column('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
      column('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
      column('Ports', 'string', 'Ports of TLS configurations that open'),
      ageColumn(),
    ],
    row: (obj, now) => {
      const spec = record(obj.spec);
      const rules = list(spec.rules);
      // formatHosts: the first three non-empty hosts; "+ N more..." counts rules, as kube does.
      const hosts: string[] = [];
      let more = false;
      for (const r of rules) {
        if (hosts.length === 3) more = true;
        if (!more && str(r.host)) hosts.push(str(r.host));
      }
      const hostsCell = hosts.length === 0 ? '*' : more ? `${hosts.join(',')} + ${rules.length - 3} more...` : hosts.join(',');
      const ports = list(spec.tls).length > 0 ? '80, 443' : '80';
      return { cells: [obj.metadata.name, orNone(str(spec.ingressClassName)), hostsCell, loadBalancerAddresses(at(obj, 'status', 'loadBalancer')), ports, age(obj, now)] };
    },
  },
  'networking.k8s.io/ingressclasses': {
    columns: [nameColumn(), column('Controller', 'string', 'Controller that is responsible for handling this class'), column('Parameters', 'string', 'A reference to a resource with additional parameters'), ageColumn()],
    row: (obj, now) => {
      const params = at(obj, 'spec', 'parameters') as Obj | undefined;
      let parameters = '<none>';
      if (params) parameters = `${str(params.kind)}${typeof params.apiGroup === 'string' ? `.${params.apiGroup}` : ''}/${str(params.name)}`;
      return { cells: [obj.metadata.name, str(at(obj, 'spec', 'controller')), parameters, age(obj, now)] };
    },
  },
  'networking.k8s.io/networkpolicies': {
    columns: [nameColumn(), column('Pod-Selector', 'string', 'NetworkPolicySpec.podSelector'), ageColumn()],
    row: (obj, now) => ({ cells: [obj.metadata.name, formatLabelSelector((at(obj, 'spec', 'podSelector') ?? {}) as LabelSelector), age(obj, now)] }),
  },
  '/nodes': {
    columns: [
      nameColumn(),
      column('Status', 'string', 'The status of the node'),
      column('Roles', 'string', 'The roles of the node'),
      ageColumn(),
      column('Version', 'string', 'NodeSystemInfo.kubeletVersion'),
      column('Internal-IP', 'string', 'NodeStatus.addresses', 1),
      column('External-IP', 'string', 'NodeStatus.addresses', 1),
      column('OS-Image', 'string', 'NodeSystemInfo.osImage', 1),
      column('Kernel-Version', 'string', 'NodeSystemInfo.kernelVersion', 1),
      column('Container-Runtime', 'string', 'NodeSystemInfo.containerRuntimeVersion', 1),
    ],
    row: (obj, now) => ({ cells: nodeRow(obj, now) }),
  },
  '/namespaces': {
    columns: [nameColumn(), column('Status', 'string', 'The status of the namespace'), ageColumn()],
    row: (obj, now) => ({ cells: [obj.metadata.name, str(at(obj, 'status', 'phase')), age(obj, now)] }),
  },
  '/events': eventPrinter,
  'events.k8s.io/events': eventPrinter,
  '/persistentvolumes': {
    columns: [
      nameColumn(),
      column('Capacity', 'string', 'PersistentVolumeSpec.capacity'),
      column('Access Modes', 'string', 'PersistentVolumeSpec.accessModes'),
      column('Reclaim Policy', 'string', 'PersistentVolumeSpec.persistentVolumeReclaimPolicy'),
      column('Status', 'string', 'PersistentVolumeStatus.phase'),
      column('Claim', 'string', 'PersistentVolumeSpec.claimRef'),
      column('StorageClass', 'string', 'StorageClass of the pv'),
      column('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pv'),
      column('Reason', 'string', 'PersistentVolumeStatus.reason'),
      ageColumn(),
      column('VolumeMode', 'string', 'PersistentVolumeSpec.volumeMode', 1),
    ],
    row: (obj, now) => {
      const spec = record(obj.spec);
      const claim = spec.claimRef ? `${str(at(spec, 'claimRef', 'namespace'))}/${str(at(spec, 'claimRef', 'name'))}` : '';
      const phase = obj.metadata.deletionTimestamp ? 'Terminating' : str(at(obj, 'status', 'phase'));
      return {
        cells: [
          obj.metadata.name,
          quantity(at(spec, 'capacity', 'storage')),
          accessModes(spec.accessModes),
          str(spec.persistentVolumeReclaimPolicy),
          phase,
          claim,
          storageClassOf(obj),
          str(spec.volumeAttributesClassName) || '<unset>',
          str(at(obj, 'status', 'reason')),
          age(obj, now),
          str(spec.volumeMode) || '<unset>',
        ],
      };
    },
  },
  '/persistentvolumeclaims': {
    columns: [
      nameColumn(),
      column('Status', 'string', 'PersistentVolumeClaimStatus.phase'),
      column('Volume', 'string', 'PersistentVolumeClaimSpec.volumeName'),
      column('Capacity', 'string', 'PersistentVolumeClaimStatus.capacity'),
      column('Access Modes', 'string', 'PersistentVolumeClaimStatus.accessModes'),
      column('StorageClass', 'string', 'StorageClass of the pvc'),
      column('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pvc'),
      ageColumn(),
      column('VolumeMode', 'string', 'PersistentVolumeClaimSpec.volumeMode', 1),
    ],
    row: (obj, now) => {
      const spec = record(obj.spec);
      const status = record(obj.status);
      const bound = str(spec.volumeName) !== '';
      const phase = obj.metadata.deletionTimestamp ? 'Terminating' : str(status.phase);
      return {
        cells: [
          obj.metadata.name,
          phase,
          str(spec.volumeName),
          bound ? quantity(at(status, 'capacity', 'storage')) : '',
          bound ? accessModes(status.accessModes) : '',
          storageClassOf(obj),
          str(spec.volumeAttributesClassName) || '<unset>',
          age(obj, now),
          str(spec.volumeMode) || '<unset>',
        ],
      };
    },
  },
  '/configmaps': {
    columns: [nameColumn(), column('Data', 'string', 'ConfigMap.data'), ageColumn()],
    row: (obj, now) => ({ cells: [obj.metadata.name, Object.keys(record(obj.data)).length + Object.keys(record(obj.binaryData)).length, age(obj, now)] }),
  },
  '/secrets': {
    columns: [nameColumn(), column('Type', 'string', 'Secret.type'), column('Data', 'string', 'Secret.data'), ageColumn()],
    row: (obj, now) => ({ cells: [obj.metadata.name, str(obj.type), Object.keys(record(obj.data)).length, age(obj, now)] }),
  },
  '/serviceaccounts': {
    columns: [nameColumn(), column('Secrets', 'string', 'ServiceAccount.secrets'), ageColumn()],
    row: (obj, now) => ({ cells: [obj.metadata.name, list(obj.secrets).length, age(obj, now)] }),
  },
  '/resourcequotas': {
    columns: [
      nameColumn(),
      column('Request', 'string', 'Request represents a minimum amount of cpu/memory that a container may consume.'),
      column('Limit', 'string', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.'),
      ageColumn(),
    ],
    row: (obj, now) => ({ cells: [obj.metadata.name, ...quotaColumns(obj), age(obj, now)] }),
  },
  'autoscaling/horizontalpodautoscalers': {
    columns: [
      nameColumn(),
      column('Reference', 'string', 'HorizontalPodAutoscalerSpec.scaleTargetRef'),
      column('Targets', 'string', 'HorizontalPodAutoscalerSpec.metrics'),
      column('MinPods', 'string', 'HorizontalPodAutoscalerSpec.minReplicas'),
      column('MaxPods', 'string', 'HorizontalPodAutoscalerSpec.maxReplicas'),
      column('Replicas', 'string', 'HorizontalPodAutoscalerStatus.currentReplicas'),
      ageColumn(),
    ],
    row: (obj, now) => {
      const spec = record(obj.spec);
      const min = typeof spec.minReplicas === 'number' ? String(spec.minReplicas) : '<unset>';
      const ref = `${str(at(spec, 'scaleTargetRef', 'kind'))}/${str(at(spec, 'scaleTargetRef', 'name'))}`;
      return { cells: [obj.metadata.name, ref, hpaMetrics(obj), min, num(spec.maxReplicas), num(at(obj, 'status', 'currentReplicas')), age(obj, now)] };
    },
  },
  'coordination.k8s.io/leases': {
    columns: [nameColumn(), column('Holder', 'string', 'LeaseSpec.holderIdentity'), ageColumn()],
    row: (obj, now) => ({ cells: [obj.metadata.name, str(at(obj, 'spec', 'holderIdentity')), age(obj, now)] }),
  },
  'storage.k8s.io/storageclasses': {
    columns: [
      nameColumn(),
      column('Provisioner', 'string', 'StorageClass.provisioner'),
      column('ReclaimPolicy', 'string', 'StorageClass.reclaimPolicy'),
      column('VolumeBindingMode', 'string', 'StorageClass.volumeBindingMode'),
      column('AllowVolumeExpansion', 'string', 'StorageClass.allowVolumeExpansion'),
      ageColumn(),
    ],
    row: (obj, now) => {
      const annotations = obj.metadata.annotations ?? {};
      const isDefault = annotations['storageclass.kubernetes.io/is-default-class'] === 'true' || annotations['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
      return {
        cells: [
          `${obj.metadata.name ?? ''}${isDefault ? ' (default)' : ''}`,
          str(obj.provisioner),
          str(obj.reclaimPolicy) || 'Delete',
          str(obj.volumeBindingMode) || 'Immediate',
          obj.allowVolumeExpansion === true,
          age(obj, now),
        ],
      };
    },
  },
  'scheduling.k8s.io/priorityclasses': {
    columns: [nameColumn(), column('Value', 'integer', 'PriorityClass.value'), column('Global-Default', 'boolean', 'PriorityClass.globalDefault'), ageColumn(), column('PreemptionPolicy', 'string', 'PriorityClass.preemptionPolicy')],
    row: (obj, now) => ({ cells: [obj.metadata.name, num(obj.value), obj.globalDefault === true, age(obj, now), str(obj.preemptionPolicy)] }),
  },
  'rbac.authorization.k8s.io/rolebindings': {
    columns: bindingColumns('roleBinding', 'RoleBinding.roleRef'),
    row: (obj, now) => ({ cells: bindingRow(obj, now) }),
  },
  'rbac.authorization.k8s.io/clusterrolebindings': {
    columns: bindingColumns('clusterRoleBinding', 'ClusterRoleBinding.roleRef'),
    row: (obj, now) => ({ cells: bindingRow(obj, now) }),
  },
};

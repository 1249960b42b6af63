import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StatusError } from '../errors.js';
import type { KubeList, KubeObject } from '../object.js';
import { humanDuration, printTable } from './index.js';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const ago = (seconds: number) => new Date(NOW - seconds * 1000).toISOString();

function obj(apiVersion: string, kind: string, name: string, ageSeconds: number, rest: Record<string, unknown> = {}): KubeObject {
  const { metadata, ...fields } = rest;
  return { apiVersion, kind, ...fields, metadata: { name, namespace: 'default', creationTimestamp: ago(ageSeconds), ...((metadata as object | undefined) ?? {}) } };
}

function cells(group: string, resource: string, o: KubeObject): unknown[] {
  return printTable({ group, resource }, o, { now: NOW }).rows[0].cells;
}

/** What kubectl shows: upper-cased names of the priority-0 columns and those cells. */
function shown(group: string, resource: string, o: KubeObject, wide = false): Record<string, unknown> {
  const table = printTable({ group, resource }, o, { now: NOW });
  const out: Record<string, unknown> = {};
  table.columnDefinitions!.forEach((c, i) => {
    if (wide || c.priority === 0) out[c.name.toUpperCase()] = table.rows[0].cells[i];
  });
  return out;
}

test('HumanDuration buckets', () => {
  const cases: [number, string][] = [
    [-1500, '0s'],
    [-3000, '<invalid>'],
    [45_000, '45s'],
    [119_000, '119s'],
    [120_000, '2m'],
    [330_000, '5m30s'],
    [95 * 60_000, '95m'],
    [(5 * 60 + 30) * 60_000, '5h30m'],
    [30 * 3600_000, '30h'],
    [(3 * 24 + 5) * 3600_000, '3d5h'],
    [300 * 24 * 3600_000, '300d'],
    [(3 * 365 + 100) * 24 * 3600_000, '3y100d'],
    [10 * 365 * 24 * 3600_000, '10y'],
  ];
  for (const [ms, text] of cases) assert.equal(humanDuration(ms), text, String(ms));
});

test('pods: NAME READY STATUS RESTARTS AGE and the wide columns (seed: kubia pods)', () => {
  const pod = obj('v1', 'Pod', 'kubia-8b7bl', 101, {
    spec: { containers: [{ name: 'kubia', image: 'luksa/kubia' }], nodeName: 'node1' },
    status: {
      phase: 'Running',
      podIP: '10.42.0.5',
      podIPs: [{ ip: '10.42.0.5' }],
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [{ name: 'kubia', ready: true, restartCount: 0, state: { running: { startedAt: ago(100) } } }],
    },
  });
  assert.deepEqual(shown('', 'pods', pod, true), {
    NAME: 'kubia-8b7bl',
    READY: '1/1',
    STATUS: 'Running',
    RESTARTS: '0',
    AGE: '101s',
    IP: '10.42.0.5',
    NODE: 'node1',
    'NOMINATED NODE': '<none>',
    'READINESS GATES': '<none>',
  });
});

test('pod STATUS logic: CrashLoopBackOff with restarts ago, Completed, Init, Terminating, ContainerCreating', () => {
  const pod = (status: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    obj('v1', 'Pod', 'p', 600, { spec: { containers: [{ name: 'c' }], initContainers: extra.init ?? [] }, status, metadata: extra.metadata ?? {} });
  const crash = cells('', 'pods', pod({
    phase: 'Running',
    containerStatuses: [{ name: 'c', ready: false, restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, finishedAt: ago(300) } } }],
  }));
  assert.deepEqual(crash.slice(1, 4), ['0/1', 'CrashLoopBackOff', '3 (5m ago)']);

  const done = printTable({ group: '', resource: 'pods' }, pod({ phase: 'Succeeded', containerStatuses: [{ name: 'c', state: { terminated: { exitCode: 0, reason: 'Completed' } } }] }), { now: NOW }).rows[0];
  assert.equal(done.cells[2], 'Completed');
  assert.deepEqual(done.conditions, [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);

  const init = cells('', 'pods', pod({ phase: 'Pending', initContainerStatuses: [{ name: 'i', state: { running: {} } }], containerStatuses: [{ name: 'c', state: { waiting: { reason: 'PodInitializing' } } }] }, { init: [{ name: 'i' }] }));
  assert.equal(init[2], 'Init:0/1');
  const initCrash = cells('', 'pods', pod({ phase: 'Pending', initContainerStatuses: [{ name: 'i', state: { waiting: { reason: 'CrashLoopBackOff' } } }] }, { init: [{ name: 'i' }] }));
  assert.equal(initCrash[2], 'Init:CrashLoopBackOff');
  const initFailed = cells('', 'pods', pod({ phase: 'Pending', initContainerStatuses: [{ name: 'i', state: { terminated: { exitCode: 2 } } }] }, { init: [{ name: 'i' }] }));
  assert.equal(initFailed[2], 'Init:ExitCode:2');

  assert.equal(cells('', 'pods', pod({ phase: 'Pending', containerStatuses: [{ name: 'c', state: { waiting: { reason: 'ContainerCreating' } } }] }))[2], 'ContainerCreating');
  assert.equal(cells('', 'pods', pod({ phase: 'Pending' }))[2], 'Pending');
  assert.equal(cells('', 'pods', pod({ phase: 'Running' }, { metadata: { deletionTimestamp: ago(1) } }))[2], 'Terminating');
  assert.equal(cells('', 'pods', pod({ phase: 'Failed', containerStatuses: [{ name: 'c', state: { terminated: { exitCode: 137, signal: 0 } } }] }))[2], 'ExitCode:137');
});

test('workloads as the seeds show them: rc, rs, deployment, daemonset, statefulset', () => {
  const template = { metadata: { labels: { app: 'kubia' } }, spec: { containers: [{ name: 'kubia', image: 'luksa/kubia:v1' }] } };
  const rc = obj('v1', 'ReplicationController', 'kubia', 16, { spec: { replicas: 3, selector: { app: 'kubia' }, template }, status: { replicas: 3 } });
  assert.deepEqual(shown('', 'replicationcontrollers', rc), { NAME: 'kubia', DESIRED: 3, CURRENT: 3, READY: 0, AGE: '16s' });
  assert.deepEqual(cells('', 'replicationcontrollers', rc).slice(5), ['kubia', 'luksa/kubia:v1', 'app=kubia']);

  const rs = obj('apps/v1', 'ReplicaSet', 'kubia-59d857b444', 102, { spec: { replicas: 3, selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['kubia'] }] }, template }, status: { replicas: 3, readyReplicas: 3 } });
  assert.deepEqual(shown('apps', 'replicasets', rs), { NAME: 'kubia-59d857b444', DESIRED: 3, CURRENT: 3, READY: 3, AGE: '102s' });
  assert.equal(cells('apps', 'replicasets', rs)[7], 'app in (kubia)');

  const deploy = obj('apps/v1', 'Deployment', 'kubia', 17, { spec: { replicas: 3, selector: { matchLabels: { app: 'kubia' } }, template }, status: { readyReplicas: 3, updatedReplicas: 3, availableReplicas: 3 } });
  assert.deepEqual(shown('apps', 'deployments', deploy), { NAME: 'kubia', READY: '3/3', 'UP-TO-DATE': 3, AVAILABLE: 3, AGE: '17s' });
  assert.equal(cells('apps', 'deployments', deploy)[7], 'app=kubia');

  const ds = obj('apps/v1', 'DaemonSet', 'ssd-monitor', 18, {
    spec: { selector: { matchLabels: { app: 'ssd-monitor' } }, template: { spec: { nodeSelector: { disk: 'ssd' }, containers: [] } } },
    status: { desiredNumberScheduled: 1, currentNumberScheduled: 1, numberReady: 1, updatedNumberScheduled: 1, numberAvailable: 1 },
  });
  assert.deepEqual(shown('apps', 'daemonsets', ds), { NAME: 'ssd-monitor', DESIRED: 1, CURRENT: 1, READY: 1, 'UP-TO-DATE': 1, AVAILABLE: 1, 'NODE SELECTOR': 'disk=ssd', AGE: '18s' });

  const sts = obj('apps/v1', 'StatefulSet', 'db', 60, { spec: { replicas: 2, template }, status: { readyReplicas: 1 } });
  assert.deepEqual(shown('apps', 'statefulsets', sts), { NAME: 'db', READY: '1/2', AGE: '60s' });
});

test('jobs and cronjobs (kube 1.33 adds STATUS and TIMEZONE)', () => {
  const job = obj('batch/v1', 'Job', 'batch-job', 33, {
    spec: { completions: 1, template: { spec: { containers: [{ name: 'main', image: 'luksa/batch-job' }] } } },
    status: { succeeded: 1, startTime: ago(33), completionTime: ago(0), conditions: [{ type: 'Complete', status: 'True' }] },
  });
  assert.deepEqual(shown('batch', 'jobs', job), { NAME: 'batch-job', STATUS: 'Complete', COMPLETIONS: '1/1', DURATION: '33s', AGE: '33s' });
  const running = obj('batch/v1', 'Job', 'batch-job', 15, { spec: { completions: 5, parallelism: 2 }, status: { startTime: ago(15) } });
  assert.deepEqual(shown('batch', 'jobs', running), { NAME: 'batch-job', STATUS: 'Running', COMPLETIONS: '0/5', DURATION: '15s', AGE: '15s' });

  const cron = obj('batch/v1', 'CronJob', 'batch-job-every-fifteen-minutes', 46, {
    spec: { schedule: '0,15,30,45 * * * *', suspend: false, jobTemplate: { spec: { template: { spec: { containers: [] } } } } },
    status: { active: [{ name: 'x' }], lastScheduleTime: ago(19) },
  });
  assert.deepEqual(shown('batch', 'cronjobs', cron), {
    NAME: 'batch-job-every-fifteen-minutes',
    SCHEDULE: '0,15,30,45 * * * *',
    TIMEZONE: '<none>',
    SUSPEND: 'False',
    ACTIVE: 1,
    'LAST SCHEDULE': '19s',
    AGE: '46s',
  });
});

test('services, endpoints and ingresses as the seeds show them', () => {
  const svc = obj('v1', 'Service', 'kubia', 21, { spec: { type: 'ClusterIP', clusterIP: '10.108.249.4', clusterIPs: ['10.108.249.4'], ports: [{ port: 80, protocol: 'TCP' }, { port: 443, protocol: 'TCP' }], selector: { app: 'kubia' } } });
  assert.deepEqual(shown('', 'services', svc, true), { NAME: 'kubia', TYPE: 'ClusterIP', 'CLUSTER-IP': '10.108.249.4', 'EXTERNAL-IP': '<none>', 'PORT(S)': '80/TCP,443/TCP', AGE: '21s', SELECTOR: 'app=kubia' });
  const nodePort = obj('v1', 'Service', 'np', 5, { spec: { type: 'NodePort', clusterIPs: ['10.43.0.7'], ports: [{ port: 80, nodePort: 30123, protocol: 'TCP' }] } });
  assert.equal(cells('', 'services', nodePort)[4], '80:30123/TCP');
  const lb = obj('v1', 'Service', 'lb', 5, { spec: { type: 'LoadBalancer', clusterIPs: ['10.43.0.8'], ports: [] } });
  assert.deepEqual(cells('', 'services', lb).slice(3, 5), ['<pending>', '<none>']);

  const addresses = ['172.17.0.16', '172.17.0.17', '172.17.0.21'].map((ip) => ({ ip }));
  const ep = obj('v1', 'Endpoints', 'kubia', 69 * 60, { subsets: [{ addresses, ports: [{ port: 8443 }, { port: 8080 }] }] });
  assert.deepEqual(shown('', 'endpoints', ep), { NAME: 'kubia', ENDPOINTS: '172.17.0.16:8443,172.17.0.17:8443,172.17.0.21:8443 + 3 more...', AGE: '69m' });
  assert.equal(cells('', 'endpoints', obj('v1', 'Endpoints', 'none', 1))[1], '<none>');

  const ing = obj('networking.k8s.io/v1', 'Ingress', 'kubia', 3600, { spec: { rules: [{ host: 'kubia.example.com' }] } });
  assert.deepEqual(shown('networking.k8s.io', 'ingresses', ing), { NAME: 'kubia', CLASS: '<none>', HOSTS: 'kubia.example.com', ADDRESS: '', PORTS: '80', AGE: '60m' });
});

test('nodes, namespaces, pv and pvc', () => {
  const node = obj('v1', 'Node', 'localhost.localdomain', 294, {
    metadata: { labels: { 'node-role.kubernetes.io/master': '' } },
    status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { kubeletVersion: 'v1.18.3' }, addresses: [{ type: 'InternalIP', address: '192.168.1.5' }] },
  });
  assert.deepEqual(shown('', 'nodes', node), { NAME: 'localhost.localdomain', STATUS: 'Ready', ROLES: 'master', AGE: '4m54s', VERSION: 'v1.18.3' });
  assert.deepEqual(cells('', 'nodes', node).slice(5), ['192.168.1.5', '<none>', '<unknown>', '<unknown>', '<unknown>']);
  const cordoned = obj('v1', 'Node', 'n2', 1, { spec: { unschedulable: true }, status: { conditions: [{ type: 'Ready', status: 'False' }] } });
  assert.equal(cells('', 'nodes', cordoned)[1], 'NotReady,SchedulingDisabled');

  assert.deepEqual(shown('', 'namespaces', obj('v1', 'Namespace', 'default', (7 * 60 + 43) * 60, { status: { phase: 'Active' } })), { NAME: 'default', STATUS: 'Active', AGE: '7h43m' });

  const pv = obj('v1', 'PersistentVolume', 'pv0003', 106 * 60, {
    spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Recycle', claimRef: { namespace: 'default', name: 'myclaim' } },
    status: { phase: 'Bound' },
  });
  assert.deepEqual(shown('', 'persistentvolumes', pv), {
    NAME: 'pv0003',
    CAPACITY: '1Gi',
    'ACCESS MODES': 'RWO',
    'RECLAIM POLICY': 'Recycle',
    STATUS: 'Bound',
    CLAIM: 'default/myclaim',
    STORAGECLASS: '',
    VOLUMEATTRIBUTESCLASS: '<unset>',
    REASON: '',
    AGE: '106m',
  });
  const pvc = obj('v1', 'PersistentVolumeClaim', 'myclaim', 60, { spec: { volumeName: 'pv0003', resources: { requests: { storage: '1Gi' } } }, status: { phase: 'Bound', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'] } });
  assert.deepEqual(shown('', 'persistentvolumeclaims', pvc), { NAME: 'myclaim', STATUS: 'Bound', VOLUME: 'pv0003', CAPACITY: '1Gi', 'ACCESS MODES': 'RWO', STORAGECLASS: '', VOLUMEATTRIBUTESCLASS: '<unset>', AGE: '60s' });
});

test('configmaps, secrets, events, storage classes, hpa, quotas, bindings', () => {
  assert.deepEqual(cells('', 'configmaps', obj('v1', 'ConfigMap', 'cm', 5, { data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } })).slice(1, 2), [3]);
  assert.deepEqual(cells('', 'secrets', obj('v1', 'Secret', 's', 5, { type: 'Opaque', data: { a: 'MQ==' } })).slice(1, 3), ['Opaque', 1]);
  const ev = obj('v1', 'Event', 'p.1', 60, { type: 'Normal', reason: 'Scheduled', message: 'Successfully assigned default/p to node1\n', involvedObject: { kind: 'Pod', name: 'p' }, source: { component: 'default-scheduler' }, firstTimestamp: ago(60), lastTimestamp: ago(30), count: 2 });
  assert.deepEqual(shown('', 'events', ev), { 'LAST SEEN': '30s', TYPE: 'Normal', REASON: 'Scheduled', OBJECT: 'pod/p', MESSAGE: 'Successfully assigned default/p to node1' });
  assert.deepEqual(cells('', 'events', ev).slice(4), ['', 'default-scheduler', 'Successfully assigned default/p to node1', '60s', 2, 'p.1']);
  const newEv = obj('events.k8s.io/v1', 'Event', 'p.2', 10, { type: 'Warning', reason: 'BackOff', note: 'Back-off', regarding: { kind: 'Pod', name: 'p' }, eventTime: ago(10), reportingController: 'kubelet', reportingInstance: 'node1' });
  assert.deepEqual(cells('events.k8s.io', 'events', newEv), ['10s', 'Warning', 'BackOff', 'pod/p', '', 'kubelet, node1', 'Back-off', '10s', 1, 'p.2']);

  const sc = obj('storage.k8s.io/v1', 'StorageClass', 'local-path', 5, { metadata: { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'rancher.io/local-path', volumeBindingMode: 'WaitForFirstConsumer' });
  assert.deepEqual(cells('storage.k8s.io', 'storageclasses', sc).slice(0, 5), ['local-path (default)', 'rancher.io/local-path', 'Delete', 'WaitForFirstConsumer', false]);

  const hpa = obj('autoscaling/v2', 'HorizontalPodAutoscaler', 'web', 5, {
    spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }] },
    status: { currentReplicas: 2, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 40 } } }] },
  });
  assert.deepEqual(cells('autoscaling', 'horizontalpodautoscalers', hpa).slice(1, 6), ['Deployment/web', 'cpu: 40%/80%', '1', 5, 2]);

  const quota = obj('v1', 'ResourceQuota', 'q', 5, { status: { hard: { pods: '10', 'limits.cpu': '2', 'requests.memory': '1Gi' }, used: { pods: '1', 'limits.cpu': '500m' } } });
  assert.deepEqual(cells('', 'resourcequotas', quota).slice(1, 3), ['pods: 1/10, requests.memory: 0/1Gi', 'limits.cpu: 500m/2']);

  const rb = obj('rbac.authorization.k8s.io/v1', 'RoleBinding', 'rb', 5, { roleRef: { kind: 'Role', name: 'reader' }, subjects: [{ kind: 'User', name: 'jane' }, { kind: 'ServiceAccount', name: 'sa', namespace: 'default' }] });
  assert.deepEqual(cells('rbac.authorization.k8s.io', 'rolebindings', rb), ['rb', 'Role/reader', '5s', 'jane', '', 'default/sa']);
});

test('the Table envelope: metadata, includeObject, noHeaders and the default NAME / CREATED AT convertor', () => {
  const list: KubeList = { apiVersion: 'v1', kind: 'PodList', metadata: { resourceVersion: '1006', continue: 'abc' }, items: [obj('v1', 'Pod', 'a', 1), obj('v1', 'Pod', 'b', 2)] };
  const table = printTable({ group: '', resource: 'pods' }, list, { now: NOW });
  assert.equal(table.kind, 'Table');
  assert.equal(table.apiVersion, 'meta.k8s.io/v1');
  assert.deepEqual(table.metadata, { resourceVersion: '1006', continue: 'abc' });
  assert.equal(table.rows.length, 2);
  assert.deepEqual(table.rows[0].object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: list.items[0].metadata });
  assert.deepEqual(table.columnDefinitions![0], {
    name: 'Name',
    type: 'string',
    format: 'name',
    description: table.columnDefinitions![0].description,
    priority: 0,
  });
  assert.match(table.columnDefinitions![0].description, /^Name must be unique within a namespace/);
  assert.deepEqual(printTable({ group: '', resource: 'pods' }, list, { includeObject: 'Object' }).rows[1].object, list.items[1]);
  assert.equal(printTable({ group: '', resource: 'pods' }, list, { includeObject: 'None' }).rows[0].object, null);
  assert.equal(printTable({ group: '', resource: 'pods' }, list, { noHeaders: true }).columnDefinitions, null);
  assert.equal(printTable({ group: '', resource: 'pods' }, list, { version: 'v1beta1' }).apiVersion, 'meta.k8s.io/v1beta1');
  assert.throws(
    () => printTable({ group: '', resource: 'pods' }, list, { includeObject: 'x' }),
    (err: unknown) => err instanceof StatusError && err.code === 400 && err.message === 'unrecognized includeObject value: "x"',
  );

  const role = obj('rbac.authorization.k8s.io/v1', 'Role', 'reader', 5);
  (role.metadata as { resourceVersion?: string }).resourceVersion = '77';
  const roles = printTable({ group: 'rbac.authorization.k8s.io', resource: 'roles' }, role, { now: NOW });
  assert.deepEqual(
    roles.columnDefinitions!.map((c) => [c.name, c.type, c.format]),
    [
      ['Name', 'string', 'name'],
      ['Created At', 'date', ''],
    ],
  );
  assert.deepEqual(roles.rows[0].cells, ['reader', '2026-11-23T11:59:55Z']);
  assert.deepEqual(roles.metadata, { resourceVersion: '77' });
});

test('the remaining built-in printers: ingressclasses, networkpolicies, endpointslices, leases, priorityclasses, pdb, controllerrevisions, podtemplates, serviceaccounts', () => {
  const ic = obj('networking.k8s.io/v1', 'IngressClass', 'skiff', 5, { spec: { controller: 'skiff.dev/ingress', parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'external-lb' } } });
  assert.deepEqual(cells('networking.k8s.io', 'ingressclasses', ic), ['skiff', 'skiff.dev/ingress', 'IngressParameters.k8s.example.com/external-lb', '5s']);
  assert.deepEqual(cells('networking.k8s.io', 'networkpolicies', obj('networking.k8s.io/v1', 'NetworkPolicy', 'deny', 5, { spec: { podSelector: {} } })), ['deny', '<none>', '5s']);
  assert.deepEqual(cells('networking.k8s.io', 'networkpolicies', obj('networking.k8s.io/v1', 'NetworkPolicy', 'web', 5, { spec: { podSelector: { matchLabels: { app: 'web' } } } }))[1], 'app=web');

  const slice = obj('discovery.k8s.io/v1', 'EndpointSlice', 'kubia-abc', 5, {
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080 }],
    endpoints: ['10.42.0.1', '10.42.0.2', '10.42.0.3', '10.42.0.4'].map((a) => ({ addresses: [a] })),
  });
  assert.deepEqual(cells('discovery.k8s.io', 'endpointslices', slice), ['kubia-abc', 'IPv4', '8080', '10.42.0.1,10.42.0.2,10.42.0.3 + 1 more...', '5s']);
  assert.deepEqual(cells('discovery.k8s.io', 'endpointslices', obj('discovery.k8s.io/v1', 'EndpointSlice', 'e', 5, { addressType: 'IPv4' })).slice(2, 4), ['<unset>', '<unset>']);

  assert.deepEqual(cells('coordination.k8s.io', 'leases', obj('coordination.k8s.io/v1', 'Lease', 'node1', 5, { spec: { holderIdentity: 'node1' } })), ['node1', 'node1', '5s']);
  assert.deepEqual(cells('scheduling.k8s.io', 'priorityclasses', obj('scheduling.k8s.io/v1', 'PriorityClass', 'high', 5, { value: 1000, preemptionPolicy: 'PreemptLowerPriority' })), ['high', 1000, false, '5s', 'PreemptLowerPriority']);
  assert.deepEqual(cells('policy', 'poddisruptionbudgets', obj('policy/v1', 'PodDisruptionBudget', 'pdb', 5, { spec: { minAvailable: '50%' }, status: { disruptionsAllowed: 1 } })), ['pdb', '50%', 'N/A', 1, '5s']);

  const rev = obj('apps/v1', 'ControllerRevision', 'ds-5d8f', 5, { revision: 2, metadata: { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'ds', uid: 'u', controller: true }] } });
  assert.deepEqual(cells('apps', 'controllerrevisions', rev), ['ds-5d8f', 'daemonset.apps/ds', 2, '5s']);

  const tmpl = obj('v1', 'PodTemplate', 't', 5, { template: { metadata: { labels: { b: '2', a: '1' } }, spec: { containers: [{ name: 'x', image: 'i1' }, { name: 'y', image: 'i2' }] } } });
  assert.deepEqual(cells('', 'podtemplates', tmpl), ['t', 'x,y', 'i1,i2', 'a=1,b=2']);
  assert.deepEqual(cells('', 'serviceaccounts', obj('v1', 'ServiceAccount', 'default', 5)), ['default', 0, '5s']);
});

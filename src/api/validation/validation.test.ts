import { test } from 'node:test';
import assert from 'node:assert/strict';
import { invalid } from '../errors.js';
import { applyDefaults } from '../defaults/index.js';
import { lookupResource } from '../registry.js';
import type { KubeObject } from '../object.js';
import { validate, validateUpdate } from './index.js';

const info = (group: string, resource: string, version = 'v1') => lookupResource(group, version, resource)!;
function check(group: string, resource: string, obj: object): string[] {
  const i = info(group, resource);
  return validate(i, applyDefaults(i, structuredClone(obj) as KubeObject)).map((e) => `${e.field}: ${e.message}`);
}

const pod = (spec: object, name = 'p') => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec });

test('a valid pod passes; bad names give the kubectl-visible message', () => {
  assert.deepEqual(check('', 'pods', pod({ containers: [{ name: 'c', image: 'nginx' }] })), []);
  const errs = validate(info('', 'pods'), applyDefaults(info('', 'pods'), pod({ containers: [{ name: 'c', image: 'nginx' }] }, 'Bad_Name') as KubeObject));
  assert.equal(
    invalid('Pod', '', 'Bad_Name', errs).message,
    `Pod "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
  );
});

test('pod spec errors: containers, names, images, ports, enums', () => {
  assert.deepEqual(check('', 'pods', pod({ containers: [] })), ['spec.containers: Required value']);
  assert.deepEqual(check('', 'pods', pod({ containers: [{ name: 'a', image: 'x' }, { name: 'a', image: 'y' }] })), ['spec.containers[1].name: Duplicate value: "a"']);
  assert.deepEqual(check('', 'pods', pod({ containers: [{ name: 'a' }] })), ['spec.containers[0].image: Required value']);
  assert.deepEqual(check('', 'pods', pod({ containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 70000 }] }] })), [
    'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
  ]);
  assert.deepEqual(check('', 'pods', pod({ restartPolicy: 'Sometimes', containers: [{ name: 'a', image: 'x' }] })), [
    'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
  ]);
  assert.deepEqual(check('', 'pods', pod({ containers: [{ name: 'a', image: 'x', imagePullPolicy: 'Sometimes' }] })), [
    'spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"',
  ]);
  assert.deepEqual(check('', 'pods', pod({ containers: [{ name: 'a', image: 'x', volumeMounts: [{ name: 'v', mountPath: '/v' }] }] })), [
    'spec.containers[0].volumeMounts[0].name: Not found: "v"',
  ]);
  assert.deepEqual(check('', 'pods', pod({ containers: [{ name: 'a', image: 'x', resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } }] })), [
    'spec.containers[0].resources.requests[cpu]: Invalid value: "2": must be less than or equal to cpu limit of 1',
  ]);
  assert.deepEqual(check('', 'pods', { ...pod({ containers: [{ name: 'a', image: 'x' }] }), metadata: { name: 'p', namespace: 'default', labels: { 'a/b/c': 'x' } } }), [
    `metadata.labels: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
  ]);
});

const deployment = (selector: object | undefined, labels: object) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default' },
  spec: { selector, template: { metadata: { labels }, spec: { containers: [{ name: 'a', image: 'nginx' }] } } },
});

test('workload selectors must exist and match the template', () => {
  assert.deepEqual(check('apps', 'deployments', deployment({ matchLabels: { app: 'web' } }, { app: 'web' })), []);
  assert.deepEqual(check('apps', 'deployments', deployment(undefined, { app: 'nginx' })), [
    'spec.selector: Required value',
    'spec.template.metadata.labels: Invalid value: map[string]string{"app":"nginx"}: `selector` does not match template `labels`',
  ]);
  assert.deepEqual(check('apps', 'replicasets', { ...deployment({ matchExpressions: [{ key: 'app', operator: 'In', values: ['x'] }] }, { app: 'web' }), kind: 'ReplicaSet' }), [
    'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
  ]);
  const rsInfo = info('apps', 'replicasets');
  const oldRS = applyDefaults(rsInfo, { ...deployment({ matchLabels: { app: 'web' } }, { app: 'web' }), kind: 'ReplicaSet', metadata: { name: 'web', namespace: 'default', resourceVersion: '5' } } as KubeObject);
  const newRS = structuredClone(oldRS) as any;
  newRS.spec.selector = { matchLabels: { app: 'web2' } };
  newRS.spec.template.metadata.labels = { app: 'web2' };
  assert.deepEqual(
    validateUpdate(rsInfo, newRS, oldRS).map((e) => `${e.field}: ${e.message}`),
    ['spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable'],
  );
  const rc = { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'rc', namespace: 'default' }, spec: { template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'a', image: 'x' }] } } } };
  assert.deepEqual(check('', 'replicationcontrollers', rc), []);
});

test('jobs refuse restartPolicy Always; cronjob schedules are parsed', () => {
  const job = (restartPolicy?: string) => ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'j', namespace: 'default' },
    spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { restartPolicy, containers: [{ name: 'a', image: 'x' }] } } },
  });
  assert.deepEqual(check('batch', 'jobs', job('Never')), []);
  assert.deepEqual(check('batch', 'jobs', job('Always')), ['spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"']);
  assert.deepEqual(check('batch', 'jobs', job('Sometimes')), [
    'spec.template.spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    'spec.template.spec.restartPolicy: Unsupported value: "Sometimes": supported values: "OnFailure", "Never"',
  ]);
  const cj = (schedule: string) => ({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'c', namespace: 'default' },
    spec: { schedule, jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'a', image: 'x' }] } } } } },
  });
  assert.deepEqual(check('batch', 'cronjobs', cj('*/1 * * * *')), []);
  assert.deepEqual(check('batch', 'cronjobs', cj('@hourly')), []);
  assert.deepEqual(check('batch', 'cronjobs', cj('61 * * * *')), ['spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61']);
  assert.deepEqual(check('batch', 'cronjobs', cj('* * *')), ['spec.schedule: Invalid value: "* * *": expected exactly 5 fields, found 3: [* * *]']);
});

test('services, configmaps, secrets, namespaces, PVCs', () => {
  const svc = (spec: object, name = 'web') => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec });
  assert.deepEqual(check('', 'services', svc({ selector: { app: 'web' }, ports: [{ port: 80 }] })), []);
  assert.deepEqual(check('', 'services', svc({ ports: [{ port: 80 }, { port: 81 }] })), ['spec.ports[0].name: Required value', 'spec.ports[1].name: Required value']);
  assert.deepEqual(check('', 'services', svc({ type: 'Weird', ports: [{ port: 80 }] })), [
    'spec.type: Unsupported value: "Weird": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
  ]);
  assert.match(check('', 'services', svc({ ports: [{ port: 80 }] }, '1web'))[0]!, /^metadata.name: Invalid value: "1web": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character/);
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' }, data: { 'bad key': 'x', ok: 'y' } };
  assert.deepEqual(check('', 'configmaps', cm), [
    `data[bad key]: Invalid value: "bad key": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
  ]);
  const tls = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, type: 'kubernetes.io/tls', data: {} };
  assert.deepEqual(check('', 'secrets', tls), ['data[tls.crt]: Required value', 'data[tls.key]: Required value']);
  assert.deepEqual(check('', 'namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a.b' } }), ['metadata.name: Invalid value: "a.b": must not contain dots']);
  assert.deepEqual(check('', 'persistentvolumeclaims', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c', namespace: 'default' }, spec: {} }), [
    'spec.accessModes: Required value: at least 1 access mode is required',
    'spec.resources[storage]: Required value',
  ]);
  assert.deepEqual(check('', 'configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'x-' } }), ['metadata.name: Required value: name or generateName is required', 'metadata.namespace: Required value']);
});

test('pod updates may only change images and a few fields', () => {
  const podInfo = info('', 'pods');
  const old = applyDefaults(podInfo, { ...pod({ containers: [{ name: 'a', image: 'x:1' }] }), metadata: { name: 'p', namespace: 'default', resourceVersion: '3' } } as KubeObject) as any;
  const image = structuredClone(old);
  image.spec.containers[0].image = 'x:2';
  assert.deepEqual(validateUpdate(podInfo, image, old), []);
  const changed = structuredClone(old);
  changed.spec.restartPolicy = 'Never';
  const errs = validateUpdate(podInfo, changed, old);
  assert.equal(errs.length, 1);
  assert.equal(errs[0]!.field, 'spec');
  assert.match(errs[0]!.message, /^Forbidden: pod updates may not change fields other than `spec.containers\[\*\].image`/);
  const added = structuredClone(old);
  added.spec.containers.push({ name: 'b', image: 'y', imagePullPolicy: 'IfNotPresent', terminationMessagePolicy: 'File' });
  assert.deepEqual(validateUpdate(podInfo, added, old).map((e) => `${e.field}: ${e.message}`), ['spec.containers: Forbidden: pod updates may not add or remove containers']);
  const noRV = structuredClone(image);
  delete noRV.metadata.resourceVersion;
  assert.deepEqual(validateUpdate(podInfo, noRV, old).map((e) => `${e.field}: ${e.message}`), ['metadata.resourceVersion: Invalid value: "": must be specified for an update']);
});

test('events: old-style core events need matching namespaces, events.k8s.io ones the reporting fields', () => {
  const ev = (ns: string, involvedNs: string) => ({ apiVersion: 'v1', kind: 'Event', metadata: { name: 'p.1', namespace: ns }, involvedObject: { kind: 'Pod', name: 'p', namespace: involvedNs }, reason: 'Started', message: 'x' });
  assert.deepEqual(check('', 'events', ev('default', 'default')), []);
  assert.deepEqual(check('', 'events', ev('default', 'other')), ['involvedObject.namespace: Invalid value: "other": does not match event.namespace']);
  const v1 = { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'e', namespace: 'default' }, eventTime: '2026-01-01T00:00:00.000000Z', type: 'Normal', reportingController: 'skiff/kubelet', reportingInstance: 'n1', action: 'Pull', reason: 'Pulled', note: 'ok' };
  assert.deepEqual(check('events.k8s.io', 'events', v1), []);
  assert.deepEqual(check('events.k8s.io', 'events', { ...v1, type: 'Odd', action: undefined }), ['type: Invalid value: "": has invalid value: Odd', 'action: Required value']);
});

test('HPAs: replica bounds and target reference, in both versions', () => {
  const hpa = (apiVersion: string, spec: object) => ({ apiVersion, kind: 'HorizontalPodAutoscaler', metadata: { name: 'h', namespace: 'default' }, spec });
  const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };
  const v2 = (spec: object) => validate(info('autoscaling', 'horizontalpodautoscalers', 'v2'), applyDefaults(info('autoscaling', 'horizontalpodautoscalers', 'v2'), hpa('autoscaling/v2', spec) as KubeObject)).map((e) => `${e.field}: ${e.message}`);
  assert.deepEqual(v2({ scaleTargetRef: ref, maxReplicas: 3 }), []);
  assert.deepEqual(v2({ scaleTargetRef: ref, minReplicas: 5, maxReplicas: 3 }), ['spec.maxReplicas: Invalid value: 3: must be greater than or equal to `minReplicas`']);
  assert.deepEqual(check('autoscaling', 'horizontalpodautoscalers', hpa('autoscaling/v1', { scaleTargetRef: { kind: 'Deployment' }, maxReplicas: 0 })), [
    'spec.maxReplicas: Invalid value: 0: must be greater than 0',
    'spec.maxReplicas: Invalid value: 0: must be greater than or equal to `minReplicas`',
    'spec.scaleTargetRef.name: Required value',
  ]);
});

test('affinity: node selector operators, weights and topology keys', () => {
  const withAffinity = (affinity: object) => check('', 'pods', pod({ affinity, containers: [{ name: 'a', image: 'x' }] }));
  const nodeTerm = (expr: object) => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [expr] }] } } });
  assert.deepEqual(withAffinity(nodeTerm({ key: 'disktype', operator: 'In', values: ['ssd'] })), []);
  assert.deepEqual(withAffinity(nodeTerm({ key: 'disktype', operator: 'Is', values: ['ssd'] })), [
    'spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator: Invalid value: "Is": not a valid selector operator',
  ]);
  assert.deepEqual(withAffinity({ podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 0, podAffinityTerm: { labelSelector: { matchLabels: { app: 'x' } } } }] } }), [
    'spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 0: must be in the range 1-100',
    'spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey: Required value: can not be empty',
  ]);
});

test('nodes: taints and set-once fields', () => {
  const node = (spec: object) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', resourceVersion: '1' }, spec });
  assert.deepEqual(check('', 'nodes', node({ taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] })), []);
  assert.deepEqual(check('', 'nodes', node({ taints: [{ key: 'a', effect: 'Sometimes' }] })), ['spec.taints[0].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"']);
  const nodes = info('', 'nodes');
  const old = node({ podCIDRs: ['10.42.0.0/24'] }) as KubeObject;
  assert.deepEqual(validateUpdate(nodes, node({ podCIDRs: ['10.42.1.0/24'] }) as KubeObject, old).map((e) => `${e.field}: ${e.message}`), [
    'spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid',
  ]);
  assert.deepEqual(validateUpdate(nodes, node({ podCIDRs: ['10.42.0.0/24'], unschedulable: true }) as KubeObject, old), []);
});

test('job templates and statefulset specs are fixed after create', () => {
  const jobs = info('batch', 'jobs');
  const job = applyDefaults(jobs, {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'j', namespace: 'default', resourceVersion: '2' },
    spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'a', image: 'x' }] } } },
  } as KubeObject) as any;
  const newImage = structuredClone(job);
  newImage.spec.template.spec.containers[0].image = 'y';
  assert.deepEqual(validateUpdate(jobs, newImage, job).map((e) => `${e.field}: ${e.message}`), ['spec.template: Invalid value: core.PodTemplateSpec{...}: field is immutable']);
  const more = structuredClone(job);
  more.spec.parallelism = 3;
  assert.deepEqual(validateUpdate(jobs, more, job), []);

  const stsInfo = info('apps', 'statefulsets');
  const sts = applyDefaults(stsInfo, {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 's', namespace: 'default', resourceVersion: '2' },
    spec: { serviceName: 's', selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'a', image: 'x' }] } } },
  } as KubeObject) as any;
  const scaled = structuredClone(sts);
  scaled.spec.replicas = 3;
  assert.deepEqual(validateUpdate(stsInfo, scaled, sts), []);
  const renamed = structuredClone(sts);
  renamed.spec.serviceName = 'other';
  assert.deepEqual(validateUpdate(stsInfo, renamed, sts).map((e) => e.field), ['spec']);
});

test('statefulset containers may mount a volumeClaimTemplate by name; other unknown volumes are refused', () => {
  const sts = (mount: string) => ({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db', namespace: 'default' },
    spec: {
      serviceName: 'db',
      selector: { matchLabels: { app: 'db' } },
      template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'a', image: 'x', volumeMounts: [{ name: mount, mountPath: '/data' }] }] } },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    },
  });
  assert.deepEqual(check('apps', 'statefulsets', sts('data')), []);
  assert.deepEqual(check('apps', 'statefulsets', sts('logs')), ['spec.template.spec.containers[0].volumeMounts[0].name: Not found: "logs"']);
});

test('cronjob time zones', () => {
  const cj = (timeZone: string) => ({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'c', namespace: 'default' },
    spec: { schedule: '0 9 * * *', timeZone, jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'a', image: 'x' }] } } } } },
  });
  assert.deepEqual(check('batch', 'cronjobs', cj('Europe/Berlin')), []);
  assert.deepEqual(check('batch', 'cronjobs', cj('Mars/Olympus')), ['spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus']);
  assert.deepEqual(check('batch', 'cronjobs', cj('Local')), ['spec.timeZone: Invalid value: "Local": timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones']);
});

test('label and annotation values must be strings', () => {
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default', labels: { version: 1 }, annotations: { on: true } } };
  assert.deepEqual(check('', 'configmaps', cm), ['metadata.labels[version]: Invalid value: 1: must be a string', 'metadata.annotations[on]: Invalid value: true: must be a string']);
});

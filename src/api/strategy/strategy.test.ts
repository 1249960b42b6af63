import { test } from 'node:test';
import assert from 'node:assert/strict';
import { strategyFor } from './index.js';
import { convertForStorage, convertFromStorage } from '../convert/index.js';
import { applyDefaults } from '../defaults/index.js';
import { lookupResource } from '../registry.js';
import { podQOSClass } from '../qos.js';
import type { KubeObject } from '../object.js';

const info = (group: string, resource: string, version = 'v1') => lookupResource(group, version, resource)!;

function created(group: string, resource: string, obj: object, version = 'v1'): any {
  const i = info(group, resource, version);
  const o = applyDefaults(i, structuredClone(obj) as KubeObject);
  o.metadata.uid = 'uid-1';
  strategyFor(i).prepareForCreate(o);
  assert.deepEqual(strategyFor(i).validate(o), []);
  return o;
}

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default' },
  spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'a', image: 'nginx:1' }] } } },
  status: { replicas: 5 },
};

test('create resets status and starts generation at 1 for workloads only', () => {
  const d = created('apps', 'deployments', deployment);
  assert.deepEqual(d.status, {});
  assert.equal(d.metadata.generation, 1);
  const cm = created('', 'configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default', generation: 7 } });
  assert.equal(cm.metadata.generation, undefined);
  const pod = created('', 'pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'a', image: 'x', resources: { limits: { cpu: '1', memory: '1Gi' } } }] }, status: { phase: 'Running' } });
  assert.deepEqual(pod.status, { phase: 'Pending', qosClass: 'Guaranteed' });
  const ns = created('', 'namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } });
  assert.deepEqual(ns.spec, { finalizers: ['kubernetes'] });
  assert.deepEqual(ns.status, { phase: 'Active' });
});

test('update: spec changes bump generation, status is kept, the status subresource keeps spec', () => {
  const i = info('apps', 'deployments');
  const old = created('apps', 'deployments', deployment);
  old.metadata.resourceVersion = '10';
  old.status = { replicas: 1 };
  const scaled = structuredClone(old);
  scaled.spec.replicas = 3;
  scaled.status = { replicas: 99 };
  strategyFor(i).prepareForUpdate(scaled, old, '');
  assert.equal(scaled.metadata.generation, 2);
  assert.deepEqual(scaled.status, { replicas: 1 });
  const labelled = structuredClone(old);
  labelled.metadata.labels = { x: 'y' };
  strategyFor(i).prepareForUpdate(labelled, old, '');
  assert.equal(labelled.metadata.generation, 1);
  const unlabelled = structuredClone(labelled);
  unlabelled.metadata.labels = {};
  unlabelled.metadata.finalizers = [];
  strategyFor(i).prepareForUpdate(unlabelled, labelled, '');
  assert.equal('labels' in unlabelled.metadata, false);
  assert.equal('finalizers' in unlabelled.metadata, false);
  const statusUpdate = structuredClone(old);
  statusUpdate.spec.replicas = 7;
  statusUpdate.status = { replicas: 2 };
  strategyFor(i).prepareForUpdate(statusUpdate, old, 'status');
  assert.equal(statusUpdate.spec.replicas, 1);
  assert.deepEqual(statusUpdate.status, { replicas: 2 });
  assert.equal(statusUpdate.metadata.generation, 1);
  // The deployment controller records the revision annotation through status: generation stays.
  const annotated = structuredClone(old);
  annotated.metadata.annotations = { 'deployment.kubernetes.io/revision': '1' };
  strategyFor(i).prepareForUpdate(annotated, old, 'status');
  assert.equal(annotated.metadata.generation, 1);
  const selector = structuredClone(old);
  selector.spec.selector = { matchLabels: { app: 'web2' } };
  selector.spec.template.metadata.labels = { app: 'web2' };
  strategyFor(i).prepareForUpdate(selector, old, '');
  assert.deepEqual(
    strategyFor(i).validateUpdate(selector, old, '').map((e) => e.message),
    ['Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable'],
  );
});

test('jobs get a generated selector; secrets fold stringData into data; services keep allocated IPs', () => {
  const job = created('batch', 'jobs', { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'pi', namespace: 'default' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'a', image: 'x' }] } } } });
  assert.deepEqual(job.spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'uid-1' } });
  assert.equal(job.spec.template.metadata.labels['job-name'], 'pi');
  const secret = created('', 'secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, stringData: { password: 'hunter2' } });
  assert.deepEqual(secret.data, { password: Buffer.from('hunter2').toString('base64') });
  assert.equal(secret.stringData, undefined);
  const svcInfo = info('', 'services');
  const old = created('', 'services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { type: 'NodePort', ports: [{ port: 80 }] } });
  old.spec.clusterIP = '10.43.0.5';
  old.spec.clusterIPs = ['10.43.0.5'];
  old.spec.ports[0].nodePort = 30080;
  old.metadata.resourceVersion = '3';
  const replaced = applyDefaults(svcInfo, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default', resourceVersion: '3' }, spec: { type: 'NodePort', ports: [{ port: 80 }] } } as KubeObject) as any;
  strategyFor(svcInfo).prepareForUpdate(replaced, old, '');
  assert.equal(replaced.spec.clusterIP, '10.43.0.5');
  assert.equal(replaced.spec.ports[0].nodePort, 30080);
  assert.deepEqual(strategyFor(svcInfo).validateUpdate(replaced, old, ''), []);
});

test('QoS classes', () => {
  const pod = (resources: object[]) => ({ spec: { containers: resources.map((r, i) => ({ name: `c${i}`, resources: r })) } });
  assert.equal(podQOSClass(pod([{}])), 'BestEffort');
  assert.equal(podQOSClass(pod([{ requests: { cpu: '100m' } }])), 'Burstable');
  assert.equal(podQOSClass(pod([{ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } }])), 'Guaranteed');
  assert.equal(podQOSClass(pod([{ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m', memory: '1Gi' } }])), 'Burstable');
});

test('HPA v1 and v2 share storage and round-trip', () => {
  const v1 = info('autoscaling', 'horizontalpodautoscalers', 'v1');
  const v2 = info('autoscaling', 'horizontalpodautoscalers', 'v2');
  const hpa = applyDefaults(v1, {
    apiVersion: 'autoscaling/v1',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'h', namespace: 'default' },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 5, targetCPUUtilizationPercentage: 50 },
  } as KubeObject);
  const stored = convertForStorage(v1, hpa) as any;
  assert.equal(stored.apiVersion, 'autoscaling/v2');
  assert.deepEqual(stored.spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }]);
  assert.equal(stored.spec.minReplicas, 1);
  assert.deepEqual(convertFromStorage(v1, stored), hpa);
  assert.equal(convertFromStorage(v2, stored), stored);
  stored.spec.metrics.push({ type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } });
  const asV1 = convertFromStorage(v1, stored) as any;
  assert.equal(asV1.spec.targetCPUUtilizationPercentage, 50);
  assert.ok(asV1.metadata.annotations['autoscaling.alpha.kubernetes.io/metrics']);
  assert.deepEqual(convertForStorage(v1, asV1), stored);
});

test('core and events.k8s.io events share storage', () => {
  const ev = info('events.k8s.io', 'events');
  const obj = { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'e', namespace: 'default' }, regarding: { kind: 'Pod', name: 'p' }, note: 'hello', reason: 'Started', type: 'Normal', reportingController: 'kubelet', reportingInstance: 'n1', eventTime: '2026-01-01T00:00:00.000000Z', action: 'Start' };
  const stored = convertForStorage(ev, obj as KubeObject) as any;
  assert.equal(stored.apiVersion, 'v1');
  assert.deepEqual(stored.involvedObject, { kind: 'Pod', name: 'p' });
  assert.equal(stored.message, 'hello');
  assert.equal(stored.reportingComponent, 'kubelet');
  assert.deepEqual(convertFromStorage(ev, stored), obj);
});

test('namespaces: spec.finalizers change only through finalize', () => {
  const i = info('', 'namespaces');
  const old = created('', 'namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } });
  old.metadata.resourceVersion = '4';
  const emptied = structuredClone(old);
  emptied.spec.finalizers = [];
  const viaUpdate = structuredClone(emptied);
  strategyFor(i).prepareForUpdate(viaUpdate, old, '');
  assert.deepEqual(viaUpdate.spec.finalizers, ['kubernetes']);
  strategyFor(i).prepareForUpdate(emptied, old, 'finalize');
  assert.deepEqual(emptied.spec.finalizers, []);
  assert.deepEqual(strategyFor(i).validateUpdate(emptied, old, 'finalize'), []);
});

test('pod conditions written through status carry lastProbeTime: null as kube serialises them', () => {
  const i = info('', 'pods');
  const old = created('', 'pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'a', image: 'busybox' }] } });
  const update = structuredClone(old);
  update.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }, { type: 'PodScheduled', status: 'True', lastProbeTime: '2026-01-01T00:00:00Z' }] };
  strategyFor(i).prepareForUpdate(update, old, 'status');
  assert.deepEqual(update.status.conditions.map((c: Record<string, unknown>) => c.lastProbeTime), [null, '2026-01-01T00:00:00Z']);
});

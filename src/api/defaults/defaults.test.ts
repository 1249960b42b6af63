import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyDefaults, imageTag } from './index.js';
import { lookupResource } from '../registry.js';
import type { KubeObject } from '../object.js';

const info = (group: string, version: string, resource: string) => lookupResource(group, version, resource)!;
const defaulted = (group: string, version: string, resource: string, obj: object) => applyDefaults(info(group, version, resource), obj as KubeObject) as any;

test('pods get kube-apiserver defaults, pull policy by tag', () => {
  const pod = defaulted('', 'v1', 'pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p' },
    spec: {
      containers: [
        { name: 'a', image: 'nginx', ports: [{ containerPort: 80 }], readinessProbe: { httpGet: { port: 80 } }, resources: { limits: { cpu: '1' } } },
        { name: 'b', image: 'nginx:1.25' },
        { name: 'c', image: 'nginx:latest' },
        { name: 'd', image: 'registry:5000/x@sha256:abc' },
      ],
      volumes: [{ name: 'v' }, { name: 's', secret: { secretName: 's' } }],
    },
  });
  assert.deepEqual(
    pod.spec.containers.map((c: any) => c.imagePullPolicy),
    ['Always', 'IfNotPresent', 'Always', 'IfNotPresent'],
  );
  const a = pod.spec.containers[0];
  assert.equal(a.terminationMessagePath, '/dev/termination-log');
  assert.equal(a.terminationMessagePolicy, 'File');
  assert.equal(a.ports[0].protocol, 'TCP');
  assert.deepEqual(a.readinessProbe, { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  assert.deepEqual(a.resources.requests, { cpu: '1' });
  assert.equal(pod.spec.restartPolicy, 'Always');
  assert.equal(pod.spec.dnsPolicy, 'ClusterFirst');
  assert.equal(pod.spec.terminationGracePeriodSeconds, 30);
  assert.equal(pod.spec.schedulerName, 'default-scheduler');
  assert.deepEqual(pod.spec.securityContext, {});
  assert.equal(pod.spec.enableServiceLinks, true);
  assert.deepEqual(pod.spec.volumes, [{ name: 'v', emptyDir: {} }, { name: 's', secret: { secretName: 's', defaultMode: 420 } }]);
  assert.equal(imageTag('localhost:5000/app'), 'latest');
});

test('workload defaults', () => {
  const d = defaulted('apps', 'v1', 'deployments', { metadata: { name: 'd' }, spec: { template: { spec: { containers: [{ name: 'a', image: 'x:1' }] } } } });
  assert.equal(d.spec.replicas, 1);
  assert.deepEqual(d.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.equal(d.spec.revisionHistoryLimit, 10);
  assert.equal(d.spec.progressDeadlineSeconds, 600);
  assert.equal(d.spec.template.spec.restartPolicy, 'Always');
  assert.equal(d.spec.template.spec.enableServiceLinks, undefined);

  const rc = defaulted('', 'v1', 'replicationcontrollers', { metadata: { name: 'rc' }, spec: { template: { metadata: { labels: { app: 'x' } }, spec: {} } } });
  assert.deepEqual(rc.spec.selector, { app: 'x' });
  assert.deepEqual(rc.metadata.labels, { app: 'x' });
  assert.equal(rc.spec.replicas, 1);

  const job = defaulted('batch', 'v1', 'jobs', { metadata: { name: 'j' }, spec: { template: { spec: { restartPolicy: 'Never' } } } });
  assert.equal(job.spec.completions, 1);
  assert.equal(job.spec.parallelism, 1);
  assert.equal(job.spec.backoffLimit, 6);
  assert.equal(job.spec.completionMode, 'NonIndexed');
  assert.equal(job.spec.suspend, false);
  assert.equal(job.spec.template.spec.restartPolicy, 'Never');

  const cj = defaulted('batch', 'v1', 'cronjobs', { metadata: { name: 'c' }, spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: {} } } } } });
  assert.equal(cj.spec.concurrencyPolicy, 'Allow');
  assert.equal(cj.spec.successfulJobsHistoryLimit, 3);
  assert.equal(cj.spec.failedJobsHistoryLimit, 1);
  assert.equal(cj.spec.suspend, false);
  assert.equal(cj.spec.jobTemplate.spec.backoffLimit, undefined);

  const ds = defaulted('apps', 'v1', 'daemonsets', { metadata: { name: 'd' }, spec: {} });
  assert.deepEqual(ds.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  const sts = defaulted('apps', 'v1', 'statefulsets', { metadata: { name: 's' }, spec: {} });
  assert.deepEqual(sts.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
  assert.equal(sts.spec.podManagementPolicy, 'OrderedReady');
});

test('service, namespace, secret, volume defaults', () => {
  const svc = defaulted('', 'v1', 'services', { metadata: { name: 's' }, spec: { ports: [{ port: 80 }] } });
  assert.equal(svc.spec.type, 'ClusterIP');
  assert.equal(svc.spec.sessionAffinity, 'None');
  assert.deepEqual(svc.spec.ports, [{ port: 80, protocol: 'TCP', targetPort: 80 }]);
  assert.equal(svc.spec.internalTrafficPolicy, 'Cluster');
  assert.deepEqual(svc.spec.ipFamilies, ['IPv4']);
  assert.equal(svc.spec.externalTrafficPolicy, undefined);
  const np = defaulted('', 'v1', 'services', { metadata: { name: 's' }, spec: { type: 'NodePort', ports: [{ port: 80, targetPort: 'http' }] } });
  assert.equal(np.spec.externalTrafficPolicy, 'Cluster');
  assert.equal(np.spec.ports[0].targetPort, 'http');
  const ns = defaulted('', 'v1', 'namespaces', { metadata: { name: 'team' } });
  assert.deepEqual(ns.metadata.labels, { 'kubernetes.io/metadata.name': 'team' });
  assert.equal(ns.status.phase, 'Active');
  assert.equal(defaulted('', 'v1', 'secrets', { metadata: { name: 's' } }).type, 'Opaque');
  const pv = defaulted('', 'v1', 'persistentvolumes', { metadata: { name: 'pv' }, spec: {} });
  assert.equal(pv.spec.persistentVolumeReclaimPolicy, 'Retain');
  assert.equal(pv.spec.volumeMode, 'Filesystem');
  assert.equal(pv.status.phase, 'Pending');
  const hpa = defaulted('autoscaling', 'v2', 'horizontalpodautoscalers', { metadata: { name: 'h' }, spec: { maxReplicas: 3 } });
  assert.equal(hpa.spec.minReplicas, 1);
  assert.equal(hpa.spec.metrics[0].resource.target.averageUtilization, 80);
});

test('resource quantities are kept at milli precision in canonical form', () => {
  const pod = defaulted('', 'v1', 'pods', {
    metadata: { name: 'p' },
    spec: { containers: [{ name: 'a', image: 'x', resources: { limits: { cpu: '1000m', memory: '1.5Gi' }, requests: { cpu: 0.0001, 'ephemeral-storage': 'bad' } } }] },
  });
  assert.deepEqual(pod.spec.containers[0].resources, { limits: { cpu: '1', memory: '1536Mi' }, requests: { cpu: '1m', memory: '1536Mi', 'ephemeral-storage': 'bad' } });
  const pvc = defaulted('', 'v1', 'persistentvolumeclaims', { metadata: { name: 'c' }, spec: { resources: { requests: { storage: '1024Mi' } } } });
  assert.equal(pvc.spec.resources.requests.storage, '1Gi');
  const node = defaulted('', 'v1', 'nodes', { metadata: { name: 'n' }, status: { capacity: { cpu: 4, memory: '8192Mi', pods: '110' } } });
  assert.deepEqual(node.status.allocatable, { cpu: '4', memory: '8Gi', pods: '110' });
});

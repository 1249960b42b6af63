import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allResources, apiGroups, lookupByName, lookupKind, lookupResource, resourcesIn, storageInfo, storagePeers, subresourcesOf } from './registry.js';

test('groups are listed core first, then in kube-apiserver priority order with preferred versions first', () => {
  assert.deepEqual(
    apiGroups().map((g) => `${g.name}:${g.versions.join('+')}>${g.preferredVersion}`),
    [
      ':v1>v1',
      'apps:v1>v1',
      'events.k8s.io:v1>v1',
      'autoscaling:v2+v1>v2',
      'batch:v1>v1',
      'networking.k8s.io:v1>v1',
      'policy:v1>v1',
      'rbac.authorization.k8s.io:v1>v1',
      'storage.k8s.io:v1>v1',
      'scheduling.k8s.io:v1>v1',
      'coordination.k8s.io:v1>v1',
      'discovery.k8s.io:v1>v1',
    ],
  );
});

test('short names resolve as kubectl resolves them', () => {
  const expect: Record<string, string> = {
    po: 'pods', svc: 'services', deploy: 'apps/deployments', rs: 'apps/replicasets', rc: 'replicationcontrollers', ds: 'apps/daemonsets',
    sts: 'apps/statefulsets', cj: 'batch/cronjobs', ns: 'namespaces', no: 'nodes', ev: 'events', cm: 'configmaps', sa: 'serviceaccounts',
    ep: 'endpoints', pv: 'persistentvolumes', pvc: 'persistentvolumeclaims', quota: 'resourcequotas', limits: 'limitranges',
    ing: 'networking.k8s.io/ingresses', netpol: 'networking.k8s.io/networkpolicies', hpa: 'autoscaling/horizontalpodautoscalers',
    pdb: 'policy/poddisruptionbudgets', pc: 'scheduling.k8s.io/priorityclasses', sc: 'storage.k8s.io/storageclasses',
    ingressclass: 'networking.k8s.io/ingressclasses', job: 'batch/jobs', 'Deployment': 'apps/deployments', 'events.events.k8s.io': 'events.k8s.io/events',
  };
  for (const [name, want] of Object.entries(expect)) {
    const info = lookupByName(name);
    assert.ok(info, name);
    assert.equal(info.group ? `${info.group}/${info.resource}` : info.resource, want, name);
  }
  assert.equal(lookupByName('hpa')?.version, 'v2');
  assert.equal(lookupByName('hpa.v1.autoscaling')?.version, 'v1');
  assert.equal(lookupByName('pods.v1')?.resource, 'pods');
  assert.equal(lookupByName('deployments.v1.apps')?.group, 'apps');
  assert.equal(lookupByName('ev')?.group, '');
  assert.equal(lookupByName('foos'), undefined);
});

test('scope, categories, verbs and subresources match discovery', () => {
  const pods = lookupResource('', 'v1', 'pods')!;
  assert.equal(pods.namespaced, true);
  assert.deepEqual(pods.categories, ['all']);
  assert.deepEqual(pods.verbs, ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']);
  assert.deepEqual(
    subresourcesOf(pods).map((s) => `${s.subresource}:${s.group}/${s.version}/${s.kind}:${s.verbs.join(',')}`),
    [
      'attach:/v1/PodAttachOptions:create,get',
      'binding:/v1/Binding:create',
      'eviction:policy/v1/Eviction:create',
      'exec:/v1/PodExecOptions:create,get',
      'log:/v1/Pod:get',
      'portforward:/v1/PodPortForwardOptions:create,get',
      'proxy:/v1/PodProxyOptions:create,delete,get,patch,update',
      'status:/v1/Pod:get,patch,update',
    ],
  );
  assert.deepEqual(lookupResource('', 'v1', 'namespaces')!.verbs, ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']);
  assert.deepEqual(subresourcesOf(lookupResource('', 'v1', 'namespaces')!).map((s) => `${s.subresource}:${s.verbs.join(',')}`), ['finalize:update', 'status:get,patch,update']);
  assert.equal(lookupResource('', 'v1', 'nodes')!.namespaced, false);
  for (const [g, r] of [['apps', 'deployments'], ['apps', 'replicasets'], ['apps', 'statefulsets'], ['', 'replicationcontrollers']] as const) {
    const scale = subresourcesOf(lookupResource(g, 'v1', r)!).find((s) => s.subresource === 'scale');
    assert.deepEqual(scale && [scale.group, scale.version, scale.kind], ['autoscaling', 'v1', 'Scale'], r);
  }
  assert.equal(lookupResource('apps', 'v1', 'daemonsets')!.subresources.scale, undefined);
  assert.deepEqual(subresourcesOf(lookupResource('', 'v1', 'serviceaccounts')!).map((s) => s.subresource), ['token']);
  assert.deepEqual(subresourcesOf(lookupResource('', 'v1', 'configmaps')!), []);
  const inAll = allResources().filter((r) => r.categories.includes('all')).map((r) => r.resource);
  assert.deepEqual(
    [...new Set(inAll)].sort(),
    ['cronjobs', 'daemonsets', 'deployments', 'horizontalpodautoscalers', 'jobs', 'pods', 'replicasets', 'replicationcontrollers', 'services', 'statefulsets'],
  );
});

test('kinds resolve per group/version; versions sharing storage know each other', () => {
  assert.equal(lookupKind('apps', 'v1', 'Deployment')?.resource, 'deployments');
  assert.equal(lookupKind('apps', 'v1', 'Pod'), undefined);
  const v1 = lookupResource('autoscaling', 'v1', 'horizontalpodautoscalers')!;
  const v2 = lookupResource('autoscaling', 'v2', 'horizontalpodautoscalers')!;
  assert.equal(v1.storageResource, v2.storageResource);
  assert.equal(storageInfo(v1), v2);
  assert.deepEqual(storagePeers(v2), [v1]);
  const coreEvents = lookupResource('', 'v1', 'events')!;
  assert.equal(storageInfo(lookupResource('events.k8s.io', 'v1', 'events')!), coreEvents);
  const keys = new Set<string>();
  for (const r of allResources()) if (r.storageVersion) {
    assert.ok(!keys.has(r.storageResource), `two storage versions for ${r.storageResource}`);
    keys.add(r.storageResource);
  }
  assert.deepEqual(resourcesIn('batch', 'v1').map((r) => r.resource), ['cronjobs', 'jobs']);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SchedulerCache } from './cache.js';
import { PodInfo } from './node-info.js';
import { makeNode, makePod } from './testing.js';

test('an assumed pod takes resources until the bind is confirmed or forgotten', () => {
  const cache = new SchedulerCache();
  cache.setNode(makeNode('n', { cpu: '2' }));
  const pod = makePod('p', { cpu: '1500m' });
  const pi = new PodInfo(pod);
  cache.assume(pi, 'n');
  assert.equal(cache.get('n')!.free('cpu'), 500);
  assert.ok(cache.isAssumed(pi.key));
  cache.forget(pi.key);
  assert.equal(cache.get('n')!.free('cpu'), 2000);
  cache.assume(pi, 'n');
  cache.setPod({ ...pod, spec: { ...pod.spec, nodeName: 'n' } });
  assert.equal(cache.isAssumed(pi.key), false, 'confirmed by the watch');
  cache.forget(pi.key);
  assert.equal(cache.get('n')!.free('cpu'), 500, 'a confirmed pod is not forgotten');
  cache.removePod(pod);
  assert.equal(cache.get('n')!.free('cpu'), 2000);
});

test('pods bound to a node seen later are accounted when it arrives; image counts follow nodes', () => {
  const cache = new SchedulerCache();
  const pod = makePod('p', { cpu: '1' });
  pod.spec.nodeName = 'late';
  cache.setPod(pod);
  cache.setNode(makeNode('late', { cpu: '4', images: [{ names: ['nginx'], sizeBytes: 1 }] }));
  assert.equal(cache.get('late')!.free('cpu'), 3000);
  assert.equal(cache.get('late')!.requested.pods, 1);
  assert.equal(cache.imageNodeCount('nginx:latest'), 1);
  cache.removeNode('late');
  assert.equal(cache.imageNodeCount('nginx:latest'), 0);
  assert.equal(cache.nodes.length, 0);
});

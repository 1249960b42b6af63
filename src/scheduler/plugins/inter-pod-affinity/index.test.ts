import { test } from 'node:test';
import assert from 'node:assert/strict';
import { schedulePod } from '../../algorithm.js';
import { PodInfo } from '../../node-info.js';
import { makeCache, makeFramework, makeNode, makePod } from '../../testing.js';

test('preferred pod affinity pulls toward the matching pod, preferred anti-affinity pushes away', () => {
  const fw = makeFramework();
  const nodes = ['a', 'b', 'c'].map((n) => makeNode(n));
  const cache = (pod = makePod('cache', { labels: { app: 'cache' } })) => {
    pod.spec.nodeName = 'b';
    return makeCache(nodes, [pod]);
  };
  const term = { weight: 100, podAffinityTerm: { labelSelector: { matchLabels: { app: 'cache' } }, topologyKey: 'kubernetes.io/hostname' } };
  for (let i = 0; i < 5; i++) {
    assert.equal(schedulePod(fw, cache(), new PodInfo(makePod('near', { affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [term] } } }))).host, 'b');
    assert.notEqual(schedulePod(fw, cache(), new PodInfo(makePod('far', { affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [term] } } }))).host, 'b');
  }
});

test('anti-affinity by zone and namespaces: terms only see pods in their namespaces', () => {
  const fw = makeFramework();
  const nodes = [makeNode('a', { labels: { zone: 'z1' } }), makeNode('b', { labels: { zone: 'z1' } }), makeNode('c', { labels: { zone: 'z2' } })];
  const other = makePod('db', { namespace: 'other', labels: { app: 'db' } });
  other.spec.nodeName = 'c';
  const mine = makePod('db', { labels: { app: 'db' } });
  mine.spec.nodeName = 'a';
  const anti = (namespaces?: string[]) =>
    makePod('p', { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'zone', namespaces }] } } });
  assert.equal(schedulePod(fw, makeCache(nodes, [other, mine]), new PodInfo(anti())).host, 'c', 'own namespace only: zone z1 is taken');
  assert.equal(schedulePod(fw, makeCache(nodes, [other, mine]), new PodInfo(anti(['default', 'other']))).host, undefined);
});

test('namespaceSelector terms look at the namespaces whose labels match', () => {
  const fw = makeFramework({}, { namespaceLabels: (ns): Record<string, string> => (ns === 'team-a' ? { team: 'a' } : {}) });
  const nodes = [makeNode('n1'), makeNode('n2')];
  const db = makePod('db', { namespace: 'team-a', labels: { app: 'db' } });
  db.spec.nodeName = 'n1';
  const pod = makePod('p', {
    affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, namespaceSelector: { matchLabels: { team: 'a' } }, topologyKey: 'kubernetes.io/hostname' }] } },
  });
  assert.equal(schedulePod(fw, makeCache(nodes, [db]), new PodInfo(pod)).host, 'n1');
  const other = makeFramework({}, { namespaceLabels: () => ({}) });
  assert.equal(schedulePod(other, makeCache(nodes, [db]), new PodInfo(pod)).host, undefined, 'team-a no longer selected');
});

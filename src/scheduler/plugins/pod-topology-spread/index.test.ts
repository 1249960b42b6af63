import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectorFromSet } from '../../../api/index.js';
import { schedulePod } from '../../algorithm.js';
import { PodInfo } from '../../node-info.js';
import { makeCache, makeFramework, makeNode, makePod } from '../../testing.js';
import type { Pod } from '../../types.js';

test('ScheduleAnyway constraints and the default constraints prefer the emptier domain', () => {
  const nodes = ['a', 'b', 'c'].map((n) => makeNode(n));
  const placed: Pod[] = [];
  const fw = makeFramework({}, { defaultSpreadSelector: (pod) => (pod.metadata.labels?.app === 'web' ? selectorFromSet({ app: 'web' }) : undefined) });
  for (let i = 0; i < 9; i++) {
    const pod = makePod(`web-${i}`, { labels: { app: 'web' } });
    pod.spec.nodeName = schedulePod(fw, makeCache(nodes, placed), new PodInfo(pod)).host;
    placed.push(pod);
  }
  assert.deepEqual(['a', 'b', 'c'].map((n) => placed.filter((p) => p.spec.nodeName === n).length), [3, 3, 3]);
});

test('minDomains: fewer domains than required count as a global minimum of 0', () => {
  const nodes = [makeNode('a', { labels: { zone: 'z1' } }), makeNode('b', { labels: { zone: 'z1' } })];
  const existing = makePod('e', { labels: { app: 'x' } });
  existing.spec.nodeName = 'a';
  const pod = makePod('p', {
    labels: { app: 'x' },
    topologySpreadConstraints: [{ maxSkew: 1, minDomains: 2, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'x' } } }],
  });
  const r = schedulePod(makeFramework(), makeCache(nodes, [existing]), new PodInfo(pod));
  assert.equal(r.host, undefined, 'skew would be 2 against a minimum of 0');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CycleState, Code, type Status } from '../../framework.js';
import { PodInfo } from '../../node-info.js';
import { makeCache, makeFramework, makeNode, makePod } from '../../testing.js';
import { pickCandidate, selectVictims } from './index.js';

function running(name: string, cpu: string, priority: number, node = 'n') {
  const p = makePod(name, { cpu, priority });
  p.spec.nodeName = node;
  return p;
}

test('victims are the fewest lower-priority pods whose removal makes room, most important kept', () => {
  const fw = makeFramework();
  const cache = makeCache([makeNode('n', { cpu: '4' })], [running('low-a', '1', 1), running('low-b', '2', 2), running('high', '1', 1000)]);
  const pod = new PodInfo(makePod('p', { cpu: '2', priority: 100 }));
  const handle = { framework: () => fw } as never;
  const { victims } = selectVictims(handle, pod, cache.get('n')!, cache);
  // Reprieve tries low-b first (more important) but it must go; then low-a fits back: 4 - 1 (high) - 1 (low-a) leaves 2.
  assert.deepEqual(victims!.map((v) => v.pod.metadata.name), ['low-b']);
  const none = selectVictims(handle, new PodInfo(makePod('q', { cpu: '8', priority: 100 })), cache.get('n')!, cache);
  assert.equal(none.status?.code, Code.UnschedulableAndUnresolvable);
});

test('candidates: lowest highest-victim priority, then fewest victims', () => {
  const v = (name: string, priority: number) => new PodInfo(makePod(name, { priority }));
  assert.equal(pickCandidate([{ node: 'a', victims: [v('x', 10)] }, { node: 'b', victims: [v('y', 5), v('z', 5)] }]).node, 'b');
  assert.equal(pickCandidate([{ node: 'a', victims: [v('x', 5), v('w', 5)] }, { node: 'b', victims: [v('y', 5)] }]).node, 'b');
});

test('no lower-priority pods anywhere: the preemption message of kube-scheduler', async () => {
  const fw = makeFramework();
  const cache = makeCache([makeNode('n', { cpu: '1' })], [running('same', '1', 0)]);
  const pod = new PodInfo(makePod('p', { cpu: '1' }));
  const statuses = new Map<string, Status>([['n', fw.runFilter(new CycleState(), pod, cache.get('n')!)!]]);
  const result = await fw.runPostFilter(new CycleState(), pod, cache, statuses);
  assert.equal(result?.status.message, 'preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.');
  const never = new PodInfo(makePod('n', { cpu: '1', priority: 5, preemptionPolicy: 'Never' }));
  assert.equal((await fw.runPostFilter(new CycleState(), never, cache, statuses))?.status.message, 'preemption: not eligible due to preemptionPolicy=Never.');
});

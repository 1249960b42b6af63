import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PodInfo } from './node-info.js';
import { SchedulingQueue } from './queue.js';
import { makePod } from './testing.js';

test('higher priority first, then first come first served', async () => {
  const q = new SchedulingQueue();
  try {
    q.add(new PodInfo(makePod('low-1', { priority: 0 })));
    q.add(new PodInfo(makePod('high', { priority: 100 })));
    q.add(new PodInfo(makePod('low-2', { priority: 0 })));
    const order = [];
    for (let i = 0; i < 3; i++) order.push((await q.pop())!.info.pod.metadata.name);
    assert.deepEqual(order, ['high', 'low-1', 'low-2']);
  } finally {
    q.close();
  }
});

test('an unschedulable pod waits for an event that can help it, then its backoff', async () => {
  const q = new SchedulingQueue();
  try {
    q.add(new PodInfo(makePod('p')));
    const first = (await q.pop())!;
    q.addUnschedulable(first, new Set(['NodeAffinity']));
    assert.deepEqual(q.sizes(), { active: 0, backoff: 0, unschedulable: 1, inFlight: 0 });
    q.onEvent('AssignedPodDelete');
    assert.equal(q.sizes().unschedulable, 1, 'a deleted pod does not help a node-affinity failure');
    q.onEvent('NodeUpdate');
    assert.equal(q.sizes().unschedulable, 0);
    const t0 = Date.now();
    const again = (await q.pop())!;
    assert.equal(again.attempts, 2);
    assert.ok(Date.now() - t0 >= 700, 'waited out the 1 s backoff');
  } finally {
    q.close();
  }
});

test('an event during the attempt sends the failed pod to backoff instead of parking it', async () => {
  const q = new SchedulingQueue();
  try {
    q.add(new PodInfo(makePod('p')));
    const popped = (await q.pop())!;
    q.onEvent('NodeAdd');
    q.addUnschedulable(popped, new Set(['NodeResourcesFit']));
    assert.deepEqual(q.sizes(), { active: 0, backoff: 1, unschedulable: 0, inFlight: 0 });
    assert.equal(q.backoffMs(popped), 1000);
    popped.attempts = 10;
    assert.equal(q.backoffMs(popped), 10_000, 'capped at 10 s');
  } finally {
    q.close();
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue, ItemExponentialRateLimiter, BucketRateLimiter, runWorkers, MaxOfRateLimiter } from './workqueue.js';

test('an item added many times while queued is processed once', async () => {
  const q = new WorkQueue<string>();
  q.add('a');
  q.add('b');
  q.add('a');
  assert.equal(q.len(), 2);
  assert.equal(await q.get(), 'a');
  assert.equal(await q.get(), 'b');
  assert.equal(q.len(), 0);
});

test('an item re-added while processing is not handed out again until done', async () => {
  const q = new WorkQueue<string>();
  q.add('a');
  const first = await q.get();
  q.add('a');
  assert.equal(q.len(), 0, 'must not be queued while a worker holds it');
  let second: string | undefined;
  void q.get().then((v) => (second = v));
  await new Promise((r) => setImmediate(r));
  assert.equal(second, undefined);
  q.done(first!);
  await new Promise((r) => setImmediate(r));
  assert.equal(second, 'a');
});

test('workers never sync the same key concurrently', async () => {
  const q = new WorkQueue<string>();
  const active = new Set<string>();
  let overlaps = 0;
  let runs = 0;
  const done = runWorkers(q, 4, async (key) => {
    if (active.has(key)) overlaps++;
    active.add(key);
    runs++;
    await new Promise((r) => setTimeout(r, 5));
    active.delete(key);
  });
  for (let i = 0; i < 50; i++) {
    q.add(`k${i % 3}`);
    await new Promise((r) => setTimeout(r, 1));
  }
  await new Promise((r) => setTimeout(r, 50));
  q.shutdown();
  await done;
  assert.equal(overlaps, 0);
  assert.ok(runs >= 3);
});

test('failures requeue with per-item exponential backoff and forget resets it', () => {
  const limiter = new ItemExponentialRateLimiter<string>(5, 1_000_000);
  assert.deepEqual([limiter.when('x'), limiter.when('x'), limiter.when('x'), limiter.when('x')], [5, 10, 20, 40]);
  assert.equal(limiter.when('y'), 5);
  assert.equal(limiter.numRequeues('x'), 4);
  for (let i = 0; i < 40; i++) limiter.when('x');
  assert.equal(limiter.when('x'), 1_000_000, 'capped at 1000 s');
  limiter.forget('x');
  assert.equal(limiter.when('x'), 5);
});

test('the overall bucket allows a burst then paces at qps', () => {
  let now = 1_000;
  const clock = (): number => now;
  const bucket = new BucketRateLimiter<string>(10, 100, clock);
  for (let i = 0; i < 100; i++) assert.equal(bucket.when(), 0);
  assert.equal(bucket.when(), 100, 'the 101st waits one token (1/10 s)');
  assert.equal(bucket.when(), 200, 'and the next one behind it');
  now += 300;
  assert.equal(bucket.when(), 0, 'refilled after 0.3 s');
  const max = new MaxOfRateLimiter<string>(new ItemExponentialRateLimiter(5, 1000), new BucketRateLimiter(10, 1, clock));
  assert.equal(max.when('a'), 5);
  assert.equal(max.when('a'), 100);
});

test('addRateLimited delivers the item after its backoff; sync errors requeue', async () => {
  const q = new WorkQueue<string>();
  let calls = 0;
  const done = runWorkers(q, 1, async () => {
    calls++;
    if (calls < 3) throw new Error('transient');
  }, 'test');
  const prevQuiet = process.env.SKIFF_QUIET;
  process.env.SKIFF_QUIET = '1';
  q.add('a');
  await new Promise((r) => setTimeout(r, 100));
  process.env.SKIFF_QUIET = prevQuiet;
  q.shutdown();
  await done;
  assert.equal(calls, 3);
  assert.equal(q.numRequeues('a'), 0, 'forgotten after success');
});

test('addAfter keeps the earliest time and shutdown releases waiting getters', async () => {
  const q = new WorkQueue<string>();
  q.addAfter('a', 10_000);
  q.addAfter('a', 10);
  const got = await q.get();
  assert.equal(got, 'a');
  q.done('a');
  const pending = q.get();
  q.shutdown();
  assert.equal(await pending, undefined);
  q.add('b');
  assert.equal(q.len(), 0, 'adds after shutdown are ignored');
});

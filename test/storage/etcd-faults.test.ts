// A 3-member etcd cluster under member loss: one member down keeps the store writable, two down
// make writes fail with UnavailableError, service resumes when they return, and nothing
// acknowledged is lost; a watch fails over to a live member without gaps or duplicates.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { EtcdStore } from '../../src/storage/etcd/etcd-store.js';
import { UnavailableError, type WatchEvent } from '../../src/storage/store.js';
import { startEtcd } from './etcd-cluster.js';

const cluster = await startEtcd(3);
after(() => cluster.destroy());

test('one member down: writable; two down: UnavailableError; both back: writable, nothing acknowledged lost', async () => {
  const store = new EtcdStore({ endpoints: cluster.members.map((m) => m.clientUrl), requestTimeoutMs: 6000 });
  after(() => store.close());
  const acknowledged = new Map<string, string>();
  const write = async (key: string): Promise<void> => {
    const kv = await store.create(key, `value of ${key}`);
    assert.equal(kv.key, key);
    acknowledged.set(key, `value of ${key}`);
  };
  const start = await store.currentRevision();
  const events: WatchEvent[] = [];
  const watchErrors: Error[] = [];
  const watch = store.watch('/faults/', (e) => events.push(e), { fromRevision: start, onError: (err) => watchErrors.push(err) });
  after(() => watch.cancel());

  for (let i = 0; i < 20; i++) await write(`/faults/healthy-${i}`);

  // The store's first endpoint, where its calls and its watch stream go, dies.
  await cluster.kill(0);
  await cluster.waitHealthy([1, 2]);
  for (let i = 0; i < 20; i++) await write(`/faults/one-down-${i}`);
  const deadline = Date.now() + 30_000;
  while (events.length < acknowledged.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(watchErrors, []);
  assert.deepEqual(
    events.map((e) => e.kv.key),
    [...acknowledged.keys()],
    'the watch moved to a live member and saw every write once, in order',
  );

  await cluster.kill(1);
  const began = Date.now();
  await assert.rejects(store.create('/faults/no-quorum', 'x'), (err: unknown) => {
    assert.ok(err instanceof UnavailableError, `expected UnavailableError, got ${err}`);
    return true;
  });
  assert.ok(Date.now() - began < 15_000, 'the failure comes within the request timeout, not never');
  await assert.rejects(store.list('/faults/'), UnavailableError);

  cluster.restart(0);
  cluster.restart(1);
  await cluster.waitHealthy();
  for (let i = 0; i < 20; i++) await write(`/faults/recovered-${i}`);

  const stored = new Map((await store.list('/faults/')).items.map((kv) => [kv.key, kv.value]));
  for (const [key, value] of acknowledged) assert.equal(stored.get(key), value, `${key} was acknowledged`);
  // The refused write either never happened or happened whole; nothing else appeared.
  const extra = [...stored.keys()].filter((key) => !acknowledged.has(key));
  assert.ok(extra.every((key) => key === '/faults/no-quorum' && stored.get(key) === 'x'), `unexpected keys: ${extra}`);
});

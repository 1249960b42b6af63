// The client library against a small fake API server: REST verbs and errors, retries, informers
// (list, watch, resume, relist on 410), events aggregation, leader election.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { StatusError, type KubeObject } from '../../src/api/index.js';
import { RestClient, ResourceClient, Informer, EventRecorder, LeaderElector, refs, isNotFound, isConflict, labelIndexFunc, type CoreEvent, type Lease } from '../../src/client/index.js';
import { FakeApiServer } from './fake-apiserver.js';

process.env.SKIFF_QUIET = '1';
const server = new FakeApiServer();
let rest: RestClient;

before(async () => {
  await server.start();
  rest = new RestClient({ server: server.url, namespace: 'default' }, { maxRetries: 2 });
});
after(async () => {
  rest.close();
  await server.stop();
});

const pod = (name: string, labels: Record<string, string> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels }, spec: {} });
const waitFor = async (what: string, cond: () => boolean, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

test('CRUD through a resource client, with Status errors parsed', async () => {
  const pods = new ResourceClient(rest, refs.pods);
  const created = await pods.create(pod('crud'));
  assert.equal(created.metadata.namespace, 'default');
  const got = await pods.get('crud');
  assert.equal(got.metadata.uid, created.metadata.uid);
  await pods.update({ ...got, metadata: { ...got.metadata, labels: { a: '1' } } });
  await assert.rejects(pods.update(got), (err: unknown) => isConflict(err) && (err as StatusError).message.includes('the object has been modified'));
  const patched = await pods.patch('crud', { metadata: { labels: { b: '2' } } });
  assert.deepEqual(patched.metadata.labels, { a: '1', b: '2' });
  const list = await pods.list({ namespace: 'default' });
  assert.ok(list.items.some((p) => p.metadata.name === 'crud'));
  await pods.delete('crud', { gracePeriodSeconds: 0 });
  await assert.rejects(pods.get('crud'), (err: unknown) => isNotFound(err) && (err as StatusError).message === 'pods "crud" not found');
  const del = server.requests.findLast((r) => r.method === 'DELETE');
  assert.equal(JSON.parse(del!.body).gracePeriodSeconds, 0);
});

test('deleteCollection sends the selector and options on the collection path', async () => {
  const pods = new ResourceClient(rest, refs.pods);
  await pods.deleteCollection({ namespace: 'default', labelSelector: 'app=gone', gracePeriodSeconds: 0 }).catch(() => undefined);
  const req = server.requests.findLast((r) => r.method === 'DELETE');
  assert.equal(req!.url, '/api/v1/namespaces/default/pods?labelSelector=app%3Dgone');
  assert.equal(JSON.parse(req!.body).gracePeriodSeconds, 0);
});

test('non-Status error bodies get client-go generic messages', async () => {
  const local = new FakeApiServer();
  await local.start();
  const client = new RestClient({ server: local.url, namespace: 'default' }, { maxRetries: 0 });
  try {
    local.failWith = { code: 503, body: 'busy' };
    await assert.rejects(client.request({ path: '/api/v1/pods' }), (err: unknown) => err instanceof StatusError && err.reason === 'ServiceUnavailable' && err.message === 'the server is currently unable to handle the request');
    local.failWith = { code: 500, body: 'boom' };
    await assert.rejects(client.request({ path: '/api/v1/pods' }), /an error on the server \("boom"\) has prevented the request from succeeding/);
  } finally {
    client.close();
    await local.stop();
  }
});

test('requests retry while the server is not listening yet', async () => {
  const port = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  const late = new FakeApiServer();
  const client = new RestClient({ server: `http://127.0.0.1:${port}`, namespace: 'default' }, { maxRetries: 6 });
  try {
    const pending = new ResourceClient(client, refs.nodes).list();
    setTimeout(() => void late.start(port), 300);
    const list = await pending;
    assert.deepEqual(list.items, []);
  } finally {
    client.close();
    await late.stop();
  }
});

test('watch events are decoded whether a chunk holds many of them or splits one', async () => {
  const events = Array.from({ length: 300 }, (_, i) => JSON.stringify({ type: 'ADDED', object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: `w${i}`, resourceVersion: String(i) } } }) + '\n');
  const raw = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    const all = events.join('');
    const cut = Math.floor(all.length / 3) + 7;
    res.write(all.slice(0, cut));
    setTimeout(() => res.end(all.slice(cut)), 20);
  });
  await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
  const client = new RestClient({ server: `http://127.0.0.1:${(raw.address() as net.AddressInfo).port}`, namespace: 'default' }, { maxRetries: 0 });
  try {
    const names: string[] = [];
    await new Promise<void>((resolve, reject) =>
      client.watch({ path: '/api/v1/pods' }, { onEvent: (e) => names.push(String(e.object.metadata.name)), onClose: (err) => (err ? reject(err) : resolve()) }),
    );
    assert.equal(names.length, 300);
    assert.equal(names[299], 'w299');
  } finally {
    client.close();
    raw.close();
  }
});

test('an informer lists, watches, resumes after the watch ends and relists after 410', async () => {
  const collection = 'api/v1/pods';
  server.put(collection, pod('i1', { app: 'web' }));
  const informer = new Informer(new ResourceClient(rest, refs.pods), { namespace: 'default', indexers: { app: labelIndexFunc('app') } });
  const seen: string[] = [];
  informer.addEventHandler({
    add: (o) => seen.push(`add ${o.metadata.name}`),
    update: (_o, n) => seen.push(`update ${n.metadata.name}`),
    delete: (o) => seen.push(`delete ${o.metadata.name}`),
  });
  informer.start();
  try {
    await informer.waitForSync();
    assert.ok(seen.includes('add i1'));
    server.put(collection, pod('i2', { app: 'web' }));
    await waitFor('watch add', () => seen.includes('add i2'));
    assert.equal(informer.lister.byIndex('app', 'web').length, 2);
    server.put(collection, pod('i2', { app: 'db' }), 'MODIFIED');
    await waitFor('watch update', () => seen.includes('update i2'));
    assert.equal(informer.lister.byIndex('app', 'web').length, 1);

    // The server ends the watch: the informer re-watches from its last resourceVersion, missing nothing.
    server.closeWatches();
    server.put(collection, pod('i3'));
    await waitFor('add after re-watch', () => seen.includes('add i3'));

    // History is compacted and the stream dropped while an object is deleted: the re-watch gets 410,
    // the informer relists and reports the deletion it never saw as an event.
    server.remove(collection, 'default', 'i1');
    server.compact();
    const lastRv = informer.lastSyncResourceVersion();
    server.closeWatches();
    await waitFor('delete found by relist', () => seen.includes('delete i1'));
    assert.ok(Number(informer.lastSyncResourceVersion()) >= Number(lastRv));
    assert.equal(informer.lister.get('i1', 'default'), undefined);
    assert.equal(seen.filter((s) => s === 'add i2').length, 1, 'no duplicate adds after relist');

    const late: string[] = [];
    informer.addEventHandler({ add: (o) => late.push(String(o.metadata.name)) });
    assert.deepEqual(late.sort(), ['i2', 'i3'], 'a late handler gets the cached objects');
  } finally {
    informer.stop();
  }
});

test('events with the same object, reason and message are aggregated into one with a count', async () => {
  const recorder = new EventRecorder(rest, { component: 'default-scheduler' });
  const involved = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ev', namespace: 'default', uid: 'u1' } };
  recorder.event(involved, 'Warning', 'FailedScheduling', '0/1 nodes are available');
  recorder.event(involved, 'Warning', 'FailedScheduling', '0/1 nodes are available');
  recorder.event(involved, 'Warning', 'FailedScheduling', '0/1 nodes are available');
  recorder.event(involved, 'Normal', 'Scheduled', 'Successfully assigned default/ev to n1');
  await recorder.flush();
  const events = server.list('api/v1/events') as CoreEvent[];
  const failed = events.filter((e) => e.reason === 'FailedScheduling');
  assert.equal(failed.length, 1);
  assert.equal(failed[0].count, 3);
  assert.equal(failed[0].involvedObject.name, 'ev');
  assert.equal(failed[0].source.component, 'default-scheduler');
  assert.match(failed[0].metadata.name!, /^ev\.[0-9a-f]+$/);
  assert.equal(events.filter((e) => e.reason === 'Scheduled').length, 1);
});

test('leader election: one leader at a time, and a standby takes over when it stops', async () => {
  const timing = { leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 200 };
  const leading: string[] = [];
  const make = (id: string): LeaderElector =>
    new LeaderElector({
      rest,
      name: 'test-lock',
      identity: id,
      ...timing,
      onStartedLeading: () => leading.push(`start ${id}`),
      onStoppedLeading: () => leading.push(`stop ${id}`),
    });
  const a = make('a');
  const b = make('b');
  a.start();
  await waitFor('a leads', () => a.isLeader());
  b.start();
  await new Promise((r) => setTimeout(r, 600));
  assert.equal(b.isLeader(), false);
  assert.equal(b.currentLeader(), 'a');
  const lease = server.get('apis/coordination.k8s.io/v1/leases', 'kube-system', 'test-lock') as Lease;
  assert.equal(lease.spec.holderIdentity, 'a');
  assert.equal(lease.spec.leaseDurationSeconds, 3);
  await a.stop();
  await waitFor('b takes over after release', () => b.isLeader(), 3000);
  await b.stop();
  assert.deepEqual(leading, ['start a', 'stop a', 'start b', 'stop b']);
  const after = server.get('apis/coordination.k8s.io/v1/leases', 'kube-system', 'test-lock') as Lease;
  assert.equal(after.spec.leaseTransitions, 1);
});

test('a leader that cannot renew stops leading; a crashed leader is replaced after the lease duration', async () => {
  const timing = { leaseDurationMs: 2000, renewDeadlineMs: 1000, retryPeriodMs: 200 };
  const local = new FakeApiServer();
  await local.start();
  const client = new RestClient({ server: local.url, namespace: 'default' }, { maxRetries: 0 });
  let stopped = false;
  const a = new LeaderElector({ rest: client, name: 'l', identity: 'a', ...timing, onStartedLeading: () => {}, onStoppedLeading: () => (stopped = true) });
  try {
    a.start();
    await waitFor('a leads', () => a.isLeader());
    local.failWith = { code: 500, body: 'down' };
    await waitFor('a gives up', () => stopped, 3000);
    assert.equal(a.isLeader(), false);
    await a.stop();
    // a is gone without releasing; b waits out the lease from when it first saw it, then takes it.
    local.failWith = undefined;
    const lease = local.get('apis/coordination.k8s.io/v1/leases', 'kube-system', 'l') as Lease;
    local.put('apis/coordination.k8s.io/v1/leases', { ...lease, spec: { ...lease.spec, holderIdentity: 'a' } }, 'MODIFIED');
    const b = new LeaderElector({ rest: client, name: 'l', identity: 'b', ...timing, onStartedLeading: () => {} });
    const t0 = Date.now();
    b.start();
    await waitFor('b leads', () => b.isLeader(), 5000);
    assert.ok(Date.now() - t0 >= 1900, 'not before the lease expired');
    await b.stop();
  } finally {
    client.close();
    await local.stop();
  }
});

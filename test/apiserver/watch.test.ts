// Watches on the wire: replay from a resourceVersion, synthetic ADDED for RV 0, selector
// transitions, single-object watches, sendInitialEvents with the initial-events-end bookmark,
// timeoutSeconds, and 410 Expired for a resourceVersion older than the watch cache (after a restart,
// which must also keep every object).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { credentialsFrom, request, startTestServer, watch, type Credentials, type TestServer } from '../lib/index.js';

let server: TestServer;
let admin: Credentials;

before(async () => {
  server = await startTestServer();
  admin = credentialsFrom(server.kubeconfig);
});

after(async () => {
  await server?.stop();
});

const CM = '/api/v1/namespaces/default/configmaps';
const cm = (name: string, labels: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data: { a: 'b' } });

describe('watch', { concurrency: true }, () => {
  it('replays changes after a resourceVersion, in order, with the final state on DELETED', async () => {
    const created = await request(admin, 'POST', CM, { body: cm('w-replay') });
    const rv = created.json.metadata.resourceVersion;
    await request(admin, 'PATCH', `${CM}/w-replay`, { body: { data: { a: 'c' } }, headers: { 'Content-Type': 'application/merge-patch+json' } });
    await request(admin, 'DELETE', `${CM}/w-replay`);
    const w = await watch(admin, `${CM}?watch=true&resourceVersion=${rv}&fieldSelector=metadata.name%3Dw-replay`);
    await w.waitFor(2);
    w.close();
    assert.deepEqual(w.events.map((e) => e.type), ['MODIFIED', 'DELETED']);
    assert.equal(w.events[1].object.data.a, 'c');
    assert.ok(Number(w.events[1].object.metadata.resourceVersion) > Number(w.events[0].object.metadata.resourceVersion));
  });

  it('resourceVersion 0 starts with ADDED for what exists, then live changes', async () => {
    await request(admin, 'POST', CM, { body: cm('w-zero-1', { w: 'zero' }) });
    const w = await watch(admin, `${CM}?watch=1&resourceVersion=0&labelSelector=w%3Dzero`);
    await w.waitFor(1);
    await request(admin, 'POST', CM, { body: cm('w-zero-2', { w: 'zero' }) });
    await w.waitFor(2);
    w.close();
    assert.deepEqual(w.events.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED w-zero-1', 'ADDED w-zero-2']);
  });

  it('objects entering and leaving a label selector are ADDED and DELETED', async () => {
    await request(admin, 'POST', CM, { body: cm('w-sel') });
    const w = await watch(admin, `${CM}?watch=true&labelSelector=team%3Dblue`);
    const label = (value: string | null) => request(admin, 'PATCH', `${CM}/w-sel`, { body: { metadata: { labels: { team: value } } }, headers: { 'Content-Type': 'application/merge-patch+json' } });
    await label('blue');
    await w.waitFor(1);
    await request(admin, 'PATCH', `${CM}/w-sel`, { body: { data: { x: 'y' } }, headers: { 'Content-Type': 'application/merge-patch+json' } });
    await w.waitFor(2);
    await label('red');
    await w.waitFor(3);
    w.close();
    assert.deepEqual(w.events.map((e) => e.type), ['ADDED', 'MODIFIED', 'DELETED']);
  });

  it('the legacy /watch/ path watches one object', async () => {
    await request(admin, 'POST', CM, { body: cm('w-legacy') });
    await request(admin, 'POST', CM, { body: cm('w-legacy-other') });
    const w = await watch(admin, '/api/v1/watch/namespaces/default/configmaps/w-legacy');
    await w.waitFor(1);
    await request(admin, 'DELETE', `${CM}/w-legacy-other`);
    await request(admin, 'DELETE', `${CM}/w-legacy`);
    await w.waitFor(2);
    w.close();
    assert.deepEqual(w.events.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED w-legacy', 'DELETED w-legacy']);
  });

  it('sendInitialEvents ends the initial state with an annotated BOOKMARK', async () => {
    await request(admin, 'POST', CM, { body: cm('w-initial', { w: 'initial' }) });
    const w = await watch(admin, `${CM}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&labelSelector=w%3Dinitial`);
    await w.waitFor(2);
    w.close();
    assert.equal(w.events[0].type, 'ADDED');
    assert.equal(w.events[1].type, 'BOOKMARK');
    assert.equal(w.events[1].object.kind, 'ConfigMap');
    assert.equal(w.events[1].object.metadata.annotations['k8s.io/initial-events-end'], 'true');
  });

  it('timeoutSeconds ends the stream', async () => {
    const w = await watch(admin, `${CM}?watch=true&timeoutSeconds=1`);
    const started = Date.now();
    await w.ended;
    assert.ok(Date.now() - started < 5000);
  });
});

describe('restart', () => {
  it('keeps every object; a resourceVersion from before the restart is 410 Expired', async () => {
    const created = await request(admin, 'POST', CM, { body: cm('survivor') });
    const oldRv = created.json.metadata.resourceVersion;
    await server.stop();
    server = await startTestServer({ dataDir: server.dataDir });
    admin = credentialsFrom(server.kubeconfig);
    const got = await request(admin, 'GET', `${CM}/survivor`);
    assert.equal(got.json.metadata.uid, created.json.metadata.uid);
    const w = await watch(admin, `${CM}?watch=true&resourceVersion=${Number(oldRv) - 1}`);
    await w.waitFor(1);
    await w.ended;
    assert.equal(w.events[0].type, 'ERROR');
    assert.equal(w.events[0].object.code, 410);
    assert.equal(w.events[0].object.reason, 'Expired');
    assert.match(w.events[0].object.message, /^too old resource version: \d+ \(\d+\)$/);
  });
});

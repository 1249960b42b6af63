// The API server's HTTP behaviour that clients rely on, checked on the wire: authentication,
// health and metrics, discovery negotiation, errors shaped as metav1.Status, object machinery
// (generateName, dryRun, optimistic concurrency, finalizers, graceful deletion), subresources
// (status, scale, binding, eviction), pagination, and bad input that must never hurt the server.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { decodeProtobufObject } from '../../src/api/index.js';
import { credentialsFrom, request, startTestServer, type Credentials, type TestServer } from '../lib/index.js';

let server: TestServer;
let admin: Credentials;
let anonymous: Credentials;

before(async () => {
  server = await startTestServer();
  admin = credentialsFrom(server.kubeconfig);
  anonymous = { server: admin.server, ca: admin.ca };
});

after(async () => {
  await server?.stop();
});

/** A GET whose body is kept as bytes (protobuf). */
function requestRaw(path: string, accept: string): Promise<{ status: number; contentType: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = https.request(new URL(path, admin.server), { headers: { Accept: accept }, ca: admin.ca, cert: admin.cert, key: admin.key, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type']), body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const cm = (name: string, extra: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...extra }, data: { a: 'b' } });
const pod = (name: string, spec: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec } });

describe('authentication and health', { concurrency: true }, () => {
  it('anonymous requests see only health and version', async () => {
    assert.equal((await request(anonymous, 'GET', '/healthz')).body, 'ok');
    assert.equal((await request(anonymous, 'GET', '/livez')).status, 200);
    assert.equal((await request(anonymous, 'GET', '/version')).json.gitVersion, 'v1.33.1+skiff');
    const denied = await request(anonymous, 'GET', '/api/v1/namespaces');
    assert.equal(denied.status, 401);
    assert.deepEqual(denied.json, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
  });

  it('bearer tokens: the join token (full k3s form or its secret) works, others get 401; /cacerts matches its hash', async () => {
    const token = fs.readFileSync(path.join(server.dataDir, 'server/token'), 'utf8').trim();
    const m = token.match(/^K10([0-9a-f]{64})::server:(.+)$/);
    assert.ok(m, token);
    assert.equal((await request({ ...anonymous, token }, 'GET', '/api/v1/namespaces/default')).status, 200);
    assert.equal((await request({ ...anonymous, token: m[2] }, 'GET', '/api/v1/namespaces/default')).status, 200);
    assert.equal((await request({ ...anonymous, token: 'wrong' }, 'GET', '/api/v1/namespaces/default')).status, 401);
    const ca = await request(anonymous, 'GET', '/cacerts');
    assert.equal(crypto.createHash('sha256').update(ca.body).digest('hex'), m[1]);
  });

  it('/readyz?verbose itemises checks; /metrics is Prometheus text', async () => {
    const ready = await request(admin, 'GET', '/readyz?verbose');
    assert.match(ready.body, /^\[\+\]ping ok$/m);
    assert.match(ready.body, /^\[\+\]etcd ok$/m);
    assert.match(ready.body, /readyz check passed/);
    const metrics = await request(admin, 'GET', '/metrics');
    assert.match(metrics.headers['content-type'] ?? '', /^text\/plain/);
    assert.match(metrics.body, /^apiserver_request_total\{verb="GET",resource="",code="200"\} \d+$/m);
    assert.match(metrics.body, /^apiserver_storage_objects\{resource="namespaces"\} 4$/m);
  });
});

describe('discovery', { concurrency: true }, () => {
  it('aggregated v2 and v2beta1 are labelled exactly; legacy otherwise', async () => {
    const v2 = await request(admin, 'GET', '/apis', { headers: { Accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' } });
    assert.equal(v2.headers['content-type'], 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    assert.equal(v2.json.kind, 'APIGroupDiscoveryList');
    const apps = v2.json.items.find((g: { metadata: { name: string } }) => g.metadata.name === 'apps');
    const deployments = apps.versions[0].resources.find((r: { resource: string }) => r.resource === 'deployments');
    assert.deepEqual(deployments.shortNames, ['deploy']);
    assert.deepEqual(deployments.categories, ['all']);
    assert.ok(deployments.subresources.some((s: { subresource: string; responseKind: { kind: string } }) => s.subresource === 'scale' && s.responseKind.kind === 'Scale'));
    const beta = await request(admin, 'GET', '/api', { headers: { Accept: 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json' } });
    assert.equal(beta.headers['content-type'], 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList');
    assert.equal(beta.json.apiVersion, 'apidiscovery.k8s.io/v2beta1');
    const legacy = await request(admin, 'GET', '/api');
    assert.equal(legacy.json.kind, 'APIVersions');
    const core = await request(admin, 'GET', '/api/v1');
    const eviction = core.json.resources.find((r: { name: string }) => r.name === 'pods/eviction');
    assert.deepEqual({ group: eviction.group, version: eviction.version, kind: eviction.kind }, { group: 'policy', version: 'v1', kind: 'Eviction' });
    assert.equal((await request(admin, 'GET', '/apis/apps')).json.preferredVersion.groupVersion, 'apps/v1');
  });

  it('protobuf answers only for clients that accept nothing else; lists then get 406', async () => {
    await request(admin, 'POST', '/api/v1/namespaces/default/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'proto' }, data: { k: 'v' } } });
    const proto = await requestRaw('/api/v1/namespaces/default/configmaps/proto', 'application/vnd.kubernetes.protobuf');
    assert.equal(proto.contentType, 'application/vnd.kubernetes.protobuf');
    const decoded = decodeProtobufObject(proto.body);
    assert.deepEqual({ name: decoded.metadata.name, data: decoded.data }, { name: 'proto', data: { k: 'v' } });
    const both = await requestRaw('/api/v1/namespaces/default/configmaps/proto', 'application/vnd.kubernetes.protobuf,application/json');
    assert.equal(both.contentType, 'application/json');
    assert.equal((await requestRaw('/api/v1/namespaces/default/configmaps', 'application/vnd.kubernetes.protobuf')).status, 406);
  });

  it('OpenAPI: v2 protobuf, v3 index and documents with caching headers', async () => {
    const v2 = await request(admin, 'GET', '/openapi/v2', { headers: { Accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' } });
    assert.equal(v2.status, 200);
    assert.ok(v2.body.length > 1000);
    const index = await request(admin, 'GET', '/openapi/v3');
    const url: string = index.json.paths['apis/apps/v1'].serverRelativeURL;
    const doc = await request(admin, 'GET', url);
    assert.equal(doc.status, 200);
    assert.equal(doc.headers['cache-control'], 'public, immutable');
    assert.ok(doc.json.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch);
  });
});

describe('errors', { concurrency: true }, () => {
  it('unknown resources and paths answer 404 Status', async () => {
    const r = await request(admin, 'GET', '/api/v1/namespaces/default/foos');
    assert.equal(r.status, 404);
    assert.equal(r.json.reason, 'NotFound');
    assert.equal((await request(admin, 'GET', '/nothing/here')).status, 404);
  });

  it('missing objects: exact NotFound message and details', async () => {
    const r = await request(admin, 'GET', '/apis/apps/v1/namespaces/default/deployments/nope');
    assert.deepEqual(r.json, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'deployments.apps "nope" not found', reason: 'NotFound', details: { name: 'nope', group: 'apps', kind: 'deployments' }, code: 404 });
  });

  it('bodies over 3 MiB get 413', async () => {
    const big = JSON.stringify(cm('big', {})).replace('"b"', JSON.stringify('x'.repeat(3 * 1024 * 1024)));
    const r = await request(admin, 'POST', '/api/v1/namespaces/default/configmaps', { body: big });
    assert.equal(r.status, 413);
    assert.equal(r.json.message, 'Request entity too large: limit is 3145728');
  });

  it('malformed JSON and YAML get 400 with the parse error', async () => {
    const j = await request(admin, 'POST', '/api/v1/namespaces/default/configmaps', { body: '{"kind": ' });
    assert.equal(j.status, 400);
    assert.match(j.json.message, /json parse error/);
    const y = await request(admin, 'POST', '/api/v1/namespaces/default/configmaps', { body: 'a: [', headers: { 'Content-Type': 'application/yaml' } });
    assert.equal(y.status, 400);
    assert.match(y.json.message, /^error converting YAML to JSON/);
    const t = await request(admin, 'POST', '/api/v1/namespaces/default/configmaps', { body: 'x', headers: { 'Content-Type': 'text/html' } });
    assert.equal(t.status, 415);
  });

  it('a body naming another object than the URL gets 400; another kind too', async () => {
    await request(admin, 'POST', '/api/v1/namespaces/default/configmaps', { body: cm('named') });
    const r = await request(admin, 'PUT', '/api/v1/namespaces/default/configmaps/named', { body: cm('other') });
    assert.equal(r.status, 400);
    assert.equal(r.json.message, 'the name of the object (other) does not match the name on the URL (named)');
    const k = await request(admin, 'POST', '/api/v1/namespaces/default/configmaps', { body: { ...cm('k'), kind: 'Secret' } });
    assert.equal(k.status, 400);
    const ns = await request(admin, 'POST', '/api/v1/namespaces/default/configmaps', { body: cm('n', { namespace: 'kube-system' }) });
    assert.equal(ns.json.message, 'the namespace of the provided object does not match the namespace sent on the request');
  });

  it('verbs a resource does not serve get 405', async () => {
    const r = await request(admin, 'DELETE', '/api/v1/namespaces');
    assert.equal(r.status, 405);
    assert.equal(r.json.reason, 'MethodNotAllowed');
  });

  it('garbage requests never take the server down', async () => {
    const paths = ['/api/v1/namespaces/default/pods', '/api/v1/namespaces/default/pods/x', '/apis/apps/v1/namespaces/default/deployments/x/scale', '/api/v1/namespaces/default/pods/x/binding', '/api/v1/namespaces/default/pods/x/status', '/api/v1/namespaces/%zz/pods', '/apis/apps/v1/watch/namespaces/default/deployments?resourceVersion=abc'];
    const bodies = ['', 'null', '[]', '{"metadata":[]}', '{"metadata":{"name":5}}', '\u0000\u0001\u0002', '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"x"},"spec":"nope"}', 'k8s\u0000garbage'];
    const types = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf', 'application/merge-patch+json', 'application/json-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];
    const requests: Promise<unknown>[] = [];
    for (const p of paths) {
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'GET']) {
        for (const body of bodies) {
          const type = types[(p.length + body.length + method.length) % types.length];
          requests.push(request(admin, method, p, method === 'GET' ? {} : { body, headers: { 'Content-Type': type } }).then((r) => assert.ok(r.status < 500, `${method} ${p} ${type}: ${r.status} ${r.body}`)));
        }
      }
    }
    await Promise.all(requests);
    assert.equal((await request(admin, 'GET', '/healthz')).body, 'ok');
    assert.doesNotMatch(server.output(), /Error/);
  });
});

describe('object machinery', { concurrency: true }, () => {
  it('generateName, uid, creationTimestamp, generation', async () => {
    const r = await request(admin, 'POST', '/api/v1/namespaces/default/configmaps', { body: { ...cm(''), metadata: { generateName: 'gen-' } } });
    assert.equal(r.status, 201);
    assert.match(r.json.metadata.name, /^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.match(r.json.metadata.uid, /^[0-9a-f-]{36}$/);
    assert.match(r.json.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('dryRun=All validates and answers without storing', async () => {
    const r = await request(admin, 'POST', '/api/v1/namespaces/default/configmaps?dryRun=All', { body: cm('dry') });
    assert.equal(r.status, 201);
    assert.equal((await request(admin, 'GET', '/api/v1/namespaces/default/configmaps/dry')).status, 404);
  });

  it('409 AlreadyExists and optimistic concurrency', async () => {
    const first = await request(admin, 'POST', '/api/v1/namespaces/default/configmaps', { body: cm('occ') });
    const again = await request(admin, 'POST', '/api/v1/namespaces/default/configmaps', { body: cm('occ') });
    assert.equal(again.status, 409);
    assert.equal(again.json.message, 'configmaps "occ" already exists');
    const rv = first.json.metadata.resourceVersion;
    const ok = await request(admin, 'PUT', '/api/v1/namespaces/default/configmaps/occ', { body: { ...first.json, data: { a: 'c' } } });
    assert.equal(ok.status, 200);
    assert.notEqual(ok.json.metadata.resourceVersion, rv);
    const stale = await request(admin, 'PUT', '/api/v1/namespaces/default/configmaps/occ', { body: { ...first.json, data: { a: 'd' } } });
    assert.equal(stale.status, 409);
    assert.equal(stale.json.message, 'Operation cannot be fulfilled on configmaps "occ": the object has been modified; please apply your changes to the latest version and try again');
    const unconditional = await request(admin, 'PUT', '/api/v1/namespaces/default/configmaps/occ', { body: { ...cm('occ'), data: { a: 'e' } } });
    assert.equal(unconditional.status, 200);
  });

  it('namespace lifecycle: missing → 404, terminating → 403', async () => {
    const missing = await request(admin, 'POST', '/api/v1/namespaces/ghost/configmaps', { body: cm('x') });
    assert.equal(missing.status, 404);
    assert.equal(missing.json.message, 'namespaces "ghost" not found');
    await request(admin, 'POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed' } } });
    const del = await request(admin, 'DELETE', '/api/v1/namespaces/doomed');
    assert.equal(del.status, 200);
    assert.equal(del.json.status.phase, 'Terminating');
    const refused = await request(admin, 'POST', '/api/v1/namespaces/doomed/configmaps', { body: cm('late') });
    assert.equal(refused.status, 403);
    assert.equal(refused.json.message, 'configmaps "late" is forbidden: unable to create new content in namespace doomed because it is being terminated');
    assert.equal(refused.json.details.causes[0].reason, 'NamespaceTerminating');
    assert.equal((await request(admin, 'DELETE', '/api/v1/namespaces/kube-system')).status, 403);
  });

  it('finalizers hold a deleted object until they are removed', async () => {
    await request(admin, 'POST', '/api/v1/namespaces/default/configmaps', { body: cm('fin', { finalizers: ['example.com/hold'] }) });
    const del = await request(admin, 'DELETE', '/api/v1/namespaces/default/configmaps/fin');
    assert.equal(del.status, 200);
    const held = await request(admin, 'GET', '/api/v1/namespaces/default/configmaps/fin');
    assert.ok(held.json.metadata.deletionTimestamp);
    const patch = await request(admin, 'PATCH', '/api/v1/namespaces/default/configmaps/fin', { body: { metadata: { finalizers: null } }, headers: { 'Content-Type': 'application/merge-patch+json' } });
    assert.equal(patch.status, 200);
    assert.equal((await request(admin, 'GET', '/api/v1/namespaces/default/configmaps/fin')).status, 404);
  });

  it('graceful pod deletion: unbound pods go at once, bound pods wait unless grace 0', async () => {
    await request(admin, 'POST', '/api/v1/namespaces/default/pods', { body: pod('unbound') });
    assert.equal((await request(admin, 'DELETE', '/api/v1/namespaces/default/pods/unbound')).status, 200);
    assert.equal((await request(admin, 'GET', '/api/v1/namespaces/default/pods/unbound')).status, 404);
    await request(admin, 'POST', '/api/v1/namespaces/default/pods', { body: pod('bound', { nodeName: 'n1' }) });
    const del = await request(admin, 'DELETE', '/api/v1/namespaces/default/pods/bound', { body: { propagationPolicy: 'Background' } });
    assert.equal(del.json.metadata.deletionGracePeriodSeconds, 30);
    assert.equal((await request(admin, 'GET', '/api/v1/namespaces/default/pods/bound')).status, 200);
    await request(admin, 'DELETE', '/api/v1/namespaces/default/pods/bound?gracePeriodSeconds=0');
    assert.equal((await request(admin, 'GET', '/api/v1/namespaces/default/pods/bound')).status, 404);
  });

  it('delete preconditions', async () => {
    const c = await request(admin, 'POST', '/api/v1/namespaces/default/configmaps', { body: cm('pre') });
    const r = await request(admin, 'DELETE', '/api/v1/namespaces/default/configmaps/pre', { body: { preconditions: { uid: 'other' } } });
    assert.equal(r.status, 409);
    assert.match(r.json.message, /Precondition failed: UID in precondition: other, UID in object meta: /);
    assert.equal((await request(admin, 'DELETE', '/api/v1/namespaces/default/configmaps/pre', { body: { preconditions: { uid: c.json.metadata.uid } } })).status, 200);
  });
});

describe('subresources', { concurrency: true }, () => {
  it('status: the main resource keeps status, /status keeps spec', async () => {
    const created = await request(admin, 'POST', '/apis/apps/v1/namespaces/default/deployments', {
      body: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'st' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } },
    });
    const withStatus = { ...created.json, status: { replicas: 7 } };
    const s = await request(admin, 'PUT', '/apis/apps/v1/namespaces/default/deployments/st/status', { body: { ...withStatus, spec: { ...created.json.spec, replicas: 9 } } });
    assert.equal(s.status, 200);
    assert.equal(s.json.status.replicas, 7);
    assert.equal(s.json.spec.replicas, 1);
    const m = await request(admin, 'PUT', '/apis/apps/v1/namespaces/default/deployments/st', { body: { ...s.json, status: { replicas: 1 }, spec: { ...s.json.spec, replicas: 2 } } });
    assert.equal(m.json.status.replicas, 7);
    assert.equal(m.json.spec.replicas, 2);
    assert.equal(m.json.metadata.generation, 2);
    const scale = await request(admin, 'GET', '/apis/apps/v1/namespaces/default/deployments/st/scale');
    assert.deepEqual({ kind: scale.json.kind, apiVersion: scale.json.apiVersion, spec: scale.json.spec, status: scale.json.status }, { kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 2 }, status: { replicas: 7, selector: 'a=b' } });
    const put = await request(admin, 'PUT', '/apis/apps/v1/namespaces/default/deployments/st/scale', { body: { ...scale.json, spec: { replicas: 4 } } });
    assert.equal(put.json.spec.replicas, 4);
  });

  it('pods/binding assigns a node once; pods/eviction deletes', async () => {
    await request(admin, 'POST', '/api/v1/namespaces/default/pods', { body: pod('tobind') });
    const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'tobind' }, target: { apiVersion: 'v1', kind: 'Node', name: 'node1' } };
    assert.equal((await request(admin, 'POST', '/api/v1/namespaces/default/pods/tobind/binding', { body: binding })).status, 201);
    const bound = await request(admin, 'GET', '/api/v1/namespaces/default/pods/tobind');
    assert.equal(bound.json.spec.nodeName, 'node1');
    assert.equal(bound.json.status.conditions.find((c: { type: string }) => c.type === 'PodScheduled').status, 'True');
    const twice = await request(admin, 'POST', '/api/v1/namespaces/default/pods/tobind/binding', { body: binding });
    assert.equal(twice.status, 409);
    await request(admin, 'POST', '/api/v1/namespaces/default/pods', { body: pod('evictme') });
    const ev = await request(admin, 'POST', '/api/v1/namespaces/default/pods/evictme/eviction', { body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'evictme', namespace: 'default' } } });
    assert.equal(ev.status, 201);
    assert.equal((await request(admin, 'GET', '/api/v1/namespaces/default/pods/evictme')).status, 404);
  });
});

describe('lists', () => {
  it('limit/continue pages at one revision; selectors; deletecollection', async () => {
    await request(admin, 'POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'pages' } } });
    for (let i = 0; i < 7; i++) await request(admin, 'POST', '/api/v1/namespaces/pages/configmaps', { body: cm(`p${i}`, { labels: { parity: i % 2 ? 'odd' : 'even' } }) });
    const first = await request(admin, 'GET', '/api/v1/namespaces/pages/configmaps?limit=3');
    assert.deepEqual(first.json.items.map((i: { metadata: { name: string } }) => i.metadata.name), ['p0', 'p1', 'p2']);
    assert.equal(first.json.metadata.remainingItemCount, 4);
    await request(admin, 'POST', '/api/v1/namespaces/pages/configmaps', { body: cm('p7') });
    const second = await request(admin, 'GET', `/api/v1/namespaces/pages/configmaps?limit=10&continue=${encodeURIComponent(first.json.metadata.continue)}`);
    assert.deepEqual(second.json.items.map((i: { metadata: { name: string } }) => i.metadata.name), ['p3', 'p4', 'p5', 'p6']);
    assert.equal(second.json.metadata.continue, undefined);
    const odd = await request(admin, 'GET', '/api/v1/namespaces/pages/configmaps?labelSelector=parity%3Dodd');
    assert.equal(odd.json.items.length, 3);
    const bad = await request(admin, 'GET', '/api/v1/namespaces/pages/configmaps?fieldSelector=spec.nope%3Dx');
    assert.equal(bad.status, 400);
    assert.equal(bad.json.message, 'field label not supported: spec.nope');
    const deleted = await request(admin, 'DELETE', '/api/v1/namespaces/pages/configmaps?labelSelector=parity%3Deven');
    assert.equal(deleted.status, 200);
    const left = await request(admin, 'GET', '/api/v1/namespaces/pages/configmaps');
    assert.deepEqual(left.json.items.map((i: { metadata: { name: string } }) => i.metadata.name), ['p1', 'p3', 'p5', 'p7']);
    assert.equal(left.json.kind, 'ConfigMapList');
  });
});

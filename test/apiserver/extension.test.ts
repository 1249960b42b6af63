// The extension points other parts of skiff use on a running server: admission plugins (mutating
// before validation, validating after), extra authenticators, connect-style subresources, and the
// service account signing keys.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { StatusError } from '../../src/api/index.js';
import { startServer, type ServerHandle } from '../../src/apiserver/index.js';
import { credentialsFrom, makeTempDir, request, type Credentials } from '../lib/index.js';

let handle: ServerHandle;
let admin: Credentials;
const order: string[] = [];

before(async () => {
  handle = await startServer({ dataDir: makeTempDir('extension'), port: 0, bindAddress: '127.0.0.1' });
  admin = credentialsFrom(handle.kubeconfigPath);
  handle.addAdmission({
    name: 'AddTeamLabel',
    async admit(attrs) {
      if (attrs.info.resource !== 'configmaps' || attrs.operation !== 'CREATE') return;
      order.push(`mutating sees generation=${String(attrs.object?.metadata.generation)}`);
      attrs.object!.metadata.labels = { ...attrs.object!.metadata.labels, team: 'blue' };
    },
  });
  handle.addAdmission({
    name: 'DenyPrefix',
    validating: true,
    async admit(attrs, ctx) {
      if (attrs.info.resource !== 'configmaps' || attrs.operation !== 'CREATE') return;
      order.push(`validating sees ${ctx.list(attrs.info, attrs.namespace).length} existing`);
      if (attrs.name.startsWith('deny-')) throw new StatusError(403, 'Forbidden', `configmaps "${attrs.name}" is forbidden: names starting with deny- are refused`);
    },
  });
  handle.addAuthenticator((req) => (req.headers['x-test-user'] === 'robot' ? { name: 'robot', groups: ['system:authenticated'] } : undefined));
  handle.addConnector('serviceaccounts/token', async (ctx) => {
    ctx.res.writeHead(201, { 'Content-Type': 'application/json' });
    ctx.res.end(JSON.stringify({ kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1', status: { token: `for-${ctx.ri.name}` } }));
  });
});

after(async () => {
  await handle?.stop();
});

describe('extension points', () => {
  it('mutating admission runs before the strategy, validating after it, and may refuse', async () => {
    const ok = await request(admin, 'POST', '/api/v1/namespaces/default/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ext-ok' } } });
    assert.equal(ok.status, 201);
    assert.equal(ok.json.metadata.labels.team, 'blue');
    const denied = await request(admin, 'POST', '/api/v1/namespaces/default/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'deny-me' } } });
    assert.equal(denied.status, 403);
    assert.equal((await request(admin, 'GET', '/api/v1/namespaces/default/configmaps/deny-me')).status, 404);
    assert.deepEqual(order.slice(0, 2), ['mutating sees generation=undefined', 'validating sees 0 existing']);
  });

  it('an added authenticator names users', async () => {
    const r = await request({ server: admin.server, ca: admin.ca }, 'GET', '/api/v1/namespaces/default', { headers: { 'X-Test-User': 'robot' } });
    assert.equal(r.status, 200);
  });

  it('an added connector serves its subresource', async () => {
    await request(admin, 'POST', '/api/v1/namespaces/default/serviceaccounts', { body: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa1' } } });
    const r = await request(admin, 'POST', '/api/v1/namespaces/default/serviceaccounts/sa1/token', { body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} } });
    assert.equal(r.status, 201);
    assert.equal(r.json.status.token, 'for-sa1');
  });

  it('service account keys sign and verify', () => {
    const data = Buffer.from('header.payload');
    const signature = crypto.sign('sha256', data, handle.serviceAccountKeys.privateKey);
    assert.ok(crypto.verify('sha256', data, handle.serviceAccountKeys.publicKey, signature));
  });
});

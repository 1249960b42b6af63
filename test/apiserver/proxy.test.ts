// pods/proxy and services/proxy reach HTTP backends at pod IPs (here a stand-in server on loopback
// posing as the pod): the rest of the path and the query arrive, the answer comes back.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { credentialsFrom, kubectlOk, request, startTestServer, type Credentials, type TestServer } from '../lib/index.js';

let server: TestServer;
let admin: Credentials;
let backend: http.Server;
let port = 0;

before(async () => {
  server = await startTestServer();
  admin = credentialsFrom(server.kubeconfig);
  backend = http.createServer((req, res) => res.end(`backend saw ${req.method} ${req.url}`));
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  port = (backend.address() as AddressInfo).port;
  const pod = await request(admin, 'POST', '/api/v1/namespaces/default/pods', { body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ name: 'http', containerPort: port }] }] } } });
  await request(admin, 'PUT', '/api/v1/namespaces/default/pods/web/status', { body: { ...pod.json, status: { phase: 'Running', podIP: '127.0.0.1' } } });
  await request(admin, 'POST', '/api/v1/namespaces/default/services', { body: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { ports: [{ name: 'http', port: 80 }] } } });
  await request(admin, 'POST', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', {
    body: { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'web-1', labels: { 'kubernetes.io/service-name': 'web' } }, addressType: 'IPv4', endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }], ports: [{ name: 'http', port }] },
  });
});

after(async () => {
  backend?.closeAllConnections();
  backend?.close();
  await server?.stop();
});

describe('proxy subresources', () => {
  it('pods/proxy by port number and by port name', async () => {
    assert.equal((await request(admin, 'GET', `/api/v1/namespaces/default/pods/web:${port}/proxy/hello?x=1`)).body, 'backend saw GET /hello?x=1');
    assert.equal((await request(admin, 'GET', '/api/v1/namespaces/default/pods/web:http/proxy/named')).body, 'backend saw GET /named');
  });

  it('services/proxy through a ready endpoint, also via kubectl get --raw', async () => {
    assert.equal((await request(admin, 'POST', '/api/v1/namespaces/default/services/web:http/proxy/post', { body: 'x' })).body, 'backend saw POST /post');
    assert.equal(await kubectlOk('1.33', server.kubeconfig, ['get', '--raw', '/api/v1/namespaces/default/services/web:http/proxy/raw']), 'backend saw GET /raw');
  });

  it('no endpoints → 503', async () => {
    await request(admin, 'POST', '/api/v1/namespaces/default/services', { body: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'empty' }, spec: { ports: [{ port: 80 }] } } });
    const r = await request(admin, 'GET', '/api/v1/namespaces/default/services/empty/proxy/');
    assert.equal(r.status, 503);
    assert.equal(r.json.message, 'no endpoints available for service "empty"');
  });
});

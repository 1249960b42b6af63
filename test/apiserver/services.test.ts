// Service address allocation by the API server and the built-in `kubernetes` Service: ClusterIPs
// from the service CIDR, NodePorts from 30000–32767, requested values checked, values kept on updates.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { credentialsFrom, kubectl, kubectlOk, REPO_ROOT, request, startTestServer, type Credentials, type TestServer } from '../lib/index.js';

let server: TestServer;
let admin: Credentials;

before(async () => {
  server = await startTestServer({ args: ['--service-cidr', '10.96.0.0/16'] });
  admin = credentialsFrom(server.kubeconfig);
});

after(async () => {
  await server?.stop();
});

const SEEDS = path.join(REPO_ROOT, 'test/fixtures/seeds');

describe('services', () => {
  it('the kubernetes Service exists with the first address and endpoints of this server', async () => {
    const svc = await request(admin, 'GET', '/api/v1/namespaces/default/services/kubernetes');
    assert.equal(svc.json.spec.clusterIP, '10.96.0.1');
    assert.equal(svc.json.spec.ports[0].port, 443);
    const ep = await request(admin, 'GET', '/api/v1/namespaces/default/endpoints/kubernetes');
    assert.equal(ep.json.subsets[0].ports[0].port, server.port);
    const slice = await request(admin, 'GET', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes');
    assert.equal(slice.json.ports[0].port, server.port);
  });

  it('kubectl shows allocated ClusterIPs and the seed NodePort; a taken NodePort is refused', async () => {
    await kubectlOk('1.33', server.kubeconfig, ['create', '-f', path.join(SEEDS, 'kube-svc.yaml')]);
    await kubectlOk('1.27', server.kubeconfig, ['create', '-f', path.join(SEEDS, 'kube-svc-nodeport.yaml')]);
    const out = await kubectlOk('1.33', server.kubeconfig, ['get', 'svc']);
    assert.match(out, /^kubia\s+ClusterIP\s+10\.96\.\d+\.\d+\s+<none>\s+80\/TCP,443\/TCP\s/m);
    assert.match(out, /^kubia-nodeport\s+NodePort\s+10\.96\.\d+\.\d+\s+<none>\s+80:30123\/TCP\s/m);
    const ips = [...out.matchAll(/10\.96\.\d+\.\d+/g)].map((m) => m[0]);
    assert.equal(new Set(ips).size, ips.length, 'distinct ClusterIPs');
    const clash = await kubectl('1.33', server.kubeconfig, ['create', '-f', '-'], {
      input: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: clash\nspec:\n  type: NodePort\n  selector: {app: x}\n  ports:\n  - port: 80\n    nodePort: 30123\n',
    });
    assert.equal(clash.code, 1);
    assert.match(clash.stderr, /The Service "clash" is invalid: spec\.ports\[0\]\.nodePort: Invalid value: 30123: provided port is already allocated/);
  });

  it('requested ClusterIPs must be free and in range; allocations survive updates', async () => {
    const mk = (name: string, spec: Record<string, unknown>) => request(admin, 'POST', '/api/v1/namespaces/default/services', { body: { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80 }], ...spec } } });
    assert.equal((await mk('fixed', { clusterIP: '10.96.7.7' })).json.spec.clusterIP, '10.96.7.7');
    const taken = await mk('taken', { clusterIP: '10.96.7.7' });
    assert.equal(taken.status, 422);
    assert.match(taken.json.message, /provided IP is already allocated/);
    assert.equal((await mk('outside', { clusterIP: '10.0.0.7' })).status, 422);
    const headless = await mk('headless', { clusterIP: 'None' });
    assert.equal(headless.json.spec.clusterIP, 'None');
    const np = await mk('np', { type: 'NodePort' });
    const nodePort = np.json.spec.ports[0].nodePort;
    assert.ok(nodePort >= 30000 && nodePort <= 32767);
    const patched = await request(admin, 'PATCH', '/api/v1/namespaces/default/services/np', { body: { metadata: { labels: { a: 'b' } } }, headers: { 'Content-Type': 'application/merge-patch+json' } });
    assert.equal(patched.json.spec.ports[0].nodePort, nodePort);
    assert.equal(patched.json.spec.clusterIP, np.json.spec.clusterIP);
  });
});

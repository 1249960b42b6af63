// The node services an agent starts: a pod reaches another pod through its Service's ClusterIP
// (iptables proxy), resolves its DNS name (cluster DNS on the service bridge, resolv.conf with the
// cluster search path), and the proxy answers /proxyMode on its metrics port.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { kubectl, podManifest, startCluster, waitFor, type Cluster } from './helpers.js';

let c: Cluster;
before(async () => {
  c = await startCluster('svc', { controlPlane: true, services: true });
});
after(async () => {
  await c?.stop();
});

const busybox = { image: 'busybox', imagePullPolicy: 'IfNotPresent' };

test('pods reach a Service by DNS name through the ClusterIP', async () => {
  const web = JSON.parse(podManifest('web', c.node, {
    containers: [{ name: 'web', ...busybox, command: ['sh', '-c', 'mkdir -p /www && echo hello-from-web > /www/index.html && exec httpd -f -p 8080 -h /www'], ports: [{ containerPort: 8080 }] }],
  })) as { metadata: Record<string, unknown> };
  web.metadata.labels = { app: 'web' };
  await c.k('1.33', ['apply', '-f', '-'], JSON.stringify(web));
  await c.k('1.33', ['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } }));
  await c.k('1.33', ['apply', '-f', '-'], podManifest('client', c.node, { containers: [{ name: 'main', ...busybox, command: ['sleep', '3600'] }] }));
  await waitFor('pods Running', async () => (await c.k('1.33', ['get', 'pods', '-o', 'jsonpath={.items[*].status.phase}'])) === 'Running Running');
  const resolv = await c.k('1.33', ['exec', 'client', '--', 'cat', '/etc/resolv.conf']);
  assert.match(resolv, /^search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local$/m);
  assert.match(resolv, /^options ndots:5$/m);
  // busybox-static cannot resolve names through libc (static glibc without NSS); its nslookup can.
  const ip = await c.k('1.33', ['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}']);
  // (its exit code reflects the AAAA query too, which a v4-only service does not answer)
  const lookup = await waitFor('DNS answer', async () => {
    const r = await kubectl('1.33', c.server.kubeconfig, ['exec', 'client', '--', 'nslookup', '-type=a', 'web']);
    return r.stdout.includes(`Address: ${ip}`) ? r.stdout : '';
  }, 30_000);
  assert.match(lookup, /^Server:\s+10\.\d+\.0\.10$/m);
  // busybox-static's wget crashes in getaddrinfo even for addresses; nc speaks plain TCP.
  const body = await waitFor('service answer', async () => c.k('1.33', ['exec', 'client', '--', 'sh', '-c', `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 ${ip} 80`]), 60_000);
  assert.match(body, /\r\n\r\nhello-from-web\n$/);
  const mode = await new Promise<string>((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: c.agent.metricsPort, path: '/proxyMode' }, (res) => {
      let b = '';
      res.on('data', (d: Buffer) => (b += d.toString()));
      res.on('end', () => resolve(b));
    }).on('error', reject);
  });
  assert.equal(mode, 'iptables');
});

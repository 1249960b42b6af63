// Seed scenarios beyond a plain pod, with the real kubectl: CrashLoopBackOff with `logs --previous`,
// configMap env/envFrom/volume, a liveness probe restarting a container, emptyDir shared by two
// containers and read through `kubectl port-forward`, and `kubectl cp` both ways.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { kubectlPath } from '../lib/index.js';
import { podManifest, startCluster, waitFor, type Cluster } from './helpers.js';

let c: Cluster;
before(async () => {
  c = await startCluster('work');
});
after(async () => {
  await c?.stop();
});

const busybox = { image: 'busybox', imagePullPolicy: 'IfNotPresent' };

async function podJson(name: string): Promise<{ status: { phase: string; containerStatuses?: Array<{ restartCount: number; state: Record<string, { reason?: string }>; ready: boolean }> } }> {
  return JSON.parse(await c.k('1.33', ['get', 'pod', name, '-o', 'json']));
}

test('a crashing container reaches CrashLoopBackOff and logs --previous shows the last run', async () => {
  await c.k('1.33', ['apply', '-f', '-'], podManifest('crasher', c.node, { containers: [{ name: 'main', ...busybox, command: ['sh', '-c', 'echo run at $(date +%s); exit 1'] }] }));
  await waitFor('CrashLoopBackOff', async () => (await podJson('crasher')).status.containerStatuses?.[0]?.state.waiting?.reason === 'CrashLoopBackOff', 90_000);
  const row = await c.k('1.33', ['get', 'pod', 'crasher']);
  assert.match(row, /crasher\s+0\/1\s+CrashLoopBackOff\s+[1-9]/);
  for (const v of ['1.27', '1.33'] as const) assert.match(await c.k(v, ['logs', 'crasher', '--previous']), /^run at \d+\n$/);
});

test('configMap values reach env, envFrom and a volume', async () => {
  await c.k('1.33', ['create', 'configmap', 'fortune-config', '--from-literal=sleep-interval=25', '--from-literal=mode=fast']);
  await c.k('1.33', ['apply', '-f', '-'], podManifest('cm-pod', c.node, {
    containers: [{
      name: 'main', ...busybox, command: ['sleep', '3600'],
      env: [{ name: 'INTERVAL', valueFrom: { configMapKeyRef: { name: 'fortune-config', key: 'sleep-interval' } } }, { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
      envFrom: [{ prefix: 'CFG_', configMapRef: { name: 'fortune-config' } }],
      volumeMounts: [{ name: 'config', mountPath: '/data' }],
    }],
    volumes: [{ name: 'config', configMap: { name: 'fortune-config' } }],
  }));
  await waitFor('Running', async () => (await podJson('cm-pod')).status.phase === 'Running');
  const env = await c.k('1.33', ['exec', 'cm-pod', '--', 'env']);
  assert.match(env, /^INTERVAL=25$/m);
  assert.match(env, /^POD_NAME=cm-pod$/m);
  assert.match(env, /^CFG_mode=fast$/m);
  assert.deepEqual((await c.k('1.27', ['exec', 'cm-pod', '--', 'ls', '/data'])).trim().split('\n'), ['mode', 'sleep-interval']);
  assert.equal(await c.k('1.33', ['exec', 'cm-pod', '--', 'cat', '/data/sleep-interval']), '25');
});

test('a failing liveness probe restarts the container', async () => {
  await c.k('1.33', ['apply', '-f', '-'], podManifest('unhealthy', c.node, {
    containers: [{ name: 'main', ...busybox, command: ['sleep', '3600'], livenessProbe: { exec: { command: ['cat', '/tmp/healthy'] }, periodSeconds: 1, failureThreshold: 2 } }],
  }));
  await waitFor('a restart', async () => ((await podJson('unhealthy')).status.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 60_000);
  const events = await c.k('1.33', ['get', 'events', '--field-selector', 'involvedObject.name=unhealthy']);
  assert.match(events, /Liveness probe failed/);
});

test('two containers share an emptyDir; port-forward reaches the web server; cp copies both ways', async () => {
  // The page is replaced by a rename: rewritten in place, httpd could serve it empty mid-write.
  await c.k('1.33', ['apply', '-f', '-'], podManifest('fortune', c.node, {
    containers: [
      { name: 'html-generator', ...busybox, command: ['sh', '-c', 'while true; do echo fortune-$(date +%s) > /var/htdocs/.next && mv /var/htdocs/.next /var/htdocs/index.html; sleep 1; done'], volumeMounts: [{ name: 'html', mountPath: '/var/htdocs' }] },
      { name: 'web-server', ...busybox, command: ['httpd', '-f', '-p', '8080', '-h', '/usr/share/nginx/html'], ports: [{ containerPort: 8080 }], volumeMounts: [{ name: 'html', mountPath: '/usr/share/nginx/html', readOnly: true }] },
    ],
    volumes: [{ name: 'html', emptyDir: {} }],
  }));
  await waitFor('Running', async () => (await podJson('fortune')).status.phase === 'Running');
  for (const v of ['1.27', '1.33'] as const) {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const pf = spawn(kubectlPath(v), [`--kubeconfig=${c.server.kubeconfig}`, 'port-forward', 'pod/fortune', `${port}:8080`], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const get = (): Promise<string> =>
        new Promise((resolve, reject) => {
          http.get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
            let b = '';
            res.on('data', (d: Buffer) => (b += d.toString()));
            res.on('end', () => resolve(b));
          }).on('error', reject);
        });
      const body = await waitFor('port-forward answer', async () => ((await get()).startsWith('fortune-') ? await get() : ''), 30_000);
      assert.match(body, /^fortune-\d+\n$/);
      assert.match(await get(), /^fortune-\d+\n$/, 'a second connection on the same port-forward');
    } finally {
      pf.kill('SIGKILL');
    }
  }
  const dir = fs.mkdtempSync(path.join(c.dataDir, 'cp-'));
  fs.writeFileSync(path.join(dir, 'in.txt'), 'copied in\n');
  await c.k('1.33', ['cp', path.join(dir, 'in.txt'), 'fortune:/tmp/in.txt', '-c', 'html-generator']);
  assert.equal(await c.k('1.27', ['exec', 'fortune', '-c', 'html-generator', '--', 'cat', '/tmp/in.txt']), 'copied in\n');
  await c.k('1.27', ['cp', 'fortune:/tmp/in.txt', path.join(dir, 'out.txt'), '-c', 'html-generator']);
  assert.equal(fs.readFileSync(path.join(dir, 'out.txt'), 'utf8'), 'copied in\n');
});

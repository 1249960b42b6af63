// The kubelet acceptance path with the real kubectl 1.27 and 1.33: a busybox pod goes Running on a
// real runc container, `kubectl logs` shows its output and `kubectl exec` runs commands in it with
// their exit codes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { KUBECTL_VERSIONS } from '../lib/index.js';
import { kubectl, podManifest, startCluster, waitFor, type Cluster } from './helpers.js';

let c: Cluster;
before(async () => {
  c = await startCluster('pods');
});
after(async () => {
  await c?.stop();
});

test('the node registers Ready with capacity and a kubelet endpoint', async () => {
  const out = await c.k('1.33', ['get', 'node', c.node, '-o', 'json']);
  const node = JSON.parse(out) as { status: { conditions: Array<{ type: string; status: string }>; capacity: Record<string, string>; daemonEndpoints: { kubeletEndpoint: { Port: number } } } };
  assert.equal(node.status.conditions.find((x) => x.type === 'Ready')?.status, 'True');
  assert.equal(node.status.capacity.pods, '110');
  assert.equal(node.status.daemonEndpoints.kubeletEndpoint.Port, c.agent.kubeletPort);
});

test('a busybox pod runs; logs and exec work through the API server', async () => {
  await c.k('1.33', ['apply', '-f', '-'], podManifest('kubia-manual', c.node, {
    containers: [{ name: 'kubia', image: 'busybox', imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', 'echo "Kubia server starting..."; exec sleep 3600'] }],
  }));
  await waitFor('pod Running', async () => (await c.k('1.33', ['get', 'pod', 'kubia-manual', '-o', 'jsonpath={.status.phase}'])) === 'Running');
  const ready = await c.k('1.33', ['get', 'pod', 'kubia-manual']);
  assert.match(ready, /kubia-manual\s+1\/1\s+Running\s+0/);
  // Conditions in the order kubelet 1.29+ writes them.
  const pod = JSON.parse(await c.k('1.33', ['get', 'pod', 'kubia-manual', '-o', 'json'])) as { status: { conditions: Array<Record<string, unknown>> } };
  assert.deepEqual(pod.status.conditions.map((x) => [x.type, x.status]), [
    ['PodReadyToStartContainers', 'True'], ['Initialized', 'True'], ['Ready', 'True'], ['ContainersReady', 'True'], ['PodScheduled', 'True'],
  ]);
  for (const v of KUBECTL_VERSIONS) {
    const logs = await waitFor('logs', async () => {
      const out = await c.k(v, ['logs', 'kubia-manual']);
      return out.includes('Kubia server starting') ? out : '';
    });
    assert.equal(logs, 'Kubia server starting...\n');
    assert.equal(await c.k(v, ['exec', 'kubia-manual', '--', 'sh', '-c', 'echo $HOSTNAME']), 'kubia-manual\n');
    const failed = await kubectl(v, c.server.kubeconfig, ['exec', 'kubia-manual', '--', 'sh', '-c', 'echo out; exit 3']);
    assert.equal(failed.code, 3, failed.stderr);
    assert.equal(failed.stdout, 'out\n');
    const piped = await c.k(v, ['exec', '-i', 'kubia-manual', '--', 'sh', '-c', 'tr a-z A-Z'], 'hello stdin\n');
    assert.equal(piped, 'HELLO STDIN\n');
  }
  await c.k('1.33', ['delete', 'pod', 'kubia-manual', '--wait=true', '--timeout=60s']);
  await waitFor('containers removed', async () => c.agent.kubelet.runtime.listContainers().length === 0 && c.agent.kubelet.runtime.listPodSandbox().length === 0);
});

test('logs --tail, --timestamps and -f until the container ends', async () => {
  await c.k('1.33', ['apply', '-f', '-'], podManifest('counter', c.node, {
    restartPolicy: 'Never',
    containers: [{ name: 'main', image: 'busybox', imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', 'for i in 1 2 3; do echo line-$i; sleep 1; done'] }],
  }));
  await waitFor('Running', async () => ['Running', 'Succeeded'].includes(await c.k('1.33', ['get', 'pod', 'counter', '-o', 'jsonpath={.status.phase}'])));
  for (const v of KUBECTL_VERSIONS) {
    assert.equal(await c.k(v, ['logs', '-f', 'counter']), 'line-1\nline-2\nline-3\n', `kubectl ${v} follows to the end`);
    assert.match(await c.k(v, ['logs', 'counter', '--tail=1', '--timestamps']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z line-3\n$/);
  }
  await waitFor('Succeeded', async () => (await c.k('1.33', ['get', 'pod', 'counter', '-o', 'jsonpath={.status.phase}'])) === 'Succeeded');
  assert.match(await c.k('1.33', ['get', 'pod', 'counter']), /counter\s+0\/1\s+Completed\s+0/);
});

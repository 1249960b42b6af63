// `kubectl top` end to end: the agent's kubelet serves the Summary API from cgroups and /proc, the API
// server serves metrics.k8s.io from it, and kubectl 1.27 and 1.33 print Kubernetes' columns for a busybox
// pod that burns a tenth of a core (its CPU limit) and for the node; the HPA scales on the same numbers.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { KUBECTL_VERSIONS } from '../lib/index.js';
import { kubectl, podManifest, startCluster, waitFor, type Cluster } from '../kubelet/helpers.js';

let c: Cluster;
let token: string;
before(async () => {
  c = await startCluster('metrics', { controlPlane: true });
  token = fs.readFileSync(path.join(c.server.dataDir, 'server', 'token'), 'utf8').trim();
  await c.k('1.33', ['apply', '-f', '-'], JSON.stringify({
    ...JSON.parse(podManifest('burn', c.node, {
      containers: [
        { name: 'burn', image: 'busybox', imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', 'while :; do :; done'], resources: { limits: { cpu: '100m', memory: '64Mi' } } },
        { name: 'idle', image: 'busybox', imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] },
      ],
    })),
    metadata: { name: 'burn', labels: { app: 'burn' } },
  }));
  await waitFor('pod Running', async () => (await c.k('1.33', ['get', 'pod', 'burn', '-o', 'jsonpath={.status.phase}'])) === 'Running');
});
after(async () => {
  await c?.stop();
});

function summary(auth?: string): Promise<{ code: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port: c.agent.kubeletPort, path: '/stats/summary', headers: auth ? { authorization: `Bearer ${auth}` } : {} }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

test('the kubelet Summary API: node and container CPU and memory, only for the join token', async () => {
  assert.equal((await summary()).code, 401);
  assert.equal((await summary('wrong')).code, 401);
  type Stats = { cpu: { time: string; usageCoreNanoSeconds: number; usageNanoCores?: number }; memory: { workingSetBytes: number; usageBytes: number } };
  const read = async (): Promise<{ node: Stats & { nodeName: string }; pods: Array<Stats & { podRef: { name: string; namespace: string }; containers: Array<Stats & { name: string }> }> }> => {
    const r = await summary(token);
    assert.equal(r.code, 200, r.body);
    return JSON.parse(r.body);
  };
  await read();
  await new Promise((r) => setTimeout(r, 1100));
  const s = await read();
  assert.equal(s.node.nodeName, c.node);
  assert.ok(s.node.cpu.usageCoreNanoSeconds > 0 && s.node.memory.workingSetBytes > 0);
  const pod = s.pods.find((p) => p.podRef.name === 'burn' && p.podRef.namespace === 'default');
  assert.ok(pod, JSON.stringify(s.pods.map((p) => p.podRef)));
  assert.deepEqual(pod.containers.map((x) => x.name).sort(), ['burn', 'idle']);
  const burn = pod.containers.find((x) => x.name === 'burn')!;
  assert.ok(burn.memory.workingSetBytes > 0 && burn.memory.workingSetBytes <= burn.memory.usageBytes);
  assert.ok(burn.cpu.usageNanoCores !== undefined && burn.cpu.usageNanoCores > 0 && burn.cpu.usageNanoCores < 200_000_000, `burn uses at most its limit: ${burn.cpu.usageNanoCores}`);
  assert.equal(pod.cpu.usageCoreNanoSeconds, pod.containers.reduce((n, x) => n + x.cpu.usageCoreNanoSeconds, 0));
  // Users reach it through the API server's node proxy, as on Kubernetes.
  const proxied = JSON.parse(await c.k('1.33', ['get', '--raw', `/api/v1/nodes/${c.node}/proxy/stats/summary`])) as { node: { nodeName: string } };
  assert.equal(proxied.node.nodeName, c.node);
});

test('kubectl top node and top pod print Kubernetes columns with real usage', async () => {
  for (const v of KUBECTL_VERSIONS) {
    const nodes = await c.k(v, ['top', 'node']);
    assert.match(nodes.split('\n')[0], /^NAME\s+CPU\(cores\)\s+CPU(%|\(%\))\s+MEMORY\(bytes\)\s+MEMORY(%|\(%\))/, nodes);
    assert.match(nodes, new RegExp(`^${c.node}\\s+\\d+m\\s+\\d+%\\s+\\d+Mi\\s+\\d+%`, 'm'));
    const pods = await c.k(v, ['top', 'pod']);
    assert.match(pods.split('\n')[0], /^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\s*$/);
    const m = /^burn\s+(\d+)m\s+(\d+)Mi/m.exec(pods);
    assert.ok(m, pods);
    assert.ok(Number(m[1]) >= 20 && Number(m[1]) <= 150, `a tenth of a core, give or take: ${m[1]}m`);
    assert.match(await c.k(v, ['top', 'pod', 'burn']), /^burn\s+\d+m\s+\d+Mi/m);
    assert.match(await c.k(v, ['top', 'pod', '-A']), /^NAMESPACE\s+NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)[\s\S]*^default\s+burn\s+\d+m\s+\d+Mi/m);
    const containers = await c.k(v, ['top', 'pod', 'burn', '--containers']);
    assert.match(containers, /^POD\s+NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)/);
    assert.match(containers, /^burn\s+burn\s+\d+m\s+\d+Mi/m);
    assert.match(containers, /^burn\s+idle\s+0m\s+\d+Mi/m);
    assert.match(await c.k(v, ['top', 'pod', '-l', 'app=burn']), /^burn\s/m);
    const none = await kubectl(v, c.server.kubeconfig, ['top', 'pod', '-l', 'app=none']);
    assert.equal(none.code, 0, none.stderr);
    assert.equal(none.stderr.trim(), 'No resources found in default namespace.');
  }
});

test('metrics.k8s.io objects, tables, discovery and errors look like metrics-server', async () => {
  const pm = JSON.parse(await c.k('1.33', ['get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/burn'])) as Record<string, any>;
  assert.equal(pm.kind, 'PodMetrics');
  assert.equal(pm.apiVersion, 'metrics.k8s.io/v1beta1');
  assert.deepEqual([pm.metadata.name, pm.metadata.namespace, pm.metadata.labels], ['burn', 'default', { app: 'burn' }]);
  assert.match(pm.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.match(pm.window, /^[\d.]+(ms|s)$|m[\d.]+s$/);
  assert.match(pm.containers.find((x: { name: string }) => x.name === 'burn').usage.cpu, /^\d+(n|u|m)?$/);
  assert.match(pm.containers[0].usage.memory, /^\d+(Ki|Mi)?$/);
  const nm = JSON.parse(await c.k('1.33', ['get', '--raw', '/apis/metrics.k8s.io/v1beta1/nodes'])) as Record<string, any>;
  assert.equal(nm.kind, 'NodeMetricsList');
  assert.deepEqual(nm.items.map((i: { metadata: { name: string } }) => i.metadata.name), [c.node]);
  const all = JSON.parse(await c.k('1.33', ['get', '--raw', '/apis/metrics.k8s.io/v1beta1/pods?labelSelector=app%3Dburn'])) as Record<string, any>;
  assert.deepEqual(all.items.map((i: { metadata: { name: string } }) => i.metadata.name), ['burn']);
  const byField = JSON.parse(await c.k('1.33', ['get', '--raw', '/apis/metrics.k8s.io/v1beta1/pods?fieldSelector=metadata.name%3Dnope'])) as Record<string, any>;
  assert.deepEqual(byField.items, []);

  const table = await c.k('1.33', ['get', 'pods.metrics.k8s.io']);
  assert.match(table, /^NAME\s+CPU\s+MEMORY\s+WINDOW\n^burn\s+\d+(n|u|m)?\s+\d+(Ki|Mi)?\s+\S+s$/m);
  assert.match(await c.k('1.27', ['get', 'nodes.metrics.k8s.io']), new RegExp(`^${c.node}\\s+\\d+`, 'm'));
  assert.match(await c.k('1.33', ['api-versions']), /^metrics\.k8s\.io\/v1beta1$/m);
  assert.match(await c.k('1.33', ['api-resources', '--api-group=metrics.k8s.io']), /^nodes\s+metrics\.k8s\.io\/v1beta1\s+false\s+NodeMetrics\n^pods\s+metrics\.k8s\.io\/v1beta1\s+true\s+PodMetrics/m);
  assert.match(await c.k('1.33', ['get', 'pods']), /^burn\s+2\/2\s+Running/m, 'plain "pods" is still the core resource');
  for (const v of KUBECTL_VERSIONS) {
    const explained = await c.k(v, ['explain', 'podmetrics']);
    assert.match(explained, /KIND:\s+PodMetrics\n/);
    assert.match(explained, /metrics\.k8s\.io/);
    assert.match(explained, /containers\s+<\[\]ContainerMetrics>/);
    assert.match(await c.k(v, ['explain', 'nodemetrics.usage']), /FIELD:\s+usage\s+<map\[string\]Quantity>/);
    assert.match(await c.k(v, ['explain', 'podmetrics.metadata.labels']), /Map of string keys and values/);
  }

  for (const v of KUBECTL_VERSIONS) {
    const pod = await kubectl(v, c.server.kubeconfig, ['top', 'pod', 'nope']);
    assert.equal(pod.code, 1);
    assert.match(pod.stderr, /Error from server \(NotFound\): pods "nope" not found/);
    const node = await kubectl(v, c.server.kubeconfig, ['top', 'node', 'nope']);
    assert.equal(node.code, 1);
    assert.match(node.stderr, /Error from server \(NotFound\): node "nope" not found/);
  }
  const watch = await kubectl('1.33', c.server.kubeconfig, ['get', '--raw', '/apis/metrics.k8s.io/v1beta1/pods?watch=true']);
  assert.match(watch.stderr, /MethodNotAllowed|method/i);
});

test('the HPA scales a deployment on the usage metrics.k8s.io reports', async () => {
  // Requests equal to the limit: each pod runs at ~100% of its request, twice the 50% target.
  const container = { name: 'hot', image: 'busybox', imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', 'while :; do :; done'], resources: { requests: { cpu: '50m' }, limits: { cpu: '50m' } } };
  await c.k('1.33', ['apply', '-f', '-'], JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'hot' },
    spec: { selector: { matchLabels: { app: 'hot' } }, template: { metadata: { labels: { app: 'hot' } }, spec: { terminationGracePeriodSeconds: 1, containers: [container] } } },
  }));
  await c.k('1.33', ['autoscale', 'deployment', 'hot', '--cpu-percent=50', '--min=1', '--max=2']);
  const hpa = await waitFor('scaled to 2 on real usage', async () => {
    const out = await c.k('1.33', ['get', 'hpa', 'hot']);
    return /^hot\s+Deployment\/hot\s+cpu: \d+%\/50%\s+1\s+2\s+2\s/m.test(out) ? out : undefined;
  }, 120_000);
  const used = Number(/cpu: (\d+)%/.exec(hpa)![1]);
  assert.ok(used > 50 && used <= 130, `utilization near 100% of the request: ${used}%`);
  assert.match(await c.k('1.33', ['describe', 'hpa', 'hot']), /SuccessfulRescale\s.*New size: 2; reason: cpu resource utilization \(percentage of request\) above target/);
  await c.k('1.33', ['delete', 'deployment', 'hot']);
});

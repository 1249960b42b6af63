// Seed 002 §deployment (create --record, set image, rollout status/history/undo) and seed 001 §4 调度管理
// (requests, nodeSelector, nodeAffinity, pod affinity and anti-affinity, nodeName, taints and tolerations, why a pod
// is Pending) and §6 (rollout pause/resume, set resources, scale, autoscale) and §5 cluster-info, with the
// real kubectl 1.33 (and 1.27 for the rollout) on a skiff server with hollow nodes (4 cpu each).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { KUBECTL_VERSIONS } from '../../lib/index.js';
import { eventually, startHollowCluster, type HollowCluster } from './hollow.js';
import { startNodeCluster } from './node.js';

let c: HollowCluster;
before(async () => {
  c = await startHollowCluster(3);
});
after(async () => {
  await c?.stop();
});

const deployment = (name: string): string => `#kube-deployemnt.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: 3
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      name: ${name}
      labels:
        app: ${name}
    spec:
      containers:
      - image: busybox:v1
        imagePullPolicy: IfNotPresent
        name: nodejs
`;

/** ReplicaSet name → "spec.replicas/status.readyReplicas" of the deployment's ReplicaSets. */
async function rsTable(name: string): Promise<Map<string, string>> {
  const list = JSON.parse(await c.k('get', 'rs', '-l', `app=${name}`, '-o', 'json')) as { items: Array<{ metadata: { name: string }; spec: { replicas: number }; status: { readyReplicas?: number } }> };
  return new Map(list.items.map((rs) => [rs.metadata.name, `${rs.spec.replicas}/${rs.status.readyReplicas ?? 0}`]));
}

for (const v of KUBECTL_VERSIONS) {
  test(`seed 002 §deployment (kubectl ${v}): create --record, get/describe, set image + rollout status, get rs, rollout undo, history, undo --to-revision`, async () => {
    const name = `kubia-${v.replace('.', '')}`;
    const created = await c.kvIn(v, deployment(name), 'create', '-f', '-', '--record');
    assert.equal(created, `deployment.apps/${name} created\n`);
    assert.match(await c.kv(v, 'rollout', 'status', 'deployment', name, '--timeout=60s'), new RegExp(`deployment "${name}" successfully rolled out`));
    const got = await c.kv(v, 'get', 'deployment', name);
    assert.match(got.split('\n')[0], /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/);
    assert.match(got, new RegExp(`${name}\\s+3/3\\s+3\\s+3\\s+`));
    const describe = await c.kv(v, 'describe', 'deployment', name);
    assert.match(describe, /deployment\.kubernetes\.io\/revision: 1/);
    assert.match(await c.kv(v, 'get', 'deployment', name, '-o', 'jsonpath={.metadata.annotations.kubernetes\\.io/change-cause}'), /^kubectl\S* create .*--filename=- --record=true$/);
    assert.match(describe, /Replicas:\s+3 desired \| 3 updated \| 3 total \| 3 available \| 0 unavailable/);
    assert.match(describe, /RollingUpdateStrategy:\s+25% max unavailable, 25% max surge/);
    assert.match(describe, /Available\s+True\s+MinimumReplicasAvailable/);
    assert.match(describe, /Progressing\s+True\s+NewReplicaSetAvailable/);
    const [[rs1]] = [...(await rsTable(name))];
    assert.match(rs1, new RegExp(`^${name}-[a-z0-9]{8,10}$`));
    assert.match(describe, new RegExp(`Normal\\s+ScalingReplicaSet\\s+\\S+\\s+deployment-controller\\s+Scaled up replica set ${rs1} (to|from 0 to) 3`));
    const pods = await c.kv(v, 'get', 'po', '-l', `app=${name}`);
    assert.equal(pods.match(new RegExp(`^${rs1}-[a-z0-9]{5}\\s+1/1\\s+Running`, 'gm'))?.length, 3);

    assert.equal(await c.kv(v, 'set', 'image', 'deployment', name, 'nodejs=busybox:v3'), `deployment.apps/${name} image updated\n`);
    assert.match(await c.kv(v, 'rollout', 'status', 'deployment', name, '--timeout=60s'), new RegExp(`deployment "${name}" successfully rolled out\n$`));
    const afterUpdate = await eventually('old rs scaled to 0', async () => {
      const t = await rsTable(name);
      return t.size === 2 && t.get(rs1) === '0/0' ? t : undefined;
    });
    const rs2 = [...afterUpdate.keys()].find((k) => k !== rs1)!;
    assert.equal(afterUpdate.get(rs2), '3/3');

    assert.equal(await c.kv(v, 'rollout', 'undo', 'deployment', name), `deployment.apps/${name} rolled back\n`);
    await c.kv(v, 'rollout', 'status', 'deployment', name, '--timeout=60s');
    assert.equal(await c.kv(v, 'get', 'deployment', name, '-o', 'jsonpath={.spec.template.spec.containers[0].image}'), 'busybox:v1');
    await eventually('rs1 back at 3', async () => (await rsTable(name)).get(rs1) === '3/3');
    const history = await c.kv(v, 'rollout', 'history', 'deployment', name);
    assert.match(history, new RegExp(`deployment\\.apps/${name}\\s*\nREVISION\\s+CHANGE-CAUSE\n2\\s+.*\n3\\s+kubectl\\S* create .*--filename=- --record=true`));
    assert.match(await c.kv(v, 'rollout', 'history', 'deployment', name, '--revision=2'), /Image:\s+busybox:v3/);

    assert.equal(await c.kv(v, 'rollout', 'undo', 'deployment', name, '--to-revision=2'), `deployment.apps/${name} rolled back\n`);
    await c.kv(v, 'rollout', 'status', 'deployment', name, '--timeout=60s');
    assert.equal(await c.kv(v, 'get', 'deployment', name, '-o', 'jsonpath={.spec.template.spec.containers[0].image}'), 'busybox:v3');
    await c.kv(v, 'delete', 'deployment', name);
  });
}

test('seed 001 §6 滚动升级: rollout pause/resume, set resources, scale to 10, autoscale', async () => {
  await c.kIn(deployment('nginx-deployment'), 'create', '-f', '-');
  await c.k('rollout', 'status', 'deployment/nginx-deployment', '--timeout=60s');
  assert.equal(await c.k('rollout', 'pause', 'deployment/nginx-deployment'), 'deployment.apps/nginx-deployment paused\n');
  await c.k('set', 'image', 'deployment/nginx-deployment', 'nodejs=busybox:1.9.1');
  assert.equal(await c.k('set', 'resources', 'deployment/nginx-deployment', '-c=nodejs', '--limits=cpu=200m,memory=512Mi'), 'deployment.apps/nginx-deployment resource requirements updated\n');
  // Paused: no new ReplicaSet yet.
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal((await rsTable('nginx-deployment')).size, 1);
  assert.equal(await c.k('rollout', 'resume', 'deployment/nginx-deployment'), 'deployment.apps/nginx-deployment resumed\n');
  await c.k('rollout', 'status', 'deployment/nginx-deployment', '--timeout=60s');
  assert.equal((await rsTable('nginx-deployment')).size, 2);
  assert.equal(await c.k('get', 'deployment', 'nginx-deployment', '-o', 'jsonpath={.spec.template.spec.containers[0].resources.limits.cpu}'), '200m');

  assert.equal(await c.k('scale', 'deployment', 'nginx-deployment', '--replicas=10'), 'deployment.apps/nginx-deployment scaled\n');
  await eventually('10 ready', async () => (await c.k('get', 'deployment', 'nginx-deployment', '-o', 'jsonpath={.status.readyReplicas}')) === '10');
  assert.equal(await c.k('autoscale', 'deployment', 'nginx-deployment', '--min=10', '--max=15', '--cpu-percent=80'), 'horizontalpodautoscaler.autoscaling/nginx-deployment autoscaled\n');
  const hpa = await c.k('get', 'hpa', 'nginx-deployment');
  assert.match(hpa.split('\n')[0], /^NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE$/);
  assert.match(hpa, /nginx-deployment\s+Deployment\/nginx-deployment\s+.*\s+10\s+15\s+/);
  await c.k('delete', 'hpa,deployment', 'nginx-deployment');
});

const pod = (name: string, spec: string): string => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels:
    app: ${name.replace(/-\d+$/, '')}
spec:
${spec}  containers:
  - name: main
    image: busybox
    imagePullPolicy: IfNotPresent
`;

async function nodeOf(name: string): Promise<string> {
  return eventually(`${name} scheduled`, async () => (await c.k('get', 'pod', name, '-o', 'jsonpath={.spec.nodeName}')) || undefined);
}

test('seed 001 §4.2.1/4.2.2/4.2.5 nodeSelector, nodeAffinity, nodeName; §4.3 get pod -o wide', async () => {
  const [n1, n2, n3] = c.nodes;
  await c.k('label', 'node', n2, 'disk=ssd');
  await c.k('label', 'node', n3, 'zone=az2');
  await c.kIn(pod('selected', '  nodeSelector:\n    disk: ssd\n'), 'create', '-f', '-');
  assert.equal(await nodeOf('selected'), n2);
  const wide = await c.k('get', 'pod', 'selected', '-o', 'wide');
  assert.match(wide.split('\n')[0], /NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES/);

  const affinity = `  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
        - matchExpressions:
          - key: zone
            operator: In
            values: [az1, az2]
`;
  await c.kIn(pod('affine', affinity), 'create', '-f', '-');
  assert.equal(await nodeOf('affine'), n3);
  await c.kIn(pod('by-name', `  nodeName: ${n1}\n`), 'create', '-f', '-');
  assert.equal(await nodeOf('by-name'), n1);
  assert.match(await c.k('get', 'pod', 'by-name', '-o', 'wide'), new RegExp(`by-name\\s+1/1\\s+Running\\s+0\\s+\\S+\\s+127\\.\\S+\\s+${n1}\\s`));
  await c.k('delete', 'pod', 'selected', 'affine', 'by-name', '--wait=false');
  await c.k('label', 'node', n2, 'disk-');
  await c.k('label', 'node', n3, 'zone-');
});

test('seed 001 §4.2.4 podAntiAffinity spreads pods over nodes; the fourth one stays Pending', async () => {
  const anti = `  affinity:
    podAntiAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
      - labelSelector:
          matchLabels:
            app: spread
        topologyKey: kubernetes.io/hostname
`;
  for (let i = 1; i <= 4; i++) await c.kIn(pod(`spread-${i}`, anti), 'create', '-f', '-');
  const placed = await eventually('three placed', async () => {
    const out = await c.k('get', 'pods', '-l', 'app=spread', '-o', 'jsonpath={.items[*].spec.nodeName}');
    const nodes = out.split(' ').filter(Boolean);
    return nodes.length === 3 ? nodes : undefined;
  });
  assert.equal(new Set(placed).size, 3);
  const pending = await eventually('the pending one', async () => {
    const out = await c.k('get', 'pods', '-l', 'app=spread', '--field-selector=status.phase=Pending', '-o', 'name');
    return out.trim() || undefined;
  });
  const describe = await eventually('FailedScheduling', async () => {
    const out = await c.k('describe', pending);
    return /FailedScheduling/.test(out) ? out : undefined;
  });
  assert.match(describe, /0\/3 nodes are available: 3 node\(s\) didn't match pod anti-affinity rules/);
  await c.k('delete', 'pods', '-l', 'app=spread', '--wait=false');
});

test('seed 001 §4.2.3 podAffinity puts pods on the node of the pods they name; with none to follow a pod stays Pending', async () => {
  const n2 = c.nodes[1];
  await c.kIn(pod('cache', `  nodeName: ${n2}\n`), 'create', '-f', '-');
  const follow = (app: string): string => `  affinity:
    podAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
      - labelSelector:
          matchExpressions:
          - key: app
            operator: In
            values: [${app}]
        topologyKey: kubernetes.io/hostname
`;
  for (let i = 1; i <= 3; i++) await c.kIn(pod(`web-${i}`, follow('cache')), 'create', '-f', '-');
  for (let i = 1; i <= 3; i++) assert.equal(await nodeOf(`web-${i}`), n2);
  await c.kIn(pod('lonely', follow('nobody')), 'create', '-f', '-');
  const describe = await eventually('FailedScheduling', async () => {
    const out = await c.k('describe', 'pod', 'lonely');
    return /FailedScheduling/.test(out) ? out : undefined;
  });
  assert.match(describe, /0\/3 nodes are available: 3 node\(s\) didn't match pod affinity rules/);
  await c.k('delete', 'pod', 'cache', 'web-1', 'web-2', 'web-3', 'lonely', '--wait=false');
});

test('seed 001 §4.1 requests: a pod is scheduled by the sum of its requests; too much cpu stays Pending with the reason', async () => {
  await c.kIn(pod('big', '  initContainers:\n  - name: init\n    image: busybox\n    resources:\n      requests:\n        cpu: "3500m"\n'), 'create', '-f', '-');
  assert.ok(c.nodes.includes(await nodeOf('big')));
  await c.kIn(`apiVersion: v1
kind: Pod
metadata:
  name: huge
spec:
  containers:
  - name: a
    image: busybox
    resources:
      requests:
        cpu: "3"
  - name: b
    image: busybox
    resources:
      requests:
        cpu: "2"
`, 'create', '-f', '-');
  const describe = await eventually('FailedScheduling', async () => {
    const out = await c.k('describe', 'pod', 'huge');
    return /FailedScheduling/.test(out) ? out : undefined;
  });
  assert.match(describe, /Status:\s+Pending/);
  assert.match(describe, /0\/3 nodes are available: 3 Insufficient cpu/);
  await c.k('delete', 'pod', 'big', 'huge', '--wait=false');
});

test('seed 001 §4.2.6/4.2.7 taint node foo=bar:NoSchedule keeps pods off; a toleration lets them on; foo:NoSchedule- removes it', async () => {
  const [n1, n2, n3] = c.nodes;
  for (const n of [n1, n2]) assert.equal(await c.k('taint', 'node', n, 'foo=bar:NoSchedule'), `node/${n} tainted\n`);
  await c.k('create', 'deployment', 'untolerated', '--image=busybox', '--replicas=3');
  await eventually('3 ready', async () => (await c.k('get', 'deployment', 'untolerated', '-o', 'jsonpath={.status.readyReplicas}')) === '3');
  const nodes = (await c.k('get', 'pods', '-l', 'app=untolerated', '-o', 'jsonpath={.items[*].spec.nodeName}')).split(' ');
  assert.deepEqual([...new Set(nodes)], [n3]);

  const tolerating = `  tolerations:
  - key: foo
    operator: Equal
    value: bar
    effect: NoSchedule
  nodeSelector:
    kubernetes.io/hostname: ${n1}
`;
  await c.kIn(pod('tolerant', tolerating), 'create', '-f', '-');
  assert.equal(await nodeOf('tolerant'), n1);
  await c.kIn(pod('intolerant', `  nodeSelector:\n    kubernetes.io/hostname: ${n2}\n`), 'create', '-f', '-');
  const describe = await eventually('FailedScheduling', async () => {
    const out = await c.k('describe', 'pod', 'intolerant');
    return /FailedScheduling/.test(out) ? out : undefined;
  });
  assert.match(describe, /node\(s\) had untolerated taint \{foo: bar\}/);
  assert.match(await c.k('describe', 'node', n2), /Taints:\s+foo=bar:NoSchedule/);

  assert.equal(await c.k('taint', 'node', n2, 'foo:NoSchedule-'), `node/${n2} untainted\n`);
  assert.equal(await nodeOf('intolerant'), n2);
  await c.k('taint', 'node', n1, 'foo:NoSchedule-');
  await c.k('delete', 'deployment', 'untolerated');
  await c.k('delete', 'pod', 'tolerant', 'intolerant', '--wait=false');
});

test('seed 001 §5 监控: kubectl cluster-info, cluster-info dump, get pod --watch, explain pod.spec', async () => {
  const info = await c.k('cluster-info');
  assert.match(info, new RegExp(`Kubernetes control plane\\S* is running at \\S*${c.server.url.replace(/[.]/g, '\\.')}`));
  const dump = await c.k('cluster-info', 'dump');
  assert.match(dump, /"kind": "NodeList"/);
  const explained = await c.k('explain', 'pod.spec');
  assert.match(explained, /KIND:\s+Pod\n/);
  assert.match(explained, /^\s+containers\s+<\[\]Container> -required-$/m);
  await c.k('run', 'watched', '--image=busybox');
  const w = await c.kTry('get', 'pod', 'watched', '--watch', '--request-timeout=3s');
  assert.match(w.stdout, /watched\s+\d\/1\s+\w+/);
  await c.k('delete', 'pod', 'watched', '--wait=false');
});

test('seed 001 §4.4 多调度器: a pod naming a scheduler that does not run stays Pending; the default scheduler places the rest', async () => {
  await c.kIn(pod('custom', '  schedulerName: my-scheduler\n'), 'create', '-f', '-');
  await c.kIn(pod('default', ''), 'create', '-f', '-');
  assert.ok(c.nodes.includes(await nodeOf('default')));
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(await c.k('get', 'pod', 'custom', '-o', 'jsonpath={.status.phase} {.spec.nodeName}'), 'Pending ');
  await c.k('delete', 'pod', 'custom', 'default', '--wait=false');
});

test('seed 001 §5 监控: kubectl top pod / top node on a real node (kubelet Summary API → metrics.k8s.io)', async () => {
  // Hollow nodes have no kubelet to scrape: like metrics-server with unreachable nodes, there are no metrics yet.
  const hollow = await c.kTry('top', 'node');
  assert.equal(hollow.code, 1);
  assert.match(hollow.stderr, /error: metrics not available yet/);
  const n = await startNodeCluster('top');
  try {
    await n.k('run', 'topped', '--image=busybox', '--image-pull-policy=IfNotPresent', '--', 'sleep', '3600');
    // A busy loop held to a twentieth of a core by its limit (CPU is shared with the other tests).
    await n.kIn('apiVersion: v1\nkind: Pod\nmetadata:\n  name: busy\nspec:\n  containers:\n  - name: busy\n    image: busybox\n    imagePullPolicy: IfNotPresent\n    command: [sh, -c, "while :; do :; done"]\n    resources:\n      limits:\n        cpu: 50m\n', 'create', '-f', '-');
    await eventually('pods Running', async () => (await n.k('get', 'pods', '-o', 'jsonpath={.items[*].status.phase}')) === 'Running Running');
    for (const v of KUBECTL_VERSIONS) {
      const nodes = await n.kv(v, 'top', 'node');
      assert.match(nodes.split('\n')[0], /^NAME\s+CPU\(cores\)\s+CPU(%|\(%\))\s+MEMORY\(bytes\)\s+MEMORY(%|\(%\))/);
      assert.match(nodes, new RegExp(`^${n.node}\\s+\\d+m\\s+\\d+%\\s+\\d+Mi\\s+\\d+%`, 'm'));
      assert.match(await n.kv(v, 'top', 'pod', 'topped'), /^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\s*\ntopped\s+\d+m\s+\d+Mi/);
      // 占用资源排序: the busy pod comes first by CPU.
      const sorted = await n.kv(v, 'top', 'pod', '--sort-by=cpu');
      assert.deepEqual(sorted.trim().split('\n').slice(1).map((l) => l.split(/\s+/)[0]), ['busy', 'topped'], sorted);
      assert.match(await n.kv(v, 'top', 'pod', '-A', '-l', 'run=topped', '--containers'), /^NAMESPACE\s+POD\s+NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\s*\ndefault\s+topped\s+topped\s+\d+m\s+\d+Mi/);
    }
  } finally {
    await n.stop();
  }
});

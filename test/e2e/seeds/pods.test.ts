// Seed 002 §pod (操作pod, kubectl run --rm -i/-it), §namespace demo, §存活探针, §就绪探针, §job and seed 001
// §5 (logs, exec -c, exec without --) and §7 (pod DNS records) on real
// containers: a `skiff server` with a real `skiff agent` node, driven by the real kubectl 1.33 and 1.27.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { kubectl, KUBECTL_VERSIONS, REPO_ROOT } from '../../lib/index.js';
import { assertServiceIPContained, eventually, startNodeCluster, type NodeCluster } from './node.js';

let c: NodeCluster;
before(async () => {
  c = await startNodeCluster('pods');
});
after(async () => {
  await c?.stop();
});

/** busybox httpd answering as kubia does ("You've hit <pod name>"). */
const KUBIA = `command: ["sh", "-c", "mkdir -p /www && echo \\"You've hit $(hostname)\\" > /www/index.html && exec httpd -f -p 8080 -h /www"]`;

async function phase(pod: string, want: string, namespace = 'default'): Promise<void> {
  await eventually(`${pod} ${want}`, async () => (await c.k('-n', namespace, 'get', 'pod', pod, '-o', 'jsonpath={.status.phase}')) === want, 60_000);
}

test('seed 002 §namespace demo: the busybox pod runs in development; seed 001 §5 logs, logs -f, exec, exec -c, exec -i (kubectl 1.27 and 1.33)', async () => {
  await c.k('create', 'ns', 'development');
  const pod1 = `apiVersion: v1
kind: Pod
metadata:
  name: busybox
  namespace: development
spec:
  containers:
  - name: busybox
    image: busybox
    imagePullPolicy: IfNotPresent
    command:
    - sh
    - -c
    - 'echo started; exec sleep 3600'
  - name: sidecar
    image: busybox
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "while true; do echo tick; sleep 1; done"]
`;
  assert.equal(await c.kIn(pod1, 'create', '-f', '-'), 'pod/busybox created\n');
  await phase('busybox', 'Running', 'development');
  await eventually('2/2 ready', async () => /^busybox\s+2\/2\s+Running\s+0\s+/m.test(await c.k('get', 'pods', '-n', 'development')));
  for (const v of KUBECTL_VERSIONS) {
    assert.equal(await c.kv(v, 'logs', 'busybox', '-n', 'development', '-c', 'busybox'), 'started\n');
    assert.match(await c.kv(v, 'logs', 'busybox', '-n', 'development', '-c', 'sidecar', '--tail=1'), /^tick\n$/);
    assert.equal(await c.kv(v, 'exec', 'busybox', '-n', 'development', '-c', 'sidecar', '--', 'hostname'), 'busybox\n');
    assert.match(await c.kv(v, 'exec', 'busybox', '-n', 'development', '--', 'env'), /^KUBERNETES_SERVICE_HOST=/m);
  }
  const piped = await c.kTry('exec', '-i', 'busybox', '-n', 'development', '--', 'sh', '-c', 'read x; echo got $x; exit 4');
  assert.equal(piped.code, 4);
  // logs -f streams until stopped (--request-timeout ends it).
  const follow = await c.kTry('logs', '-f', 'busybox', '-n', 'development', '-c', 'sidecar', '--request-timeout=3s');
  assert.ok(follow.stdout.split('\n').filter((l) => l === 'tick').length >= 3, follow.stdout);
  const describe = await c.k('describe', 'pod', 'busybox', '-n', 'development');
  assert.match(describe, new RegExp(`Node:\\s+${c.node}/127\\.0\\.0\\.1`));
  assert.match(describe, /Normal\s+Started\s+\S+\s+kubelet\s+Started container busybox/);
  await c.k('delete', 'pod', 'busybox', '-n', 'development', '--timeout=60s');
});

test('seed 002 §存活探针 kube-liveness.yaml: an httpGet liveness probe that starts failing restarts the container', async () => {
  // kubia-unhealthy fails after a few requests: this httpd loses its page after 4 seconds.
  const liveness = `apiVersion: v1
kind: Pod
metadata:
  name: kubia-liveness
spec:
  containers:
  - image: busybox
    imagePullPolicy: IfNotPresent
    name: kubia
    command: ["sh", "-c", "mkdir -p /www && echo ok > /www/index.html; (sleep 4; rm /www/index.html) & exec httpd -f -p 8080 -h /www"]
    livenessProbe:
      httpGet:
        path: /
        port: 8080
      periodSeconds: 1
      failureThreshold: 2
`;
  assert.equal(await c.kIn(liveness, 'apply', '-f', '-'), 'pod/kubia-liveness created\n');
  await eventually('a restart', async () => Number(await c.k('get', 'po', 'kubia-liveness', '-o', 'jsonpath={.status.containerStatuses[0].restartCount}')) >= 1, 60_000);
  assert.match(await c.k('get', 'po', 'kubia-liveness'), /kubia-liveness\s+\d\/1\s+\w+\s+[1-9]\d*( \([^)]*\))?\s+/);
  const describe = await c.k('describe', 'po', 'kubia-liveness');
  assert.match(describe, /Liveness probe failed: HTTP probe failed with statuscode: 404/);
  assert.match(describe, /Container kubia failed liveness probe, will be restarted/);
  await c.k('delete', 'pod', 'kubia-liveness', '--wait=false');
});

test('seed 002 §就绪探针 kube-readness.yaml: exec readiness keeps pods 0/1 and out of the Endpoints until /var/ready exists', async () => {
  await c.k('create', 'ns', 'dev');
  const rc = `apiVersion: v1
kind: ReplicationController
metadata:
  name: kubia
  namespace: dev
spec:
  replicas: 3
  selector:
    app: kubia
  template:
    metadata:
      labels:
        app: kubia
    spec:
      containers:
      - name: kubia
        image: busybox
        imagePullPolicy: IfNotPresent
        ${KUBIA}
        ports:
        - containerPort: 8080
        readinessProbe:
          periodSeconds: 1
          exec:
            command:
            - ls
            - /var/ready
---
apiVersion: v1
kind: Service
metadata:
  name: kubia
  namespace: dev
spec:
  selector:
    app: kubia
  ports:
  - port: 80
    targetPort: 8080
`;
  assert.equal(await c.kIn(rc, 'create', '-f', '-'), 'replicationcontroller/kubia created\nservice/kubia created\n');
  const pods = await eventually('3 running, none ready', async () => {
    const out = await c.k('-n', 'dev', 'get', 'pods', '-l', 'app=kubia');
    const rows = out.match(/^kubia-\w{5}\s+0\/1\s+Running\s+0\s+/gm) ?? [];
    return rows.length === 3 ? rows.map((r) => r.split(/\s+/)[0]) : undefined;
  }, 90_000);
  // Not ready: listed under notReadyAddresses only, so the ENDPOINTS column is empty.
  await eventually('3 not-ready addresses', async () => (await c.k('-n', 'dev', 'get', 'endpoints', 'kubia', '-o', 'jsonpath={.subsets[*].notReadyAddresses[*].ip}')).split(' ').length === 3);
  assert.equal(await c.k('-n', 'dev', 'get', 'endpoints', 'kubia', '-o', 'jsonpath={.subsets[*].addresses[*].ip}'), '');
  await c.k('-n', 'dev', 'exec', pods[0], '--', 'touch', '/var/ready');
  await eventually('one pod ready', async () => (await c.k('-n', 'dev', 'get', 'pod', pods[0])).match(/\s1\/1\s+Running/));
  const ip = await c.k('-n', 'dev', 'get', 'pod', pods[0], '-o', 'jsonpath={.status.podIP}');
  const ep = await eventually('endpoint of the ready pod', async () => {
    const out = await c.k('-n', 'dev', 'get', 'endpoints', 'kubia');
    return out.includes(`${ip}:8080`) ? out : undefined;
  });
  assert.match(ep, new RegExp(`^kubia\\s+${ip.replace(/\./g, '\\.')}:8080\\s+`, 'm'));
  // The pod answers as kubia on its pod IP (from another container of the cluster).
  assert.equal(await c.k('-n', 'dev', 'exec', pods[1], '--', 'wget', '-qO-', `http://${ip}:8080/`), `You've hit ${pods[0]}\n`);
  await c.k('-n', 'dev', 'delete', 'rc', 'kubia');
  await c.k('-n', 'dev', 'delete', 'svc', 'kubia');
});

test('seed 002 §job on a real container: Completed, its logs, restartPolicy OnFailure retries a failing run', async () => {
  const job = `apiVersion: batch/v1
kind: Job
metadata:
  name: batch-job
spec:
  template:
    metadata:
      labels:
        app: batch-job
    spec:
      restartPolicy: OnFailure
      containers:
      - name: main
        image: busybox
        imagePullPolicy: IfNotPresent
        command: ["sh", "-c", "if [ -e /state/second ]; then echo finished; else touch /state/second; echo failing; exit 1; fi"]
        volumeMounts:
        - name: state
          mountPath: /state
      volumes:
      - name: state
        emptyDir: {}
`;
  await c.kIn(job, 'create', '-f', '-');
  assert.equal(await c.k('wait', '--for=condition=complete', 'job/batch-job', '--timeout=50s'), 'job.batch/batch-job condition met\n');
  assert.equal(await c.k('logs', 'job/batch-job'), 'finished\n');
  assert.match(await c.k('get', 'pods', '-l', 'app=batch-job'), /batch-job-\w{5}\s+0\/1\s+Completed\s+1\s/);
  assert.match(await c.k('get', 'job', 'batch-job'), /batch-job\s+(Complete\s+)?1\/1\s+/);
  await c.k('delete', 'job', 'batch-job');
});

test('seed 002 §操作pod kubia-manual.yaml: get -o yaml has status conditions; logs and logs -c; kubectl run --rm -i and -it with piped input (kubectl 1.27 and 1.33)', async () => {
  const manual = `#kubia-manual.yaml
apiVersion: v1
kind: Pod
metadata:
  name: kubia-manual
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - image: busybox
    imagePullPolicy: IfNotPresent
    name: kubia
    command: ["sh", "-c", "echo 'Kubia server starting...'; exec sleep 3600"]
    ports:
    - containerPort: 8080
      protocol: TCP
`;
  assert.equal(await c.kIn(manual, 'create', '-f', '-'), 'pod/kubia-manual created\n');
  await phase('kubia-manual', 'Running');
  const yaml = await c.k('get', 'po', 'kubia-manual', '-o', 'yaml');
  assert.match(yaml, /^status:\n {2}conditions:\n/m);
  assert.match(yaml, /^ {4}status: "True"\n {4}type: Ready$/m);
  for (const v of KUBECTL_VERSIONS) {
    assert.equal(await c.kv(v, 'logs', 'kubia-manual'), 'Kubia server starting...\n');
    assert.equal(await c.kv(v, 'logs', 'kubia-manual', '-c', 'kubia'), 'Kubia server starting...\n');
    // kubectl run --rm -i: stdin reaches the pod, its output comes back, the pod is deleted after.
    const name = `tmp-${v.replace('.', '')}`;
    const once = await kubectl(v, c.server.kubeconfig, ['run', name, '--rm', '-i', '--image=busybox', '--image-pull-policy=IfNotPresent', '--restart=Never', '--', 'sh', '-c', 'read x; echo got $x'], { input: 'hello\n' });
    assert.equal(once.code, 0, once.stderr);
    assert.match(once.stdout, /^got hello$/m);
    assert.match(once.stdout, new RegExp(`pod "${name}" deleted`));
    // -it without a terminal: kubectl says so and goes on with plain stdin; the shell's exit code is kubectl's.
    const shell = await kubectl(v, c.server.kubeconfig, ['run', `${name}-it`, '--rm', '-it', '--image=busybox', '--image-pull-policy=IfNotPresent', '--restart=Never', '--', 'sh'], { input: 'echo in-the-shell; exit 3\n' });
    assert.equal(shell.code, 3, shell.stderr);
    assert.match(shell.stderr, /Unable to use a TTY - input is not a terminal or the right kind of file/);
    assert.match(shell.stdout, /^in-the-shell$/m);
    await eventually(`${name} pods gone`, async () => (await c.k('get', 'pods', '-o', 'name')).split('\n').every((p) => !p.startsWith(`pod/${name}`)));
  }
  // The seed's `kubectl exec kubia env` (no --): kubectl 1.27 warns and runs it, 1.33 refuses.
  const old = await kubectl('1.27', c.server.kubeconfig, ['exec', 'kubia-manual', 'env']);
  assert.equal(old.code, 0, old.stderr);
  assert.match(old.stderr, /kubectl exec \[POD\] \[COMMAND\] is DEPRECATED/);
  assert.match(old.stdout, /^HOSTNAME=kubia-manual$/m);
  const refused = await kubectl('1.33', c.server.kubeconfig, ['exec', 'kubia-manual', 'env']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /exec \[POD\] \[COMMAND\] is not supported anymore/);
  // kubectl exec -it {pod} -c {container} -- /bin/sh with commands on stdin.
  const sh = await kubectl('1.33', c.server.kubeconfig, ['exec', '-it', 'kubia-manual', '-c', 'kubia', '--', '/bin/sh'], { input: 'echo $HOSTNAME; exit\n' });
  assert.equal(sh.code, 0, sh.stderr);
  assert.match(sh.stdout, /^kubia-manual$/m);
  await c.k('delete', 'pod', 'kubia-manual', '--wait=false');
});

test('seed 001 §7 k8s dns 对pod: <pod-ip>.<ns>.pod.cluster.local and <hostname>.<subdomain>.<ns>.svc.cluster.local resolve to the pod; a headless service to its pods', async () => {
  const pod = `apiVersion: v1
kind: Service
metadata:
  name: sub
spec:
  clusterIP: None
  selector:
    app: named
  ports:
  - port: 80
---
apiVersion: v1
kind: Pod
metadata:
  name: named
  labels:
    app: named
spec:
  terminationGracePeriodSeconds: 1
  hostname: busybox-1
  subdomain: sub
  containers:
  - name: main
    image: busybox
    imagePullPolicy: IfNotPresent
    command: ["sleep", "3600"]
`;
  await c.kIn(pod, 'apply', '-f', '-');
  await phase('named', 'Running');
  assertServiceIPContained(c.clusterDNS);
  const ip = await c.k('get', 'pod', 'named', '-o', 'jsonpath={.status.podIP}');
  assert.equal(await c.k('exec', 'named', '--', 'hostname'), 'busybox-1\n');
  for (const name of [`${ip.replace(/\./g, '-')}.default.pod.cluster.local`, 'busybox-1.sub.default.svc.cluster.local', 'sub.default.svc.cluster.local']) {
    const r = await eventually(`${name} resolves`, async () => {
      const out = await c.kTry('exec', 'named', '--', 'nslookup', '-type=a', name);
      return out.stdout.includes(`Address: ${ip}`) ? out : undefined;
    });
    assert.match(r.stdout, new RegExp(`Name:\\s+${name.replace(/\./g, '\\.')}`));
  }
  await c.k('delete', 'pod', 'named', '--wait=false');
  await c.k('delete', 'svc', 'sub');
});

const SECURE = `apiVersion: v1
kind: Pod
metadata:
  name: NAME
spec:
  terminationGracePeriodSeconds: 1
  securityContext:
    runAsUser: 1000
    runAsGroup: 3000
    fsGroup: 2000
  containers:
  - name: main
    image: busybox
    imagePullPolicy: IfNotPresent
    command: ["sleep", "3600"]
    volumeMounts:
    - name: data
      mountPath: /data
  volumes:
  - name: data
    emptyDir: {}
`;

test('seed 000 §运维问题: securityContext runAsUser/runAsGroup make the process non-root', async () => {
  await c.kIn(SECURE.replace('NAME', 'secure'), 'create', '-f', '-');
  await phase('secure', 'Running');
  assert.match(await c.k('exec', 'secure', '--', 'id'), /^uid=1000 gid=3000\b/);
  const denied = await c.kTry('exec', 'secure', '--', 'touch', '/etc/x');
  assert.notEqual(denied.code, 0);
  assert.match(denied.stderr, /Permission denied/);
  await c.k('delete', 'pod', 'secure', '--wait=false');
});

test('seed 000 §运维问题: securityContext fsGroup lets a non-root process write its volume', async () => {
  await c.kIn(SECURE.replace('NAME', 'fsgroup'), 'create', '-f', '-');
  await phase('fsgroup', 'Running');
  try {
    assert.match(await c.k('exec', 'fsgroup', '--', 'id'), /groups=.*\b2000\b/);
    await c.k('exec', 'fsgroup', '--', 'sh', '-c', 'echo written > /data/file');
    assert.match(await c.k('exec', 'fsgroup', '--', 'ls', '-ln', '/data/file'), /^-\S+\s+1\s+1000\s+2000\s+/);
  } finally {
    await c.k('delete', 'pod', 'fsgroup', '--wait=false');
  }
});

test('seed 000 §运维问题: a namespace over its ResourceQuota refuses the pod, and describe/create say why', async () => {
  await c.k('create', 'ns', 'quota-demo');
  await c.k('create', 'quota', 'pods-quota', '-n', 'quota-demo', '--hard=pods=1');
  await eventually('quota status', async () => (await c.k('get', 'quota', 'pods-quota', '-n', 'quota-demo', '-o', 'jsonpath={.status.hard.pods}')) === '1', 10_000);
  await c.k('run', 'first', '-n', 'quota-demo', '--image=busybox', '--image-pull-policy=IfNotPresent', '--', 'sleep', '3600');
  const refused = await c.kTry('run', 'second', '-n', 'quota-demo', '--image=busybox', '--image-pull-policy=IfNotPresent', '--', 'sleep', '3600');
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /pods "second" is forbidden: exceeded quota: pods-quota, requested: pods=1, used: pods=1, limited: pods=1/);
  assert.match(await c.k('describe', 'quota', '-n', 'quota-demo'), /pods\s+1\s+1/);
});

test('issue 12: skiff kubectl runs the system kubectl on the cluster of SKIFF_DATA_DIR; skiff status reports the control plane and the node healthy', async () => {
  const env = { ...process.env, SKIFF_DEV: '1', SKIFF_DATA_DIR: c.server.dataDir, KUBECONFIG: '' };
  const run = (args: string[], runEnv: NodeJS.ProcessEnv = env): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      const child = spawn(path.join(REPO_ROOT, 'bin/skiff'), args, { env: runEnv, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
  const nodes = await run(['kubectl', 'get', 'nodes']);
  assert.equal(nodes.code, 0, nodes.stderr);
  assert.match(nodes.stdout, new RegExp(`^${c.node}\\s+Ready\\s+`, 'm'));
  // Every component but the service proxy (the agent does not run one yet, so status exits 1 for it).
  const status = await run(['status']);
  assert.match(status.stdout, /^apiserver\s+Healthy\s+ok$/m);
  assert.match(status.stdout, /^kube-scheduler\s+Healthy\s+leader \S+$/m);
  assert.match(status.stdout, /^kube-controller-manager\s+Healthy\s+leader \S+$/m);
  assert.match(status.stdout, new RegExp(`^node/${c.node}\\s+Healthy\\s+Ready=True \\(KubeletReady\\)$`, 'm'));
  // The data dir as a flag, as `skiff server --data-dir` took it.
  const byFlag = await run(['status', '--data-dir', c.server.dataDir], { ...env, SKIFF_DATA_DIR: '' });
  assert.match(byFlag.stdout, /^apiserver\s+Healthy\s+ok$/m, byFlag.stderr);
});

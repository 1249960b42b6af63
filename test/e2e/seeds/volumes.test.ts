// Seed 002 §卷 (emptyDir shared by fortune's two containers and read through kubectl port-forward,
// hostPath, PersistentVolume + PersistentVolumeClaim, seed 001 §8.2 dynamic provisioning) and §ConfigMap (env,
// envFrom, volume) on real pods:
// a `skiff server` with a real `skiff agent` node, driven by the real kubectl 1.33. busybox stands in for
// luksa/fortune (a date loop) and nginx:alpine (httpd on port 80).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { kubectlPath } from '../../lib/index.js';
import { eventuallyGet, freePort } from './net.js';
import { eventually, startNodeCluster, type NodeCluster } from './node.js';

let c: NodeCluster;
let hostDir = '';
before(async () => {
  c = await startNodeCluster('vol');
  hostDir = fs.mkdtempSync(path.join(c.dataDir, 'host-'));
});
after(async () => {
  await c?.stop();
});

// The generator replaces the page by a rename, so a reader never catches it empty mid-rewrite.
const fortune = (volume: string): string => `apiVersion: v1
kind: Pod
metadata:
  name: fortune
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - image: busybox
    imagePullPolicy: IfNotPresent
    name: html-generator
    command: ["sh", "-c", "while true; do echo fortune-$(date +%s) > /var/htdocs/.next && mv /var/htdocs/.next /var/htdocs/index.html; sleep 1; done"]
    volumeMounts:
    - mountPath: /var/htdocs
      name: html
  - image: busybox
    imagePullPolicy: IfNotPresent
    name: web-server
    command: ["httpd", "-f", "-p", "80", "-h", "/usr/share/nginx/html"]
    volumeMounts:
    - mountPath: /usr/share/nginx/html
      name: html
      readOnly: true
    ports:
    - containerPort: 80
      protocol: TCP
  volumes:
  - name: html
${volume}`;

async function running(pod: string): Promise<void> {
  await eventually(`${pod} Running`, async () => (await c.k('get', 'pod', pod, '-o', 'jsonpath={.status.phase}')) === 'Running', 60_000);
}

test('seed 002 §emptyDir: fortune\'s generator writes, its web server serves; kubectl port-forward fortune PORT:80 answers', async () => {
  await c.kIn(fortune('    emptyDir: {}\n'), 'create', '-f', '-');
  await running('fortune');
  const port = await freePort();
  const pf = spawn(kubectlPath('1.33'), [`--kubeconfig=${c.server.kubeconfig}`, 'port-forward', 'fortune', `${port}:80`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let pfOut = '';
  pf.stdout.on('data', (d: Buffer) => (pfOut += d.toString()));
  try {
    const first = await eventually('a fortune', async () => {
      const got = await eventuallyGet(port);
      return got.status === 200 ? got.body : undefined;
    });
    assert.match(first, /^fortune-\d+\n$/);
    assert.match(pfOut, new RegExp(`Forwarding from 127\\.0\\.0\\.1:${port} -> 80`));
    // The generator keeps rewriting the shared file.
    await eventually('a newer fortune', async () => ((await eventuallyGet(port)).body !== first ? true : undefined), 10_000);
  } finally {
    pf.kill();
  }
  // Read-only for the web server, writable for the generator.
  const ro = await c.kTry('exec', 'fortune', '-c', 'web-server', '--', 'touch', '/usr/share/nginx/html/x');
  assert.notEqual(ro.code, 0);
  assert.match(ro.stderr, /Read-only file system/);
  await c.k('delete', 'pod', 'fortune', '--timeout=60s');
});

test('seed 002 §hostPath卷: the node\'s directory holds what the pod wrote, after the pod is gone', async () => {
  const data = path.join(hostDir, 'data');
  await c.kIn(fortune(`    hostPath:\n      path: "${data}"\n      type: DirectoryOrCreate\n`), 'create', '-f', '-');
  await running('fortune');
  // cat /data/index.html on the node.
  const onHost = await eventually('index.html on the node', async () => {
    const file = path.join(data, 'index.html');
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
  });
  assert.match(onHost, /^fortune-\d+\n$/);
  assert.match(await c.k('exec', 'fortune', '-c', 'web-server', '--', 'wget', '-qO-', 'http://127.0.0.1/'), /^fortune-\d+\n$/);
  await c.k('delete', 'pod', 'fortune', '--timeout=60s');
  assert.ok(fs.existsSync(path.join(data, 'index.html')), 'hostPath data outlives the pod');
});

test('seed 002 §ConfigMap kube-configmap.yaml: env valueFrom configMapKeyRef, envFrom, and a configMap volume', async () => {
  const cm = `#kube-configmap.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: fortune-config
data:
  sleep-interval: "3"
  res-type: configmap
  record: "100"
`;
  assert.equal(await c.kIn(cm, 'create', '-f', '-'), 'configmap/fortune-config created\n');
  const pod = `#kube-configmap-pod.yaml
apiVersion: v1
kind: Pod
metadata:
  name: fortune-env-from-configmap
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - image: busybox
    imagePullPolicy: IfNotPresent
    name: configmap-demo
    command: ["sleep", "3600"]
    env:
    - name: INTERVAL
      valueFrom:
        configMapKeyRef:
          name: fortune-config
          key: sleep-interval
    envFrom:
    - prefix: CONFIG_
      configMapRef:
        name: fortune-config
    volumeMounts:
    - name: config
      mountPath: /etc/config
  volumes:
  - name: config
    configMap:
      name: fortune-config
`;
  await c.kIn(pod, 'create', '-f', '-');
  await running('fortune-env-from-configmap');
  const env = await c.k('exec', 'fortune-env-from-configmap', '--', 'env');
  assert.match(env, /^INTERVAL=3$/m);
  assert.match(env, /^CONFIG_record=100$/m);
  assert.match(env, /^CONFIG_res-type=configmap$/m);
  assert.equal(await c.k('exec', 'fortune-env-from-configmap', '--', 'cat', '/etc/config/sleep-interval'), '3');
  assert.deepEqual((await c.k('exec', 'fortune-env-from-configmap', '--', 'ls', '/etc/config')).split('\n').filter(Boolean), ['record', 'res-type', 'sleep-interval']);
  // A changed ConfigMap reaches the mounted files (not the env).
  await c.k('patch', 'configmap', 'fortune-config', '-p', '{"data":{"sleep-interval":"25"}}');
  await eventually('updated file', async () => (await c.k('exec', 'fortune-env-from-configmap', '--', 'cat', '/etc/config/sleep-interval')) === '25', 90_000);
  await c.k('delete', 'pod', 'fortune-env-from-configmap', '--wait=false');
});

test('seed 002 §ConfigMap kube-configmap-evn.yaml and kube-configmap-file.yaml as written: envFrom without a prefix, the configMap volume at /data (kubectl exec -it ... env, exec -- ls /data)', async () => {
  const envPod = `#kube-configmap-evn.yaml
apiVersion: v1
kind: Pod
metadata:
 name: fortune-env-all
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - image: busybox
    imagePullPolicy: IfNotPresent
    name: configmap-demo
    command: ["sleep", "3600"]
    envFrom:
    - configMapRef:
        name: fortune-config
`;
  const filePod = `#kube-configmap-file.yaml
apiVersion: v1
kind: Pod
metadata:
  name: fortune-file-configmap
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - image: busybox
    imagePullPolicy: IfNotPresent
    name: configmap-demo
    command: ["sleep", "3600"]
    volumeMounts:
    - name: config-volume
      mountPath: /data
  volumes:
    - name: config-volume
      configMap:
        name: fortune-config
`;
  await c.kIn(envPod, 'create', '-f', '-');
  await c.kIn(filePod, 'create', '-f', '-');
  await running('fortune-env-all');
  await running('fortune-file-configmap');
  // kubectl exec -it fortune-env-from-configmap env (no terminal here: kubectl says so and runs it).
  const env = await c.kTry('exec', '-it', 'fortune-env-all', '--', 'env');
  assert.equal(env.code, 0, env.stderr);
  assert.match(env.stdout, /^record=100\r?$/m);
  assert.match(env.stdout, /^res-type=configmap\r?$/m);
  assert.match(env.stdout, /^sleep-interval=\d+\r?$/m);
  assert.deepEqual((await c.k('exec', 'fortune-file-configmap', '--', 'ls', '/data')).split('\n').filter(Boolean), ['record', 'res-type', 'sleep-interval']);
  assert.equal(await c.k('exec', 'fortune-file-configmap', '--', 'cat', '/data/record'), '100');
  await c.k('delete', 'pod', 'fortune-env-all', 'fortune-file-configmap', '--wait=false');
});

test('seed 002 §Persistent Volume和Persistent Volume Claim: pv0003 and myclaim bind; kubia-pvc writes through the claim', async () => {
  const pvDir = path.join(hostDir, 'public');
  fs.mkdirSync(pvDir);
  // The seed's PV is NFS; a hostPath PV stands in for it on one node.
  const pv = `apiVersion: v1
kind: PersistentVolume
metadata:
  name: pv0003
spec:
  capacity:
    storage: 1Gi
  accessModes:
    - ReadWriteOnce
  persistentVolumeReclaimPolicy: Retain
  hostPath:
    path: ${pvDir}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: myclaim
spec:
  accessModes:
  - ReadWriteOnce
  resources:
    requests:
      storage: 1Gi
  storageClassName: ""
`;
  assert.equal(await c.kIn(pv, 'create', '-f', '-'), 'persistentvolume/pv0003 created\npersistentvolumeclaim/myclaim created\n');
  const pvc = await eventually('myclaim Bound', async () => {
    const out = await c.k('get', 'pvc');
    return /^myclaim\s+Bound\s+pv0003\s+1Gi\s+RWO\s+/m.test(out) ? out : undefined;
  }, 20_000);
  assert.match(pvc.split('\n')[0], /^NAME\s+STATUS\s+VOLUME\s+CAPACITY\s+ACCESS MODES\s+STORAGECLASS\s+(VOLUMEATTRIBUTESCLASS\s+)?AGE$/);
  assert.match(await c.k('get', 'pv'), /^pv0003\s+1Gi\s+RWO\s+Retain\s+Bound\s+default\/myclaim\s+/m);
  const pod = `apiVersion: v1
kind: Pod
metadata:
  name: kubia-pvc
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - image: busybox
    imagePullPolicy: IfNotPresent
    name: kubia
    command: ["sh", "-c", "echo persisted > /data/db/file; exec sleep 3600"]
    volumeMounts:
    - name: pvc-vol
      mountPath: /data/db
  volumes:
  - name: pvc-vol
    persistentVolumeClaim:
      claimName: myclaim
`;
  assert.equal(await c.kIn(pod, 'apply', '-f', '-'), 'pod/kubia-pvc created\n');
  await running('kubia-pvc');
  await eventually('file on the PV', async () => fs.existsSync(path.join(pvDir, 'file')));
  assert.equal(fs.readFileSync(path.join(pvDir, 'file'), 'utf8'), 'persisted\n');
});

test('seed 001 §8.2 动态模式: a claim alone (default StorageClass) gets a provisioned PV once a pod uses it; the pod writes through it', async () => {
  const claim = `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: dynclaim
spec:
  accessModes:
  - ReadWriteOnce
  resources:
    requests:
      storage: 1Gi
---
apiVersion: v1
kind: Pod
metadata:
  name: dynpod
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - image: busybox
    imagePullPolicy: IfNotPresent
    name: main
    command: ["sh", "-c", "echo provisioned > /data/db/file; exec sleep 3600"]
    volumeMounts:
    - name: pvc-vol
      mountPath: /data/db
  volumes:
  - name: pvc-vol
    persistentVolumeClaim:
      claimName: dynclaim
`;
  assert.match(await c.k('get', 'storageclass'), /^\S+ \(default\)\s+\S+\s+Delete\s+WaitForFirstConsumer\s/m);
  await c.kIn(claim, 'apply', '-f', '-');
  await running('dynpod');
  const pvc = await c.k('get', 'pvc', 'dynclaim');
  assert.match(pvc, /^dynclaim\s+Bound\s+pvc-[0-9a-f-]{36}\s+1Gi\s+RWO\s+\S+\s/m);
  const pv = await c.k('get', 'pvc', 'dynclaim', '-o', 'jsonpath={.spec.volumeName}');
  assert.match(await c.k('get', 'pv', pv), new RegExp(`^${pv}\\s+1Gi\\s+RWO\\s+Delete\\s+Bound\\s+default/dynclaim\\s`, 'm'));
  assert.equal(await c.k('exec', 'dynpod', '--', 'cat', '/data/db/file'), 'provisioned\n');
  await c.k('delete', 'pod', 'dynpod', '--timeout=60s');
  await c.k('delete', 'pvc', 'dynclaim');
  // Reclaim policy Delete: the provisioned PV goes with its claim.
  await eventually('provisioned PV deleted', async () => (await c.kTry('get', 'pv', pv)).code !== 0, 30_000);
});

// The kubectl verbs around the seeds' workflows, as users vary them (seed 001 §3/§5, seed 002 §node,
// §label, §ReplicaSet, §Ingress, §CronJob, §PV/PVC and the kubectl cheatsheet): get nodes/describe node,
// api-resources/api-versions, explain, every -o format, describe of each kind, label/annotate
// --overwrite, create --dry-run, apply twice, edit, and the seed's retired API versions, with the real
// kubectl 1.27 and 1.33 on a skiff server with one hollow node.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fs from 'node:fs';
import path from 'node:path';
import { kubectl, KUBECTL_VERSIONS, makeTempDir } from '../../lib/index.js';
import { eventually, startHollowCluster, type HollowCluster } from './hollow.js';

let c: HollowCluster;
before(async () => {
  c = await startHollowCluster(1);
});
after(async () => {
  await c?.stop();
});

for (const v of KUBECTL_VERSIONS) {
  test(`seed 002 §node, seed 001 §3/§5 (kubectl ${v}): get nodes, describe node, api-resources, api-versions, cluster-info, explain`, async () => {
    const [node] = c.nodes;
    const nodes = await c.kv(v, 'get', 'nodes');
    assert.match(nodes.split('\n')[0], /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION$/);
    assert.match(nodes, new RegExp(`^${node}\\s+Ready\\s+\\S+\\s+\\S+\\s+v1\\.\\d+`, 'm'));
    const describe = await c.kv(v, 'describe', 'node', node);
    for (const field of [`Name:\\s+${node}`, 'Labels:\\s+\\S', 'Taints:\\s+<none>', 'Unschedulable:\\s+false', 'Conditions:', 'Ready\\s+True', 'Capacity:', 'Allocatable:', 'Non-terminated Pods:'])
      assert.match(describe, new RegExp(field));

    const resources = await c.kv(v, 'api-resources');
    assert.match(resources.split('\n')[0], /^NAME\s+SHORTNAMES\s+APIVERSION\s+NAMESPACED\s+KIND$/);
    for (const row of [/^pods\s+po\s+v1\s+true\s+Pod$/m, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m, /^cronjobs\s+cj\s+batch\/v1\s+true\s+CronJob$/m, /^persistentvolumes\s+pv\s+v1\s+false\s+PersistentVolume$/m, /^ingresses\s+ing\s+networking\.k8s\.io\/v1\s+true\s+Ingress$/m])
      assert.match(resources, row);
    assert.match(await c.kv(v, 'api-resources', '--namespaced=false', '-o', 'name'), /^nodes$/m);
    const versions = (await c.kv(v, 'api-versions')).split('\n');
    for (const gv of ['v1', 'apps/v1', 'batch/v1', 'networking.k8s.io/v1', 'autoscaling/v2']) assert.ok(versions.includes(gv), versions.join(' '));

    // kubectl 1.27 colours the names even off a terminal.
    const info = (await c.kv(v, 'cluster-info')).replace(/\x1b\[[0-9;]*m/g, '');
    assert.match(info, /^Kubernetes control plane is running at https:\/\/127\.0\.0\.1:\d+$/m);

    const pod = await c.kv(v, 'explain', 'pod');
    assert.match(pod, /KIND:\s+Pod\nVERSION:\s+v1/);
    assert.match(pod, /^\s+spec\s+<(PodSpec|Object)>/m);
    assert.match(await c.kv(v, 'explain', 'pods.spec.containers.livenessProbe'), /FIELD:\s+livenessProbe <Probe>|RESOURCE:\s+livenessProbe <Object>/);
    assert.match(await c.kv(v, 'explain', 'deployment.spec.strategy'), /rollingUpdate\s+<(RollingUpdateDeployment|Object)>/);
    assert.match(await c.kv(v, 'explain', 'svc', '--recursive'), /^\s+clusterIP\s+<string>$/m);
  });

  test(`kubectl cheatsheet (kubectl ${v}): create deployment/job/cronjob/configmap/secret --dry-run=client|server -o yaml creates nothing`, async () => {
    const deployment = await c.kv(v, 'create', 'deployment', 'kubia', '--image=busybox', '--replicas=2', '--dry-run=client', '-o', 'yaml');
    assert.match(deployment, /^apiVersion: apps\/v1\nkind: Deployment\n/);
    assert.match(deployment, /^ {2}replicas: 2$/m);
    assert.match(await c.kv(v, 'create', 'job', 'once', '--image=busybox', '--dry-run=client', '-o', 'yaml'), /^kind: Job$/m);
    assert.match(await c.kv(v, 'create', 'cronjob', 'every', '--image=busybox', '--schedule=*/1 * * * *', '--dry-run=client', '-o', 'yaml'), /^ {2}schedule: '\*\/1 \* \* \* \*'$/m);
    assert.match(await c.kv(v, 'create', 'configmap', 'fortune-config', '--from-literal=sleep-interval=3', '--dry-run=client', '-o', 'yaml'), /^data:\n {2}sleep-interval: "3"$/m);
    assert.match(await c.kv(v, 'create', 'secret', 'generic', 'pw', '--from-literal=password=hunter2', '--dry-run=client', '-o', 'yaml'), /^ {2}password: aHVudGVyMg==$/m);
    // Server dry run goes through defaulting and admission (kubectl 1.33 sends protobuf) and stores nothing.
    const server = await c.kv(v, 'create', 'deployment', 'dry', '--image=busybox', '--dry-run=server', '-o', 'yaml');
    assert.match(server, /^ {2}uid: \S+$/m);
    assert.match(server, /^ {2}progressDeadlineSeconds: 600$/m);
    const gone = await c.kTry('get', 'deployment', 'dry');
    assert.match(gone.stderr, /Error from server \(NotFound\): deployments\.apps "dry" not found/);
    assert.equal(await c.kv(v, 'get', 'configmap', 'fortune-config', '--ignore-not-found'), '');
  });
}

const KUBIA = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: kubia
spec:
  replicas: 3
  selector:
    matchLabels:
      app: kubia
  template:
    metadata:
      name: kubia
      labels:
        app: kubia
    spec:
      containers:
      - image: busybox
        imagePullPolicy: IfNotPresent
        name: nodejs
`;

test('kubectl apply twice (1.27 then 1.33) is unchanged; get -o wide/yaml/json/jsonpath/custom-columns/name; generation stays 1 through the rollout', async () => {
  assert.equal(await c.kvIn('1.27', KUBIA, 'apply', '-f', '-'), 'deployment.apps/kubia created\n');
  assert.equal(await c.kvIn('1.27', KUBIA, 'apply', '-f', '-'), 'deployment.apps/kubia unchanged\n');
  assert.equal(await c.kvIn('1.33', KUBIA, 'apply', '-f', '-'), 'deployment.apps/kubia unchanged\n');
  await c.k('rollout', 'status', 'deployment/kubia', '--timeout=60s');
  // The controller's revision annotation and status writes are not spec changes.
  assert.equal(await c.k('get', 'deployment', 'kubia', '-o', 'jsonpath={.metadata.generation} {.status.observedGeneration} {.metadata.annotations.deployment\\.kubernetes\\.io/revision}'), '1 1 1');

  const wide = await c.k('get', 'deployment', 'kubia', '-o', 'wide');
  assert.match(wide.split('\n')[0], /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR$/);
  assert.match(wide, /^kubia\s+3\/3\s+3\s+3\s+\S+\s+nodejs\s+busybox\s+app=kubia$/m);
  const yaml = await c.k('get', 'deployment', 'kubia', '-o', 'yaml');
  assert.match(yaml, /^apiVersion: apps\/v1\nkind: Deployment\nmetadata:\n/);
  assert.match(yaml, /^ {4}kubectl\.kubernetes\.io\/last-applied-configuration: \|$/m);
  assert.match(yaml, /^status:\n/m);
  const json = JSON.parse(await c.k('get', 'deployment', 'kubia', '-o', 'json')) as { kind: string; spec: { replicas: number; strategy: { type: string } } };
  assert.equal(json.kind, 'Deployment');
  assert.equal(json.spec.strategy.type, 'RollingUpdate');
  assert.equal(await c.k('get', 'deployment', 'kubia', '-o', 'jsonpath={.spec.template.spec.containers[0].name}'), 'nodejs');
  assert.equal(await c.k('get', 'pods', '-l', 'app=kubia', '-o', 'jsonpath={range .items[*]}{.status.phase}{"\\n"}{end}'), 'Running\nRunning\nRunning\n');
  const columns = await c.k('get', 'pods', '-l', 'app=kubia', '-o', 'custom-columns=NAME:.metadata.name,NODE:.spec.nodeName,IMAGE:.spec.containers[0].image');
  assert.match(columns.split('\n')[0], /^NAME\s+NODE\s+IMAGE$/);
  assert.equal(columns.match(new RegExp(`^kubia-[a-z0-9]+-[a-z0-9]{5}\\s+${c.nodes[0]}\\s+busybox$`, 'gm'))?.length, 3);
  const names = (await c.k('get', 'pods', '-l', 'app=kubia', '-o', 'name')).trim().split('\n');
  assert.equal(names.filter((n) => /^pod\/kubia-/.test(n)).length, 3);
  assert.match(await c.k('get', 'deployment', 'kubia', '--no-headers'), /^kubia\s+3\/3/);
  assert.match(await c.k('get', 'pods', '--sort-by=.metadata.name', '-l', 'app=kubia'), /^NAME\s+READY/);
});

test('kubectl label/annotate with and without --overwrite; edit with an editor that changes nothing and one that changes replicas (kubectl 1.27 and 1.33)', async () => {
  for (const v of KUBECTL_VERSIONS) {
    await c.kv(v, 'annotate', 'deployment', 'kubia', 'owner=me');
    const refused = await c.kTry('annotate', 'deployment', 'kubia', 'owner=you');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /--overwrite is false but found the following declared annotation\(s\): 'owner' already has a value \(me\)/);
    await c.kv(v, 'annotate', 'deployment', 'kubia', 'owner=you', '--overwrite');
    assert.equal(await c.k('get', 'deployment', 'kubia', '-o', 'jsonpath={.metadata.annotations.owner}'), 'you');
    await c.kv(v, 'annotate', 'deployment', 'kubia', 'owner-');
    await c.kv(v, 'label', 'deployment', 'kubia', 'tier=web', '--overwrite');
    assert.equal(await c.kv(v, 'label', 'deployment', 'kubia', 'tier-'), 'deployment.apps/kubia unlabeled\n');

    // EDITOR=cat shows the object and leaves it as it was.
    const viewed = await kubectl(v, c.server.kubeconfig, ['edit', 'deployment', 'kubia'], { env: { EDITOR: 'cat', KUBE_EDITOR: '' } });
    assert.equal(viewed.code, 0, viewed.stderr);
    assert.match(viewed.stdout, /^# Please edit the object below\./);
    assert.match(viewed.stdout, /^ {2}name: kubia$/m);
    assert.equal(viewed.stderr, 'Edit cancelled, no changes made.\n');
  }
  const edited = await c.kEnv({ KUBE_EDITOR: "sed -i -e 's/^  replicas: 3$/  replicas: 2/'" }, 'edit', 'deployment/kubia');
  assert.equal(edited, 'deployment.apps/kubia edited\n');
  await eventually('2 replicas', async () => (await c.k('get', 'deployment', 'kubia', '-o', 'jsonpath={.status.replicas}')) === '2');
});

const MANY = `apiVersion: v1
kind: ReplicationController
metadata:
  name: kubia-rc
spec:
  replicas: 1
  selector:
    app: kubia-rc
  template:
    metadata:
      labels:
        app: kubia-rc
    spec:
      containers:
      - name: kubia
        image: busybox
        ports:
        - containerPort: 8080
---
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: kubia-rs
spec:
  replicas: 1
  selector:
    matchLabels:
      app: kubia-rs
    matchExpressions:
    - {key: tier,operator: In,values: [frontend]}
    - {key: environment,operator: NotIn,values: [dev]}
  template:
    metadata:
      labels:
        app: kubia-rs
        tier: frontend
    spec:
      containers:
      - name: kubia
        image: busybox
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: ssd-monitor
spec:
  selector:
    matchLabels:
      apps: ssd-monitor
  template:
    metadata:
      labels:
        apps: ssd-monitor
    spec:
      containers:
      - name: main
        image: busybox
---
apiVersion: batch/v1
kind: Job
metadata:
  name: batch-job
spec:
  template:
    spec:
      restartPolicy: OnFailure
      containers:
      - name: main
        image: busybox
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: batch-job-every-fifteen-minutes
spec:
  schedule: "0,15,30,45 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: main
            image: busybox
---
apiVersion: v1
kind: Service
metadata:
  name: kubia
spec:
  selector:
    app: kubia-rs
  ports:
  - port: 80
    name: http
    targetPort: 8080
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: kubia
spec:
  rules:
  - host: kubia.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: kubia
            port:
              number: 80
  - host: bar.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: bar
            port:
              number: 80
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: pv0003
spec:
  capacity:
    storage: 1Gi
  accessModes:
    - ReadWriteOnce
  persistentVolumeReclaimPolicy: Recycle
  nfs:
    path: /public
    server: 192.168.18.132
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
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: fortune-config
data:
  sleep-interval: "3"
---
apiVersion: v1
kind: Secret
metadata:
  name: kubia-secret
stringData:
  password: hunter2
`;

test('seed 002 kinds with the seed\'s YAML (set-based RS selector, two-host Ingress, the NFS pv0003 with Recycle): apply, get, describe each kind with kubectl 1.27 and 1.33', async () => {
  // The PV is only an API object here: nothing mounts it, so no NFS server is contacted.
  await c.kIn(MANY, 'apply', '-f', '-');
  await c.k('autoscale', 'deployment', 'kubia', '--min=1', '--max=3', '--cpu-percent=80');
  await eventually('rs and rc pods', async () => (await c.k('get', 'pods', '-l', 'app in (kubia-rs,kubia-rc)', '--field-selector=status.phase=Running', '-o', 'name')).trim().split('\n').length === 2);
  assert.match(await c.k('get', 'rs', 'kubia-rs', '-o', 'wide'), /kubia-rs\s+1\s+1\s+1\s+\S+\s+kubia\s+busybox\s+app=kubia-rs,environment notin \(dev\),tier in \(frontend\)/);
  await eventually('myclaim bound to pv0003', async () => /^myclaim\s+Bound\s+pv0003\s+1Gi\s+RWO\s/m.test(await c.k('get', 'pvc')));
  assert.match(await c.k('get', 'pv'), /^pv0003\s+1Gi\s+RWO\s+Recycle\s+Bound\s+default\/myclaim\s/m);
  assert.match(await c.k('get', 'ing', 'kubia'), /^kubia\s+\S+\s+kubia\.example\.com,bar\.example\.com\s+\S*\s*80\s/m);

  const kinds: Array<[string, RegExp]> = [
    ['rc/kubia-rc', /Selector:\s+app=kubia-rc\nLabels:\s+app=kubia-rc/],
    ['rs/kubia-rs', /Selector:\s+app=kubia-rs,environment notin \(dev\),tier in \(frontend\)/],
    ['ds/ssd-monitor', /Desired Number of Nodes Scheduled: 1/],
    ['job/batch-job', /Completions:\s+1/],
    ['cronjob/batch-job-every-fifteen-minutes', /Schedule:\s+0,15,30,45 \* \* \* \*/],
    ['svc/kubia', /Port:\s+http\s+80\/TCP\nTargetPort:\s+8080\/TCP/],
    ['ing/kubia', /bar\.example\.com\s*\n?\s*\/\s+bar:80/],
    ['pv/pv0003', /Type:\s+NFS \(an NFS mount that lasts the lifetime of a pod\)\n\s+Server:\s+192\.168\.18\.132/],
    ['pvc/myclaim', /Status:\s+Bound\nVolume:\s+pv0003/],
    ['cm/fortune-config', /sleep-interval:\n----\n3/],
    ['secret/kubia-secret', /password:\s+7 bytes/],
    ['hpa/kubia', /Reference:\s+Deployment\/kubia/],
    ['deploy/kubia', /StrategyType:\s+RollingUpdate/],
    ['ns/default', /Status:\s+Active/],
    ['sa/default', /Name:\s+default/],
    [`node/${c.nodes[0]}`, /Non-terminated Pods:/],
  ];
  for (const v of KUBECTL_VERSIONS) {
    for (const [ref, want] of kinds) {
      const r = await kubectl(v, c.server.kubeconfig, ['describe', ref]);
      assert.equal(r.code, 0, `${v} describe ${ref}: ${r.stderr}`);
      const out = r.stdout;
      assert.match(out, /^Name:\s+\S+$/m, `${v} describe ${ref}`);
      assert.match(out, want, `${v} describe ${ref}:\n${out}`);
    }
  }
  await c.k('delete', 'rc,rs,ds,job,cronjob,svc,ing,pvc,cm,secret,hpa', '--all', '--wait=false');
  await c.k('delete', 'pv', 'pv0003', '--wait=false');
});

test('seed 002 §label `get po -L creation_method=manual` and §namespace `get po -n kube-system`; the seed\'s retired v1beta1 Ingress and CronJob are refused as kube 1.22+ does', async () => {
  await c.k('run', 'kubia-manual', '--image=busybox', '--labels=creation_method=manual');
  const l = await c.k('get', 'po', 'kubia-manual', '-L', 'creation_method=manual');
  assert.match(l.split('\n')[0], /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+CREATION_METHOD=MANUAL$/);
  const system = await c.kTry('get', 'po', '-n', 'kube-system');
  assert.equal(system.code, 0, system.stderr);

  const ingress = `#kube-ingress.yaml
apiVersion: networking.k8s.io/v1beta1
kind: Ingress
metadata:
  name: kubia
spec:
  rules:
  - host: kubia.example.com
    http:
      paths:
      - path: /
        backend:
          serviceName: kubia-nodeport
          servicePort: 80
`;
  const cronjob = `#kube-cronjob.yaml
apiVersion: batch/v1beta1
kind: CronJob
metadata:
  name: batch-job-every-fifteen-minutes
spec:
  schedule: "0,15,30,45 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: main
            image: busybox
`;
  for (const v of KUBECTL_VERSIONS) {
    for (const [doc, kind, gv] of [[ingress, 'Ingress', 'networking.k8s.io/v1beta1'], [cronjob, 'CronJob', 'batch/v1beta1']]) {
      const r = await kubectl(v, c.server.kubeconfig, ['create', '-f', '-'], { input: doc });
      assert.equal(r.code, 1, `${v}: ${r.stdout}`);
      assert.match(r.stderr, new RegExp(`no matches for kind "${kind}" in version "${gv.replace('.', '\\.').replace('/', '\\/')}"`));
    }
  }
  await c.k('delete', 'pod', 'kubia-manual', '--wait=false');
});

test('seed 002 §namespace 删除命名空间下的所有资源对象: kubectl delete all --all in default deletes service "kubernetes" too, and the API server brings it back', async () => {
  const kubernetesService = async (): Promise<string | undefined> => {
    const r = await c.kTry('get', 'svc', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP} {.spec.ports[0].port}');
    return r.code === 0 ? r.stdout : undefined;
  };
  // An earlier test's `delete svc --all` took it too; it is back within the reconcile interval.
  const before = await eventually('the kubernetes service', kubernetesService, 30_000);
  assert.match(before, /^10\.43\.0\.1 443$/);
  await c.k('run', 'doomed', '--image=busybox');
  const deleted = await c.k('delete', 'all', '--all', '--wait=false');
  assert.match(deleted, /^pod "doomed" deleted$/m);
  assert.match(deleted, /^service "kubernetes" deleted$/m);
  assert.equal(await eventually('the kubernetes service recreated', kubernetesService, 30_000), before);
  assert.equal(await c.k('get', 'endpoints', 'kubernetes', '-o', 'jsonpath={.subsets[0].ports[0].port}'), String(c.server.port));
});

test('seed 002 §label: kubectl create -f kube-rc.yaml,kube-svc.yaml (files named on the command line), get svc,rc, describe rc, replace -f, delete -f, create/delete -f DIR', async () => {
  const dir = makeTempDir('e2e-files');
  fs.writeFileSync(path.join(dir, 'kube-rc.yaml'), `#kube-rc.yaml
apiVersion: v1
kind: ReplicationController
metadata:
  name: kubia-files
spec:
  replicas: 1
  selector:
      app: kubia-files
  template:
    metadata:
      labels:
        app: kubia-files
    spec:
      containers:
      - name: kubia
        image: busybox
        ports:
        - containerPort: 8080
`);
  fs.writeFileSync(path.join(dir, 'kube-svc.yaml'), `#kube-svc.yaml
apiVersion: v1
kind: Service
metadata:
  name: kubia-files
spec:
  selector:
    app: kubia-files
  ports:
    - port: 80
      name: http
      targetPort: 8080
    - port: 443
      name: https
      targetPort: 8443
`);
  const inDir = (v: '1.27' | '1.33', ...args: string[]): Promise<string> =>
    kubectl(v, c.server.kubeconfig, args, { cwd: dir }).then((r) => {
      assert.equal(r.code, 0, `kubectl ${v} ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    });
  assert.equal(await inDir('1.27', 'create', '-f', 'kube-rc.yaml,kube-svc.yaml'), 'replicationcontroller/kubia-files created\nservice/kubia-files created\n');
  const both = await inDir('1.33', 'get', 'svc,rc');
  assert.match(both, /^service\/kubia-files\s+ClusterIP\s+\S+\s+<none>\s+80\/TCP,443\/TCP\s/m);
  assert.match(both, /^replicationcontroller\/kubia-files\s+1\s+\d\s+\d\s/m);
  assert.match(await inDir('1.33', 'describe', 'rc'), /^Name:\s+kubia-files\n/m);
  assert.equal(await inDir('1.33', 'replace', '-f', 'kube-svc.yaml'), 'service/kubia-files replaced\n');
  assert.equal(await inDir('1.33', 'delete', '-f', 'kube-rc.yaml,kube-svc.yaml'), 'replicationcontroller "kubia-files" deleted\nservice "kubia-files" deleted\n');
  assert.equal(await inDir('1.27', 'create', '-f', '.'), 'replicationcontroller/kubia-files created\nservice/kubia-files created\n');
  assert.equal(await inDir('1.27', 'delete', '-f', '.'), 'replicationcontroller "kubia-files" deleted\nservice "kubia-files" deleted\n');
});

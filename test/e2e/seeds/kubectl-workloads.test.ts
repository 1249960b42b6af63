// Seed 002 §第三部分kubernetes 初级 (labels and selectors, ReplicationController, ReplicaSet, DaemonSet,
// namespace, job, CronJob) with the real kubectl on a skiff server with hollow nodes. The seed's YAML is
// used as written, with busybox (IfNotPresent) in place of the luksa images.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eventually, startHollowCluster, type HollowCluster } from './hollow.js';

let c: HollowCluster;
before(async () => {
  c = await startHollowCluster(2);
  // Made first so that its once-a-minute schedule has fired by the time the last test looks; in its own
  // namespace so that its pods never show up in the label tests' listings.
  await c.k('create', 'ns', 'cron');
  await c.kIn(CRONJOB_EVERY_MINUTE, 'create', '-n', 'cron', '-f', '-');
});
after(async () => {
  await c?.stop();
});

const IMAGE = 'image: busybox\n        imagePullPolicy: IfNotPresent';

const KUBE_MANUAL = `#kube-manual.yaml
apiVersion: v1
kind: Pod
metadata:
  name: kubia-manual
  labels:
    app: kubia-manual
spec:
  containers:
  - image: busybox
    imagePullPolicy: IfNotPresent
    name: kubia-manual
    ports:
    - containerPort: 8080
      protocol: TCP
`;

const KUBE_RC = `#kube-rc.yaml
apiVersion: v1
kind: ReplicationController
metadata:
  name: kubia
spec:
  replicas: 3
  selector:
    app: kubia
  template:
    metadata:
      name: kubia
      labels:
        app: kubia
    spec:
      containers:
      - ${IMAGE}
        name: nodejs
---
#kube-svc.yaml
apiVersion: v1
kind: Service
metadata:
  name: kubia
spec:
  selector:
    app: kubia
  ports:
    - port: 80
      name: http
      targetPort: 8080
    - port: 443
      name: https
      targetPort: 8443
`;

const CRONJOB_EVERY_MINUTE = `apiVersion: batch/v1
kind: CronJob
metadata:
  name: batch-job-every-minute
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        metadata:
          labels:
            app: periodic-batch-job
        spec:
          restartPolicy: OnFailure
          containers:
          - name: main
            image: busybox
            imagePullPolicy: IfNotPresent
`;

function podNames(out: string): string[] {
  return out.split('\n').slice(1).filter(Boolean).map((l) => l.split(/\s+/)[0]).sort();
}

async function runningPods(selector: string, count: number, namespace = 'default'): Promise<string[]> {
  return eventually(`${count} running pods ${selector}`, async () => {
    const out = await c.k('get', 'pods', '-n', namespace, '-l', selector, '--field-selector=status.phase=Running', '-o', 'name');
    const names = out.split('\n').filter(Boolean).map((n) => n.replace('pod/', ''));
    return names.length === count ? names.sort() : undefined;
  });
}

test('seed 002 §label: kube-manual.yaml + kube-rc.yaml,kube-svc.yaml; label, --overwrite, -L, --show-labels, -l selectors', async () => {
  assert.equal(await c.kIn(KUBE_MANUAL, 'create', '-f', '-'), 'pod/kubia-manual created\n');
  assert.equal(await c.kIn(KUBE_RC, 'create', '-f', '-'), 'replicationcontroller/kubia created\nservice/kubia created\n');
  const [first, ...others] = await runningPods('app=kubia', 3);
  assert.match(await c.k('get', 'svc', 'kubia'), /kubia\s+ClusterIP\s+\d+\.\d+\.\d+\.\d+\s+<none>\s+80\/TCP,443\/TCP/);

  assert.equal(await c.k('label', 'po', first, 'creation_method=manual'), `pod/${first} labeled\n`);
  assert.equal(await c.k('label', 'po', first, 'env=debug'), `pod/${first} labeled\n`);
  const shown = await c.k('get', 'po', '--show-labels');
  assert.match(shown.split('\n')[0], /NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+LABELS/);
  assert.match(shown, new RegExp(`${first}\\s+1/1\\s+Running\\s+0\\s+\\S+\\s+app=kubia,creation_method=manual,env=debug`));
  assert.match(shown, /kubia-manual\s+1\/1\s+Running\s+0\s+\S+\s+app=kubia-manual\n/);

  const columns = await c.k('get', 'po', '-L', 'creation_method,env');
  assert.match(columns.split('\n')[0], /NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+CREATION_METHOD\s+ENV$/);
  assert.match(columns, new RegExp(`${first}\\s+1/1\\s+Running\\s+0\\s+\\S+\\s+manual\\s+debug`));

  const refused = await c.kTry('label', 'po', first, 'env=test');
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /'env' already has a value \(debug\), and --overwrite is false/);
  assert.equal(await c.k('label', 'po', first, 'env=test', '--overwrite'), `pod/${first} labeled\n`);

  assert.deepEqual(podNames(await c.k('get', 'po', '-l', 'creation_method=manual')), [first]);
  assert.deepEqual(podNames(await c.k('get', 'pod', '-l', 'env')), [first]);
  assert.deepEqual(podNames(await c.k('get', 'pod', '-l', '!env')), ['kubia-manual', ...others].sort());
  assert.deepEqual(podNames(await c.k('get', 'pod', '-l', 'env in (prod,test)')), [first]);
  assert.deepEqual(podNames(await c.k('get', 'pod', '-l', 'env notin (prod,devel)')), [...others, first, 'kubia-manual'].sort());
  assert.deepEqual(podNames(await c.k('get', 'pod', '-l', 'app=kubia,env!=test')), others.sort());
  assert.deepEqual(podNames(await c.k('get', 'pod', '-l', 'app!=kubia')), ['kubia-manual']);
  // Removing a label (key-).
  assert.equal(await c.k('label', 'po', first, 'env-'), `pod/${first} unlabeled\n`);
  assert.equal(await c.k('get', 'pod', '-l', 'env', '-o', 'name'), '');
});

test('seed 002 §Replication Controller: get/describe rc, a deleted pod is replaced, edit replicas to 2, delete', async () => {
  const rc = await c.k('get', 'rc');
  assert.match(rc.split('\n')[0], /^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE$/);
  assert.match(rc, /kubia\s+3\s+3\s+3\s+/);
  const describe = await c.k('describe', 'rc', 'kubia');
  assert.match(describe, /Selector:\s+app=kubia/);
  assert.match(describe, /Replicas:\s+3 current \/ 3 desired/);
  assert.match(describe, /Pods Status:\s+3 Running \/ 0 Waiting \/ 0 Succeeded \/ 0 Failed/);
  assert.match(describe, /Normal\s+SuccessfulCreate\s+\S+\s+replication-controller\s+Created pod: kubia-\w{5}/);

  const before = await runningPods('app=kubia', 3);
  await c.k('delete', 'pod', before[0], '--wait=false');
  const after = await eventually('a replacement pod', async () => {
    const now = await runningPods('app=kubia', 3);
    return now.includes(before[0]) ? undefined : now;
  });
  assert.equal(after.filter((p) => !before.includes(p)).length, 1);

  // kubectl edit rc kubia, with the editor changing replicas: 3 to 2.
  const edited = await c.kEnv({ KUBE_EDITOR: "sed -i -e 's/^  replicas: 3$/  replicas: 2/'" }, 'edit', 'rc', 'kubia');
  assert.equal(edited, 'replicationcontroller/kubia edited\n');
  await runningPods('app=kubia', 2);
  assert.match(await c.k('scale', 'rc', 'kubia', '--replicas=1'), /replicationcontroller\/kubia scaled/);
  await runningPods('app=kubia', 1);
  assert.equal(await c.k('delete', 'rc', 'kubia'), 'replicationcontroller "kubia" deleted\n');
  await eventually('pods of the rc gone', async () => (await c.k('get', 'pods', '-l', 'app=kubia', '-o', 'name')) === '');
});

test('seed 002 §ReplicaSet: kubia-rs.yaml, get/describe rs, matchExpressions selector is immutable, delete and apply', async () => {
  const rs = `apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: kubia
spec:
  replicas: 3
  selector:
    matchLabels:
      app: kubia
  template:
    metadata:
      labels:
        app: kubia
    spec:
      containers:
      - name: kubia
        ${IMAGE}
        ports:
        - containerPort: 8080
`;
  assert.equal(await c.kIn(rs, 'create', '-f', '-'), 'replicaset.apps/kubia created\n');
  await runningPods('app=kubia', 3);
  const got = await c.k('get', 'rs');
  assert.match(got.split('\n')[0], /^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE$/);
  assert.match(got, /kubia\s+3\s+3\s+3\s+/);
  const describe = await c.k('describe', 'rs', 'kubia');
  assert.match(describe, /Selector:\s+app=kubia/);
  assert.match(describe, /Normal\s+SuccessfulCreate\s+\S+\s+replicaset-controller\s+Created pod: kubia-\w{5}/);

  const matchExpr = `apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: kubia
spec:
  replicas: 3
  selector:
    matchExpressions:
    - key: app
      operator: In
      values:
      - kubia
  template:
    metadata:
      labels:
        app: kubia
    spec:
      containers:
      - name: kubia
        ${IMAGE}
`;
  const r = await c.kTryIn(matchExpr, 'apply', '-f', '-');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /The ReplicaSet "kubia" is invalid: spec\.selector: Invalid value: .*field is immutable/);
  assert.equal(await c.k('delete', 'rs', 'kubia'), 'replicaset.apps "kubia" deleted\n');
  assert.equal(await c.kIn(matchExpr, 'apply', '-f', '-'), 'replicaset.apps/kubia created\n');
  await runningPods('app=kubia', 3);
  await c.k('delete', 'rs', 'kubia');
  await eventually('rs pods gone', async () => (await c.k('get', 'pods', '-l', 'app=kubia', '-o', 'name')) === '');
});

test('seed 002 §DaemonSet: ssd-monitor runs one pod per node (per disk=ssd node with a nodeSelector)', async () => {
  const ds = `apiVersion: apps/v1
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
        ${IMAGE}
`;
  assert.equal(await c.kIn(ds, 'apply', '-f', '-'), 'daemonset.apps/ssd-monitor created\n');
  const pods = await runningPods('apps=ssd-monitor', c.nodes.length);
  const nodesOf = await c.k('get', 'pods', '-l', 'apps=ssd-monitor', '-o', 'jsonpath={.items[*].spec.nodeName}');
  assert.deepEqual(nodesOf.split(' ').sort(), [...c.nodes].sort(), pods.join(' '));
  const got = await eventually('ds status', async () => {
    const out = await c.k('get', 'ds');
    return /ssd-monitor\s+2\s+2\s+2\s+2\s+2\s+<none>/.test(out) ? out : undefined;
  });
  assert.match(got.split('\n')[0], /^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE$/);
  assert.match(await c.k('explain', 'DaemonSet.spec.selector'), /matchExpressions\s+<\[\]LabelSelectorRequirement>|matchExpressions\s+<\[\]Object>/);

  // The book's version: only nodes labelled disk=ssd.
  await c.k('patch', 'ds', 'ssd-monitor', '-p', '{"spec":{"template":{"spec":{"nodeSelector":{"disk":"ssd"}}}}}');
  await eventually('no node is ssd', async () => (await c.k('get', 'pods', '-l', 'apps=ssd-monitor', '-o', 'name')) === '');
  assert.equal(await c.k('label', 'node', c.nodes[0], 'disk=ssd'), `node/${c.nodes[0]} labeled\n`);
  const [onSsd] = await runningPods('apps=ssd-monitor', 1);
  assert.equal(await c.k('get', 'pod', onSsd, '-o', 'jsonpath={.spec.nodeName}'), c.nodes[0]);
  await c.k('label', 'node', c.nodes[0], 'disk-');
  await eventually('pod leaves the unlabelled node', async () => (await c.k('get', 'pods', '-l', 'apps=ssd-monitor', '-o', 'name')) === '');
  await c.k('delete', 'ds', 'ssd-monitor');
});

test('seed 002 §namespace: get ns, create -f kube-ns.yaml, create ns dev, busybox pod in development, delete pod --all, delete all --all', async () => {
  const ns = await c.k('get', 'ns');
  for (const n of ['default', 'kube-node-lease', 'kube-public', 'kube-system']) assert.match(ns, new RegExp(`^${n}\\s+Active\\s+`, 'm'));
  assert.equal(await c.kIn('apiVersion: v1\nkind: Namespace\nmetadata:\n  name: development\n', 'create', '-f', '-'), 'namespace/development created\n');
  assert.equal(await c.k('create', 'ns', 'dev'), 'namespace/dev created\n');
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
    - sleep
    - "3600"
`;
  assert.equal(await c.kIn(pod1, 'create', '-f', '-'), 'pod/busybox created\n');
  await runningPods('', 1, 'development');
  assert.match(await c.k('get', 'pods', '-n', 'development'), /^busybox\s+1\/1\s+Running\s+0\s+/m);
  assert.equal(await c.k('get', 'pods', '-n', 'default', '--field-selector=metadata.name=busybox', '-o', 'name'), '');

  // Pods and an rc in dev: delete pod --all, then delete all --all leaves nothing.
  await c.k('-n', 'dev', 'run', 'kubia-a', '--image=busybox', '--image-pull-policy=IfNotPresent', '--', 'sleep', '3600');
  await c.k('-n', 'dev', 'run', 'kubia-b', '--image=busybox', '--image-pull-policy=IfNotPresent', '--', 'sleep', '3600');
  const deleted = await c.k('-n', 'dev', 'delete', 'pod', '--all', '--wait=false');
  assert.match(deleted, /pod "kubia-a" deleted\npod "kubia-b" deleted/);
  await c.k('-n', 'dev', 'create', 'deployment', 'kubia', '--image=busybox', '--replicas=2');
  await runningPods('app=kubia', 2, 'dev');
  const all = await c.k('-n', 'dev', 'delete', 'all', '--all', '--wait=false');
  assert.match(all, /deployment\.apps "kubia" deleted/);
  await eventually('dev empty', async () => (await c.k('-n', 'dev', 'get', 'all', '-o', 'name')) === '');

});

test('seed 002 §namespace 删除命名空间: kubectl delete ns dev returns once the namespace and its pods are gone', async () => {
  await c.k('create', 'ns', 'dev2');
  await c.k('-n', 'dev2', 'run', 'kubia-c', '--image=busybox', '--image-pull-policy=IfNotPresent', '--', 'sleep', '3600');
  const r = await c.kTry('delete', 'ns', 'dev2', '--timeout=30s');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'namespace "dev2" deleted\n');
  assert.doesNotMatch(await c.k('get', 'ns'), /^dev2\s/m);
  assert.equal(await c.k('get', 'pods', '-A', '--field-selector=metadata.namespace=dev2', '-o', 'name'), '');
});

test('seed 002 §job: kube-job.yaml completes 1/1; completions 5 runs in order; parallelism 2 never more than 2 at once', async () => {
  const job = (extra: string, name: string): string => `apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
spec:
${extra}  template:
    metadata:
      labels:
        app: ${name}
    spec:
      restartPolicy: OnFailure
      containers:
      - name: main
        ${IMAGE}
`;
  assert.equal(await c.kIn(job('', 'batch-job'), 'create', '-f', '-'), 'job.batch/batch-job created\n');
  const done = await eventually('batch-job complete', async () => {
    const out = await c.k('get', 'job', 'batch-job');
    return /batch-job\s+(Complete\s+)?1\/1\s+/.test(out) ? out : undefined;
  });
  assert.match(done.split('\n')[0], /^NAME\s+(STATUS\s+)?COMPLETIONS\s+DURATION\s+AGE$/);
  assert.match(await c.k('get', 'pods', '-l', 'app=batch-job'), /batch-job-\w{5}\s+0\/1\s+Completed\s+0\s+/);
  const wait = await c.k('wait', '--for=condition=complete', 'job/batch-job', '--timeout=30s');
  assert.equal(wait, 'job.batch/batch-job condition met\n');

  await c.kIn(job('  completions: 5\n', 'batch-job-sort'), 'create', '-f', '-');
  await c.kIn(job('  completions: 5\n  parallelism: 2\n', 'batch-job-parallel'), 'apply', '-f', '-');
  let maxActive = 0;
  await eventually('both jobs complete', async () => {
    const parallel = JSON.parse(await c.k('get', 'job', 'batch-job-parallel', '-o', 'json')) as { status: { active?: number; succeeded?: number } };
    maxActive = Math.max(maxActive, parallel.status.active ?? 0);
    const sort = JSON.parse(await c.k('get', 'job', 'batch-job-sort', '-o', 'json')) as { status: { succeeded?: number } };
    return parallel.status.succeeded === 5 && sort.status.succeeded === 5;
  }, 60_000);
  assert.ok(maxActive <= 2, `parallelism 2 but ${maxActive} active`);
  assert.equal((await c.k('get', 'pods', '-l', 'app=batch-job-sort', '-o', 'name')).trim().split('\n').length, 5);
  await c.k('delete', 'job', 'batch-job', 'batch-job-sort', 'batch-job-parallel');
});

test('seed 002 §CronJob: kube-cronjob.yaml (batch/v1), get CronJob, a Job made from it by hand runs, and the schedule fires', async () => {
  const cron = `apiVersion: batch/v1
kind: CronJob
metadata:
  name: batch-job-every-fifteen-minutes
spec:
  schedule: "0,15,30,45 * * * *"
  jobTemplate:
    spec:
      template:
        metadata:
          labels:
            app: periodic-batch-job
        spec:
          restartPolicy: OnFailure
          containers:
          - name: main
            ${IMAGE.replace('\n        ', '\n            ')}
`;
  assert.equal(await c.kIn(cron, 'create', '-f', '-'), 'cronjob.batch/batch-job-every-fifteen-minutes created\n');
  const got = await c.k('get', 'CronJob', 'batch-job-every-fifteen-minutes');
  assert.match(got.split('\n')[0], /^NAME\s+SCHEDULE\s+(TIMEZONE\s+)?SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE$/);
  assert.match(got, /batch-job-every-fifteen-minutes\s+0,15,30,45 \* \* \* \*\s+(<none>\s+)?False\s+0\s+<none>\s+/);
  assert.equal(await c.k('create', 'job', 'by-hand', '--from=cronjob/batch-job-every-fifteen-minutes'), 'job.batch/by-hand created\n');
  await c.k('wait', '--for=condition=complete', 'job/by-hand', '--timeout=30s');

  // The every-minute CronJob made in before() has run a Job by now (or will within the minute).
  const scheduled = await eventually('a scheduled job', async () => {
    const out = await c.k('get', 'cronjob', '-n', 'cron', 'batch-job-every-minute', '-o', 'jsonpath={.status.lastScheduleTime}');
    return out || undefined;
  }, 75_000);
  assert.match(scheduled, /^\d{4}-\d\d-\d\dT\d\d:\d\d:00Z$/);
  const jobs = await eventually('the job it made', async () => {
    const out = await c.k('get', 'jobs', '-n', 'cron', '-o', 'jsonpath={.items[*].metadata.ownerReferences[0].name}');
    return out.includes('batch-job-every-minute') ? out : undefined;
  });
  assert.ok(jobs);
  await c.k('delete', 'cronjob', '--all');
  await c.k('delete', 'cronjob', '--all', '-n', 'cron');
});

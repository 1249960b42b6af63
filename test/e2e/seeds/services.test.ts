// Seed 002 §service (ClusterIP, 服务发现 by env and DNS, Endpoints, NodePort, Ingress) and seed 001 §7
// (k8s dns) on real pods: a `skiff server` with a real `skiff agent` node, driven by the real kubectl.
// busybox httpd on 8080 answers as kubia ("You've hit <pod>").
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eventuallyGet, freePort } from './net.js';
import { assertServiceIPContained, eventually, startNodeCluster, type NodeCluster } from './node.js';

let c: NodeCluster;
let ingressPort = 0;
let pods: string[] = [];
before(async () => {
  ingressPort = await freePort();
  c = await startNodeCluster('svc', ['--ingress-http-port', String(ingressPort), '--ingress-https-port', String(await freePort())]);
  await c.kIn(KUBIA_DEPLOYMENT, 'create', '-f', '-');
  await c.k('rollout', 'status', 'deployment/kubia', '--timeout=90s');
});
after(async () => {
  await c?.stop();
});

const KUBIA_DEPLOYMENT = `apiVersion: apps/v1
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
      labels:
        app: kubia
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: nodejs
        image: busybox
        imagePullPolicy: IfNotPresent
        command: ["sh", "-c", "mkdir -p /www && echo \\"You've hit $(hostname)\\" > /www/index.html && exec httpd -f -p 8080 -h /www"]
        ports:
        - containerPort: 8080
        readinessProbe:
          periodSeconds: 1
          tcpSocket:
            port: 8080
`;

const KUBE_SVC = `#kube-svc.yaml
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

async function kubiaPods(): Promise<string[]> {
  return eventually('3 ready kubia pods', async () => {
    const out = await c.k('get', 'pods', '-l', 'app=kubia', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.status.containerStatuses[0].ready} {.metadata.deletionTimestamp}{"\\n"}{end}');
    const ready = out.split('\n').map((l) => l.trim().split(' ')).filter((f) => f.length === 2 && f[1] === 'true').map((f) => f[0]);
    return ready.length === 3 ? ready.sort() : undefined;
  }, 90_000);
}

test('seed 002 §service 操作service: kube-svc.yaml gets a ClusterIP, get svc, describe svc, get endpoints lists the three pods', async () => {
  assert.equal(await c.kIn(KUBE_SVC, 'create', '-f', '-'), 'service/kubia created\n');
  const svc = await c.k('get', 'svc');
  assert.match(svc.split('\n')[0], /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE$/);
  assert.match(svc, /^kubernetes\s+ClusterIP\s+10\.43\.0\.1\s+<none>\s+443\/TCP\s+/m);
  assert.match(svc, /^kubia\s+ClusterIP\s+10\.43\.\d+\.\d+\s+<none>\s+80\/TCP,443\/TCP\s+/m);
  pods = await kubiaPods();
  const ips = (await c.k('get', 'pods', '-l', 'app=kubia', '-o', 'jsonpath={.items[*].status.podIP}')).split(' ').sort();
  const endpoints = await eventually('3 endpoints', async () => {
    const out = await c.k('get', 'endpoints', 'kubia', '-o', 'jsonpath={.subsets[*].addresses[*].ip}');
    return out.split(' ').length === 3 ? out.split(' ').sort() : undefined;
  });
  assert.deepEqual(endpoints, ips);
  const describe = await c.k('describe', 'svc', 'kubia');
  assert.match(describe, /Selector:\s+app=kubia/);
  assert.match(describe, /Type:\s+ClusterIP/);
  assert.match(describe, /Endpoints:\s+\S+:8080,\S+:8080,\S+:8080/);
});

test('seed 002 §服务发现: pods created after the service get KUBIA_SERVICE_HOST/PORT in their env', async () => {
  const clusterIP = await c.k('get', 'svc', 'kubia', '-o', 'jsonpath={.spec.clusterIP}');
  // kubectl delete po --all: the Deployment makes new pods, which see the service.
  await c.k('delete', 'po', '-l', 'app=kubia', '--wait=false');
  pods = await eventually('3 new ready pods', async () => {
    const now = await kubiaPods();
    return now.some((p) => pods.includes(p)) ? undefined : now;
  }, 90_000);
  const env = await c.k('exec', pods[0], '--', 'env');
  assert.match(env, new RegExp(`^KUBIA_SERVICE_HOST=${clusterIP.replace(/\./g, '\\.')}$`, 'm'));
  assert.match(env, /^KUBIA_SERVICE_PORT=80$/m);
  assert.match(env, /^KUBIA_SERVICE_PORT_HTTPS=443$/m);
  assert.match(env, /^KUBERNETES_SERVICE_HOST=10\.43\.0\.1$/m);
});

test('seed 002 §service: kubectl exec <pod> -- curl -s http://<cluster ip> reaches one of the pods', { todo: 'no service proxy runs on the node: the agent does not start src/proxy (nor the unreachable service-CIDR route this test needs before it sends anything), so ClusterIPs answer nothing' }, async () => {
  const clusterIP = await c.k('get', 'svc', 'kubia', '-o', 'jsonpath={.spec.clusterIP}');
  assertServiceIPContained(clusterIP);
  const seen = new Set<string>();
  for (let i = 0; i < 10; i++) {
    const r = await c.kTry('exec', pods[0], '--', 'wget', '-qO-', '-T', '2', `http://${clusterIP}`);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^You've hit kubia-\w+-\w{5}\n$/);
    seen.add(r.stdout);
  }
  assert.ok(seen.size >= 2, 'requests are spread over the pods');
});

test('seed 002 §服务发现 DNS / seed 001 §7 k8s dns: nslookup kubernetes.default and kubia.default.svc.cluster.local from a pod', { todo: 'no cluster DNS runs on the node: the agent does not start src/dns (nor add the unreachable service-CIDR route this test needs before it sends anything), so 10.43.0.10 answers nothing' }, async () => {
  const clusterIP = await c.k('get', 'svc', 'kubia', '-o', 'jsonpath={.spec.clusterIP}');
  assertServiceIPContained('10.43.0.10');
  assertServiceIPContained(clusterIP);
  const kube = await c.kTry('exec', pods[0], '--', 'nslookup', 'kubernetes.default');
  assert.equal(kube.code, 0, kube.stdout + kube.stderr);
  assert.match(kube.stdout, /Name:\s+kubernetes\.default\.svc\.cluster\.local\nAddress:?\s+(1: )?10\.43\.0\.1/);
  const kubia = await c.kTry('exec', pods[0], '--', 'nslookup', 'kubia.default.svc.cluster.local');
  assert.equal(kubia.code, 0, kubia.stdout + kubia.stderr);
  assert.ok(kubia.stdout.includes(clusterIP));
  assert.match(await c.k('exec', pods[0], '--', 'cat', '/etc/resolv.conf'), /^nameserver 10\.43\.0\.10$/m);
  assert.match(await c.k('exec', pods[0], '--', 'wget', '-qO-', '-T', '2', 'http://kubia'), /^You've hit /);
});

test('seed 002 §NodePort kube-svc-nodeport.yaml: get svc shows 80:<nodePort>/TCP', async () => {
  const nodePortSvc = `apiVersion: v1
kind: Service
metadata:
  name: kubia-nodeport
spec:
  selector:
    app: kubia
  type: NodePort
  ports:
    - port: 80
      targetPort: 8080
`;
  assert.equal(await c.kIn(nodePortSvc, 'create', '-f', '-'), 'service/kubia-nodeport created\n');
  const got = await c.k('get', 'svc', 'kubia-nodeport');
  assert.match(got, /kubia-nodeport\s+NodePort\s+10\.43\.\d+\.\d+\s+<none>\s+80:3\d{4}\/TCP\s+/);
  const requested = await c.kTry('create', 'service', 'nodeport', 'clash', '--tcp=80:8080', `--node-port=${await c.k('get', 'svc', 'kubia-nodeport', '-o', 'jsonpath={.spec.ports[0].nodePort}')}`);
  assert.notEqual(requested.code, 0);
  assert.match(requested.stderr, /provided port is already allocated/);
});

test('seed 002 §NodePort: curl http://<node ip>:<nodePort> reaches a pod', { todo: 'no service proxy runs on the node: the agent does not start src/proxy, so node ports are not programmed' }, async () => {
  const port = Number(await c.k('get', 'svc', 'kubia-nodeport', '-o', 'jsonpath={.spec.ports[0].nodePort}'));
  const got = await eventuallyGet(port, '/', {}, 10_000);
  assert.match(got.body, /^You've hit kubia-/);
});

const KUBE_ING = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: kubia
spec:
  rules:
  - host: kubia.example.com
    http:
      paths:
      - path: /kubia
        pathType: Prefix
        backend:
          service:
            name: kubia
            port:
              number: 80
      - path: /foo
        pathType: Prefix
        backend:
          service:
            name: kubia-nodeport
            port:
              number: 80
`;

test('seed 002 §Ingress kube-ing.yaml (networking.k8s.io/v1): create, get ing', async () => {
  assert.equal(await c.kIn(KUBE_ING, 'create', '-f', '-'), 'ingress.networking.k8s.io/kubia created\n');
  const got = await c.k('get', 'ing');
  assert.match(got.split('\n')[0], /^NAME\s+CLASS\s+HOSTS\s+ADDRESS\s+PORTS\s+AGE$/);
  assert.match(got, /^kubia\s+\S+\s+kubia\.example\.com\s+\S*\s*80\s+/m);
  assert.match(await c.k('describe', 'ing', 'kubia'), /kubia\.example\.com\s+\n?\s*\/kubia\s+kubia:80 \(/);
});

test('seed 002 §Ingress: curl http://kubia.example.com/kubia and /foo through the ingress port', { todo: 'no ingress controller runs: skiff server accepts --ingress-http-port but does not start src/ingress' }, async () => {
  const kubia = await eventuallyGet(ingressPort, '/kubia', { Host: 'kubia.example.com' }, 10_000);
  assert.equal(kubia.status, 200);
  assert.match(kubia.body, /^You've hit kubia-/);
  const foo = await eventuallyGet(ingressPort, '/foo', { Host: 'kubia.example.com' });
  assert.match(foo.body, /^You've hit kubia-/);
  const other = await eventuallyGet(ingressPort, '/', { Host: 'bar.example.com' });
  assert.equal(other.status, 404);
});

// Seed 002 §service (ClusterIP, 服务发现 by env and DNS, Endpoints, NodePort, Ingress) and seed 001 §7
// (k8s dns) on real pods, plus LoadBalancer services (k3s's ServiceLB) and scaling: a `skiff server` with
// a real `skiff agent` node, driven by the real kubectl.
// busybox httpd on 8080 answers as kubia ("You've hit <pod>").
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { hostNames } from '../../../src/kubelet/index.js';
import { eventuallyGet, freePort } from './net.js';
import { assertServiceIPContained, eventually, startNodeCluster, type NodeCluster } from './node.js';

let c: NodeCluster;
let ingressPort = 0;
let pods: string[] = [];
before(async () => {
  ingressPort = await freePort();
  c = await startNodeCluster('svc', { ingress: { httpPort: ingressPort, httpsPort: await freePort() } });
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
        # kubia answers every path; httpd serves the same page as /, /kubia and /foo (the ingress paths).
        command: ["sh", "-c", "mkdir -p /www && echo \\"You've hit $(hostname)\\" > /www/index.html && cp /www/index.html /www/kubia && cp /www/index.html /www/foo && exec httpd -f -p 8080 -h /www"]
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
  const net = c.clusterDNS.replace(/\.0\.10$/, '').replace('.', '\\.');
  assert.match(svc, new RegExp(`^kubernetes\\s+ClusterIP\\s+${net}\\.0\\.1\\s+<none>\\s+443/TCP\\s+`, 'm'));
  assert.match(svc, new RegExp(`^kubia\\s+ClusterIP\\s+${net}\\.\\d+\\.\\d+\\s+<none>\\s+80/TCP,443/TCP\\s+`, 'm'));
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
  assert.match(env, new RegExp(`^KUBERNETES_SERVICE_HOST=${c.clusterDNS.replace(/10$/, '1').replace(/\./g, '\\.')}$`, 'm'));
});

test('seed 002 §service: kubectl exec <pod> -- curl -s http://<cluster ip> reaches the pods behind it', async () => {
  const clusterIP = await c.k('get', 'svc', 'kubia', '-o', 'jsonpath={.spec.clusterIP}');
  assertServiceIPContained(clusterIP);
  // busybox-static's wget crashes resolving even an address; nc speaks plain HTTP/1.0.
  const curl = `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 ${clusterIP} 80`;
  const seen = new Set<string>();
  await eventually('answers from two pods', async () => {
    const r = await c.kTry('exec', pods[0], '--', 'sh', '-c', curl);
    const body = /\r\n\r\n(.*)\n$/s.exec(r.stdout)?.[1];
    if (body) seen.add(body);
    return seen.size >= 2;
  }, 60_000);
  for (const body of seen) assert.match(body, /^You've hit kubia-\w+-\w{5}$/);
});

test('seed 002 §服务发现 DNS / seed 001 §7 k8s dns: nslookup kubernetes.default and kubia.default.svc.cluster.local from a pod', async () => {
  const clusterIP = await c.k('get', 'svc', 'kubia', '-o', 'jsonpath={.spec.clusterIP}');
  assertServiceIPContained(c.clusterDNS);
  assert.match(await c.k('exec', pods[0], '--', 'cat', '/etc/resolv.conf'), new RegExp(`^nameserver ${c.clusterDNS.replace(/\./g, '\\.')}$`, 'm'));
  // The seed's `nslookup kubernetes.default` relies on busybox 1.28's libc resolver; busybox-static's own
  // nslookup applies the search path only to names without a dot, so the FQDN and the short name are asked.
  const kube = await eventually('kubernetes.default resolves', async () => {
    const r = await c.kTry('exec', pods[0], '--', 'nslookup', '-type=a', 'kubernetes.default.svc.cluster.local');
    return /Name:\s+kubernetes\.default\.svc\.cluster\.local/.test(r.stdout) ? r.stdout : undefined;
  });
  assert.match(kube, new RegExp(`Address:?\\s+${c.clusterDNS.replace(/10$/, '1').replace(/\./g, '\\.')}`));
  for (const name of ['kubia.default.svc.cluster.local', 'kubia']) {
    const kubia = await c.kTry('exec', pods[0], '--', 'nslookup', '-type=a', name);
    assert.ok(kubia.stdout.includes(`Address: ${clusterIP}`), kubia.stdout + kubia.stderr);
  }
  // SRV for the named port: _http._tcp.kubia.default.svc.cluster.local.
  const srv = await c.kTry('exec', pods[0], '--', 'nslookup', '-type=srv', '_http._tcp.kubia.default.svc.cluster.local');
  assert.match(srv.stdout, /port = 80|\b80\b.*kubia\.default\.svc\.cluster\.local/);
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
  assert.match(got, /kubia-nodeport\s+NodePort\s+10\.\d+\.\d+\.\d+\s+<none>\s+80:3\d{4}\/TCP\s+/);
  const requested = await c.kTry('create', 'service', 'nodeport', 'clash', '--tcp=80:8080', `--node-port=${await c.k('get', 'svc', 'kubia-nodeport', '-o', 'jsonpath={.spec.ports[0].nodePort}')}`);
  assert.notEqual(requested.code, 0);
  assert.match(requested.stderr, /provided port is already allocated/);
});

test('seed 002 §NodePort: curl http://<node ip>:<nodePort> reaches a pod', async () => {
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

test('seed 002 §Ingress: curl http://kubia.example.com/kubia and /foo through the ingress port', async () => {
  const kubia = await eventuallyGet(ingressPort, '/kubia', { Host: 'kubia.example.com' }, 10_000);
  assert.equal(kubia.status, 200);
  assert.match(kubia.body, /^You've hit kubia-/);
  const foo = await eventuallyGet(ingressPort, '/foo', { Host: 'kubia.example.com' });
  assert.match(foo.body, /^You've hit kubia-/);
  const other = await eventuallyGet(ingressPort, '/', { Host: 'bar.example.com' });
  assert.equal(other.status, 404);
});

test('type LoadBalancer: EXTERNAL-IP is the node IP (k3s ServiceLB), and <node IP>:<port> and the NodePort answer from the host', async () => {
  // A port the OS just handed out: nothing else on the host listens there while the service holds it.
  const port = await freePort();
  const lb = `apiVersion: v1
kind: Service
metadata:
  name: kubia-lb
spec:
  type: LoadBalancer
  selector:
    app: kubia
  ports:
  - port: ${port}
    targetPort: 8080
`;
  assert.equal(await c.kIn(lb, 'create', '-f', '-'), 'service/kubia-lb created\n');
  const row = await eventually('EXTERNAL-IP published', async () => {
    const out = await c.k('get', 'svc', 'kubia-lb');
    return /<pending>/.test(out) ? undefined : out;
  });
  assert.match(row, new RegExp(`^kubia-lb\\s+LoadBalancer\\s+10\\.\\d+\\.\\d+\\.\\d+\\s+127\\.0\\.0\\.1\\s+${port}:3\\d{4}/TCP\\s+`, 'm'));
  assert.match(await c.k('describe', 'svc', 'kubia-lb'), /LoadBalancer Ingress:\s+127\.0\.0\.1/);
  assert.equal(await c.k('get', 'svc', 'kubia-lb', '-o', 'jsonpath={.status.loadBalancer.ingress[*].ip}'), '127.0.0.1');
  const viaLB = await eventuallyGet(port, '/', {}, 10_000);
  assert.match(viaLB.body, /^You've hit kubia-/);
  const nodePort = Number(await c.k('get', 'svc', 'kubia-lb', '-o', 'jsonpath={.spec.ports[0].nodePort}'));
  assert.match((await eventuallyGet(nodePort, '/', {}, 10_000)).body, /^You've hit kubia-/);
});

test('type LoadBalancer with externalTrafficPolicy Local: the node with the pods still answers on both', async () => {
  await c.k('patch', 'svc', 'kubia-lb', '-p', '{"spec":{"externalTrafficPolicy":"Local"}}');
  assert.equal(await c.k('get', 'svc', 'kubia-lb', '-o', 'jsonpath={.spec.externalTrafficPolicy}'), 'Local');
  const port = Number(await c.k('get', 'svc', 'kubia-lb', '-o', 'jsonpath={.spec.ports[0].port}'));
  const nodePort = Number(await c.k('get', 'svc', 'kubia-lb', '-o', 'jsonpath={.spec.ports[0].nodePort}'));
  // Every kubia pod runs on this node, so both the load balancer address and the NodePort keep answering.
  for (let i = 0; i < 5; i++) {
    assert.match((await eventuallyGet(port, '/', {}, 10_000)).body, /^You've hit kubia-/);
    assert.match((await eventuallyGet(nodePort, '/', {}, 10_000)).body, /^You've hit kubia-/);
  }
});

test('a service that stops being a LoadBalancer loses its EXTERNAL-IP', async () => {
  const port = Number(await c.k('get', 'svc', 'kubia-lb', '-o', 'jsonpath={.spec.ports[0].port}'));
  await c.k('patch', 'svc', 'kubia-lb', '--type=merge', '-p', JSON.stringify({ spec: { type: 'ClusterIP', externalTrafficPolicy: null, ports: [{ port, targetPort: 8080 }] } }));
  const row = await eventually('EXTERNAL-IP gone', async () => {
    const out = await c.k('get', 'svc', 'kubia-lb');
    return /kubia-lb\s+ClusterIP\s+\S+\s+<none>/.test(out) ? out : undefined;
  });
  assert.match(row, /kubia-lb\s+ClusterIP\s+10\.\S+\s+<none>\s+\d+\/TCP/);
});

test('kubectl scale: the new pod is in the node\'s service rules as soon as it is a ready endpoint', async () => {
  await c.k('scale', 'deployment/kubia', '--replicas=4');
  const ips = await eventually('4 ready endpoints', async () => {
    const out = await c.k('get', 'endpoints', 'kubia', '-o', 'jsonpath={.subsets[*].addresses[*].ip}');
    return out.split(' ').length === 4 ? out.split(' ') : undefined;
  }, 90_000);
  const prefix = hostNames(c.dataDir).chainPrefix;
  // The timing itself is measured by `npm run bench -- services`; here the rules must simply follow.
  await eventually('every endpoint in the rules', async () => {
    const rules = execFileSync('iptables-save', ['-t', 'nat']).toString().split('\n').filter((l) => l.startsWith(`-A ${prefix}-SEP-`));
    return ips.every((ip) => rules.some((l) => l.includes(`--to-destination ${ip}:8080`))) ? true : undefined;
  }, 15_000);
});

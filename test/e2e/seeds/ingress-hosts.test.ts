// Seed 002 §Ingress in the seed's own layout: namespace dev, services kubia and bar (NodePort) in front of
// the kubia and kubia-bar Deployments, one Ingress that maps /kubia and /foo of kubia.example.com to them,
// then the same Ingress re-applied to map the hosts kubia.example.com and bar.example.com (将不同的服务
// 映射到不同的主机上). Real node with its ingress controller on loopback ports; requests carry the Host
// header instead of /etc/hosts entries. busybox httpd answers as kubia ("You've hit <pod>").
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eventuallyGet, freePort } from './net.js';
import { eventually, startNodeCluster, type NodeCluster } from './node.js';

let c: NodeCluster;
let ingressPort = 0;
before(async () => {
  ingressPort = await freePort();
  c = await startNodeCluster('ing', { ingress: { httpPort: ingressPort, httpsPort: await freePort() } });
  await c.k('create', 'ns', 'dev');
});
after(async () => {
  await c?.stop();
});

const deployment = (name: string): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: dev
spec:
  replicas: 2
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      name: ${name}
      labels:
        app: ${name}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - image: busybox
        imagePullPolicy: IfNotPresent
        name: nodejs
        # kubia answers every path: the same page under /, /kubia and /foo.
        command: ["sh", "-c", "mkdir -p /www && echo \\"You've hit $(hostname)\\" > /www/index.html && cp /www/index.html /www/kubia && cp /www/index.html /www/foo && exec httpd -f -p 8080 -h /www"]
        readinessProbe:
          periodSeconds: 1
          tcpSocket:
            port: 8080
`;

// The seed pins nodePort 30124/30125; other test nodes on this host may hold those, so they are allocated.
const service = (name: string, app: string): string => `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: dev
spec:
  selector:
    app: ${app}
  type: NodePort
  ports:
    - port: 80
      targetPort: 8080
`;

test('seed 002 §Ingress 创建两个service: kube-svc-ing1.yaml, kube-deployment-ing.yaml, kube-svc-ing2.yaml and kube-ing.yaml route /kubia and /foo of kubia.example.com', async () => {
  const objects = [deployment('kubia'), deployment('kubia-bar'), service('kubia', 'kubia'), service('bar', 'kubia-bar')].join('---\n');
  assert.equal(await c.kIn(objects, 'create', '-f', '-'), 'deployment.apps/kubia created\ndeployment.apps/kubia-bar created\nservice/kubia created\nservice/bar created\n');
  await c.k('-n', 'dev', 'rollout', 'status', 'deployment/kubia', '--timeout=90s');
  await c.k('-n', 'dev', 'rollout', 'status', 'deployment/kubia-bar', '--timeout=90s');
  const ing = `#kube-ing.yaml
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: kubia
  namespace: dev
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
            name: bar
            port:
              number: 80
`;
  assert.equal(await c.kIn(ing, 'apply', '-f', '-'), 'ingress.networking.k8s.io/kubia created\n');
  assert.match(await c.k('-n', 'dev', 'get', 'ing'), /^kubia\s+\S+\s+kubia\.example\.com\s+\S*\s*80\s+/m);
  const kubia = await eventually('/kubia routed', async () => {
    const got = await eventuallyGet(ingressPort, '/kubia', { Host: 'kubia.example.com' });
    return got.status === 200 ? got.body : undefined;
  }, 30_000);
  assert.match(kubia, /^You've hit kubia-(?!bar-)\w+-\w{5}\n$/);
  const foo = await eventuallyGet(ingressPort, '/foo', { Host: 'kubia.example.com' });
  assert.equal(foo.status, 200);
  assert.match(foo.body, /^You've hit kubia-bar-\w+-\w{5}\n$/);
});

test('seed 002 §将不同的服务映射到不同的主机上: the Ingress re-applied with hosts kubia.example.com and bar.example.com routes each host to its service', async () => {
  const ing = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: kubia
  namespace: dev
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
`;
  assert.equal(await c.kIn(ing, 'apply', '-f', '-'), 'ingress.networking.k8s.io/kubia configured\n');
  assert.match(await c.k('-n', 'dev', 'get', 'ing'), /^kubia\s+\S+\s+kubia\.example\.com,bar\.example\.com\s+\S*\s*80\s+/m);
  const bar = await eventually('bar.example.com routed', async () => {
    const got = await eventuallyGet(ingressPort, '/', { Host: 'bar.example.com' });
    return got.status === 200 ? got.body : undefined;
  }, 30_000);
  assert.match(bar, /^You've hit kubia-bar-\w+-\w{5}\n$/);
  const kubia = await eventuallyGet(ingressPort, '/', { Host: 'kubia.example.com' });
  assert.equal(kubia.status, 200);
  assert.match(kubia.body, /^You've hit kubia-(?!bar-)\w+-\w{5}\n$/);
  // The /kubia and /foo rules are gone with the old spec: /foo on kubia.example.com is kubia's page now.
  assert.match((await eventuallyGet(ingressPort, '/foo', { Host: 'kubia.example.com' })).body, /^You've hit kubia-(?!bar-)/);
  assert.equal((await eventuallyGet(ingressPort, '/', { Host: 'foo.example.com' })).status, 404);
});

// ResourceQuota and LimitRange admission with kubectl 1.33: a quota of 2 pods refuses the third with
// kube's message and `describe quota` shows its use, compute quotas count requests, LimitRange defaults appear in a new pod and its max is
// enforced.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { clientFromKubeconfig, type RestClient } from '../../../src/client/index.js';
import { startControllers, type ControllersHandle } from '../../../src/controllers/index.js';
import { kubectl, kubectlOk, startTestServer, type TestServer } from '../../lib/index.js';
import { eventually } from '../workloads/cluster.js';

let server: TestServer;
let rest: RestClient;
let controllers: ControllersHandle;
const k = (...args: string[]): Promise<string> => kubectlOk('1.33', server.kubeconfig, args);
const kIn = (input: string, ...args: string[]): Promise<string> => kubectlOk('1.33', server.kubeconfig, args, { input });

before(async () => {
  server = await startTestServer();
  rest = clientFromKubeconfig(server.kubeconfig);
  controllers = await startControllers({ client: rest, only: ['resourcequota'] });
});
after(async () => {
  await controllers?.stop();
  rest?.close();
  await server?.stop();
});

test('a quota of 2 pods refuses the third with the exceeded quota message', async () => {
  await k('create', 'namespace', 'q1');
  assert.match(await k('-n', 'q1', 'create', 'quota', 'pod-quota', '--hard=pods=2'), /resourcequota\/pod-quota created/);
  await k('-n', 'q1', 'run', 'p1', '--image=busybox');
  await k('-n', 'q1', 'run', 'p2', '--image=busybox');
  const third = await kubectl('1.33', server.kubeconfig, ['-n', 'q1', 'run', 'p3', '--image=busybox']);
  assert.notEqual(third.code, 0);
  assert.match(third.stderr, /Error from server \(Forbidden\): pods "p3" is forbidden: exceeded quota: pod-quota, requested: pods=1, used: pods=2, limited: pods=2/);
  await eventually('quota status used', async () => /pods\s+2\s+2/.test(await k('-n', 'q1', 'describe', 'quota', 'pod-quota')));
  await k('-n', 'q1', 'delete', 'pod', 'p1', '--wait=false');
  await k('-n', 'q1', 'run', 'p3', '--image=busybox');
});

test('LimitRange defaults appear in a new pod; compute quota counts requests; max is enforced', async () => {
  await k('create', 'namespace', 'q2');
  await kIn(
    `apiVersion: v1
kind: LimitRange
metadata: {name: limits, namespace: q2}
spec:
  limits:
  - type: Container
    default: {cpu: 500m, memory: 128Mi}
    defaultRequest: {cpu: 200m, memory: 64Mi}
    max: {cpu: "1"}
`,
    'create',
    '-f',
    '-',
  );
  await k('-n', 'q2', 'run', 'd1', '--image=busybox');
  const pod = JSON.parse(await k('-n', 'q2', 'get', 'pod', 'd1', '-o', 'json')) as {
    metadata: { annotations?: Record<string, string> };
    spec: { containers: Array<{ resources: unknown }> };
  };
  assert.deepEqual(pod.spec.containers[0].resources, { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '200m', memory: '64Mi' } });
  assert.equal(pod.metadata.annotations?.['kubernetes.io/limit-ranger'], 'LimitRanger plugin set: cpu, memory request for container d1; cpu, memory limit for container d1');

  const big = await kubectl('1.33', server.kubeconfig, ['-n', 'q2', 'run', 'big', '--image=busybox', '--overrides={"spec":{"containers":[{"name":"big","image":"busybox","resources":{"limits":{"cpu":"2"}}}]}}']);
  assert.notEqual(big.code, 0);
  assert.match(big.stderr, /pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2/);

  await k('-n', 'q2', 'create', 'quota', 'compute', '--hard=requests.cpu=300m');
  const over = await kubectl('1.33', server.kubeconfig, ['-n', 'q2', 'run', 'd2', '--image=busybox']);
  assert.match(over.stderr, /exceeded quota: compute, requested: requests.cpu=200m, used: requests.cpu=200m, limited: requests.cpu=300m/);
});

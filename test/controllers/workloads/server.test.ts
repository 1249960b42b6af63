// The workload controllers as `skiff server` runs them (its controller manager, under the
// kube-controller-manager Lease), with hollow nodes from this process: the seed Deployment rolls out
// and rolls back with kubectl 1.33 and nothing else in the test reconciling.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { clientFromKubeconfig, type RestClient } from '../../../src/client/index.js';
import { startHollowNodes, type HollowNodes } from '../../../src/scheduler/index.js';
import { kubectlOk, REPO_ROOT, startTestServer, type TestServer } from '../../lib/index.js';

let server: TestServer;
let rest: RestClient;
let hollow: HollowNodes | undefined;

before(async () => {
  server = await startTestServer({ controlPlane: true });
  rest = clientFromKubeconfig(server.kubeconfig);
  hollow = await startHollowNodes({ rest, count: 2, namePrefix: 'node-' });
});
after(async () => {
  await hollow?.stop();
  rest?.close();
  await server?.stop();
});

const k = (...args: string[]): Promise<string> => kubectlOk('1.33', server.kubeconfig, args);

test('skiff server reconciles the seed Deployment through a rollout and an undo', async () => {
  const seed = fs.readFileSync(path.join(REPO_ROOT, 'test/fixtures/seeds/kube-deployment.yaml'), 'utf8');
  await kubectlOk('1.33', server.kubeconfig, ['create', '-f', '-'], { input: seed });
  assert.match(await k('rollout', 'status', 'deployment/kubia', '--timeout=90s'), /deployment "kubia" successfully rolled out/);
  await k('set', 'image', 'deployment/kubia', 'nodejs=luksa/kubia:v2');
  assert.match(await k('rollout', 'status', 'deployment/kubia', '--timeout=90s'), /successfully rolled out/);
  await k('rollout', 'undo', 'deployment/kubia');
  assert.match(await k('rollout', 'status', 'deployment/kubia', '--timeout=90s'), /successfully rolled out/);
  const rs = await k('get', 'rs', '--no-headers');
  const lines = rs.trim().split('\n').map((l) => l.split(/\s+/).slice(0, 4).join(' '));
  assert.equal(lines.length, 2, rs);
  assert.ok(lines.some((l) => / 3 3 3$/.test(l)) && lines.some((l) => / 0 0 0$/.test(l)), rs);
  const pods = await k('get', 'pods', '-l', 'app=kubia', '--no-headers');
  assert.equal(pods.trim().split('\n').filter((l) => /1\/1\s+Running/.test(l)).length, 3, pods);
});

// Node IPAM hand-off: two agents that are given no --pod-cidr take the /24s the node IPAM controller
// assigns to their Nodes (distinct, inside --cluster-cidr), and their pods get addresses from them.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { loadKubeconfig } from '../../src/client/index.js';
import { cleanupNode, startAgent, type AgentHandle } from '../../src/kubelet/index.js';
import { makeTempDir, startTestServer, type TestServer } from '../lib/index.js';
import { kubectl, podManifest, waitFor } from './helpers.js';

// A cluster CIDR of this run's own, apart from the other tests' pod ranges (10.60-99, 10.200-249).
const clusterCIDR = `10.${250 + (process.pid % 5)}.0.0/16`;
let server: TestServer;
const agents: Array<{ agent: AgentHandle; dataDir: string }> = [];

before(async () => {
  server = await startTestServer({ controlPlane: true, args: ['--cluster-cidr', clusterCIDR] });
  const token = fs.readFileSync(path.join(server.dataDir, 'server', 'token'), 'utf8').trim();
  for (const i of [1, 2]) {
    const dataDir = makeTempDir(`kubelet-cidr-${i}`);
    const agent = await startAgent({ client: loadKubeconfig(server.kubeconfig), token, dataDir, clusterCIDR, nodeName: `node-cidr${i}-${process.pid}`, kubeletPort: 0, log: () => undefined });
    agents.push({ agent, dataDir });
  }
});
after(async () => {
  for (const { agent, dataDir } of agents) {
    await agent.stop().catch(() => undefined);
    await cleanupNode(dataDir, agent.podCIDR).catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true, maxRetries: 5 });
  }
  await server?.stop();
});

test('each agent runs its pods on the podCIDR node IPAM assigned to its Node', async () => {
  const k = async (args: string[], input?: string): Promise<string> => {
    const r = await kubectl('1.33', server.kubeconfig, args, { input });
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };
  const cidrs = agents.map((a) => a.agent.podCIDR);
  assert.notEqual(cidrs[0], cidrs[1]);
  const prefix = clusterCIDR.split('.').slice(0, 2).join('.');
  // The range allocator hands out the first free /24s (the agents' own fallback would hash their data dirs).
  assert.deepEqual([...cidrs].sort(), [`${prefix}.0.0/24`, `${prefix}.1.0/24`]);
  for (const [i, { agent }] of agents.entries()) {
    assert.equal(await k(['get', 'node', agent.nodeName, '-o', 'jsonpath={.spec.podCIDR}']), agent.podCIDR);
    const name = `cidr-${i}`;
    await k(['apply', '-f', '-'], podManifest(name, agent.nodeName, { containers: [{ name: 'main', image: 'busybox', imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] }] }));
    const ip = await waitFor(`${name} IP`, async () => k(['get', 'pod', name, '-o', 'jsonpath={.status.podIP}']));
    assert.equal(ip.split('.').slice(0, 3).join('.'), agent.podCIDR.split('.').slice(0, 3).join('.'), `${name} got ${ip} from ${agent.podCIDR}`);
  }
});

// Two `skiff server`s on one etcd (issue 3 item 4): the first to start holds the kube-scheduler and
// kube-controller-manager Leases in kube-system; kill -9 it and the second takes both over within the
// lease duration (15 s) and reconciles.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { kubectlOk, startTestServer, type TestServer } from '../lib/index.js';
import { startEtcd } from '../storage/etcd-cluster.js';

const etcd = await startEtcd(1);
after(() => etcd.destroy());

async function startServer(): Promise<TestServer> {
  const server = await startTestServer({ controlPlane: true, args: ['--datastore-endpoint', etcd.endpoint] });
  after(async () => {
    await server.kill9();
    fs.rmSync(server.dataDir, { recursive: true, force: true });
  });
  return server;
}

async function holders(via: TestServer): Promise<Record<string, string>> {
  const out = await kubectlOk('1.33', via.kubeconfig, ['get', 'lease', '-n', 'kube-system', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.spec.holderIdentity}{"\\n"}{end}']);
  return Object.fromEntries(out.split('\n').filter(Boolean).map((l) => l.split('=')));
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const leading = (h: Record<string, string>) => (h['kube-scheduler'] && h['kube-scheduler'] === h['kube-controller-manager'] ? h['kube-scheduler'] : undefined);

test('the leader is killed -9 and the other server takes over both leases and reconciles', async () => {
  const first = await startServer();
  const firstIdentity = await until('the first server to lead', 30_000, async () => leading(await holders(first)));
  const second = await startServer();
  await kubectlOk('1.33', second.kubeconfig, ['get', 'ns']);
  assert.equal(leading(await holders(second)), firstIdentity, 'a second server does not steal a held lease');

  await first.kill9();
  const killedAt = Date.now();
  const secondIdentity = await until('the second server to take over', 40_000, async () => {
    const identity = leading(await holders(second));
    return identity && identity !== firstIdentity ? identity : undefined;
  });
  assert.notEqual(secondIdentity, firstIdentity);
  assert.ok(Date.now() - killedAt < 30_000, `takeover took ${Date.now() - killedAt} ms`);

  await kubectlOk('1.33', second.kubeconfig, ['create', 'deployment', 'after-failover', '--image=busybox', '--replicas=2']);
  await until('the new leader to reconcile a deployment', 30_000, async () => {
    const out = await kubectlOk('1.33', second.kubeconfig, ['get', 'rs', '-l', 'app=after-failover', '-o', 'jsonpath={.items[0].status.replicas}']);
    return out === '2' ? out : undefined;
  });
});

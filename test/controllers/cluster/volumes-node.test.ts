// Reclaiming volumes on a real node (`skiff server` + a real `skiff agent`, kubectl 1.33): the Recycle
// policy's recycler pod really runs busybox on the kubelet and empties a hostPath volume (dotfiles and
// subdirectories too) before it is Available again; a WaitForFirstConsumer local-path claim is
// provisioned on the node its pod is scheduled to, and its directory goes with the claim.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { eventually, startNodeCluster, type NodeCluster } from '../../e2e/seeds/node.js';

let c: NodeCluster;
before(async () => {
  c = await startNodeCluster('reclaim');
});
after(async () => {
  await c?.stop();
});

test('Recycle: the recycler pod scrubs the hostPath volume and it is Available again', async () => {
  const dir = fs.mkdtempSync(path.join(c.dataDir, 'recycle-'));
  fs.writeFileSync(path.join(dir, 'data.txt'), 'old tenant');
  fs.writeFileSync(path.join(dir, '.hidden'), 'secret');
  fs.mkdirSync(path.join(dir, 'sub'));
  fs.writeFileSync(path.join(dir, 'sub', 'nested'), 'x');
  await c.kIn(
    `apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: scrubbed}\nspec:\n  capacity: {storage: 1Gi}\n  accessModes: [ReadWriteOnce]\n  persistentVolumeReclaimPolicy: Recycle\n  storageClassName: ""\n  hostPath: {path: ${dir}}\n`,
    'create',
    '-f',
    '-',
  );
  await c.kIn('apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: tenant}\nspec:\n  storageClassName: ""\n  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 1Gi}}\n', 'create', '-f', '-');
  await eventually('tenant Bound', async () => /tenant\s+Bound\s+scrubbed/.test(await c.k('get', 'pvc', 'tenant')));
  await c.k('delete', 'pvc', 'tenant');
  await eventually('scrubbed Available', async () => /scrubbed\s+1Gi\s+RWO\s+Recycle\s+Available/.test(await c.k('get', 'pv', 'scrubbed')), 120_000);
  assert.deepEqual(fs.readdirSync(dir), [], 'the volume is empty');
  const reasons = await c.k('get', 'events', '--field-selector', 'involvedObject.name=scrubbed', '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}');
  assert.match(reasons, /^VolumeRecycled: Volume recycled$/m);
  assert.match(reasons, /^RecyclerPod: Recycler pod: Successfully assigned default\/recycler-for-scrubbed to /m);
  await eventually('the recycler pod gone', async () => (await c.kTry('get', 'pod', 'recycler-for-scrubbed')).code !== 0, 60_000);
});

test('WaitForFirstConsumer local-path: provisioned on the pod\'s node, data written there, directory deleted with the claim', async () => {
  await c.kIn('apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: lp}\nspec:\n  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 1Gi}}\n', 'create', '-f', '-');
  await c.kIn(
    'apiVersion: v1\nkind: Pod\nmetadata: {name: writer}\nspec:\n  terminationGracePeriodSeconds: 1\n  restartPolicy: Never\n  containers: [{name: c, image: busybox, imagePullPolicy: IfNotPresent, command: [sh, -c, "echo hello > /data/out"], volumeMounts: [{name: d, mountPath: /data}]}]\n  volumes: [{name: d, persistentVolumeClaim: {claimName: lp}}]\n',
    'create',
    '-f',
    '-',
  );
  await eventually('writer Succeeded', async () => (await c.k('get', 'pod', 'writer', '-o', 'jsonpath={.status.phase}')) === 'Succeeded', 120_000);
  assert.equal(await c.k('get', 'pvc', 'lp', '-o', 'jsonpath={.metadata.annotations.volume\\.kubernetes\\.io/selected-node}'), c.node);
  const pvName = await c.k('get', 'pvc', 'lp', '-o', 'jsonpath={.spec.volumeName}');
  const hostPath = await c.k('get', 'pv', pvName, '-o', 'jsonpath={.spec.hostPath.path}');
  assert.equal(fs.readFileSync(path.join(hostPath, 'out'), 'utf8'), 'hello\n');
  await c.k('delete', 'pod', 'writer');
  await c.k('delete', 'pvc', 'lp');
  await eventually('the volume deleted', async () => (await c.kTry('get', 'pv', pvName)).code !== 0, 60_000);
  assert.equal(fs.existsSync(hostPath), false, 'its directory removed');
});

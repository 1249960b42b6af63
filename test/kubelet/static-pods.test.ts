// Static pods with the real kubectl: a manifest dropped into the agent's pod-manifests directory runs as
// <name>-<node> with a mirror pod in the API (annotations and Node owner as the kubelet sets them);
// logs and exec reach it through the mirror; deleting the mirror brings it back without restarting the
// container; editing the file replaces the pod; removing the file stops the pod and deletes the mirror.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { defaultPodManifestPath } from '../../src/kubelet/index.js';
import { startCluster, waitFor, type Cluster } from './helpers.js';

let c: Cluster;
before(async () => {
  c = await startCluster('static');
});
after(async () => {
  await c?.stop();
});

interface MirrorPod {
  metadata: { uid: string; annotations?: Record<string, string>; ownerReferences?: Array<{ kind: string; name: string; controller?: boolean }> };
  status?: { phase?: string; containerStatuses?: Array<{ containerID?: string; restartCount: number }> };
}

async function getPod(name: string): Promise<MirrorPod | undefined> {
  const out = await c.k('1.33', ['get', 'pod', name, '-o', 'json', '--ignore-not-found']);
  return out.trim() ? (JSON.parse(out) as MirrorPod) : undefined;
}

test('a manifest file runs as a static pod with a mirror pod; deleting the mirror recreates it; an edit replaces it; removing the file stops it', async () => {
  const dir = defaultPodManifestPath(c.dataDir);
  const manifest = path.join(dir, 'web.yaml');
  fs.writeFileSync(
    manifest,
    [
      'apiVersion: v1',
      'kind: Pod',
      'metadata:',
      '  name: web',
      '  labels: {app: web}',
      'spec:',
      '  terminationGracePeriodSeconds: 1',
      '  containers:',
      '  - name: main',
      '    image: busybox',
      '    imagePullPolicy: IfNotPresent',
      '    command: [sh, -c, "echo static says hi; exec sleep 3600"]',
      '',
    ].join('\n'),
  );
  fs.writeFileSync(path.join(dir, '.ignored.yaml'), 'not: a pod\n');
  const name = `web-${c.node}`;
  const first = await waitFor('mirror pod Running', async () => {
    const p = await getPod(name);
    return p?.status?.phase === 'Running' ? p : undefined;
  });
  const ann = first.metadata.annotations ?? {};
  assert.equal(ann['kubernetes.io/config.source'], 'file');
  assert.equal(ann['kubernetes.io/config.mirror'], ann['kubernetes.io/config.hash']);
  assert.match(ann['kubernetes.io/config.mirror'] ?? '', /^[0-9a-f]{32}$/);
  assert.deepEqual(first.metadata.ownerReferences?.map((o) => [o.kind, o.name, o.controller]), [['Node', c.node, true]]);
  assert.match(await c.k('1.33', ['get', 'pods', '-l', 'app=web']), new RegExp(`${name}\\s+1/1\\s+Running\\s+0`));
  assert.equal(await waitFor('logs', async () => (await c.k('1.33', ['logs', name])) || undefined), 'static says hi\n');
  assert.equal(await c.k('1.27', ['exec', name, '--', 'sh', '-c', 'echo $HOSTNAME']), `${name}\n`);

  const containerID = first.status?.containerStatuses?.[0]?.containerID;
  await c.k('1.33', ['delete', 'pod', name, '--wait=true', '--timeout=60s']);
  const again = await waitFor('mirror pod recreated', async () => {
    const p = await getPod(name);
    return p && p.metadata.uid !== first.metadata.uid && p.status?.phase === 'Running' ? p : undefined;
  });
  assert.equal(again.status?.containerStatuses?.[0]?.containerID, containerID, 'the static pod kept running');
  assert.equal(again.status?.containerStatuses?.[0]?.restartCount, 0);

  // An edit is a new pod: the old one stops, the new one starts under a new hash.
  fs.writeFileSync(manifest, fs.readFileSync(manifest, 'utf8').replace('static says hi', 'static says bye'));
  const edited = await waitFor('edited static pod Running', async () => {
    const p = await getPod(name);
    const hash = p?.metadata.annotations?.['kubernetes.io/config.mirror'];
    return hash && hash !== ann['kubernetes.io/config.mirror'] && p.status?.phase === 'Running' ? p : undefined;
  });
  assert.notEqual(edited.status?.containerStatuses?.[0]?.containerID, containerID);
  assert.equal(await waitFor('new logs', async () => (await c.k('1.33', ['logs', name])) || undefined), 'static says bye\n');
  await waitFor('old sandbox removed', async () => c.agent.kubelet.runtime.listPodSandbox().length === 1);

  fs.rmSync(manifest);
  await waitFor('mirror pod deleted', async () => (await getPod(name)) === undefined);
  await waitFor('containers removed', async () => c.agent.kubelet.runtime.listPodSandbox().length === 0);
});

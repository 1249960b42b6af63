import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManifestError, staticPodFromManifest } from './static-pods.js';

const yaml = 'apiVersion: v1\nkind: Pod\nmetadata: {name: web, labels: {app: web}}\nspec:\n  containers: [{name: main, image: busybox}]\n';

test('a manifest becomes <name>-<node> in default, bound to the node, tolerating NoExecute, with kubelet defaults', () => {
  const pod = staticPodFromManifest(yaml, '/m/web.yaml', 'node-a', '2026-01-01T00:00:00Z');
  assert.equal(pod.metadata.name, 'web-node-a');
  assert.equal(pod.metadata.namespace, 'default');
  assert.equal(pod.spec.nodeName, 'node-a');
  assert.equal(pod.metadata.annotations?.['kubernetes.io/config.source'], 'file');
  assert.equal(pod.metadata.annotations?.['kubernetes.io/config.hash'], pod.metadata.uid);
  assert.deepEqual((pod.spec as { tolerations?: unknown }).tolerations, [{ operator: 'Exists', effect: 'NoExecute' }]);
  assert.equal(pod.spec.restartPolicy, 'Always');
  assert.equal(pod.status?.phase, 'Pending');
});

test('the uid follows content, file and node, and nothing else', () => {
  const uid = (text: string, file = '/m/web.yaml', node = 'a'): string => staticPodFromManifest(text, file, node, 'x').metadata.uid!;
  assert.equal(uid(yaml), uid(yaml));
  assert.equal(staticPodFromManifest(yaml, '/m/web.yaml', 'a', 'later').metadata.uid, uid(yaml));
  assert.notEqual(uid(yaml.replace('busybox', 'busybox:1.36')), uid(yaml));
  assert.notEqual(uid(yaml, '/m/other.yaml'), uid(yaml));
  assert.notEqual(uid(yaml, '/m/web.yaml', 'b'), uid(yaml));
  assert.equal(uid(JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'j' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } })).length, 32);
});

test('files that are not one valid Pod are refused with the reason', () => {
  assert.throws(() => staticPodFromManifest('kind: Service\napiVersion: v1\nmetadata: {name: s}\n', '/m/s.yaml', 'a', ''), (e: unknown) => e instanceof ManifestError && /expected kind Pod/.test(e.message));
  assert.throws(() => staticPodFromManifest('apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: []}\n', '/m/p.yaml', 'a', ''), /static pod manifest \/m\/p\.yaml: spec\.containers: Required value/);
  assert.throws(() => staticPodFromManifest(': : :\n\t-', '/m/bad.yaml', 'a', ''), /invalid YAML or JSON/);
});

// kubectl attach -i to a container started with stdin: input reaches the container's own process and
// its output comes back, over SPDY (kubectl 1.27) and WebSocket v5 (kubectl 1.33).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { podManifest, startCluster, waitFor, type Cluster } from './helpers.js';

let c: Cluster;
before(async () => {
  c = await startCluster('attach');
});
after(async () => {
  await c?.stop();
});

for (const v of ['1.27', '1.33'] as const) {
  test(`kubectl ${v} attach -i feeds the container's stdin and shows its output`, async () => {
    const name = `reader-${v.replace('.', '')}`;
    await c.k('1.33', ['apply', '-f', '-'], podManifest(name, c.node, {
      restartPolicy: 'Never',
      containers: [{ name: 'main', image: 'busybox', imagePullPolicy: 'IfNotPresent', stdin: true, stdinOnce: true, command: ['sh', '-c', 'while read l; do echo "got $l"; done; echo bye'] }],
    }));
    await waitFor(`${name} Running`, async () => (await c.k('1.33', ['get', 'pod', name, '-o', 'jsonpath={.status.phase}'])) === 'Running');
    const out = await c.k(v, ['attach', '-i', name], 'hello\nworld\n');
    assert.equal(out, 'got hello\ngot world\nbye\n');
    await waitFor(`${name} Succeeded`, async () => (await c.k('1.33', ['get', 'pod', name, '-o', 'jsonpath={.status.phase}'])) === 'Succeeded');
    assert.equal(await c.k('1.33', ['logs', name]), 'got hello\ngot world\nbye\n');
  });
}

import { startCluster, podManifest, waitFor } from './helpers.js';
import { kubectl } from '../lib/index.js';
const c = await startCluster('dbg');
try {
  await c.k('1.33', ['apply', '-f', '-'], podManifest('p1', c.node, { containers: [{ name: 'a', image: 'busybox', imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', 'echo hi; exec sleep 3600'] }] }));
  await waitFor('run', async () => (await c.k('1.33', ['get', 'pod', 'p1', '-o', 'jsonpath={.status.phase}'])) === 'Running');
  const r = await kubectl('1.33', c.server.kubeconfig, ['logs', 'p1']);
  console.log(r.code, r.stdout, r.stderr.slice(-500));
} finally { await c.stop(); }

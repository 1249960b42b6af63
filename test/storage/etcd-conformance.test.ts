import { registerConformanceTests } from '../../src/storage/conformance.js';
import { EtcdStore } from '../../src/storage/etcd/etcd-store.js';
import { startEtcd } from './etcd-cluster.js';

const cluster = await startEtcd(1);
let n = 0;

registerConformanceTests('etcd', {
  // Each test gets its own key prefix on the one etcd.
  open: async () => new EtcdStore({ endpoints: [cluster.endpoint], prefix: `/conformance-${n++}`, progressIntervalMs: 300 }),
  teardown: () => cluster.destroy(),
});

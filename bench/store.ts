// The Store on its own, SQLite and etcd (1 and 3 members, started here on loopback) in the same run:
// creates/s one at a time and with 16 concurrent writers, a list of 10,000 objects, and the delay
// from a write's call to its watch event under load. The API server's figures sit on top of these.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore, type Store, type StoreConfig } from '../src/storage/index.js';
import { startEtcd } from '../test/storage/etcd-cluster.js';
import { percentile, type Benchmark, type BenchRow } from './harness.js';

/** About the size of a small pod object. */
const VALUE = JSON.stringify({ kind: 'Pod', apiVersion: 'v1', metadata: { name: 'x', labels: { app: 'bench' } }, spec: { padding: 'x'.repeat(900) } });
const SEQUENTIAL = 2000;
const CONCURRENT = 10_000;
const WRITERS = 16;
const LISTED = 10_000;
const WATCHED = 5000;

async function creates(store: Store, prefix: string, total: number, writers: number): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (next < total) await store.create(`${prefix}${next++}`, VALUE);
    }),
  );
  return total / ((performance.now() - start) / 1000);
}

async function listMs(store: Store, prefix: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    const { items } = await store.list(prefix);
    times.push(performance.now() - start);
    if (items.length !== LISTED) throw new Error(`listed ${items.length} of ${LISTED}`);
  }
  return Math.min(...times);
}

/** Delay from calling create to the watch handler seeing the event, with 16 writers running. */
async function watchP99(store: Store): Promise<number> {
  const called = new Map<string, number>();
  const delays: number[] = [];
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  const watch = store.watch(
    '/bench/watch/',
    (event) => {
      delays.push(performance.now() - called.get(event.kv.key)!);
      if (delays.length === WATCHED) done();
    },
    { fromRevision: await store.currentRevision() },
  );
  let next = 0;
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (next < WATCHED) {
        const key = `/bench/watch/${next++}`;
        called.set(key, performance.now());
        await store.create(key, VALUE);
      }
    }),
  );
  await all;
  watch.cancel();
  return percentile(delays.sort((a, b) => a - b), 99);
}

async function measure(name: string, config: StoreConfig): Promise<BenchRow[]> {
  const store = await openStore(config);
  try {
    const sequential = await creates(store, '/bench/seq/', SEQUENTIAL, 1);
    const concurrent = await creates(store, '/bench/list/', CONCURRENT, WRITERS);
    const list = await listMs(store, '/bench/list/');
    const watch = await watchP99(store);
    return [
      { metric: `${name}: creates/s, one writer`, unit: 'ops/s', skiff: sequential, lowerIsBetter: false },
      { metric: `${name}: creates/s, ${WRITERS} writers`, unit: 'ops/s', skiff: concurrent, lowerIsBetter: false, target: name === 'sqlite' ? '>10000' : undefined },
      { metric: `${name}: list of ${LISTED}`, unit: 'ms', skiff: list, lowerIsBetter: true },
      { metric: `${name}: watch delivery p99, ${WRITERS} writers`, unit: 'ms', skiff: watch, lowerIsBetter: true },
    ];
  } finally {
    await store.close();
  }
}

export const benchmark: Benchmark = {
  name: 'store',
  description: 'Store backends: creates/s (1 and 16 writers), list of 10,000, watch delivery p99; SQLite, etcd 1 member, etcd 3 members',
  async run() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-bench-store-'));
    const rows: BenchRow[] = [];
    try {
      rows.push(...(await measure('sqlite', { dataDir: dir })));
      for (const members of [1, 3]) {
        const etcd = await startEtcd(members);
        try {
          rows.push(...(await measure(`etcd ${members}m`, { endpoint: etcd.endpoint })));
        } finally {
          await etcd.destroy();
        }
      }
      return rows;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};

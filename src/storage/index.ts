import path from 'node:path';
import type { Store } from './store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';

export * from './store.js';

/** Tuning shared by both backends; the defaults suit a server. */
export interface StoreTuning {
  /** An idle live watch with onProgress gets a progress call this often (default 10 s). */
  progressIntervalMs?: number;
  /** How often history is compacted (default 5 minutes, keeping at least 1000 revisions; 0 = never). */
  compactIntervalMs?: number;
}

/** The embedded store: SQLite at `<dataDir>/server/db/state.db`. */
export interface SqliteStoreConfig extends StoreTuning {
  dataDir: string;
}

/** An etcd v3 cluster (k3s's --datastore-endpoint and --datastore-cafile/certfile/keyfile). */
export interface EtcdStoreConfig extends StoreTuning {
  /** Comma-separated client URLs, e.g. `http://127.0.0.1:2379,http://127.0.0.1:22379`. */
  endpoint: string;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  /** Prepended to every key, so several clusters can share one etcd (default none). */
  prefix?: string;
  /** How long one call keeps trying the members before UnavailableError (default 10 s). */
  requestTimeoutMs?: number;
}

export type StoreConfig = SqliteStoreConfig | EtcdStoreConfig;

export function sqliteDatabaseFile(dataDir: string): string {
  return path.join(dataDir, 'server', 'db', 'state.db');
}

export async function openStore(config: StoreConfig): Promise<Store> {
  if ('endpoint' in config) {
    // Loaded only when asked for: gRPC costs the embedded-SQLite server about 12 MB it never uses.
    const { EtcdStore } = await import('./etcd/etcd-store.js');
    return new EtcdStore({
      endpoints: config.endpoint.split(',').map((url) => url.trim()).filter(Boolean),
      caFile: config.caFile,
      certFile: config.certFile,
      keyFile: config.keyFile,
      prefix: config.prefix,
      requestTimeoutMs: config.requestTimeoutMs,
      progressIntervalMs: config.progressIntervalMs,
      compactIntervalMs: config.compactIntervalMs,
    });
  }
  return new SqliteStore({ file: sqliteDatabaseFile(config.dataDir), progressIntervalMs: config.progressIntervalMs, compactIntervalMs: config.compactIntervalMs });
}

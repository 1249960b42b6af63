// Periodic compaction, as kube-apiserver does it for etcd and kine for SQLite: on every tick, forget
// history up to the revision that was current one tick ago, but keep at least `keepRevisions` recent
// revisions, so a watcher or paginating client always has one interval to catch up.
import type { Store } from './store.js';

export interface PeriodicCompactionOptions {
  intervalMs: number;
  keepRevisions: number;
}

/** Starts compacting `store` every interval; returns the function that stops it. */
export function startPeriodicCompaction(store: Store, options: PeriodicCompactionOptions): () => void {
  let previous: number | undefined;
  let running = false;
  const tick = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      const current = await store.currentRevision();
      const target = Math.min(current - options.keepRevisions, previous ?? 0);
      previous = current;
      // Compacting at or below the compacted revision is a no-op in both backends.
      if (target > 0) await store.compact(target);
    } catch {
      // A backend that is briefly unavailable is compacted on a later tick; nothing is lost by waiting.
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), options.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

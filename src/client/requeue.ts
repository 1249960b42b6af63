// A 409 Conflict in a controller's sync means its cached copy was older than the stored object —
// usually its own previous write not yet seen on the watch. That is routine, not a failure: the key is
// requeued rate-limited without an error log (kube controllers log these only at verbosity 2).
import { isConflict } from './errors.js';
import { logDebug } from './log.js';
import type { WorkQueue } from './workqueue.js';

export function requeueOnConflict<T>(queue: WorkQueue<T>, sync: (item: T) => Promise<void>, name = 'controller'): (item: T) => Promise<void> {
  return async (item) => {
    try {
      await sync(item);
    } catch (err) {
      if (!isConflict(err)) throw err;
      logDebug(name, `sync ${String(item)}: ${(err as Error).message}; requeueing`);
      queue.addRateLimited(item);
    }
  };
}

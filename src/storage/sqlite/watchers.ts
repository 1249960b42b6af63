// Watch fan-out for the SQLite store. A new watcher first replays history from the table in
// batches, then turns live and receives the events the store publishes after each commit. Reads
// and commits are synchronous in this one process, so the switch from replay to live happens
// between two commits: no event is missed or sent twice. Delivery to handlers is asynchronous
// (a microtask), in revision order, one queue per watcher.
import { CompactedError, StoreError, type Watch, type WatchEvent, type WatchOptions } from '../store.js';

/** What the hub needs to read from the store. */
export interface HistorySource {
  /** Committed events with revision > `after` for keys in the prefix, oldest first, at most `limit`. */
  history(prefix: string, after: number, limit: number): WatchEvent[];
  revision(): number;
  compactedRevision(): number;
}

const REPLAY_BATCH = 1000;

type Delivery = WatchEvent | { progress: number };

class Watcher implements Watch {
  /** Events up to this revision have been queued (or were not under the prefix). */
  last: number;
  live = false;
  done = false;
  /** Whether something was queued since the last progress tick. */
  active = false;
  /** A progress call was asked for and is sent as soon as the replay is over. */
  progressRequested = false;
  private queue: Delivery[] = [];
  private flushing = false;

  constructor(
    private readonly hub: WatchHub,
    readonly prefix: string,
    private readonly handler: (event: WatchEvent) => void,
    readonly options: WatchOptions,
  ) {
    this.last = options.fromRevision;
  }

  cancel(): void {
    this.done = true;
    this.queue = [];
    this.hub.remove(this);
  }

  requestProgress(): void {
    this.progressRequested = true;
    if (this.live) this.hub.sendProgress(this);
  }

  /** Ends the watch on the store's initiative: onError is the last call the watcher gets. */
  fail(err: Error): void {
    if (this.done) return;
    this.cancel();
    queueMicrotask(() => this.options.onError?.(err));
  }

  enqueue(item: Delivery): void {
    this.queue.push(item);
    this.active = true;
    if (!this.flushing) {
      this.flushing = true;
      queueMicrotask(() => this.flush());
    }
  }

  private flush(): void {
    this.flushing = false;
    const items = this.queue;
    this.queue = [];
    for (const item of items) {
      if (this.done) return;
      try {
        if ('progress' in item) this.options.onProgress?.(item.progress);
        else this.handler(item);
      } catch (err) {
        // A throwing handler must not take the store down; its watch ends and it is told why.
        this.fail(err instanceof Error ? err : new Error(String(err)));
        return;
      }
    }
  }
}

export class WatchHub {
  private readonly watchers = new Set<Watcher>();
  private readonly progressTimer: NodeJS.Timeout;

  constructor(
    private readonly source: HistorySource,
    progressIntervalMs: number,
  ) {
    this.progressTimer = setInterval(() => this.sendIdleProgress(), progressIntervalMs);
    this.progressTimer.unref();
  }

  add(prefix: string, handler: (event: WatchEvent) => void, options: WatchOptions): Watch {
    const watcher = new Watcher(this, prefix, handler, options);
    this.watchers.add(watcher);
    setImmediate(() => this.catchUp(watcher));
    return watcher;
  }

  remove(watcher: Watcher): void {
    this.watchers.delete(watcher);
  }

  /** Called synchronously right after a commit with that commit's events, in revision order. */
  publish(events: WatchEvent[]): void {
    for (const watcher of this.watchers) {
      if (!watcher.live) continue;
      for (const event of events) {
        if (event.kv.modRevision > watcher.last && event.kv.key.startsWith(watcher.prefix)) watcher.enqueue(event);
      }
      watcher.last = Math.max(watcher.last, events[events.length - 1]?.kv.modRevision ?? 0);
    }
  }

  /** History at or below `revision` is gone: watchers still replaying from before it cannot continue. */
  compacted(revision: number): void {
    for (const watcher of this.watchers) {
      if (!watcher.live && watcher.last < revision) watcher.fail(new CompactedError(watcher.last, revision));
    }
  }

  close(): void {
    clearInterval(this.progressTimer);
    for (const watcher of [...this.watchers]) watcher.fail(new StoreError('store closed'));
  }

  private catchUp(watcher: Watcher): void {
    if (watcher.done) return;
    const compacted = this.source.compactedRevision();
    if (watcher.last < compacted) {
      watcher.fail(new CompactedError(watcher.last, compacted));
      return;
    }
    const events = this.source.history(watcher.prefix, watcher.last, REPLAY_BATCH);
    for (const event of events) watcher.enqueue(event);
    if (events.length < REPLAY_BATCH) {
      watcher.last = Math.max(watcher.last, this.source.revision());
      watcher.live = true;
      if (watcher.progressRequested) this.sendProgress(watcher);
    } else {
      watcher.last = events[events.length - 1].kv.modRevision;
      setImmediate(() => this.catchUp(watcher));
    }
  }

  /** Queues a progress call behind the events already queued, so it arrives after them. */
  sendProgress(watcher: Watcher): void {
    watcher.progressRequested = false;
    if (watcher.options.onProgress) watcher.enqueue({ progress: Math.max(watcher.last, this.source.revision()) });
  }

  private sendIdleProgress(): void {
    for (const watcher of this.watchers) {
      if (watcher.live && !watcher.active) this.sendProgress(watcher);
      watcher.active = false;
    }
  }
}

// The in-memory watch cache: one store watch on /registry/ feeds a cache per storage resource (the
// current objects plus a window of recent events). Lists and watches are served from here, so the
// store sees only writes and the occasional paginated list. Because one watch carries every
// resource, the cache's revision is the store's revision, and a consistent read only has to wait for
// the cache to catch up with the store's current revision.
import type { KubeObject } from '../api/index.js';
import type { KeyValue, Store, Watch, WatchEventType } from '../storage/index.js';

export const REGISTRY_PREFIX = '/registry/';

export interface CachedObject {
  key: string;
  obj: KubeObject;
  rv: number;
  /** JSON of obj, made on first use and shared by every list and watch that sends it unchanged. */
  json?: string;
}

export interface CacheEvent {
  type: WatchEventType;
  cur: CachedObject;
  /** The object before this event (for MODIFIED and DELETED), to tell selector transitions. */
  prev?: CachedObject;
  rv: number;
}

export interface CacheWatcher {
  /** Only keys under this prefix (a namespace, or a single object's key). */
  keyPrefix: string;
  matches(obj: KubeObject): boolean;
  send(type: WatchEventType, obj: CachedObject): void;
  /** The cache is starting over (store watch lost): the watcher must end so the client re-lists. */
  close(): void;
}

export class TooOldError extends Error {
  constructor(
    readonly requested: number,
    readonly oldest: number,
  ) {
    super(`too old resource version: ${requested} (${oldest})`);
  }
}

const EVENT_WINDOW = 2000;

export function jsonOf(o: CachedObject): string {
  if (o.json === undefined) o.json = JSON.stringify(o.obj);
  return o.json;
}

export function decodeKv(kv: KeyValue): CachedObject {
  const obj = JSON.parse(kv.value) as KubeObject;
  obj.metadata = obj.metadata ?? {};
  obj.metadata.resourceVersion = String(kv.modRevision);
  return { key: kv.key, obj, rv: kv.modRevision };
}

export class ResourceCache {
  readonly objects = new Map<string, CachedObject>();
  private sortedKeys: string[] | null = null;
  private readonly events: CacheEvent[] = [];
  /** Every event with rv > windowStart is in `events`. */
  windowStart: number;
  readonly watchers = new Set<CacheWatcher>();

  constructor(startRevision: number) {
    this.windowStart = startRevision;
  }

  /** Current objects under keyPrefix, in key order. */
  list(keyPrefix: string): CachedObject[] {
    if (!this.sortedKeys) this.sortedKeys = [...this.objects.keys()].sort();
    const keys = this.sortedKeys;
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (keys[mid] < keyPrefix) lo = mid + 1;
      else hi = mid;
    }
    const out: CachedObject[] = [];
    for (let i = lo; i < keys.length && keys[i].startsWith(keyPrefix); i++) out.push(this.objects.get(keys[i])!);
    return out;
  }

  apply(event: CacheEvent): void {
    if (event.type === 'DELETED') {
      this.objects.delete(event.cur.key);
      this.sortedKeys = null;
    } else {
      if (!this.objects.has(event.cur.key)) this.sortedKeys = null;
      this.objects.set(event.cur.key, event.cur);
    }
    this.events.push(event);
    if (this.events.length > EVENT_WINDOW) this.windowStart = this.events.shift()!.rv;
    for (const w of this.watchers) deliver(w, event);
  }

  /** Registers a watcher and replays the events after `fromRevision`; TooOldError if they are gone. */
  watchFrom(watcher: CacheWatcher, fromRevision: number): void {
    if (fromRevision < this.windowStart) throw new TooOldError(fromRevision, this.windowStart);
    for (const e of this.events) if (e.rv > fromRevision) deliver(watcher, e);
    this.watchers.add(watcher);
  }

  /** Registers a watcher after sending the current state as synthetic ADDED events. */
  watchWithInitialState(watcher: CacheWatcher): void {
    for (const o of this.list(watcher.keyPrefix)) if (watcher.matches(o.obj)) watcher.send('ADDED', o);
    this.watchers.add(watcher);
  }

  unwatch(watcher: CacheWatcher): void {
    this.watchers.delete(watcher);
  }
}

/** Applies kube's rule for filtered watches: entering the selection is ADDED, leaving it DELETED. */
function deliver(w: CacheWatcher, e: CacheEvent): void {
  if (!e.cur.key.startsWith(w.keyPrefix)) return;
  const curMatches = e.type !== 'DELETED' && w.matches(e.cur.obj);
  const prevMatches = e.prev !== undefined && w.matches(e.prev.obj);
  if (e.type === 'DELETED') {
    if (prevMatches || w.matches(e.cur.obj)) w.send('DELETED', e.cur);
  } else if (curMatches && prevMatches) w.send('MODIFIED', e.cur);
  else if (curMatches) w.send('ADDED', e.cur);
  else if (prevMatches) w.send('DELETED', e.cur);
}

/** Splits "/registry/pods/default/web" into the storage resource "pods" (or "group/resource"). */
function storageResourceOf(key: string, known: Set<string>): string | undefined {
  const rest = key.slice(REGISTRY_PREFIX.length).split('/');
  if (known.has(rest[0])) return rest[0];
  const two = `${rest[0]}/${rest[1]}`;
  return known.has(two) ? two : undefined;
}

export class WatchCache {
  private readonly caches = new Map<string, ResourceCache>();
  private readonly known: Set<string>;
  private watch: Watch | undefined;
  private waiters: Array<{ rv: number; resolve: () => void }> = [];
  revision = 0;
  private stopped = false;
  eventsSeen = 0;

  constructor(
    private readonly store: Store,
    storageResources: Iterable<string>,
  ) {
    this.known = new Set(storageResources);
  }

  /** Loads every object and starts following the store. */
  async start(): Promise<void> {
    const rev = await this.store.currentRevision();
    const fresh = new Map<string, ResourceCache>();
    for (const sr of this.known) fresh.set(sr, new ResourceCache(rev));
    let startAfter: string | undefined;
    for (;;) {
      const page = await this.store.list(REGISTRY_PREFIX, { revision: rev, limit: 5000, startAfter });
      for (const kv of page.items) {
        const sr = storageResourceOf(kv.key, this.known);
        if (sr) fresh.get(sr)!.objects.set(kv.key, decodeKv(kv));
      }
      if (page.remaining === 0 || page.items.length === 0) break;
      startAfter = page.items[page.items.length - 1].key;
    }
    for (const old of this.caches.values()) for (const w of old.watchers) w.close();
    this.caches.clear();
    for (const [sr, c] of fresh) this.caches.set(sr, c);
    this.setRevision(rev);
    this.watch = this.store.watch(
      REGISTRY_PREFIX,
      (event) => {
        const sr = storageResourceOf(event.kv.key, this.known);
        const cache = sr ? this.caches.get(sr) : undefined;
        if (cache) {
          const cur = decodeKv(event.kv);
          const prev = cache.objects.get(event.kv.key);
          cache.apply({ type: event.type, cur, prev, rv: event.kv.modRevision });
        }
        this.eventsSeen++;
        this.setRevision(event.kv.modRevision);
      },
      {
        fromRevision: rev,
        onProgress: (r) => this.setRevision(r),
        onError: () => {
          if (this.stopped) return;
          // The store watch ended (backend restarted, history compacted): start over from a fresh list.
          setTimeout(() => void this.start().catch(() => undefined), 500);
        },
      },
    );
  }

  stop(): void {
    this.stopped = true;
    this.watch?.cancel();
    for (const c of this.caches.values()) for (const w of c.watchers) w.close();
  }

  cache(storageResource: string): ResourceCache {
    const c = this.caches.get(storageResource);
    if (!c) throw new Error(`no watch cache for ${storageResource}`);
    return c;
  }

  private setRevision(rv: number): void {
    if (rv <= this.revision) return;
    this.revision = rv;
    if (this.waiters.length === 0) return;
    const ready = this.waiters.filter((w) => w.rv <= rv);
    this.waiters = this.waiters.filter((w) => w.rv > rv);
    for (const w of ready) w.resolve();
  }

  /** Resolves true once the cache has seen revision `rv`, false after `timeoutMs`. */
  waitFor(rv: number, timeoutMs: number): Promise<boolean> {
    if (rv <= this.revision) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = {
        rv,
        resolve: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Waits until every write acknowledged before this call is visible (a consistent read). */
  async sync(timeoutMs = 3000): Promise<boolean> {
    return this.waitFor(await this.store.currentRevision(), timeoutMs);
  }

  sizes(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [sr, c] of this.caches) out.set(sr, c.objects.size);
    return out;
  }

  watcherCount(): number {
    let n = 0;
    for (const c of this.caches.values()) n += c.watchers.size;
    return n;
  }
}

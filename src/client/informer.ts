// Shared informers: list once, then watch from the list's resourceVersion, keeping a local indexed
// cache and calling add/update/delete handlers (client-go's Reflector + DeltaFIFO + SharedIndexInformer
// reduced to one loop). A watch that ends is resumed from the last resourceVersion seen; a 410
// (too old resource version) or any other failure relists, with backoff.
import type { KubeObject } from '../api/index.js';
import { Indexer, Lister, objectKey, type IndexFunc } from './cache.js';
import { errorFromStatus, isResourceExpired } from './errors.js';
import { backoffDelay, sleep } from './backoff.js';
import { logDebug, logError } from './log.js';
import { ResourceClient, resourcePath, type ResourceRef } from './resource.js';
import type { RestClient, WatchEvent } from './rest.js';

export interface EventHandler<T> {
  add?(obj: T): void;
  /** Also called with old === new-equal copies on every resync period. */
  update?(oldObj: T, newObj: T): void;
  /** Gets the last state the informer knew (which may predate the deletion when a relist found it gone). */
  delete?(obj: T): void;
}

export interface InformerOptions<T> {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Re-deliver every cached object as an update this often (0 = never). */
  resyncMs?: number;
  indexers?: Record<string, IndexFunc<T>>;
}

type WatchOutcome = { relist: boolean; error?: unknown };

export class Informer<T extends KubeObject = KubeObject> {
  readonly indexer: Indexer<T>;
  readonly lister: Lister<T>;
  private readonly handlers: EventHandler<T>[] = [];
  private started = false;
  private stopped = false;
  private synced = false;
  private syncWaiters: Array<() => void> = [];
  private resourceVersion = '';
  private stopWatch?: () => void;
  private readonly abort = new AbortController();
  private resyncTimer?: NodeJS.Timeout;
  private readonly name: string;

  constructor(
    readonly client: ResourceClient<T>,
    private readonly options: InformerOptions<T> = {},
  ) {
    this.indexer = new Indexer<T>(options.indexers);
    this.lister = new Lister(this.indexer);
    this.name = `informer ${client.ref.resource}`;
  }

  /** Handlers added after the first list get an add for every cached object first, like client-go. */
  addEventHandler(handler: EventHandler<T>): void {
    this.handlers.push(handler);
    if (this.synced && handler.add) for (const obj of this.indexer.list()) this.call(() => handler.add!(obj));
  }

  addIndexers(indexers: Record<string, IndexFunc<T>>): void {
    this.indexer.addIndexers(indexers);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    void this.run();
    if (this.options.resyncMs) {
      this.resyncTimer = setInterval(() => this.resync(), this.options.resyncMs);
      this.resyncTimer.unref();
    }
  }

  stop(): void {
    this.stopped = true;
    this.abort.abort();
    this.stopWatch?.();
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    for (const w of this.syncWaiters) w();
    this.syncWaiters = [];
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves once the first list is in the cache (or the informer is stopped). */
  waitForSync(): Promise<void> {
    if (this.synced || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  /** The resourceVersion of the newest event or list seen. */
  lastSyncResourceVersion(): string {
    return this.resourceVersion;
  }

  private async run(): Promise<void> {
    let failures = 0;
    let needList = true;
    while (!this.stopped) {
      try {
        if (needList) {
          await this.list();
          needList = false;
        }
        const started = Date.now();
        const outcome = await this.watchOnce();
        if (this.stopped) return;
        if (outcome.error === undefined && Date.now() - started > 1000) failures = 0;
        if (outcome.relist || outcome.error !== undefined) needList = true;
        if (outcome.error !== undefined) {
          if (!isResourceExpired(outcome.error)) logError(this.name, 'watch failed, relisting', outcome.error);
          failures++;
        } else if (Date.now() - started < 1000) {
          // A server that ends watches at once must not make us spin.
          failures++;
        } else continue;
      } catch (err) {
        if (this.stopped) return;
        needList = true;
        failures++;
        logError(this.name, 'list failed, retrying', err);
      }
      await sleep(backoffDelay(Math.max(0, failures - 1), { baseMs: 200, maxMs: 30_000, jitter: 0.2 }), this.abort.signal);
    }
  }

  private async list(): Promise<void> {
    const list = await this.client.listAll(this.selectors());
    if (this.stopped) return;
    this.replace(list.items, list.metadata?.resourceVersion ?? '');
    logDebug(this.name, `listed ${list.items.length} at resourceVersion ${this.resourceVersion}`);
  }

  private watchOnce(): Promise<WatchOutcome> {
    return new Promise((resolve) => {
      let outcome: WatchOutcome = { relist: false };
      const handle = this.client.watch(
        {
          ...this.selectors(),
          resourceVersion: this.resourceVersion,
          allowWatchBookmarks: true,
          // As the reflector does: servers end watches after a while; spread the re-watches of many clients.
          timeoutSeconds: 300 + Math.floor(Math.random() * 300),
        },
        {
          onEvent: (event) => {
            if (event.type === 'ERROR') {
              const err = errorFromStatus(event.object as never);
              outcome = { relist: true, error: err };
              handle.stop();
              return;
            }
            this.apply(event);
          },
          onClose: (err) => {
            this.stopWatch = undefined;
            if (err && outcome.error === undefined) outcome = { relist: isResourceExpired(err), error: err };
            resolve(outcome);
          },
        },
      );
      this.stopWatch = () => handle.stop();
    });
  }

  private apply(event: WatchEvent<T>): void {
    const obj = event.object;
    const rv = obj?.metadata?.resourceVersion;
    if (rv) this.resourceVersion = rv;
    switch (event.type) {
      case 'ADDED':
      case 'MODIFIED': {
        const old = this.indexer.set(obj);
        if (old) this.dispatchUpdate(old, obj);
        else this.dispatchAdd(obj);
        return;
      }
      case 'DELETED': {
        this.indexer.delete(obj);
        this.dispatchDelete(obj);
        return;
      }
      default:
        return;
    }
  }

  /** Makes the cache equal to a fresh list, telling handlers what changed since the previous one. */
  private replace(items: T[], resourceVersion: string): void {
    const seen = new Set<string>();
    for (const obj of items) {
      seen.add(objectKey(obj));
      const old = this.indexer.set(obj);
      if (!old) this.dispatchAdd(obj);
      else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) this.dispatchUpdate(old, obj);
    }
    for (const key of this.indexer.keys()) {
      if (seen.has(key)) continue;
      const old = this.indexer.deleteKey(key)!;
      this.dispatchDelete(old);
    }
    this.resourceVersion = resourceVersion;
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters) w();
      this.syncWaiters = [];
    }
  }

  private resync(): void {
    if (!this.synced) return;
    for (const obj of this.indexer.list()) this.dispatchUpdate(obj, obj);
  }

  private selectors(): { namespace?: string; labelSelector?: string; fieldSelector?: string } {
    return { namespace: this.options.namespace, labelSelector: this.options.labelSelector, fieldSelector: this.options.fieldSelector };
  }

  private dispatchAdd(obj: T): void {
    for (const h of this.handlers) if (h.add) this.call(() => h.add!(obj));
  }

  private dispatchUpdate(oldObj: T, newObj: T): void {
    for (const h of this.handlers) if (h.update) this.call(() => h.update!(oldObj, newObj));
  }

  private dispatchDelete(obj: T): void {
    for (const h of this.handlers) if (h.delete) this.call(() => h.delete!(obj));
  }

  /** A handler that throws must not stop the informer for every other handler. */
  private call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      logError(this.name, 'event handler failed', err);
    }
  }
}

/**
 * One informer per resource (and selector) for a whole process, so the scheduler, controllers and
 * kubelet that run together share one list+watch and one cache per resource.
 */
export class InformerFactory {
  private readonly informers = new Map<string, Informer<KubeObject>>();
  private started = false;

  constructor(
    readonly rest: RestClient,
    private readonly defaults: { resyncMs?: number } = {},
  ) {}

  informer<T extends KubeObject = KubeObject>(ref: ResourceRef, options: Omit<InformerOptions<T>, 'indexers' | 'resyncMs'> = {}): Informer<T> {
    const key = [resourcePath(ref, options.namespace), options.labelSelector ?? '', options.fieldSelector ?? ''].join('?');
    let informer = this.informers.get(key) as Informer<T> | undefined;
    if (!informer) {
      informer = new Informer<T>(new ResourceClient<T>(this.rest, ref), { ...options, resyncMs: this.defaults.resyncMs });
      this.informers.set(key, informer as unknown as Informer<KubeObject>);
      if (this.started) informer.start();
    }
    return informer;
  }

  start(): void {
    this.started = true;
    for (const informer of this.informers.values()) informer.start();
  }

  async waitForSync(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.waitForSync()));
  }

  stop(): void {
    for (const informer of this.informers.values()) informer.stop();
  }
}

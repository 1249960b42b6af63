// The Store on etcd v3, the way kube-apiserver uses it: keys under a prefix, resourceVersion = the
// key's mod revision, create = txn on version == 0, guarded update/delete = txn on mod revision,
// list = range at a revision (etcd's count gives `remaining`), watch = etcd watch with prevKv from
// a revision, resumed on another member when a stream breaks.
import * as grpc from '@grpc/grpc-js';
import {
  CompactedError,
  ConflictError,
  KeyExistsError,
  NotFoundError,
  StoreError,
  UnavailableError,
  type KeyValue,
  type ListOptions,
  type ListResult,
  type Store,
  type Watch,
  type WatchEvent,
  type WatchOptions,
} from '../store.js';
import { prefixRangeEnd } from '../key-range.js';
import { startPeriodicCompaction } from '../periodic-compaction.js';
import { EtcdConnection, EtcdRequestError, type EtcdConnectionOptions } from './connection.js';
import type { EtcdKeyValue, RangeRequest, RangeResponse, StatusResponse, TxnRequest, TxnResponse, WatchRequest, WatchResponse } from './proto.js';

export interface EtcdStoreOptions extends EtcdConnectionOptions {
  /** Prepended to every key (e.g. to give each cluster or test its own keyspace); default none. */
  prefix?: string;
  /** A live watch with onProgress that got no event for this long asks etcd for progress (default 10 s). */
  progressIntervalMs?: number;
  /** How often etcd's history is compacted, as kube-apiserver's --etcd-compaction-interval (default 5 minutes; 0 = never). */
  compactIntervalMs?: number;
}

/**
 * Whether an etcd version answers RequestProgress only after the events before it. Older ones may
 * answer ahead of events still queued for the watcher (etcd issues 15220 and 17507, fixed in
 * 3.4.31 and 3.5.13), which would let a cache claim a revision it has not seen.
 */
export function progressRequestsOrdered(version: string): boolean {
  const [major = 0, minor = 0, patch = 0] = version.split('.').map((part) => parseInt(part, 10) || 0);
  if (major !== 3) return major > 3;
  if (minor === 4) return patch >= 31;
  if (minor === 5) return patch >= 13;
  return minor > 5;
}

const COMPACTED = 'etcdserver: mvcc: required revision has been compacted';
const FUTURE = 'etcdserver: mvcc: required revision is a future revision';

export class EtcdStore implements Store {
  private readonly connection: EtcdConnection;
  private readonly prefix: Buffer;
  private readonly progressIntervalMs: number;
  private readonly watches = new Set<EtcdWatch>();
  /** The highest compacted revision seen so far; compactedRevision() searches upward from it. */
  private knownCompacted = 0;
  private closed = false;
  private readonly stopCompaction?: () => void;
  private orderedProgress?: Promise<boolean>;

  constructor(options: EtcdStoreOptions) {
    this.connection = new EtcdConnection(options);
    this.prefix = Buffer.from(options.prefix ?? '', 'utf8');
    this.progressIntervalMs = options.progressIntervalMs ?? 10_000;
    const interval = options.compactIntervalMs ?? 5 * 60_000;
    if (interval > 0) this.stopCompaction = startPeriodicCompaction(this, { intervalMs: interval, keepRevisions: 1000 });
  }

  async currentRevision(): Promise<number> {
    const res = await this.range({ key: this.fullKey(''), count_only: true });
    return res.header.revision;
  }

  async compactedRevision(): Promise<number> {
    // etcd does not report its compacted revision; find the oldest revision a read still accepts.
    let low = this.knownCompacted;
    let high = await this.currentRevision();
    while (low < high) {
      const mid = Math.floor((low + high) / 2);
      if (await this.readableAt(mid)) high = mid;
      else low = mid + 1;
    }
    this.knownCompacted = low;
    return low;
  }

  async get(key: string): Promise<KeyValue | undefined> {
    const res = await this.range({ key: this.fullKey(key) });
    return res.kvs[0] && this.toKeyValue(res.kvs[0]);
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    const start = options.startAfter !== undefined && options.startAfter >= prefix ? `${options.startAfter}\0` : prefix;
    const res = await this.range({
      key: this.fullKey(start),
      range_end: this.rangeEnd(prefix),
      limit: options.limit && options.limit > 0 ? options.limit : 0,
      revision: options.revision ?? 0,
    });
    return {
      items: res.kvs.map((kv) => this.toKeyValue(kv)),
      revision: options.revision || res.header.revision,
      remaining: res.count - res.kvs.length,
    };
  }

  async count(prefix: string): Promise<number> {
    const res = await this.range({ key: this.fullKey(prefix), range_end: this.rangeEnd(prefix), count_only: true });
    return res.count;
  }

  async create(key: string, value: string): Promise<KeyValue> {
    const full = this.fullKey(key);
    const res = await this.txn({
      compare: [{ result: 'EQUAL', target: 'VERSION', key: full, version: 0 }],
      success: [{ request_put: { key: full, value: Buffer.from(value, 'utf8') } }],
      failure: [],
    });
    if (!res.succeeded) throw new KeyExistsError(key);
    return { key, value, createRevision: res.header.revision, modRevision: res.header.revision };
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    const full = this.fullKey(key);
    const res = await this.txn({
      compare: [{ result: 'EQUAL', target: 'MOD', key: full, mod_revision: expectedModRevision }],
      success: [{ request_put: { key: full, value: Buffer.from(value, 'utf8'), prev_kv: true } }],
      failure: [{ request_range: { key: full } }],
    });
    if (!res.succeeded) throw this.guardFailure(key, res);
    const prev = res.responses[0].response_put?.prev_kv;
    if (!prev) throw new StoreError(`etcd did not return the previous value of ${key}`);
    return { key, value, createRevision: prev.create_revision, modRevision: res.header.revision };
  }

  async delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    const full = this.fullKey(key);
    const res = await this.txn({
      compare: expectedModRevision === undefined ? [] : [{ result: 'EQUAL', target: 'MOD', key: full, mod_revision: expectedModRevision }],
      success: [{ request_delete_range: { key: full, prev_kv: true } }],
      failure: [{ request_range: { key: full } }],
    });
    if (!res.succeeded) throw this.guardFailure(key, res);
    const prev = res.responses[0].response_delete_range?.prev_kvs[0];
    if (!prev) throw new NotFoundError(key);
    return this.toKeyValue(prev);
  }

  watch(prefix: string, handler: (event: WatchEvent) => void, options: WatchOptions): Watch {
    if (this.closed) throw new StoreError('store is closed');
    const watch = new EtcdWatch(this, this.connection, prefix, handler, options, this.progressIntervalMs);
    this.watches.add(watch);
    return watch;
  }

  async compact(revision: number): Promise<void> {
    try {
      await this.connection.call('Compact', { revision, physical: false }, true);
      this.knownCompacted = Math.max(this.knownCompacted, revision);
    } catch (err) {
      // Compacting to where etcd already is (another server did it) is not an error.
      if (err instanceof EtcdRequestError && err.details === COMPACTED) return;
      throw this.translate(err, revision);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopCompaction?.();
    for (const watch of [...this.watches]) watch.fail(new StoreError('store closed'));
    this.connection.close();
  }

  // Helpers shared with EtcdWatch.

  /** Whether this etcd can be asked for progress (asked once; a failed answer is asked again later). */
  canRequestProgress(): Promise<boolean> {
    this.orderedProgress ??= this.connection.call<StatusResponse>('Status', {}, false).then(
      (res) => progressRequestsOrdered(res.version),
      () => {
        this.orderedProgress = undefined;
        return false;
      },
    );
    return this.orderedProgress;
  }

  fullKey(key: string): Buffer {
    const full = Buffer.concat([this.prefix, Buffer.from(key, 'utf8')]);
    // etcd refuses an empty key; "\0" is the least key, which a range from "" means.
    return full.length ? full : Buffer.from([0]);
  }

  rangeEnd(prefix: string): Buffer {
    const end = prefixRangeEnd(this.prefix.toString('utf8') + prefix);
    // etcd reads range_end "\0" as "every key from `key` on".
    return end.length ? end : Buffer.from([0]);
  }

  toKeyValue(kv: EtcdKeyValue): KeyValue {
    return {
      key: kv.key.subarray(this.prefix.length).toString('utf8'),
      value: kv.value.toString('utf8'),
      createRevision: kv.create_revision,
      modRevision: kv.mod_revision,
    };
  }

  forget(watch: EtcdWatch): void {
    this.watches.delete(watch);
  }

  /** Maps an etcd error to the Store's error classes. */
  translate(err: unknown, revision?: number): Error {
    if (!(err instanceof EtcdRequestError)) return err as Error;
    if (err.details === COMPACTED) return new CompactedError(revision ?? 0, this.knownCompacted);
    if (err.details === FUTURE) return new StoreError(`required revision ${revision} is a future revision`);
    if (err.code === grpc.status.UNAVAILABLE) return new UnavailableError(err.message);
    return err;
  }

  private async range(request: RangeRequest): Promise<RangeResponse> {
    if (this.closed) throw new StoreError('store is closed');
    try {
      return await this.connection.call<RangeResponse>('Range', request, false);
    } catch (err) {
      if (err instanceof EtcdRequestError && err.details === COMPACTED) {
        this.knownCompacted = Math.max(this.knownCompacted, (request.revision ?? 0) + 1);
        return Promise.reject(new CompactedError(request.revision ?? 0, await this.compactedRevision()));
      }
      throw this.translate(err, request.revision);
    }
  }

  private async txn(request: TxnRequest): Promise<TxnResponse> {
    if (this.closed) throw new StoreError('store is closed');
    try {
      return await this.connection.call<TxnResponse>('Txn', request, true);
    } catch (err) {
      throw this.translate(err);
    }
  }

  private async readableAt(revision: number): Promise<boolean> {
    try {
      await this.connection.call('Range', { key: this.fullKey(''), count_only: true, revision }, false);
      return true;
    } catch (err) {
      if (err instanceof EtcdRequestError && err.details === COMPACTED) return false;
      throw this.translate(err, revision);
    }
  }

  /** The failure branch of a guarded txn read the key: absent → NotFound, else it moved → Conflict. */
  private guardFailure(key: string, res: TxnResponse): Error {
    const current = res.responses[0]?.response_range?.kvs[0];
    return current ? new ConflictError(key, current.mod_revision) : new NotFoundError(key);
  }
}

/** One Store watch on its own etcd watch stream, resumed after the last seen revision if the stream breaks. */
class EtcdWatch implements Watch {
  private stream?: grpc.ClientDuplexStream<WatchRequest, WatchResponse>;
  /** Every event up to this revision has been delivered. */
  private last: number;
  private done = false;
  private reconnects = 0;
  private brokenSince?: number;
  private lastActivity = Date.now();
  /** The current stream's watch exists in etcd. */
  private created = false;
  private progressRequested = false;
  private reconnectTimer?: NodeJS.Timeout;
  private readonly progressTimer?: NodeJS.Timeout;

  constructor(
    private readonly store: EtcdStore,
    private readonly connection: EtcdConnection,
    private readonly prefix: string,
    private readonly handler: (event: WatchEvent) => void,
    private readonly options: WatchOptions,
    progressIntervalMs: number,
  ) {
    this.last = options.fromRevision;
    this.open();
    if (options.onProgress) {
      // etcd's own progress notifications come every 10 minutes; ask for them when the watch is idle.
      this.progressTimer = setInterval(() => {
        if (Date.now() - this.lastActivity >= progressIntervalMs) this.requestProgress();
      }, progressIntervalMs);
      this.progressTimer.unref();
    }
  }

  cancel(): void {
    if (this.done) return;
    this.done = true;
    clearInterval(this.progressTimer);
    clearTimeout(this.reconnectTimer);
    this.store.forget(this);
    this.stream?.cancel();
  }

  fail(err: Error): void {
    if (this.done) return;
    this.cancel();
    this.options.onError?.(err);
  }

  /**
   * Asks etcd for a progress notification where that is safe (see progressRequestsOrdered); older
   * servers still send the ones they time themselves (--experimental-watch-progress-notify-interval).
   */
  requestProgress(): void {
    void this.store.canRequestProgress().then((ordered) => ordered && !this.done && this.sendProgressRequest());
  }

  private sendProgressRequest(): void {
    // Without a stream (reconnecting) the request goes out once the new stream's watch exists.
    if (this.created && this.stream) this.stream.write({ progress_request: {} });
    else this.progressRequested = true;
  }

  private open(): void {
    const stream = this.connection.openWatchStream(this.reconnects);
    this.stream = stream;
    this.created = false;
    stream.on('data', (res: WatchResponse) => this.receive(res));
    stream.on('error', () => this.reconnect(stream));
    stream.on('end', () => this.reconnect(stream));
    stream.write({
      create_request: {
        key: this.store.fullKey(this.prefix),
        range_end: this.store.rangeEnd(this.prefix),
        start_revision: this.last + 1,
        progress_notify: true,
        prev_kv: true,
      },
    });
  }

  private reconnect(stream: grpc.ClientDuplexStream<WatchRequest, WatchResponse>): void {
    if (this.done || stream !== this.stream) return;
    this.stream = undefined;
    this.brokenSince ??= Date.now();
    if (Date.now() - this.brokenSince > this.connection.requestTimeoutMs) {
      this.fail(new UnavailableError(`etcd watch on ${this.prefix} lost and no member answered for ${this.connection.requestTimeoutMs} ms`));
      return;
    }
    this.reconnects++;
    this.reconnectTimer = setTimeout(() => this.open(), Math.min(1000, 50 * this.reconnects));
  }

  private receive(res: WatchResponse): void {
    if (this.done) return;
    this.lastActivity = Date.now();
    if (res.created) {
      this.brokenSince = undefined;
      this.reconnects = 0;
      this.created = true;
      if (this.progressRequested) {
        this.progressRequested = false;
        this.sendProgressRequest();
      }
    }
    if (res.canceled) {
      if (res.compact_revision > 0) this.fail(new CompactedError(this.last, res.compact_revision));
      else this.fail(new StoreError(`etcd canceled the watch on ${this.prefix}: ${res.cancel_reason || 'no reason given'}`));
      return;
    }
    for (const event of res.events) {
      if (event.kv.mod_revision <= this.last) continue;
      const kv = this.store.toKeyValue(event.kv);
      const prevKv = event.prev_kv ? this.store.toKeyValue(event.prev_kv) : undefined;
      let delivered: WatchEvent;
      if (event.type === 'DELETE') delivered = { type: 'DELETED', kv: { ...(prevKv ?? kv), modRevision: kv.modRevision }, prevKv };
      else delivered = { type: event.kv.version === 1 ? 'ADDED' : 'MODIFIED', kv, prevKv: event.kv.version === 1 ? undefined : prevKv };
      this.last = kv.modRevision;
      try {
        this.handler(delivered);
      } catch (err) {
        this.fail(err instanceof Error ? err : new Error(String(err)));
        return;
      }
    }
    if (res.events.length === 0 && !res.created && res.header.revision > 0) {
      // A progress notification: nothing under the prefix changed up to this revision.
      this.last = Math.max(this.last, res.header.revision);
      this.options.onProgress?.(res.header.revision);
    }
  }
}

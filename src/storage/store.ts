// The Store: etcd's model reduced to what the API server needs (as kine does for k3s).
// Keys are strings like "/registry/pods/default/web"; values are the serialized objects.
// Every write gets a new, strictly increasing revision across the whole store; an object's
// resourceVersion is the revision of its last write (modRevision).

export interface KeyValue {
  key: string;
  value: string;
  /** Revision at which the key was created (since its last deletion). */
  createRevision: number;
  /** Revision of the last write to this key. */
  modRevision: number;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchEvent {
  type: WatchEventType;
  /** For DELETED: the last value, with modRevision = the revision of the delete. */
  kv: KeyValue;
  /** The value before this write (absent for ADDED). */
  prevKv?: KeyValue;
}

export interface ListOptions {
  /** Read as of this revision (0/undefined = latest). Older than the compacted revision → CompactedError. */
  revision?: number;
  /** At most this many items (0/undefined = all). */
  limit?: number;
  /** Return keys strictly greater than this one (pagination). */
  startAfter?: string;
}

export interface ListResult {
  items: KeyValue[];
  /** The revision the list was read at. */
  revision: number;
  /** Number of keys under the prefix after the last returned one (0 when complete). */
  remaining: number;
}

export interface WatchOptions {
  /** Deliver every event with revision > fromRevision. Older than the compacted revision → onError(CompactedError). */
  fromRevision: number;
  /** Called with the store's current revision when no event has been sent for a while (etcd progress notify). */
  onProgress?: (revision: number) => void;
  /**
   * Called once if the watch ends on its own: CompactedError (history gone), UnavailableError (etcd
   * lost for longer than its request timeout), StoreError (store closed), or what the handler threw.
   * Not called after cancel().
   */
  onError?: (err: Error) => void;
}

export interface Watch {
  cancel(): void;
  /**
   * Asks for an onProgress call soon, once every event up to the store's current revision has been
   * delivered (etcd's RequestProgress): a cache fed by this watch uses it to serve consistent reads.
   */
  requestProgress?(): void;
}

export interface Store {
  /** The latest revision written. */
  currentRevision(): Promise<number>;
  /** The oldest revision still readable (everything at or below it may be gone). */
  compactedRevision(): Promise<number>;
  get(key: string): Promise<KeyValue | undefined>;
  /** Keys that start with `prefix`, in key order. */
  list(prefix: string, options?: ListOptions): Promise<ListResult>;
  /** Number of keys under the prefix at the latest revision. */
  count(prefix: string): Promise<number>;
  /** Fails with KeyExistsError if the key exists. */
  create(key: string, value: string): Promise<KeyValue>;
  /**
   * Replaces the value only if the key's modRevision equals `expectedModRevision`.
   * Fails with NotFoundError (no key) or ConflictError (revision moved).
   */
  update(key: string, value: string, expectedModRevision: number): Promise<KeyValue>;
  /** Deletes (guarded when expectedModRevision is given). Returns the deleted value. */
  delete(key: string, expectedModRevision?: number): Promise<KeyValue>;
  /** Events under `prefix`, in revision order, starting after options.fromRevision. */
  watch(prefix: string, handler: (event: WatchEvent) => void, options: WatchOptions): Watch;
  /** Forget history at or below `revision`. */
  compact(revision: number): Promise<void>;
  close(): Promise<void>;
}

export class StoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
export class KeyExistsError extends StoreError {
  constructor(readonly key: string) {
    super(`key exists: ${key}`);
  }
}
export class NotFoundError extends StoreError {
  constructor(readonly key: string) {
    super(`key not found: ${key}`);
  }
}
export class ConflictError extends StoreError {
  constructor(
    readonly key: string,
    readonly actualModRevision: number,
  ) {
    super(`revision conflict on ${key}`);
  }
}
export class CompactedError extends StoreError {
  constructor(
    readonly requested: number,
    readonly compacted: number,
  ) {
    super(`required revision ${requested} has been compacted (oldest available ${compacted + 1})`);
  }
}
/** The backend cannot be reached or did not answer in time; the write may not have happened. */
export class UnavailableError extends StoreError {}

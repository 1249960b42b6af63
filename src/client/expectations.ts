// Controller expectations (client-go's ControllerExpectations): after a controller creates or deletes N
// objects for a key it records that it expects to see N such events; until the informer has delivered
// them (or the record is 5 minutes old) it must not act on its stale cache again for that key, or it
// would create or delete twice.

const EXPECTATIONS_TTL_MS = 5 * 60 * 1000;

interface Record {
  add: number;
  del: number;
  timestamp: number;
}

export class ControllerExpectations {
  private readonly records = new Map<string, Record>();

  constructor(private readonly ttlMs = EXPECTATIONS_TTL_MS) {}

  /** True when the controller may sync `key`: nothing pending, everything observed, or expired. */
  satisfied(key: string): boolean {
    const r = this.records.get(key);
    if (!r) return true;
    return (r.add <= 0 && r.del <= 0) || Date.now() - r.timestamp > this.ttlMs;
  }

  expectCreations(key: string, count: number): void {
    this.records.set(key, { add: count, del: 0, timestamp: Date.now() });
  }

  expectDeletions(key: string, count: number): void {
    this.records.set(key, { add: 0, del: count, timestamp: Date.now() });
  }

  /** Adds to what is already expected (client-go's RaiseExpectations). */
  raise(key: string, add: number, del: number): void {
    const r = this.records.get(key);
    if (!r) this.records.set(key, { add, del, timestamp: Date.now() });
    else {
      r.add += add;
      r.del += del;
    }
  }

  /** An informer saw one of the expected creations (or a create failed and will not be seen). */
  creationObserved(key: string): void {
    const r = this.records.get(key);
    if (r) r.add--;
  }

  deletionObserved(key: string): void {
    const r = this.records.get(key);
    if (r) r.del--;
  }

  /** Forget the key (its owner was deleted). */
  delete(key: string): void {
    this.records.delete(key);
  }

  /** Outstanding creations and deletions, for logs and tests. */
  pending(key: string): { add: number; del: number } | undefined {
    const r = this.records.get(key);
    return r && { add: r.add, del: r.del };
  }
}

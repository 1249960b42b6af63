// The rate-limited work queue controllers and the scheduler feed from informer handlers (client-go's
// workqueue): an item queued many times is processed once; an item being processed is never handed to
// a second worker, and if it is re-added meanwhile it is queued again when done(); failures requeue
// with per-item exponential backoff (5 ms → 1000 s) combined with an overall token bucket (10/s, 100).
import { backoffDelay } from './backoff.js';
import { logError } from './log.js';

export interface RateLimiter<T> {
  /** How long to wait before `item` may be retried; counts a failure. */
  when(item: T): number;
  /** Clears the item's failures (call after a success). */
  forget(item: T): void;
  numRequeues(item: T): number;
}

export class ItemExponentialRateLimiter<T> implements RateLimiter<T> {
  private readonly failures = new Map<T, number>();
  constructor(
    private readonly baseMs = 5,
    private readonly maxMs = 1_000_000,
  ) {}
  when(item: T): number {
    const n = this.failures.get(item) ?? 0;
    this.failures.set(item, n + 1);
    return backoffDelay(n, { baseMs: this.baseMs, maxMs: this.maxMs });
  }
  forget(item: T): void {
    this.failures.delete(item);
  }
  numRequeues(item: T): number {
    return this.failures.get(item) ?? 0;
  }
}

/** A token bucket shared by all items: bursts of `burst`, then `qps` per second. */
export class BucketRateLimiter<T> implements RateLimiter<T> {
  private tokens: number;
  private last: number;
  constructor(
    private readonly qps = 10,
    private readonly burst = 100,
    /** The clock the bucket refills by (tests pass a still one). */
    private readonly clock: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.last = clock();
  }
  when(): number {
    const now = this.clock();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.qps) / 1000);
    this.last = now;
    // Reserving a token may drive the count negative: later callers wait for the refill in order.
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
  }
  forget(): void {}
  numRequeues(): number {
    return 0;
  }
}

/** The slowest of several limiters (client-go's MaxOfRateLimiter). */
export class MaxOfRateLimiter<T> implements RateLimiter<T> {
  private readonly limiters: RateLimiter<T>[];
  constructor(...limiters: RateLimiter<T>[]) {
    this.limiters = limiters;
  }
  when(item: T): number {
    return Math.max(...this.limiters.map((l) => l.when(item)));
  }
  forget(item: T): void {
    for (const l of this.limiters) l.forget(item);
  }
  numRequeues(item: T): number {
    return Math.max(...this.limiters.map((l) => l.numRequeues(item)));
  }
}

/** client-go's DefaultControllerRateLimiter: per-item 5 ms → 1000 s, overall 10 qps with a burst of 100. */
export function defaultControllerRateLimiter<T>(): RateLimiter<T> {
  return new MaxOfRateLimiter<T>(new ItemExponentialRateLimiter<T>(5, 1_000_000), new BucketRateLimiter<T>(10, 100));
}

export class WorkQueue<T = string> {
  private items: T[] = [];
  private head = 0;
  private readonly dirty = new Set<T>();
  private readonly processing = new Set<T>();
  private readonly waiting = new Map<T, { at: number; timer: NodeJS.Timeout }>();
  private getters: Array<(item: T | undefined) => void> = [];
  private shutDown = false;
  readonly rateLimiter: RateLimiter<T>;

  constructor(options: { rateLimiter?: RateLimiter<T> } = {}) {
    this.rateLimiter = options.rateLimiter ?? defaultControllerRateLimiter<T>();
  }

  add(item: T): void {
    if (this.shutDown || this.dirty.has(item)) return;
    this.dirty.add(item);
    if (this.processing.has(item)) return;
    const getter = this.getters.shift();
    if (getter) {
      this.dirty.delete(item);
      this.processing.add(item);
      getter(item);
      return;
    }
    this.items.push(item);
  }

  /** Adds after `ms`; a later request for an item already waiting keeps the earlier time. */
  addAfter(item: T, ms: number): void {
    if (this.shutDown) return;
    if (ms <= 0) return this.add(item);
    const at = Date.now() + ms;
    const existing = this.waiting.get(item);
    if (existing) {
      if (existing.at <= at) return;
      clearTimeout(existing.timer);
    }
    const timer = setTimeout(() => {
      this.waiting.delete(item);
      this.add(item);
    }, ms);
    this.waiting.set(item, { at, timer });
  }

  addRateLimited(item: T): void {
    this.addAfter(item, this.rateLimiter.when(item));
  }

  forget(item: T): void {
    this.rateLimiter.forget(item);
  }

  numRequeues(item: T): number {
    return this.rateLimiter.numRequeues(item);
  }

  /** Items queued and not being processed. */
  len(): number {
    return this.items.length - this.head;
  }

  /** The next item, marked as processing until done(item); undefined once shut down and empty. */
  get(): Promise<T | undefined> {
    if (this.len() > 0) {
      const item = this.items[this.head];
      this.items[this.head++] = undefined as T;
      if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
      this.dirty.delete(item);
      this.processing.add(item);
      return Promise.resolve(item);
    }
    if (this.shutDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  done(item: T): void {
    this.processing.delete(item);
    if (this.dirty.has(item)) {
      this.dirty.delete(item);
      this.add(item);
    }
  }

  shutdown(): void {
    this.shutDown = true;
    for (const { timer } of this.waiting.values()) clearTimeout(timer);
    this.waiting.clear();
    for (const getter of this.getters) getter(undefined);
    this.getters = [];
  }

  isShuttingDown(): boolean {
    return this.shutDown;
  }
}

/**
 * The controller worker loop: `count` workers take items, call sync, and on failure requeue the item
 * rate-limited (on success its failures are forgotten). Resolves when the queue is shut down.
 */
export async function runWorkers<T>(queue: WorkQueue<T>, count: number, sync: (item: T) => Promise<void>, name = 'worker'): Promise<void> {
  const worker = async (): Promise<void> => {
    for (;;) {
      const item = await queue.get();
      if (item === undefined) return;
      try {
        await sync(item);
        queue.forget(item);
      } catch (err) {
        logError(name, `sync ${String(item)} failed, requeueing`, err);
        queue.addRateLimited(item);
      } finally {
        queue.done(item);
      }
    }
  };
  await Promise.all(Array.from({ length: count }, worker));
}

// The scheduling queue (kube-scheduler's PriorityQueue): activeQ ordered by priority then arrival;
// pods that failed wait out a backoff (1 s doubling to 10 s) in backoffQ; pods no node fits park in
// unschedulablePods until a cluster event that could help them (a node added, a pod deleted...) moves
// them back, or 5 minutes pass.
import type { PodInfo } from './node-info.js';

export interface QueuedPod {
  info: PodInfo;
  /** Scheduling attempts so far. */
  attempts: number;
  /** When the pod first entered the queue (ordering among equal priorities). */
  timestamp: number;
  /** Arrival order, to keep pods added in the same millisecond first come first served. */
  seq: number;
  /** When it last entered backoff/unschedulable. */
  lastFailure: number;
  /** Plugins that rejected it in its last attempt: only events they care about requeue it. */
  rejectedBy: Set<string>;
  /** The scheduling cycle that popped it. */
  cycle: number;
}

export type ClusterEvent = 'NodeAdd' | 'NodeUpdate' | 'AssignedPodAdd' | 'AssignedPodUpdate' | 'AssignedPodDelete' | 'PvcChange' | 'PvChange' | 'StorageClassChange' | 'NamespaceChange';

/** Which plugins' rejections an event may resolve (a simplified form of kube's queueing hints). */
const EVENT_PLUGINS: Record<ClusterEvent, Set<string> | 'all'> = {
  NodeAdd: 'all',
  NodeUpdate: 'all',
  AssignedPodAdd: new Set(['InterPodAffinity', 'PodTopologySpread']),
  AssignedPodUpdate: new Set(['InterPodAffinity', 'PodTopologySpread', 'NodeResourcesFit']),
  AssignedPodDelete: new Set(['NodeResourcesFit', 'NodePorts', 'InterPodAffinity', 'PodTopologySpread', 'DefaultPreemption']),
  PvcChange: new Set(['VolumeBinding']),
  PvChange: new Set(['VolumeBinding']),
  StorageClassChange: new Set(['VolumeBinding']),
  NamespaceChange: new Set(['InterPodAffinity']),
};

export const INITIAL_BACKOFF_MS = 1000;
export const MAX_BACKOFF_MS = 10_000;
export const MAX_UNSCHEDULABLE_MS = 5 * 60 * 1000;

function before(a: QueuedPod, b: QueuedPod): boolean {
  if (a.info.priority !== b.info.priority) return a.info.priority > b.info.priority;
  return a.timestamp !== b.timestamp ? a.timestamp < b.timestamp : a.seq < b.seq;
}

export class SchedulingQueue {
  /** Binary heap; entries whose pod left activeQ are skipped when popped. */
  private heap: QueuedPod[] = [];
  private readonly active = new Map<string, QueuedPod>();
  private readonly backoff = new Map<string, QueuedPod>();
  private readonly unschedulable = new Map<string, QueuedPod>();
  private readonly inFlight = new Map<string, QueuedPod>();
  private waiters: Array<(q: QueuedPod | undefined) => void> = [];
  private cycle = 0;
  private seq = 0;
  private moveRequestCycle = -1;
  private closed = false;
  private readonly timers: NodeJS.Timeout[];

  constructor() {
    // Cleared by close(); a queue in use keeps the process alive like any server would.
    this.timers = [setInterval(() => this.flushBackoff(), 200), setInterval(() => this.flushUnschedulable(), 30_000)];
  }

  add(info: PodInfo): void {
    if (this.closed) return;
    const key = info.key;
    const existing = this.active.get(key) ?? this.backoff.get(key) ?? this.unschedulable.get(key) ?? this.inFlight.get(key);
    if (existing) {
      existing.info = info;
      if (this.unschedulable.has(key)) {
        // The pod itself changed (labels, tolerations...): it deserves another try now.
        this.unschedulable.delete(key);
        this.toActiveOrBackoff(existing);
      }
      return;
    }
    this.pushActive({ info, attempts: 0, timestamp: Date.now(), seq: this.seq++, lastFailure: 0, rejectedBy: new Set(), cycle: 0 });
  }

  delete(key: string): void {
    this.active.delete(key);
    this.backoff.delete(key);
    this.unschedulable.delete(key);
    this.inFlight.delete(key);
  }

  has(key: string): boolean {
    return this.active.has(key) || this.backoff.has(key) || this.unschedulable.has(key) || this.inFlight.has(key);
  }

  /** The latest version of a pod being scheduled (informer updates land here while it is in flight). */
  inFlightPod(key: string): QueuedPod | undefined {
    return this.inFlight.get(key);
  }

  /** Next pod by priority; waits while the queue is empty; undefined once closed. */
  pop(): Promise<QueuedPod | undefined> {
    const q = this.popActive();
    if (q) return Promise.resolve(q);
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The pod was bound or dropped: it leaves the queue. */
  done(key: string): void {
    this.inFlight.delete(key);
  }

  /** No node fits: park the pod until an event may help (or back off, if one came during its attempt). */
  addUnschedulable(q: QueuedPod, rejectedBy: Set<string>): void {
    if (!this.inFlight.has(q.info.key)) return;
    this.inFlight.delete(q.info.key);
    q.rejectedBy = rejectedBy;
    q.lastFailure = Date.now();
    if (this.moveRequestCycle >= q.cycle) this.backoff.set(q.info.key, q);
    else this.unschedulable.set(q.info.key, q);
  }

  /** A transient error (API failure): retry after backoff. */
  addBackoff(q: QueuedPod): void {
    if (!this.inFlight.has(q.info.key)) return;
    this.inFlight.delete(q.info.key);
    q.lastFailure = Date.now();
    this.backoff.set(q.info.key, q);
  }

  /** A cluster event happened: retry the parked pods it may help. */
  onEvent(event: ClusterEvent): void {
    const plugins = EVENT_PLUGINS[event];
    for (const [key, q] of this.unschedulable) {
      if (plugins !== 'all' && q.rejectedBy.size && ![...q.rejectedBy].some((p) => plugins.has(p))) continue;
      this.unschedulable.delete(key);
      this.toActiveOrBackoff(q);
    }
    this.moveRequestCycle = this.cycle;
  }

  backoffMs(q: QueuedPod): number {
    return Math.min(MAX_BACKOFF_MS, INITIAL_BACKOFF_MS * 2 ** Math.max(0, q.attempts - 1));
  }

  sizes(): { active: number; backoff: number; unschedulable: number; inFlight: number } {
    return { active: this.active.size, backoff: this.backoff.size, unschedulable: this.unschedulable.size, inFlight: this.inFlight.size };
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    for (const w of this.waiters) w(undefined);
    this.waiters = [];
  }

  private toActiveOrBackoff(q: QueuedPod): void {
    if (q.lastFailure + this.backoffMs(q) > Date.now()) this.backoff.set(q.info.key, q);
    else this.pushActive(q);
  }

  private pushActive(q: QueuedPod): void {
    this.backoff.delete(q.info.key);
    const waiter = this.waiters.shift();
    if (waiter) return waiter(this.take(q));
    this.active.set(q.info.key, q);
    this.heap.push(q);
    let i = this.heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(this.heap[i], this.heap[parent])) break;
      [this.heap[i], this.heap[parent]] = [this.heap[parent], this.heap[i]];
      i = parent;
    }
  }

  private popActive(): QueuedPod | undefined {
    while (this.heap.length) {
      const top = this.heap[0];
      const last = this.heap.pop()!;
      if (this.heap.length) {
        this.heap[0] = last;
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          const r = l + 1;
          let m = i;
          if (l < this.heap.length && before(this.heap[l], this.heap[m])) m = l;
          if (r < this.heap.length && before(this.heap[r], this.heap[m])) m = r;
          if (m === i) break;
          [this.heap[i], this.heap[m]] = [this.heap[m], this.heap[i]];
          i = m;
        }
      }
      if (this.active.get(top.info.key) === top) {
        this.active.delete(top.info.key);
        return this.take(top);
      }
    }
    return undefined;
  }

  private take(q: QueuedPod): QueuedPod {
    q.attempts++;
    q.cycle = ++this.cycle;
    this.inFlight.set(q.info.key, q);
    return q;
  }

  private flushBackoff(): void {
    const now = Date.now();
    for (const [key, q] of this.backoff) {
      if (q.lastFailure + this.backoffMs(q) <= now) {
        this.backoff.delete(key);
        this.pushActive(q);
      }
    }
  }

  private flushUnschedulable(): void {
    const now = Date.now();
    for (const [key, q] of this.unschedulable) {
      if (now - q.lastFailure >= MAX_UNSCHEDULABLE_MS) {
        this.unschedulable.delete(key);
        this.toActiveOrBackoff(q);
      }
    }
  }
}

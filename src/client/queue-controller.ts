// The wiring every controller shares (the client-go controller pattern): informer handlers put keys on
// a rate-limited work queue; run(n) starts n workers that take a key and call sync(key); a failed sync
// is requeued with backoff (a 409 from a stale cache quietly, see requeue.ts); stop() shuts the queue
// down, waits for the workers and writes the events still pending. A controller extends this class and
// only says which events enqueue which keys and what sync does.
import type { KubeObject } from '../api/index.js';
import { EventRecorder } from './events.js';
import type { Informer } from './informer.js';
import { requeueOnConflict } from './requeue.js';
import type { RestClient } from './rest.js';
import { runWorkers, WorkQueue } from './workqueue.js';

export abstract class QueueController<K = string> {
  protected readonly queue = new WorkQueue<K>();
  private workers?: Promise<void>;
  private readonly recorders: EventRecorder[] = [];

  constructor(readonly name: string) {}

  /** Brings one key's world to its desired state; throwing requeues the key with backoff. */
  abstract sync(key: K): Promise<void>;

  run(workers: number): void {
    this.workers = runWorkers(this.queue, workers, requeueOnConflict(this.queue, (key) => this.sync(key), this.name), this.name);
  }

  async stop(): Promise<void> {
    this.queue.shutdown();
    await this.workers;
    await Promise.all(this.recorders.map((r) => r.flush()));
  }

  /** An event recorder for `component` whose pending writes stop() waits for. */
  protected eventRecorder(rest: RestClient, component: string): EventRecorder {
    const recorder = new EventRecorder(rest, { component });
    this.recorders.push(recorder);
    return recorder;
  }

  /** Enqueues `keyOf(obj)` (undefined: nothing) for every object the informer adds, updates or deletes. */
  protected enqueueOn<T extends KubeObject>(informer: Informer<T>, keyOf: (obj: T) => K | undefined): void {
    const add = (obj: T): void => {
      const key = keyOf(obj);
      if (key !== undefined) this.queue.add(key);
    };
    informer.addEventHandler({ add, update: (_old, obj) => add(obj), delete: add });
  }

  /** Enqueues the key of every object the informer holds (a resync, or a change that concerns them all). */
  protected enqueueAll<T extends KubeObject>(informer: Informer<T>, keyOf: (obj: T) => K | undefined): void {
    for (const obj of informer.lister.list()) {
      const key = keyOf(obj);
      if (key !== undefined) this.queue.add(key);
    }
  }
}

// Recording core/v1 Events about objects, aggregated as client-go's EventCorrelator does it: the same
// (source, involved object, type, reason, message) seen again bumps count and lastTimestamp on the
// existing Event instead of creating another, which is what `kubectl describe` shows as "(x5 over 2m)".
// Writes are asynchronous and best effort: recording an event never blocks or fails the caller.
import type { KubeObject } from '../api/index.js';
import { isNotFound } from './errors.js';
import { logError } from './log.js';
import { refs, rfc3339 } from './refs.js';
import { ResourceClient } from './resource.js';
import type { RestClient } from './rest.js';

export type EventType = 'Normal' | 'Warning';

export interface EventSource {
  component: string;
  host?: string;
}

export interface CoreEvent extends KubeObject {
  involvedObject: { kind: string; namespace?: string; name: string; uid?: string; apiVersion: string; resourceVersion?: string; fieldPath?: string };
  reason: string;
  message: string;
  source: EventSource;
  firstTimestamp: string;
  lastTimestamp: string;
  count: number;
  type: EventType;
  eventTime: null;
  reportingComponent: string;
  reportingInstance: string;
}

interface Aggregate {
  name: string;
  namespace: string;
  count: number;
  /** Writes for one key go in order, so counts never go backwards. */
  chain: Promise<void>;
}

const MAX_CACHED = 4096;

export class EventRecorder {
  private readonly events: ResourceClient<CoreEvent>;
  private readonly cache = new Map<string, Aggregate>();
  private readonly pending = new Set<Promise<void>>();
  private sequence = 0;

  constructor(
    rest: RestClient,
    private readonly source: EventSource,
  ) {
    this.events = new ResourceClient<CoreEvent>(rest, refs.events);
  }

  /** Records that `reason` happened to `obj`; `fieldPath` points into it (spec.containers{web}). */
  event(obj: KubeObject, type: EventType, reason: string, message: string, fieldPath?: string): void {
    const involved = {
      kind: obj.kind,
      namespace: obj.metadata.namespace,
      name: String(obj.metadata.name),
      uid: obj.metadata.uid,
      apiVersion: obj.apiVersion,
      resourceVersion: obj.metadata.resourceVersion,
      fieldPath,
    };
    const key = [this.source.component, this.source.host, involved.kind, involved.namespace, involved.name, involved.uid, fieldPath, type, reason, message].join('\u0000');
    let agg = this.cache.get(key);
    const now = rfc3339();
    if (!agg) {
      if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
      agg = { name: `${involved.name}.${this.uniqueSuffix()}`, namespace: involved.namespace || 'default', count: 0, chain: Promise.resolve() };
      this.cache.set(key, agg);
    }
    agg.count++;
    const entry = agg;
    const count = agg.count;
    const write = async (): Promise<void> => {
      const body: CoreEvent = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: entry.name, namespace: entry.namespace },
        involvedObject: involved,
        reason,
        message,
        source: this.source,
        firstTimestamp: now,
        lastTimestamp: now,
        count,
        type,
        eventTime: null,
        reportingComponent: this.source.component,
        reportingInstance: this.source.host ?? '',
      };
      if (count > 1) {
        try {
          await this.events.patch(entry.name, { count, lastTimestamp: now }, 'merge', { namespace: entry.namespace });
          return;
        } catch (err) {
          // The first write failed or the Event expired: start the series again under a new name.
          if (!isNotFound(err)) throw err;
          entry.name = `${involved.name}.${this.uniqueSuffix()}`;
          body.metadata.name = entry.name;
        }
      }
      await this.events.create(body, { namespace: entry.namespace });
    };
    const done = entry.chain.then(write).catch((err) => logError(`events ${this.source.component}`, `could not record ${reason} for ${involved.kind} ${involved.name}`, err));
    entry.chain = done;
    this.pending.add(done);
    void done.finally(() => this.pending.delete(done));
  }

  /** Waits for every write started so far (tests, shutdown). */
  async flush(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  /** client-go names events "<object>.<hex nanoseconds>"; the sequence keeps same-millisecond ones apart. */
  private uniqueSuffix(): string {
    const nanos = BigInt(Date.now()) * 1_000_000n + BigInt(this.sequence++ % 1_000_000);
    return nanos.toString(16);
  }
}

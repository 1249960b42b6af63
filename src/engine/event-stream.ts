// docker events: the engine root's event log from a point in time, followed as it grows, cut by docker's
// event filters — one loop for the CLI verb and the Engine API's streaming endpoint.
import { parseTimeArg } from './containers/logs.js';
import type { Engine } from './engine.js';
import { anyValue, checkFilterKeys, type Filters } from './filters.js';
import type { EventRow } from './metadata/db.js';

export type EngineEvent = EventRow;

export const EVENT_FILTERS = ['type', 'event', 'container', 'image'] as const;

const POLL_MS = 200;

export interface EventQuery {
  /** docker's --since (a timestamp or a duration back); default now, so only new events. */
  since?: string;
  /** docker's --until; default never (follow until the signal). */
  until?: string;
  filters?: Filters;
  signal: AbortSignal;
}

function nowNano(): bigint {
  return BigInt(Date.now()) * 1000000n;
}

/** Calls `emit` for each matching event, oldest first, until `until` has passed or the signal aborts. */
export async function followEvents(engine: Engine, q: EventQuery, emit: (e: EngineEvent) => void): Promise<void> {
  const filters = q.filters ?? new Map();
  checkFilterKeys(filters, EVENT_FILTERS);
  const sinceNano = q.since ? parseTimeArg(q.since) : nowNano();
  const untilNano = q.until ? parseTimeArg(q.until) : undefined;
  const matches = (e: EngineEvent): boolean =>
    anyValue(filters, 'type', (v) => e.type === v) &&
    anyValue(filters, 'event', (v) => e.action === v) &&
    anyValue(filters, 'container', (v) => e.actorId.startsWith(v) || e.attributes.name === v) &&
    anyValue(filters, 'image', (v) => e.attributes.image === v);
  let seq = 0;
  for (;;) {
    for (const e of engine.db.events(seq)) {
      seq = e.seq;
      if (e.timeNano < sinceNano) continue;
      if (untilNano !== undefined && e.timeNano > untilNano) return;
      if (matches(e)) emit(e);
    }
    if (q.signal.aborted || (untilNano !== undefined && nowNano() > untilNano)) return;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

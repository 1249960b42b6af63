// docker ps / GET /containers/json: which containers a listing shows (sandboxes never, stopped ones
// with --all, a status or an exit filter, or a limit) and docker's container filters.
import type { Engine } from '../engine.js';
import { anyValue, checkFilterKeys, labelsMatch, type Filters } from '../filters.js';
import type { Container } from './types.js';

export const CONTAINER_FILTERS = ['id', 'name', 'label', 'status', 'exited', 'ancestor', 'network', 'volume', 'before', 'since'] as const;

/** Running, or about to run again (docker ps without -a shows these). */
export function isUp(c: Container): boolean {
  return c.State.Running || c.State.Status === 'restarting';
}

/** docker's container filters as a predicate; unknown keys are refused. */
export function containerFilter(engine: Engine, filters: Filters): (c: Container) => boolean {
  checkFilterKeys(filters, CONTAINER_FILTERS);
  const created = (ref: string): string => engine.containers.get(ref).Created;
  return (c) =>
    anyValue(filters, 'id', (v) => c.Id.startsWith(v)) &&
    anyValue(filters, 'name', (v) => new RegExp(v).test(c.Name.slice(1))) &&
    anyValue(filters, 'status', (v) => c.State.Status === v) &&
    anyValue(filters, 'exited', (v) => c.State.Status === 'exited' && String(c.State.ExitCode) === v) &&
    labelsMatch(c.Config.Labels, filters.get('label')) &&
    anyValue(filters, 'ancestor', (v) => engine.images.lookup(v)?.id === c.Image) &&
    anyValue(filters, 'network', (v) => c.HostConfig.NetworkMode === v || v in c.NetworkSettings.Networks) &&
    anyValue(filters, 'volume', (v) => c.Mounts.some((m) => m.Name === v || m.Destination === v)) &&
    anyValue(filters, 'before', (v) => c.Created < created(v)) &&
    anyValue(filters, 'since', (v) => c.Created > created(v));
}

export interface ListOptions {
  all?: boolean;
  /** The newest n after filtering (docker ps -n); implies all. */
  limit?: number;
  filters?: Filters;
}

/** The containers docker ps lists, newest first. */
export function listContainers(engine: Engine, o: ListOptions = {}): Container[] {
  const filters = o.filters ?? new Map();
  const limit = o.limit ?? -1;
  const all = o.all || limit > 0 || filters.has('status') || filters.has('exited');
  const keep = containerFilter(engine, filters);
  const rows = engine.containers.list().filter((c) => !c.Extras.sandbox && (all || isUp(c)) && keep(c));
  return limit > 0 ? rows.slice(0, limit) : rows;
}

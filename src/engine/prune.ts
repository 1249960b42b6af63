// docker container prune and image prune — one loop each for the CLI verbs and the Engine API.
import { containerFilter, isUp } from './containers/list-filters.js';
import { parseTimeArg } from './containers/logs.js';
import { rwSize } from './containers/size.js';
import type { Engine } from './engine.js';
import { checkFilterKeys, type Filters } from './filters.js';
import { isDangling } from './list-filters.js';

/**
 * Removes every stopped container (never a pod sandbox) that carries the `label` filters and was created
 * before `until`; returns their ids and the bytes their writable layers held.
 */
export async function pruneContainers(engine: Engine, filters: Filters = new Map()): Promise<{ deleted: string[]; space: number }> {
  checkFilterKeys(filters, ['label', 'until']);
  const labelled = containerFilter(engine, new Map([['label', filters.get('label') ?? []]]));
  const until = filters.get('until')?.[0];
  const before = until ? Number(parseTimeArg(until) / 1000000n) : Infinity;
  const deleted: string[] = [];
  let space = 0;
  for (const c of engine.containers.list()) {
    if (isUp(c) || c.Extras.sandbox || !labelled(c) || Date.parse(c.Created) >= before) continue;
    space += rwSize(engine, c);
    await engine.containers.remove(c.Id);
    deleted.push(c.Id);
  }
  return { deleted, space };
}

/**
 * Removes the dangling images — with `all`, every image — that no container uses; returns the rmi
 * report lines (`Untagged: …`, `Deleted: sha256:…`) and the bytes freed.
 */
export function pruneImages(engine: Engine, all: boolean): { lines: string[]; space: number } {
  const lines: string[] = [];
  let space = 0;
  for (const image of engine.images.list()) {
    if ((!all && !isDangling(image)) || engine.containers.usersOf(image.id).length) continue;
    lines.push(...engine.images.remove(image.id, true, () => []));
    space += image.size;
  }
  return { lines, space };
}

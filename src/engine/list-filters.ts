// docker's filters of the network, volume and image listings (`network ls`, `volume ls`, `images` and
// their Engine API endpoints), each a predicate over the engine's records; containers have their own
// in containers/list-filters.ts. Unknown keys are refused with docker's message.
import type { Engine } from './engine.js';
import { notFound } from './errors.js';
import { familiarName } from './images/reference.js';
import type { Image } from './images/types.js';
import type { NetworkRecord } from './networks/index.js';
import type { Volume } from './volumes/index.js';
import { anyValue, checkFilterKeys, labelsMatch, type Filters } from './filters.js';

const BUILTIN_NETWORKS = ['bridge', 'host', 'none'];

export const NETWORK_FILTERS = ['name', 'id', 'driver', 'type', 'label'] as const;

export function networkFilter(filters: Filters): (n: NetworkRecord) => boolean {
  checkFilterKeys(filters, NETWORK_FILTERS);
  return (n) =>
    anyValue(filters, 'name', (v) => n.Name.includes(v)) &&
    anyValue(filters, 'id', (v) => n.Id.startsWith(v)) &&
    anyValue(filters, 'driver', (v) => n.Driver === v) &&
    anyValue(filters, 'type', (v) => (BUILTIN_NETWORKS.includes(n.Name) ? 'builtin' : 'custom') === v) &&
    labelsMatch(n.Labels, filters.get('label'));
}

export const VOLUME_FILTERS = ['name', 'dangling', 'label', 'driver'] as const;

/** `users`: the containers mounting each volume (usersByVolume), for `dangling`. */
export function volumeFilter(filters: Filters, users: Map<string, string[]>): (v: Volume) => boolean {
  checkFilterKeys(filters, VOLUME_FILTERS);
  return (v) =>
    anyValue(filters, 'name', (name) => v.Name.includes(name)) &&
    anyValue(filters, 'dangling', (d) => !users.has(v.Name) === (d === 'true' || d === '1')) &&
    anyValue(filters, 'driver', (d) => v.Driver === d) &&
    labelsMatch(v.Labels, filters.get('label'));
}

export const IMAGE_FILTERS = ['dangling', 'reference', 'label', 'before', 'since'] as const;

/** The image's repository:tag names in docker's short form (digests left out). */
function names(i: Image): string[] {
  return i.tags.filter((t) => !t.includes('@')).map(familiarName);
}

/** docker's reference filter: a name, a name:tag, or a glob (`*` within one path part) over either. */
function referenceMatches(pattern: string, name: string): boolean {
  if (name === pattern || name.startsWith(`${pattern}:`)) return true;
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '.')}$`);
  return re.test(name) || re.test(name.split(':')[0]);
}

/** No repository:tag names left (digests do not count): what `docker images -f dangling=true` and image prune take. */
export function isDangling(i: Image): boolean {
  return names(i).length === 0;
}

/** The names a listing shows for the image: with a reference filter only those it matches, as the daemon does. */
export function listedNames(i: Image, filters: Filters = new Map()): string[] {
  return names(i).filter((n) => anyValue(filters, 'reference', (r) => referenceMatches(r, n)));
}

/**
 * docker images: every image, newest first, but without `all` the intermediate ones (untagged parents
 * of other images: build steps), cut by docker's image filters.
 */
export function listImages(engine: Engine, o: { all?: boolean; filters?: Filters } = {}): Image[] {
  const filters = o.filters ?? new Map();
  checkFilterKeys(filters, IMAGE_FILTERS);
  const images = engine.images.list();
  const parents = new Set(images.map((i) => i.parent).filter(Boolean));
  const created = (ref: string): string => {
    const image = engine.images.lookup(ref);
    if (!image) throw notFound(`No such image: ${ref}`);
    return image.created;
  };
  return images.filter(
    (i) =>
      (o.all || !isDangling(i) || !parents.has(i.id)) &&
      anyValue(filters, 'dangling', (d) => isDangling(i) === (d === 'true' || d === '1')) &&
      anyValue(filters, 'reference', (r) => names(i).some((n) => referenceMatches(r, n))) &&
      labelsMatch(i.config.config?.Labels ?? {}, filters.get('label')) &&
      anyValue(filters, 'before', (ref) => i.created < created(ref)) &&
      anyValue(filters, 'since', (ref) => i.created > created(ref)),
  );
}

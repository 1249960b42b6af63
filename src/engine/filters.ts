// docker's list filters (`--filter key=value`, the Engine API's `filters` parameter) as one map from key
// to values: values of one key are alternatives, different keys must all hold (the daemon's semantics).
import { invalid } from './errors.js';

export type Filters = Map<string, string[]>;

/** `--filter key=value` flags as the map the Engine API's `filters` parameter gives. */
export function filtersFromFlags(flags: string[]): Filters {
  const out: Filters = new Map();
  for (const f of flags) {
    const eq = f.indexOf('=');
    if (eq < 0) throw invalid(`invalid filter '${f}'`);
    const key = f.slice(0, eq);
    out.set(key, [...(out.get(key) ?? []), f.slice(eq + 1)]);
  }
  return out;
}

/** Refuses filter keys a listing does not know, with docker's message. */
export function checkFilterKeys(filters: Filters, allowed: readonly string[]): void {
  for (const key of filters.keys()) if (!allowed.includes(key)) throw invalid(`invalid filter '${key}'`);
}

/** True when the key is not filtered on, or one of its values passes. */
export function anyValue(filters: Filters, key: string, test: (value: string) => boolean): boolean {
  const values = filters.get(key);
  return !values?.length || values.some(test);
}

/** docker's `label` filter: every `key` is present and every `key=value` matches. */
export function labelsMatch(labels: Record<string, string>, wanted: readonly string[] = []): boolean {
  return wanted.every((w) => {
    const eq = w.indexOf('=');
    return eq < 0 ? w in labels : labels[w.slice(0, eq)] === w.slice(eq + 1);
  });
}

// `-f a.yml -f b.yml`: later files override earlier ones field by field (compose-spec "Merge and
// override"): mappings merge by key, `volumes` by mount target, `ports` and the other sequences keep
// every distinct entry, and `command`, `entrypoint` and healthcheck `test` are replaced whole.
import { isObject } from './normalize.js';
import type { Service, ServiceVolume } from './types.js';

const REPLACED = new Set(['command', 'entrypoint', 'test']);

function uniqueConcat(a: unknown[], b: unknown[]): unknown[] {
  const seen = new Set(a.map((x) => JSON.stringify(x)));
  return [...a, ...b.filter((x) => !seen.has(JSON.stringify(x)))];
}

function byTarget(a: ServiceVolume[], b: ServiceVolume[]): ServiceVolume[] {
  const out = new Map(a.map((v) => [v.target, v]));
  for (const v of b) out.set(v.target, v);
  return [...out.values()];
}

/** Deep-merges `override` onto `base` with compose's rules; neither argument is modified. */
export function mergeValue(base: unknown, override: unknown, key = ''): unknown {
  if (override === undefined) return base;
  if (Array.isArray(base) && Array.isArray(override)) {
    if (REPLACED.has(key)) return override;
    if (key === 'volumes') return byTarget(base as ServiceVolume[], override as ServiceVolume[]);
    return uniqueConcat(base, override);
  }
  if (isObject(base) && isObject(override)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(override)) out[k] = mergeValue(base[k], v, k);
    return out;
  }
  return override;
}

export function mergeService(base: Service, override: Service): Service {
  return mergeValue(base, override) as Service;
}

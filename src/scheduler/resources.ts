// Resource arithmetic as the scheduler sees it: cpu in millicores, everything else in whole units
// (bytes, pods, devices). A pod's request follows Kubernetes' PodRequests: the larger of the
// containers' sum and the biggest init container (sidecar init containers add up), plus overhead.
import { quantityOf } from '../api/index.js';
import type { Container, Pod, ResourceList } from './types.js';

/** Resource name → amount (cpu in millicores). */
export type Resources = Record<string, number>;

export const CPU = 'cpu';
export const MEMORY = 'memory';
export const EPHEMERAL_STORAGE = 'ephemeral-storage';
export const PODS = 'pods';

/** What a container without a request counts as when scoring (schedutil DefaultMilliCPURequest/DefaultMemoryRequest). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

// Pods repeat the same few quantity strings thousands of times; parsing each once keeps the hot path cheap.
const parsed = new Map<string, number>();

/** The amount of `name` in a quantity (millicores for cpu); unparsable values count as 0. */
export function amount(name: string, value: unknown): number {
  const key = `${name === CPU ? 'm' : 'u'}${String(value)}`;
  let v = parsed.get(key);
  if (v === undefined) {
    try {
      const q = quantityOf(value);
      v = name === CPU ? q.milliValue() : q.value();
    } catch {
      v = 0;
    }
    if (parsed.size < 100_000) parsed.set(key, v);
  }
  return v;
}

export function toResources(list: ResourceList | undefined): Resources {
  const out: Resources = {};
  for (const [name, value] of Object.entries(list ?? {})) out[name] = amount(name, value);
  return out;
}

function addInto(target: Resources, add: Resources): void {
  for (const [k, v] of Object.entries(add)) target[k] = (target[k] ?? 0) + v;
}

function maxInto(target: Resources, other: Resources): void {
  for (const [k, v] of Object.entries(other)) if (v > (target[k] ?? 0)) target[k] = v;
}

function containerRequests(c: Container, nonZero: boolean): Resources {
  const r = toResources(c.resources?.requests);
  if (nonZero) {
    if (!r[CPU]) r[CPU] = DEFAULT_MILLI_CPU_REQUEST;
    if (!r[MEMORY]) r[MEMORY] = DEFAULT_MEMORY_REQUEST;
  }
  return r;
}

/**
 * The pod's effective request. With `nonZero`, containers without a cpu/memory request count as
 * 100m / 200Mi (what scoring uses so empty pods still spread); filtering uses the real values.
 */
export function podRequests(pod: Pod, nonZero = false): Resources {
  const reqs: Resources = {};
  for (const c of pod.spec.containers ?? []) addInto(reqs, containerRequests(c, nonZero));
  const sidecars: Resources = {};
  const initMax: Resources = {};
  for (const c of pod.spec.initContainers ?? []) {
    const r = containerRequests(c, nonZero);
    if (c.restartPolicy === 'Always') {
      addInto(sidecars, r);
      maxInto(initMax, sidecars);
    } else {
      const during: Resources = { ...sidecars };
      addInto(during, r);
      maxInto(initMax, during);
    }
  }
  addInto(reqs, sidecars);
  maxInto(reqs, initMax);
  addInto(reqs, toResources(pod.spec.overhead));
  return reqs;
}

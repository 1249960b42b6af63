// Pod QoS class (pkg/apis/core/helper/qos ComputePodQOS): set in pod status on create, and used by the
// kubelet (eviction order, cgroups) and the scheduler — one computation for all of them.

import { getObject, getObjects, type JsonObject } from './json.js';
import { QuantityError, quantityOf, type Quantity } from './quantity.js';

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const QOS_RESOURCES = ['cpu', 'memory'];

/** Positive cpu/memory amounts of one resource list; unparsable values count as absent (validation reports them). */
function positive(list: JsonObject | undefined): Map<string, Quantity> {
  const out = new Map<string, Quantity>();
  for (const name of QOS_RESOURCES) {
    if (list?.[name] === undefined) continue;
    try {
      const q = quantityOf(list[name]);
      if (q.nanos > 0n) out.set(name, q);
    } catch (e) {
      if (!(e instanceof QuantityError)) throw e;
    }
  }
  return out;
}

export function podQOSClass(pod: JsonObject): QOSClass {
  const spec = getObject(pod, 'spec') ?? {};
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  let guaranteed = true;
  for (const c of [...getObjects(spec, 'containers'), ...getObjects(spec, 'initContainers')]) {
    const resources = getObject(c, 'resources');
    for (const [name, q] of positive(getObject(resources, 'requests'))) requests.set(name, requests.has(name) ? requests.get(name)!.add(q) : q);
    const containerLimits = positive(getObject(resources, 'limits'));
    for (const [name, q] of containerLimits) limits.set(name, limits.has(name) ? limits.get(name)!.add(q) : q);
    if (!QOS_RESOURCES.every((r) => containerLimits.has(r))) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, req] of requests) {
      const lim = limits.get(name);
      if (!lim || lim.cmp(req) !== 0) {
        guaranteed = false;
        break;
      }
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}

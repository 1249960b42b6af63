// The resources the garbage collector and the namespace controller act on: every built-in resource
// that can be listed, watched and deleted, once per storage (autoscaling/v1 and v2 HPAs are one set
// of objects). Events are left out: nothing owns them and they are the busiest resource by far.
import { allResources, lookupKind, parseApiVersion, storageInfo, type ResourceInfo } from '../../api/index.js';

export function deletableResources(): ResourceInfo[] {
  return allResources().filter(
    (r) => storageInfo(r) === r && ['list', 'watch', 'delete'].every((v) => r.verbs.includes(v)) && r.resource !== 'events',
  );
}

/** The resource an ownerReference points at (any served version of its group and kind). */
export function resourceOfRef(ref: { apiVersion: string; kind: string }): ResourceInfo | undefined {
  const { group, version } = parseApiVersion(ref.apiVersion);
  return lookupKind(group, version, ref.kind) ?? allResources().find((r) => r.group === group && r.kind === ref.kind);
}

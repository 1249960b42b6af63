// Which containers use which volumes, and docker's volume prune on top of it — one answer for the CLI
// verbs and the Engine API alike.
import type { MountSpec } from '../mounts.js';
import { ANONYMOUS_LABEL, type VolumeStore } from './store.js';

/** Ids of the containers that mount each volume. */
export function usersByVolume(containers: Iterable<{ Id: string; Mounts: MountSpec[] }>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const c of containers) {
    for (const m of c.Mounts) if (m.Type === 'volume' && m.Name) out.set(m.Name, [...(out.get(m.Name) ?? []), c.Id]);
  }
  return out;
}

/** Removes the volumes no container uses — anonymous ones only unless `all` (docker 23+) — and returns their names. */
export function pruneVolumes(volumes: VolumeStore, containers: Iterable<{ Id: string; Mounts: MountSpec[] }>, all: boolean): string[] {
  const users = usersByVolume(containers);
  const deleted: string[] = [];
  for (const v of volumes.list()) {
    if (users.has(v.Name) || (!all && !(ANONYMOUS_LABEL in v.Labels))) continue;
    volumes.remove(v.Name, []);
    deleted.push(v.Name);
  }
  return deleted;
}

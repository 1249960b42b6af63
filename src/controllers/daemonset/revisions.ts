// ControllerRevisions (pkg/controller/history): immutable snapshots of a DaemonSet's or StatefulSet's
// pod template, stored as the patch `{"spec":{"template":{…,"$patch":"replace"}}}` that restores it,
// numbered by `revision`, labelled with its hash, owned by the workload.
import type { KubeObject } from '../../api/index.js';
import type { PodTemplate } from '../../client/index.js';

export const REVISION_HASH_LABEL = 'controller-revision-hash';

export interface ControllerRevision extends KubeObject {
  data: { spec: { template: Record<string, unknown> } };
  revision: number;
}

/** The revision data for a template (DaemonSet getPatch / StatefulSet getPatch). */
export function revisionData(template: PodTemplate): ControllerRevision['data'] {
  return { spec: { template: { ...structuredClone(template), $patch: 'replace' } } };
}

/** The template a revision restores. */
export function templateOf(rev: ControllerRevision): PodTemplate {
  const { $patch: _patch, ...template } = rev.data.spec.template;
  return template as PodTemplate;
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** history.EqualRevision: same data. */
export function sameData(a: ControllerRevision['data'], b: ControllerRevision['data']): boolean {
  return canonical(a) === canonical(b);
}

export function newRevision(owner: KubeObject, name: string, hash: string, data: ControllerRevision['data'], revision: number, labels: Record<string, string>, ownerRef: NonNullable<KubeObject['metadata']['ownerReferences']>[number]): ControllerRevision {
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: { name, namespace: owner.metadata.namespace, labels: { ...labels, [REVISION_HASH_LABEL]: hash }, ownerReferences: [ownerRef] },
    data,
    revision,
  };
}

export const maxRevision = (revs: ControllerRevision[]): number => Math.max(0, ...revs.map((r) => r.revision ?? 0));

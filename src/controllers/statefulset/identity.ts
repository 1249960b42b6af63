// A StatefulSet pod's stable identity (stateful_set_utils.go): name `<set>-<ordinal>`, hostname and
// subdomain for DNS, identity labels, and its PersistentVolumeClaims `<template>-<set>-<ordinal>`
// mounted in place of the template's volumes of the same name.
import { podFromTemplate, type PodTemplate, type Pod } from '../../client/index.js';
import type { OwnerReference } from '../../api/index.js';
import { REVISION_HASH_LABEL } from '../daemonset/index.js';
import type { ClaimTemplate, StatefulSet } from './types.js';

export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

/** The ordinal of a pod of this set, or undefined when the name is not `<set>-<n>`. */
export function ordinalOf(set: StatefulSet, pod: Pod): number | undefined {
  const prefix = `${set.metadata.name}-`;
  const name = String(pod.metadata.name);
  if (!name.startsWith(prefix)) return undefined;
  const rest = name.slice(prefix.length);
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : undefined;
}

export const podName = (set: StatefulSet, ordinal: number): string => `${set.metadata.name}-${ordinal}`;
export const claimName = (set: StatefulSet, template: ClaimTemplate, ordinal: number): string => `${template.metadata.name}-${set.metadata.name}-${ordinal}`;

/** The claims a pod of the set uses, labelled with the set's selector labels. */
export function claimsFor(set: StatefulSet, ordinal: number): Array<{ apiVersion: string; kind: string; metadata: Record<string, unknown>; spec: Record<string, unknown> }> {
  return (set.spec.volumeClaimTemplates ?? []).map((t) => ({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: claimName(set, t, ordinal),
      namespace: set.metadata.namespace,
      labels: { ...(t.metadata.labels ?? {}), ...(set.spec.selector?.matchLabels ?? {}) },
      ...(t.metadata.annotations ? { annotations: { ...t.metadata.annotations } } : {}),
    },
    spec: structuredClone(t.spec ?? {}),
  }));
}

/** The pod for an ordinal from a template (the current or the update revision's) at a revision. */
export function newStatefulPod(set: StatefulSet, template: PodTemplate, ordinal: number, revision: string, ref: OwnerReference): Pod {
  const name = podName(set, ordinal);
  const pod = podFromTemplate(template, String(set.metadata.namespace), '', ref);
  delete pod.metadata.generateName;
  pod.metadata.name = name;
  pod.metadata.labels = { ...pod.metadata.labels, [POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal), [REVISION_HASH_LABEL]: revision };
  const spec = pod.spec as { hostname?: string; subdomain?: string; volumes?: Array<{ name: string; [k: string]: unknown }> };
  spec.hostname = name;
  if (set.spec.serviceName) spec.subdomain = set.spec.serviceName;
  const claims = set.spec.volumeClaimTemplates ?? [];
  if (claims.length) {
    const names = new Set(claims.map((c) => c.metadata.name));
    spec.volumes = [
      ...(spec.volumes ?? []).filter((v) => !names.has(v.name)),
      ...claims.map((c) => ({ name: c.metadata.name, persistentVolumeClaim: { claimName: claimName(set, c, ordinal) } })),
    ];
  }
  return pod;
}

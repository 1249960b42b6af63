// ReplicaSet status from the pods it owns (replica_set_utils.go calculateStatus): counts of pods,
// fully labeled pods (all template labels), ready and available ones, and the ReplicaFailure
// condition while creating or deleting pods fails.
import { isPodAvailable, isPodReady, rfc3339, type Pod } from '../../client/index.js';
import type { ReplicaSet, ReplicaSetStatus } from './types.js';

export function calculateStatus(rs: ReplicaSet, pods: Pod[], manageError: { error: Error; scalingUp: boolean } | undefined, now: Date): ReplicaSetStatus {
  const templateLabels = rs.spec.template?.metadata?.labels ?? {};
  const minReady = rs.spec.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of pods) {
    const labels = pod.metadata.labels ?? {};
    if (Object.entries(templateLabels).every(([k, v]) => labels[k] === v)) fullyLabeled++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReady, now)) available++;
    }
  }
  let conditions = rs.status?.conditions ?? [];
  const failure = conditions.find((c) => c.type === 'ReplicaFailure');
  if (manageError && !failure) {
    conditions = [
      ...conditions,
      { type: 'ReplicaFailure', status: 'True', lastTransitionTime: rfc3339(now), reason: manageError.scalingUp ? 'FailedCreate' : 'FailedDelete', message: manageError.error.message },
    ];
  } else if (!manageError && failure) {
    conditions = conditions.filter((c) => c !== failure);
  }
  const status: ReplicaSetStatus = { replicas: pods.length, fullyLabeledReplicas: fullyLabeled, readyReplicas: ready, availableReplicas: available };
  if (rs.status?.observedGeneration !== undefined) status.observedGeneration = rs.status.observedGeneration;
  if (conditions.length) status.conditions = conditions;
  return status;
}

/** True when nothing the controller writes differs (and observedGeneration is current). */
export function statusUpToDate(rs: ReplicaSet, status: ReplicaSetStatus): boolean {
  const old = rs.status ?? { replicas: 0 };
  return (
    (old.replicas ?? 0) === status.replicas &&
    (old.fullyLabeledReplicas ?? 0) === (status.fullyLabeledReplicas ?? 0) &&
    (old.readyReplicas ?? 0) === (status.readyReplicas ?? 0) &&
    (old.availableReplicas ?? 0) === (status.availableReplicas ?? 0) &&
    JSON.stringify(old.conditions ?? []) === JSON.stringify(status.conditions ?? []) &&
    old.observedGeneration === rs.metadata.generation
  );
}

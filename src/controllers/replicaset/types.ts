// The ReplicaSet / ReplicationController fields the controller reads and writes. The two kinds differ
// only in their selector (a LabelSelector, or a plain label map for RCs) and in names.
import type { KubeObject } from '../../api/index.js';
import type { PodTemplate } from '../../client/index.js';

export interface ReplicaSetCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface ReplicaSetStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: ReplicaSetCondition[];
}

export interface ReplicaSet extends KubeObject {
  spec: {
    replicas?: number;
    minReadySeconds?: number;
    selector?: unknown;
    template?: PodTemplate;
  };
  status?: ReplicaSetStatus;
}

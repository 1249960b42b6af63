// The Job fields the controller reads and writes (batch/v1).
import type { KubeObject, LabelSelector } from '../../api/index.js';
import type { PodTemplate } from '../../client/index.js';

export interface JobCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastProbeTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface PodFailurePolicyRule {
  action: 'FailJob' | 'FailIndex' | 'Ignore' | 'Count';
  onExitCodes?: { containerName?: string; operator: 'In' | 'NotIn'; values: number[] };
  onPodConditions?: Array<{ type: string; status?: string }>;
}

export interface JobStatus {
  conditions?: JobCondition[];
  startTime?: string;
  completionTime?: string;
  active?: number;
  ready?: number;
  succeeded?: number;
  failed?: number;
  terminating?: number;
  completedIndexes?: string;
  uncountedTerminatedPods?: Record<string, unknown>;
}

export interface Job extends KubeObject {
  spec: {
    parallelism?: number;
    completions?: number | null;
    completionMode?: 'NonIndexed' | 'Indexed';
    backoffLimit?: number;
    activeDeadlineSeconds?: number;
    ttlSecondsAfterFinished?: number;
    suspend?: boolean;
    selector?: LabelSelector;
    podFailurePolicy?: { rules: PodFailurePolicyRule[] };
    podReplacementPolicy?: 'Failed' | 'TerminatingOrFailed';
    template: PodTemplate;
  };
  status?: JobStatus;
}

// The ReplicaSet controller (apps/v1 ReplicaSets) on the shared core that ReplicationControllers use too.
import type { LabelSelector } from '../../api/index.js';
import { workloadSelector } from '../../client/index.js';
import type { ControllerContext } from '../index.js';
import { ReplicaSetCore } from './controller.js';

export { ReplicaSetCore, BURST_REPLICAS, slowStartBatch, type ReplicaSetKind } from './controller.js';
export { podsToDelete, compareForDeletion, POD_DELETION_COST } from './ranking.js';
export { calculateStatus } from './status.js';
export { watchOwnedPods, type PodOwnerHooks } from './pod-events.js';
export type { ReplicaSet, ReplicaSetStatus, ReplicaSetCondition } from './types.js';

export class ReplicaSetController extends ReplicaSetCore {
  constructor(ctx: ControllerContext) {
    super(ctx, {
      name: 'replicaset',
      group: 'apps',
      resource: 'replicasets',
      component: 'replicaset-controller',
      selector: (rs) => workloadSelector({ spec: { selector: rs.spec.selector as LabelSelector | undefined } }),
    });
  }
}

// The ReplicationController controller: Kubernetes runs the ReplicaSet controller on RCs, whose
// selector is a plain label map; so does skiff.
import { selectorFromSet } from '../../api/index.js';
import type { ControllerContext } from '../index.js';
import { ReplicaSetCore } from '../replicaset/index.js';

export class ReplicationControllerController extends ReplicaSetCore {
  constructor(ctx: ControllerContext) {
    super(ctx, {
      name: 'replicationcontroller',
      group: '',
      resource: 'replicationcontrollers',
      component: 'replication-controller',
      selector: (rc) => selectorFromSet(rc.spec.selector as Record<string, string> | undefined),
    });
  }
}

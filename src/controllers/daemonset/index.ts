// The DaemonSet controller, and the ControllerRevision helpers StatefulSets share.
export { DaemonSetController } from './controller.js';
export { nodeShouldRunDaemonPod, daemonTolerations, targetNodeName } from './placement.js';
export { REVISION_HASH_LABEL, revisionData, templateOf, sameData, newRevision, maxRevision, type ControllerRevision } from './revisions.js';
export type { DaemonSet, DaemonSetStatus } from './types.js';

// The StatefulSet controller.
export { StatefulSetController } from './controller.js';
export { ordinalOf, podName, claimName, newStatefulPod, POD_NAME_LABEL, POD_INDEX_LABEL } from './identity.js';
export type { StatefulSet, StatefulSetStatus } from './types.js';

// The Deployment controller and the pure helpers other parts may want (template hash, revisions).
export { DeploymentController } from './controller.js';
export { computeHash, equalIgnoreHash, safeEncode, POD_TEMPLATE_HASH, REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS } from './util.js';
export type { Deployment, DeploymentStatus, DeploymentCondition } from './types.js';

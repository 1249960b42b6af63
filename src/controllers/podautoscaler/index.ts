// The HorizontalPodAutoscaler controller (autoscaling/v2).
export { HorizontalPodAutoscalerController, SYNC_PERIOD_MS } from './controller.js';
export { replicasForUtilization, normalize, TOLERANCE } from './replicas.js';
export type { HorizontalPodAutoscaler } from './types.js';

// Node lifecycle: Unknown after the grace period, not-ready/unreachable/unschedulable taints, NoExecute eviction.
export { NodeLifecycleController, DEFAULT_GRACE_PERIOD_SECONDS, DEFAULT_MONITOR_PERIOD_SECONDS } from './controller.js';
export { desiredTaints, evictionTime, unknownConditions, NOT_READY_TAINT, UNREACHABLE_TAINT, UNSCHEDULABLE_TAINT } from './health.js';

// The HPA's arithmetic (podautoscaler/replica_calculator.go and the default behavior): replicas from
// resource utilization with the 10% tolerance, scale-up limited to max(100%, 4 pods) per period,
// scale-down stabilized over 5 minutes of recommendations, all within min/max replicas.
export const TOLERANCE = 0.1;
export const SCALE_DOWN_STABILIZATION_MS = 300_000;

export interface PodUsage {
  /** Sum of the containers' usage and of their requests, in the same unit (milli-cores, bytes). */
  usage: number;
  request: number;
}

/** Utilization in percent of requests (rounded down as Kubernetes does) and the replicas it asks for. */
export function replicasForUtilization(pods: PodUsage[], targetUtilization: number, currentReplicas: number): { replicas: number; utilization: number } | undefined {
  const requested = pods.reduce((n, p) => n + p.request, 0);
  if (!pods.length || requested <= 0) return undefined;
  const utilization = Math.floor((pods.reduce((n, p) => n + p.usage, 0) * 100) / requested);
  const ratio = utilization / targetUtilization;
  if (Math.abs(1 - ratio) <= TOLERANCE) return { replicas: currentReplicas, utilization };
  return { replicas: Math.ceil(ratio * pods.length), utilization };
}

/** The default HPA behavior: limits per 15 s period and the scale-down stabilization window. */
export function normalize(
  desired: number,
  current: number,
  min: number,
  max: number,
  history: Array<{ at: number; replicas: number }>,
  now: number,
): { replicas: number; limited: 'TooManyReplicas' | 'TooFewReplicas' | 'ScaleUpLimit' | undefined } {
  // Scaling down follows the highest recommendation of the window, so a dip does not shrink at once.
  const recent = history.filter((h) => h.at >= now - SCALE_DOWN_STABILIZATION_MS).map((h) => h.replicas);
  let replicas = desired < current ? Math.min(current, Math.max(desired, ...recent)) : desired;
  const upLimit = Math.max(2 * current, current + 4);
  let limited: 'TooManyReplicas' | 'TooFewReplicas' | 'ScaleUpLimit' | undefined;
  if (replicas > upLimit) {
    replicas = upLimit;
    limited = 'ScaleUpLimit';
  }
  if (replicas > max) return { replicas: max, limited: 'TooManyReplicas' };
  if (replicas < min) return { replicas: min, limited: 'TooFewReplicas' };
  return { replicas, limited };
}

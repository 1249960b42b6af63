// A PodDisruptionBudget's numbers (pkg/controller/disruption getExpectedPodCount + updatePdbStatus):
// how many pods are expected, how many must stay healthy, how many may be disrupted now.
import { scaledValueFromIntOrPercent, type IntOrString } from '../../api/index.js';

export interface BudgetSpec {
  minAvailable?: IntOrString;
  maxUnavailable?: IntOrString;
}

export interface BudgetNumbers {
  expectedPods: number;
  desiredHealthy: number;
  currentHealthy: number;
  disruptionsAllowed: number;
}

/**
 * `pods` is how many pods the budget selects, `scale` the summed replicas of their controllers (only
 * needed for percentages and maxUnavailable, as in kube).
 */
export function budgetNumbers(spec: BudgetSpec, pods: number, healthy: number, scale: () => number): BudgetNumbers {
  let expectedPods: number;
  let desiredHealthy: number;
  if (spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) {
    expectedPods = scale();
    desiredHealthy = Math.max(0, expectedPods - scaledValueFromIntOrPercent(spec.maxUnavailable, expectedPods, true));
  } else if (typeof spec.minAvailable === 'number') {
    expectedPods = pods;
    desiredHealthy = spec.minAvailable;
  } else if (typeof spec.minAvailable === 'string') {
    expectedPods = scale();
    desiredHealthy = scaledValueFromIntOrPercent(spec.minAvailable, expectedPods, true);
  } else {
    expectedPods = pods;
    desiredHealthy = 0;
  }
  return { expectedPods, desiredHealthy, currentHealthy: healthy, disruptionsAllowed: Math.max(0, healthy - desiredHealthy) };
}

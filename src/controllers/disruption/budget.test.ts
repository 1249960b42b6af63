import { test } from 'node:test';
import assert from 'node:assert/strict';
import { budgetNumbers } from './budget.js';

test('minAvailable as a number counts selected pods; as a percentage, the controllers scale', () => {
  assert.deepEqual(budgetNumbers({ minAvailable: 2 }, 3, 3, () => 99), { expectedPods: 3, desiredHealthy: 2, currentHealthy: 3, disruptionsAllowed: 1 });
  assert.deepEqual(budgetNumbers({ minAvailable: '50%' }, 3, 3, () => 5), { expectedPods: 5, desiredHealthy: 3, currentHealthy: 3, disruptionsAllowed: 0 });
});

test('maxUnavailable subtracts from the expected pods, percentages rounded up', () => {
  assert.deepEqual(budgetNumbers({ maxUnavailable: 1 }, 4, 4, () => 4), { expectedPods: 4, desiredHealthy: 3, currentHealthy: 4, disruptionsAllowed: 1 });
  assert.deepEqual(budgetNumbers({ maxUnavailable: '30%' }, 4, 2, () => 4), { expectedPods: 4, desiredHealthy: 2, currentHealthy: 2, disruptionsAllowed: 0 });
});

// PodDisruptionBudget status.
export { DisruptionController, PDBS } from './controller.js';
export { budgetNumbers, type BudgetSpec, type BudgetNumbers } from './budget.js';

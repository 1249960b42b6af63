// ResourceQuota status (the admission side lives with the API server's admission plugins).
export { ResourceQuotaController, RESOURCE_QUOTAS } from './controller.js';

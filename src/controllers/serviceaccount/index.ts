// Service accounts: the `default` ServiceAccount in every namespace.
export { ServiceAccountController, DEFAULT_SERVICE_ACCOUNT, SERVICE_ACCOUNTS } from './controller.js';

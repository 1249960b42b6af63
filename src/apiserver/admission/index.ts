// The cluster admission plugins (issue 9), in the order kube-apiserver runs them.
import type { AdmissionPlugin } from '../admission.js';
import { defaultIngressClass, defaultStorageClass } from './default-class.js';
import { defaultTolerationSeconds } from './default-toleration-seconds.js';
import { limitRanger } from './limit-ranger.js';
import { resourceQuota } from './resource-quota.js';
import { serviceAccountDefaults } from './service-account.js';

export { defaultTolerationSeconds, NOT_READY_TAINT, UNREACHABLE_TAINT, DEFAULT_TOLERATION_SECONDS } from './default-toleration-seconds.js';
export { limitRanger, containerDefaults, LIMIT_RANGER_ANNOTATION } from './limit-ranger.js';
export { resourceQuota } from './resource-quota.js';
export { defaultStorageClass, defaultIngressClass } from './default-class.js';
export { serviceAccountDefaults, DEFAULT_SERVICE_ACCOUNT } from './service-account.js';
export { objectUsage, resourcesFor, prettyUsage, countKey, type Usage } from './quota-usage.js';

export const clusterAdmission: AdmissionPlugin[] = [limitRanger, serviceAccountDefaults, defaultTolerationSeconds, defaultStorageClass, defaultIngressClass, resourceQuota];

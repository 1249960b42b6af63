// The cluster admission plugins (issue 9), in the order kube-apiserver runs them.
import type { AdmissionPlugin } from '../admission.js';
import { defaultTolerationSeconds } from './default-toleration-seconds.js';

export { defaultTolerationSeconds, NOT_READY_TAINT, UNREACHABLE_TAINT, DEFAULT_TOLERATION_SECONDS } from './default-toleration-seconds.js';

export const clusterAdmission: AdmissionPlugin[] = [defaultTolerationSeconds];

// The defaulting half of the ServiceAccount admission plugin (plugin/pkg/admission/serviceaccount): a
// new pod without serviceAccountName runs as `default`. The token volume (kube-api-access-*) is not
// added yet: it needs TokenRequest served by the API server and mounted by the kubelet.
import type { AdmissionPlugin } from '../admission.js';

export const DEFAULT_SERVICE_ACCOUNT = 'default';

export const serviceAccountDefaults: AdmissionPlugin = {
  name: 'ServiceAccount',
  async admit(attrs) {
    if (attrs.operation !== 'CREATE' || attrs.subresource || attrs.info.group !== '' || attrs.info.resource !== 'pods' || !attrs.object) return;
    // Mirror pods of static pods keep no service account, as in kube.
    if (attrs.object.metadata.annotations?.['kubernetes.io/config.mirror']) return;
    const spec = (attrs.object.spec ??= {}) as { serviceAccountName?: string; serviceAccount?: string };
    spec.serviceAccountName ||= spec.serviceAccount || DEFAULT_SERVICE_ACCOUNT;
    spec.serviceAccount = spec.serviceAccountName;
  },
};

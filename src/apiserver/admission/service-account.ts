// The ServiceAccount admission plugin (plugin/pkg/admission/serviceaccount): a new pod without
// serviceAccountName runs as `default`, takes the account's imagePullSecrets when it names none, and —
// once that account exists — gets the projected
// kube-api-access-<rand> volume (a bound token, the cluster CA from kube-root-ca.crt, the namespace)
// mounted read-only at /var/run/secrets/kubernetes.io/serviceaccount in every container, unless
// automountServiceAccountToken is false or something is already mounted there.
import crypto from 'node:crypto';
import { lookupResource } from '../../api/index.js';
import type { AdmissionPlugin } from '../admission.js';

export const DEFAULT_SERVICE_ACCOUNT = 'default';
export const SERVICE_ACCOUNT_MOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

interface Container {
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
}

interface PodSpec {
  serviceAccountName?: string;
  serviceAccount?: string;
  automountServiceAccountToken?: boolean;
  imagePullSecrets?: Array<{ name: string }>;
  volumes?: Array<Record<string, unknown> & { name: string }>;
  containers?: Container[];
  initContainers?: Container[];
}

const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

function tokenVolume(name: string): Record<string, unknown> & { name: string } {
  return {
    name,
    projected: {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  };
}

export const serviceAccountDefaults: AdmissionPlugin = {
  name: 'ServiceAccount',
  async admit(attrs, ctx) {
    if (attrs.operation !== 'CREATE' || attrs.subresource || attrs.info.group !== '' || attrs.info.resource !== 'pods' || !attrs.object) return;
    // Mirror pods of static pods keep no service account, as in kube.
    if (attrs.object.metadata.annotations?.['kubernetes.io/config.mirror']) return;
    const spec = (attrs.object.spec ??= {}) as PodSpec;
    spec.serviceAccountName ||= spec.serviceAccount || DEFAULT_SERVICE_ACCOUNT;
    spec.serviceAccount = spec.serviceAccountName;

    const accounts = lookupResource('', 'v1', 'serviceaccounts');
    const account = accounts && (ctx.get(accounts, attrs.namespace, spec.serviceAccountName) as { automountServiceAccountToken?: boolean; imagePullSecrets?: Array<{ name: string }> } | undefined);
    if (account?.imagePullSecrets?.length && !spec.imagePullSecrets?.length) spec.imagePullSecrets = account.imagePullSecrets.map((r) => ({ name: r.name }));
    if (spec.automountServiceAccountToken === false) return;
    if (!account || account.automountServiceAccountToken === false) return;
    const containers = [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
    if (containers.some((c) => (c.volumeMounts ?? []).some((m) => m.mountPath === SERVICE_ACCOUNT_MOUNT))) return;
    const suffix = Array.from(crypto.randomBytes(5), (b) => NAME_CHARS[b % NAME_CHARS.length]).join('');
    const name = `kube-api-access-${suffix}`;
    spec.volumes = [...(spec.volumes ?? []), tokenVolume(name)];
    for (const c of containers) c.volumeMounts = [...(c.volumeMounts ?? []), { name, mountPath: SERVICE_ACCOUNT_MOUNT, readOnly: true }];
  },
};

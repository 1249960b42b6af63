// DefaultStorageClass (plugin/pkg/admission/storage/storageclass/setdefault): a new claim that names
// no class (absent, not "") gets the default StorageClass — the newest one annotated as default.
import { lookupResource, type KubeObject } from '../../api/index.js';
import type { AdmissionPlugin } from '../admission.js';

const STORAGE_CLASSES = lookupResource('storage.k8s.io', 'v1', 'storageclasses')!;
const DEFAULT_ANNOTATIONS = ['storageclass.kubernetes.io/is-default-class', 'storageclass.beta.kubernetes.io/is-default-class'];

export const defaultStorageClass: AdmissionPlugin = {
  name: 'DefaultStorageClass',
  async admit(attrs, ctx) {
    if (attrs.operation !== 'CREATE' || attrs.subresource || attrs.info.group !== '' || attrs.info.resource !== 'persistentvolumeclaims' || !attrs.object) return;
    const spec = (attrs.object.spec ??= {}) as { storageClassName?: string | null };
    if (spec.storageClassName !== undefined && spec.storageClassName !== null) return;
    const defaults = (ctx.list(STORAGE_CLASSES, '') as KubeObject[])
      .filter((c) => DEFAULT_ANNOTATIONS.some((a) => c.metadata.annotations?.[a] === 'true'))
      .sort((a, b) => String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp)) || String(a.metadata.name).localeCompare(String(b.metadata.name)));
    if (defaults[0]) spec.storageClassName = defaults[0].metadata.name;
  },
};

// Default classes at creation, as kube-apiserver's admission plugins do: a new object that names no
// class gets the newest class annotated as the default (since 1.28 several defaults are allowed and
// the newest wins, ties by name).
//   DefaultStorageClass (plugin/pkg/admission/storage/storageclass/setdefault): PVCs, storageClassName
//   absent (not "").
//   DefaultIngressClass (plugin/pkg/admission/network/defaultingressclass): Ingresses with neither
//   spec.ingressClassName nor the legacy kubernetes.io/ingress.class annotation.
import { lookupResource, type KubeObject, type ResourceInfo } from '../../api/index.js';
import type { AdmissionContext, AdmissionPlugin } from '../admission.js';

function newestDefault(ctx: AdmissionContext, classes: ResourceInfo, annotations: string[]): string | undefined {
  const defaults = (ctx.list(classes, '') as KubeObject[])
    .filter((c) => annotations.some((a) => c.metadata.annotations?.[a] === 'true'))
    .sort((a, b) => String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp)) || String(a.metadata.name).localeCompare(String(b.metadata.name)));
  return defaults[0]?.metadata.name;
}

const STORAGE_CLASSES = lookupResource('storage.k8s.io', 'v1', 'storageclasses')!;
const STORAGE_DEFAULT = ['storageclass.kubernetes.io/is-default-class', 'storageclass.beta.kubernetes.io/is-default-class'];

export const defaultStorageClass: AdmissionPlugin = {
  name: 'DefaultStorageClass',
  async admit(attrs, ctx) {
    if (attrs.operation !== 'CREATE' || attrs.subresource || attrs.info.group !== '' || attrs.info.resource !== 'persistentvolumeclaims' || !attrs.object) return;
    const spec = (attrs.object.spec ??= {}) as { storageClassName?: string | null };
    if (spec.storageClassName !== undefined && spec.storageClassName !== null) return;
    const name = newestDefault(ctx, STORAGE_CLASSES, STORAGE_DEFAULT);
    if (name) spec.storageClassName = name;
  },
};

const INGRESS_CLASSES = lookupResource('networking.k8s.io', 'v1', 'ingressclasses')!;
const INGRESS_DEFAULT = ['ingressclass.kubernetes.io/is-default-class'];

export const defaultIngressClass: AdmissionPlugin = {
  name: 'DefaultIngressClass',
  async admit(attrs, ctx) {
    if (attrs.operation !== 'CREATE' || attrs.subresource || attrs.info.group !== 'networking.k8s.io' || attrs.info.resource !== 'ingresses' || !attrs.object) return;
    if (attrs.object.metadata.annotations?.['kubernetes.io/ingress.class'] !== undefined) return;
    const spec = (attrs.object.spec ??= {}) as { ingressClassName?: string | null };
    if (spec.ingressClassName !== undefined && spec.ingressClassName !== null) return;
    const name = newestDefault(ctx, INGRESS_CLASSES, INGRESS_DEFAULT);
    if (name) spec.ingressClassName = name;
  },
};

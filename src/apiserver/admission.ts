// The admission chain: plugins see every write and may change the object (mutating: after decoding
// and defaulting, before the resource's strategy and validation) or refuse it by throwing a
// StatusError (validating: after validation, just before storage), as kube-apiserver orders them.
// Plugins (service accounts, LimitRange defaults, quota, PodSecurity…) are added to the chain
// `startServer` builds, or later through the server handle's addAdmission().
import { forbidden, notFound, StatusError, type KubeObject, type ResourceInfo } from '../api/index.js';
import type { UserInfo } from './auth.js';

export interface AdmissionAttributes {
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  info: ResourceInfo;
  subresource: string;
  namespace: string;
  name: string;
  object?: KubeObject;
  oldObject?: KubeObject;
  user: UserInfo;
  dryRun: boolean;
}

/** What a plugin may read: objects as the API server currently has them (from the watch cache). */
export interface AdmissionContext {
  getNamespace(name: string): Promise<KubeObject | undefined>;
  /** One object, or undefined. */
  get(info: ResourceInfo, namespace: string, name: string): KubeObject | undefined;
  /** The objects of a resource in a namespace ("" = all namespaces, or cluster-scoped). */
  list(info: ResourceInfo, namespace: string): KubeObject[];
}

export interface AdmissionPlugin {
  name: string;
  /** Validating plugins run after validation and must not change the object; default: mutating. */
  validating?: boolean;
  admit(attrs: AdmissionAttributes, ctx: AdmissionContext): Promise<void>;
}

export async function runAdmission(chain: AdmissionPlugin[], phase: 'mutating' | 'validating', attrs: AdmissionAttributes, ctx: AdmissionContext): Promise<void> {
  for (const plugin of chain) if (Boolean(plugin.validating) === (phase === 'validating')) await plugin.admit(attrs, ctx);
}

const IMMORTAL_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);

/**
 * NamespaceLifecycle: no new objects in a namespace that does not exist (404) or is being deleted
 * (403), and the system namespaces cannot be deleted (kube's plugin/namespace/lifecycle).
 */
export const namespaceLifecycle: AdmissionPlugin = {
  name: 'NamespaceLifecycle',
  async admit(attrs, ctx) {
    if (attrs.info.group === '' && attrs.info.resource === 'namespaces') {
      if (attrs.operation === 'DELETE' && IMMORTAL_NAMESPACES.has(attrs.name)) {
        throw forbidden('namespaces', '', attrs.name, 'this namespace may not be deleted');
      }
      return;
    }
    if (!attrs.info.namespaced || attrs.operation !== 'CREATE') return;
    // Subresource creates on existing objects (binding, eviction) are checked by their parent's existence.
    if (attrs.subresource) return;
    const ns = await ctx.getNamespace(attrs.namespace);
    if (!ns) throw notFound('namespaces', '', attrs.namespace);
    const phase = (ns.status as { phase?: string } | undefined)?.phase;
    if (phase === 'Terminating' || ns.metadata.deletionTimestamp) {
      const err = forbidden(attrs.info.resource, attrs.info.group, attrs.name, `unable to create new content in namespace ${attrs.namespace} because it is being terminated`);
      throw new StatusError(err.code, err.reason, err.message, {
        ...err.details,
        causes: [{ reason: 'NamespaceTerminating', message: `namespace ${attrs.namespace} is being terminated`, field: 'metadata.namespace' }],
      });
    }
  },
};

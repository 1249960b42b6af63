// The status conditions the namespace deleter writes on a Terminating namespace after every pass
// (pkg/controller/namespace/deletion/status_condition_utils.go): all five types are always present, each
// True with what went wrong or remains, or False with its "ok" reason and message.
import { rfc3339 } from '../../client/index.js';

export interface NamespaceCondition {
  type: string;
  status: 'True' | 'False';
  lastTransitionTime?: string;
  reason: string;
  message: string;
}

/** What one deletion pass over a namespace's content found. */
export interface DeletionTotals {
  /** Objects left per `resource.group` ("pods." for the core group, as Kubernetes prints it). */
  remaining: Map<string, number>;
  /** Objects left per finalizer they still carry. */
  finalizers: Map<string, number>;
  /** Errors deleting or listing content, one per resource that failed. */
  errors: string[];
}

const DISCOVERY = 'NamespaceDeletionDiscoveryFailure';
const PARSING = 'NamespaceDeletionGroupVersionParsingFailure';
const CONTENT_FAILURE = 'NamespaceDeletionContentFailure';
const CONTENT_REMAINING = 'NamespaceContentRemaining';
const FINALIZERS_REMAINING = 'NamespaceFinalizersRemaining';

/** In Kubernetes' order; the "ok" variant of each. */
const OK: Array<[type: string, reason: string, message: string]> = [
  [DISCOVERY, 'ResourcesDiscovered', 'All resources successfully discovered'],
  [PARSING, 'ParsedGroupVersions', 'All legacy kube types successfully parsed'],
  [CONTENT_FAILURE, 'ContentDeleted', 'All content successfully deleted, may be waiting on finalization'],
  [CONTENT_REMAINING, 'ContentRemoved', 'All content successfully removed'],
  [FINALIZERS_REMAINING, 'ContentRemoved', 'All content successfully removed'],
];

/**
 * The conditions a pass leads to. Discovery and group-version parsing cannot fail here (the resources
 * come from the API server's own registry), so those two are always their False "ok" variants.
 */
export function deletionConditions(totals: DeletionTotals): NamespaceCondition[] {
  const failing = new Map<string, Pick<NamespaceCondition, 'reason' | 'message'>>();
  const counted = (m: Map<string, number>, format: (key: string, n: number) => string): string =>
    [...m]
      .filter(([, n]) => n > 0)
      .map(([key, n]) => format(key, n))
      .sort()
      .join(', ');
  if (totals.errors.length) {
    failing.set(CONTENT_FAILURE, {
      reason: 'ContentDeletionFailed',
      message: `Failed to delete all resource types, ${totals.errors.length} remaining: ${[...totals.errors].sort().join(', ')}`,
    });
  }
  const remaining = counted(totals.remaining, (resource, n) => `${resource} has ${n} resource instances`);
  if (remaining) failing.set(CONTENT_REMAINING, { reason: 'SomeResourcesRemain', message: `Some resources are remaining: ${remaining}` });
  const finalizers = counted(totals.finalizers, (finalizer, n) => `${finalizer} in ${n} resource instances`);
  if (finalizers) failing.set(FINALIZERS_REMAINING, { reason: 'SomeFinalizerRemain', message: `Some finalizers are remaining: ${finalizers}` });
  return OK.map(([type, reason, message]) => {
    const bad = failing.get(type);
    return bad ? { type, status: 'True', ...bad } : { type, status: 'False', reason, message };
  });
}

/**
 * Merges `next` into the namespace's conditions as updateConditions does: a new type is appended, a
 * changed one keeps its place and gets a new lastTransitionTime only when its status flips; other
 * types stay. Returns undefined when nothing changed (no status write needed).
 */
export function mergeConditions(current: NamespaceCondition[], next: NamespaceCondition[], now: Date): NamespaceCondition[] | undefined {
  const merged = current.map((c) => ({ ...c }));
  let changed = false;
  for (const n of next) {
    const old = merged.find((c) => c.type === n.type);
    if (!old) {
      merged.push({ ...n, lastTransitionTime: rfc3339(now) });
      changed = true;
    } else if (old.status !== n.status || old.reason !== n.reason || old.message !== n.message) {
      if (old.status !== n.status) old.lastTransitionTime = rfc3339(now);
      Object.assign(old, { status: n.status, reason: n.reason, message: n.message });
      changed = true;
    }
  }
  return changed ? merged : undefined;
}

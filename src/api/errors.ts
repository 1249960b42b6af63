// metav1.Status errors, shaped exactly as kube-apiserver's constructors build them
// (k8s.io/apimachinery/pkg/api/errors), because kubectl prints them verbatim.

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Invalid'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'Timeout'
  | 'TooManyRequests'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Expired';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code: number;
}

export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = 'StatusError';
  }

  toStatus(): Status {
    const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason, code: this.code };
    if (this.details) status.details = this.details;
    return status;
  }
}

/** "pods" in core, "deployments.apps" in a group: the qualified resource kube-apiserver prints. */
export function qualifiedResource(resource: string, group: string): string {
  return group ? `${resource}.${group}` : resource;
}

export function notFound(resource: string, group: string, name: string): StatusError {
  return new StatusError(404, 'NotFound', `${qualifiedResource(resource, group)} "${name}" not found`, { name, group: group || undefined, kind: resource });
}

export function alreadyExists(resource: string, group: string, name: string): StatusError {
  return new StatusError(409, 'AlreadyExists', `${qualifiedResource(resource, group)} "${name}" already exists`, { name, group: group || undefined, kind: resource });
}

export function conflict(resource: string, group: string, name: string, why: string): StatusError {
  return new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(resource, group)} "${name}": ${why}`, {
    name,
    group: group || undefined,
    kind: resource,
  });
}

export const OBJECT_MODIFIED = 'the object has been modified; please apply your changes to the latest version and try again';

export function badRequest(message: string): StatusError {
  return new StatusError(400, 'BadRequest', message);
}

export function forbidden(resource: string, group: string, name: string, why: string): StatusError {
  const target = name ? `${qualifiedResource(resource, group)} "${name}"` : qualifiedResource(resource, group);
  return new StatusError(403, 'Forbidden', `${target} is forbidden: ${why}`, { name: name || undefined, group: group || undefined, kind: resource });
}

export function methodNotAllowed(message = 'the server does not allow this method on the requested resource'): StatusError {
  return new StatusError(405, 'MethodNotAllowed', message);
}

export function gone(message: string): StatusError {
  return new StatusError(410, 'Expired', message);
}

export function internalError(message: string): StatusError {
  return new StatusError(500, 'InternalError', `Internal error occurred: ${message}`);
}

/** A field error in the shape of field.Error: `spec.containers[0].name: Required value`. */
export interface FieldError {
  type: 'FieldValueRequired' | 'FieldValueInvalid' | 'FieldValueNotSupported' | 'FieldValueDuplicate' | 'FieldValueForbidden' | 'FieldValueTooLong' | 'FieldValueTooMany' | 'FieldValueNotFound';
  field: string;
  message: string;
}

/** 422 Invalid, message `Kind.group "name" is invalid: [a, b]` exactly as NewInvalid builds it. */
export function invalid(kind: string, group: string, name: string, errors: FieldError[]): StatusError {
  const qualifiedKind = group ? `${kind}.${group}` : kind;
  const messages = errors.map((e) => `${e.field}: ${e.message}`);
  const aggregate = messages.length === 1 ? messages[0] : `[${messages.join(', ')}]`;
  return new StatusError(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${aggregate}`, {
    name,
    group: group || undefined,
    kind,
    causes: errors.map((e) => ({ reason: e.type, message: e.message, field: e.field })),
  });
}

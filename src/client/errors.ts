// Turning HTTP answers into StatusError (src/api) the way client-go does: a body that is a
// metav1.Status with status Failure is used as is; anything else gets the generic text
// apimachinery's NewGenericServerResponse gives for the code.
import { StatusError, type Status, type StatusReason } from '../api/index.js';

const GENERIC: Record<number, [StatusReason, string]> = {
  400: ['BadRequest', 'the server rejected our request for an unknown reason'],
  401: ['Unauthorized', 'the server has asked for the client to provide credentials'],
  403: ['Forbidden', 'the server does not allow access to the requested resource'],
  404: ['NotFound', 'the server could not find the requested resource'],
  405: ['MethodNotAllowed', 'the server does not allow this method on the requested resource'],
  406: ['NotAcceptable', 'the server was unable to respond with a content type that the client supports'],
  409: ['Conflict', 'the server reported a conflict'],
  410: ['Gone', 'the server reported that the requested resource is gone'],
  413: ['RequestEntityTooLarge', 'the server has rejected the request because the request entity is too large'],
  415: ['UnsupportedMediaType', 'the server was unable to process the request because the media type is not supported'],
  422: ['Invalid', 'the server rejected our request due to an error in our request'],
  429: ['TooManyRequests', 'the server has received too many requests and has asked us to try again later'],
  503: ['ServiceUnavailable', 'the server is currently unable to handle the request'],
  504: ['Timeout', 'the server was unable to return a response in the time allotted, but may still be processing the request'],
};

/** The StatusError for a failed response (code >= 300) with the given body text. */
export function errorFromResponse(code: number, body: string): StatusError {
  const status = parseStatus(body);
  if (status && status.status === 'Failure') {
    return new StatusError(status.code || code, status.reason ?? GENERIC[code]?.[0] ?? 'InternalError', status.message ?? '', status.details);
  }
  const generic = GENERIC[code];
  if (generic) return new StatusError(code, generic[0], generic[1]);
  const text = body.trim().slice(0, 1024);
  return new StatusError(code, code >= 500 ? 'InternalError' : 'BadRequest', `an error on the server (${JSON.stringify(text || 'unknown')}) has prevented the request from succeeding`);
}

/** A Status object as carried by a watch ERROR event → StatusError. */
export function errorFromStatus(status: Partial<Status>): StatusError {
  const code = status.code ?? 500;
  return new StatusError(code, status.reason ?? GENERIC[code]?.[0] ?? 'InternalError', status.message ?? GENERIC[code]?.[1] ?? 'unknown error', status.details);
}

function parseStatus(body: string): Partial<Status> | undefined {
  if (!body.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(body) as Partial<Status>;
    return parsed && parsed.kind === 'Status' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function reasonOf(err: unknown): StatusReason | undefined {
  return err instanceof StatusError ? err.reason : undefined;
}

export const isNotFound = (err: unknown): boolean => reasonOf(err) === 'NotFound';
export const isAlreadyExists = (err: unknown): boolean => reasonOf(err) === 'AlreadyExists';
export const isConflict = (err: unknown): boolean => reasonOf(err) === 'Conflict';
export const isInvalid = (err: unknown): boolean => reasonOf(err) === 'Invalid';
export const isForbidden = (err: unknown): boolean => reasonOf(err) === 'Forbidden';
/** 410: a resourceVersion too old to list or watch from ("Expired" from the watch cache, "Gone" otherwise). */
export const isResourceExpired = (err: unknown): boolean => {
  const reason = reasonOf(err);
  return reason === 'Expired' || reason === 'Gone';
};

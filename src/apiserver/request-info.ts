// Turns a request path into what it addresses, as kube-apiserver's RequestInfoFactory does:
// /api/v1/namespaces/default/pods/web/status → {group:"", version:"v1", namespace:"default",
// resource:"pods", name:"web", subresource:"status", verb:"update"}.

import { badRequest, queryBool } from '../api/index.js';

export interface RequestInfo {
  isResourceRequest: boolean;
  path: string;
  verb: string;
  /** "api" or "apis" for resource requests. */
  prefix?: string;
  group: string;
  version: string;
  namespace: string;
  resource: string;
  name: string;
  subresource: string;
  /** Remaining path segments after the subresource (pods/x/proxy/some/path). */
  rest: string[];
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest(`invalid URL path segment: ${segment}`);
  }
}

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

export function requestInfo(method: string, pathname: string, query: URLSearchParams): RequestInfo {
  const base: RequestInfo = { isResourceRequest: false, path: pathname, verb: method.toLowerCase(), group: '', version: '', namespace: '', resource: '', name: '', subresource: '', rest: [] };
  const parts = pathname.split('/').filter(Boolean).map(decodeSegment);
  if (parts[0] !== 'api' && parts[0] !== 'apis') return base;
  let i = 1;
  const info: RequestInfo = { ...base, prefix: parts[0] };
  if (parts[0] === 'apis') {
    if (parts.length < 3) return { ...base, prefix: parts[0], group: parts[1] ?? '' };
    info.group = parts[1];
    i = 2;
  } else if (parts.length < 2) return { ...base, prefix: parts[0] };
  info.version = parts[i++];
  if (i >= parts.length) return { ...info, isResourceRequest: false };
  info.isResourceRequest = true;
  let watchPath = false;
  if (parts[i] === 'watch') {
    watchPath = true;
    i++;
  }
  let rest = parts.slice(i);
  if (rest[0] === 'namespaces' && rest.length > 1) {
    info.namespace = rest[1];
    // namespaces/x/pods… addresses pods in x; namespaces/x and namespaces/x/{status,finalize} the namespace x.
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2])) rest = rest.slice(2);
  }
  info.resource = rest[0] ?? '';
  info.name = rest[1] ?? '';
  info.subresource = rest[2] ?? '';
  info.rest = rest.slice(3);

  const isWatch = watchPath || queryBool(query, 'watch');
  switch (method) {
    case 'GET':
    case 'HEAD':
      info.verb = isWatch ? 'watch' : info.name ? 'get' : 'list';
      break;
    case 'POST':
      info.verb = 'create';
      break;
    case 'PUT':
      info.verb = 'update';
      break;
    case 'PATCH':
      info.verb = 'patch';
      break;
    case 'DELETE':
      info.verb = info.name ? 'delete' : 'deletecollection';
      break;
    default:
      info.verb = method.toLowerCase();
  }
  return info;
}

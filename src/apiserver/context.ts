// What every request handler gets: the parsed request, the caller, and the server's shared parts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResourceInfo } from '../api/index.js';
import type { Store } from '../storage/index.js';
import type { AdmissionPlugin } from './admission.js';
import type { UserInfo } from './auth.js';
import type { MediaType } from './media.js';
import type { Metrics } from './metrics.js';
import type { ObjectStorage } from './objects.js';
import type { RequestInfo } from './request-info.js';
import type { ServiceAllocator } from './service-alloc.js';
import type { WatchCache } from './watch-cache.js';

export interface ServerCore {
  store: Store;
  objects: ObjectStorage;
  cache: WatchCache;
  admission: AdmissionPlugin[];
  metrics: Metrics;
  services: ServiceAllocator;
  /** Closed when the server stops: long-running requests (watches) end. */
  stopping: AbortSignal;
}

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
  ri: RequestInfo;
  user: UserInfo;
  accept: MediaType[];
  /** `Warning:` headers to send with the response. */
  warnings: string[];
  /** Set for `Connection: Upgrade` requests (exec, attach, port-forward): the bytes read past the head. */
  upgradeHead?: Buffer;
  core: ServerCore;
}

export interface ResourceContext extends RequestContext {
  info: ResourceInfo;
}

export function isDryRun(query: URLSearchParams): boolean {
  return query.getAll('dryRun').includes('All');
}

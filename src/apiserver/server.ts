// The HTTPS server: every request goes through authentication, authorization and then either a
// non-resource path or the resource router, inside one error boundary so that no request can crash
// or wedge the process. Responses are counted and timed for /metrics.
import https from 'node:https';
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { StatusError } from '../api/index.js';
import { UnavailableError } from '../storage/index.js';
import { authenticate, authorize, ANONYMOUS, type Authenticator, type Authorizer } from './auth.js';
import type { RequestContext, ServerCore } from './context.js';
import { sendError } from './http-util.js';
import { parseAccept } from './media.js';
import { METRICS_GROUP, type ResourceMetrics } from './metrics-api.js';
import { handleNonResource, type NonResourceDeps } from './nonresource.js';
import { requestInfo } from './request-info.js';
import { handleReview } from './reviews.js';
import { routeResource, type Connectors } from './router.js';

/** Reachable without credentials, as kube-apiserver's system:public-info-viewer role allows (and k3s's /cacerts). */
const PUBLIC_PATHS = /^\/(healthz|livez|readyz|version|cacerts)(\/|$)/;

export interface HttpDeps extends NonResourceDeps {
  core: ServerCore;
  authenticators: Authenticator[];
  authorizers: Authorizer[];
  connectors: Connectors;
  resourceMetrics: ResourceMetrics;
}

function unauthorized(): StatusError {
  return new StatusError(401, 'Unauthorized', 'Unauthorized');
}

function forbiddenFor(user: string, ctx: RequestContext): StatusError {
  const ri = ctx.ri;
  if (!ri.isResourceRequest) return new StatusError(403, 'Forbidden', `forbidden: User "${user}" cannot ${ri.verb} path "${ri.path}"`, {});
  const res = ri.subresource ? `${ri.resource}/${ri.subresource}` : ri.resource;
  const target = ri.name ? `${ri.resource} "${ri.name}"` : ri.resource;
  const scope = ri.namespace ? ` in the namespace "${ri.namespace}"` : ' at the cluster scope';
  return new StatusError(403, 'Forbidden', `${target} is forbidden: User "${user}" cannot ${ri.verb} resource "${res}" in API group "${ri.group}"${scope}`, {
    name: ri.name || undefined,
    group: ri.group || undefined,
    kind: ri.resource,
  });
}

async function serve(req: IncomingMessage, res: ServerResponse, deps: HttpDeps, seen: { verb: string; resource: string }, upgradeHead?: Buffer): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://localhost');
  const ri = requestInfo(req.method ?? 'GET', url.pathname, url.searchParams);
  seen.verb = ri.verb.toUpperCase();
  seen.resource = ri.resource;
  const user = authenticate(deps.authenticators, req);
  const ctx: RequestContext = { req, res, query: url.searchParams, ri, user: user instanceof Error ? ANONYMOUS : user, accept: parseAccept(req.headers.accept), warnings: [], core: deps.core, upgradeHead };
  if (user instanceof Error) throw unauthorized();
  if (user === ANONYMOUS && !PUBLIC_PATHS.test(url.pathname)) throw unauthorized();
  if (user !== ANONYMOUS) {
    const decision = authorize(deps.authorizers, user, ri);
    if (!decision.allowed) throw forbiddenFor(user.name, ctx);
  }
  // Warnings are collected while handling and sent just before the headers go out.
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
  (res as { writeHead: unknown }).writeHead = (...args: unknown[]) => {
    if (ctx.warnings.length && !res.headersSent) res.setHeader('Warning', [...new Set(ctx.warnings)].map((w) => `299 - ${JSON.stringify(w)}`));
    return writeHead(...args);
  };
  if (ri.isResourceRequest) {
    if (await handleReview(ctx, deps.authorizers)) return;
    if (ri.group === METRICS_GROUP.name) return deps.resourceMetrics.serve(ctx);
    await routeResource(ctx, deps.connectors);
    return;
  }
  if (await handleNonResource(ctx, deps)) return;
  throw new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
}

export function createHttpsServer(tls: { key: string; cert: string; ca: string }, deps: HttpDeps): https.Server {
  const handle = (req: IncomingMessage, res: ServerResponse, upgradeHead?: Buffer): void => {
    const started = process.hrtime.bigint();
    const seen = { verb: '', resource: '' };
    res.on('finish', () => deps.core.metrics.observe(seen.verb, seen.resource, res.statusCode, Number(process.hrtime.bigint() - started) / 1e9));
    serve(req, res, deps, seen, upgradeHead).catch((err: unknown) => {
      if (!(err instanceof StatusError) && !(err instanceof UnavailableError)) process.stderr.write(`apiserver: ${req.method} ${req.url}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      try {
        sendError(res, err);
      } catch {
        res.destroy();
      }
    });
  };
  const server = https.createServer({ key: tls.key, cert: tls.cert, ca: tls.ca, requestCert: true, rejectUnauthorized: false }, (req, res) => handle(req, res));
  // Upgrade requests get a response bound to their socket, so errors are ordinary Status answers and
  // a streaming connector can take the raw socket over.
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const res = new ServerResponse(req);
    res.assignSocket(socket);
    res.shouldKeepAlive = false;
    res.on('finish', () => socket.end());
    handle(req, res, head);
  });
  // Watches stay open for as long as their timeoutSeconds; node's default 5-minute request timeout would cut them.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 90_000;
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  return server;
}

// Paths that are not resources: /version, health checks, /metrics, OpenAPI and discovery.
import type { ServerResponse } from 'node:http';
import { StatusError } from '../api/index.js';
import type { RequestContext } from './context.js';
import { aggregated, legacyApi, legacyApis, legacyGroup, resourceList } from './discovery.js';
import { sendJson, sendText } from './http-util.js';
import { discoveryContentType, negotiateDiscovery } from './media.js';
import { metricsOpenapiDocument, metricsOpenapiIndex } from './metrics-api-openapi.js';
import { openapiV2, openapiV3Document, openapiV3Index } from './model.js';

export const KUBE_VERSION = { major: '1', minor: '33', gitVersion: 'v1.33.1+skiff' };

export function versionInfo(): Record<string, string> {
  return {
    ...KUBE_VERSION,
    gitCommit: 'skiff',
    gitTreeState: 'clean',
    buildDate: '2026-11-23T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'tsc',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}

export type HealthCheck = { name: string; check: () => Promise<void> };

/** /healthz, /livez, /readyz (and /<endpoint>/<check>): `ok`, or kube's itemised report with ?verbose or on failure. */
async function health(ctx: RequestContext, endpoint: string, checks: HealthCheck[], only: string | undefined): Promise<void> {
  const selected = only ? checks.filter((c) => c.name === only) : checks;
  if (only && selected.length === 0) return notFound(ctx.res);
  const exclude = new Set(ctx.query.getAll('exclude'));
  const lines: string[] = [];
  let failed = false;
  for (const c of selected) {
    if (exclude.has(c.name)) {
      lines.push(`[+]${c.name} excluded: ok`);
      continue;
    }
    try {
      await c.check();
      lines.push(`[+]${c.name} ok`);
    } catch {
      failed = true;
      lines.push(`[-]${c.name} failed: reason withheld`);
    }
  }
  const verbose = ctx.query.has('verbose');
  if (!failed && !verbose) return sendText(ctx.res, 200, 'text/plain; charset=utf-8', 'ok');
  lines.push(failed ? `${endpoint} check failed` : `${endpoint} check passed`);
  sendText(ctx.res, failed ? 500 : 200, 'text/plain; charset=utf-8', lines.join('\n') + '\n');
}

function notFound(res: ServerResponse): void {
  sendJson(res, 404, new StatusError(404, 'NotFound', 'the server could not find the requested resource', {}).toStatus());
}

function discovery(ctx: RequestContext, core: boolean, legacy: () => Record<string, unknown>): void {
  const format = negotiateDiscovery(ctx.accept);
  if (!format) throw new StatusError(406, 'NotAcceptable', 'only the following media types are accepted: application/json, application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
  ctx.res.setHeader('Vary', 'Accept');
  if (format === 'legacy') return sendJson(ctx.res, 200, legacy());
  sendText(ctx.res, 200, discoveryContentType(format), JSON.stringify(aggregated(core, format)));
}

export interface NonResourceDeps {
  serverAddress: string;
  /** Served at /cacerts (k3s): agents fetch it and check it against their join token's hash. */
  caCert: string;
  checks: HealthCheck[];
  metrics: () => string;
}

/** Answers a non-resource path; false when the path is not one of them. */
export async function handleNonResource(ctx: RequestContext, deps: NonResourceDeps): Promise<boolean> {
  const path = ctx.ri.path.replace(/\/+$/, '') || '/';
  const parts = path.split('/').filter(Boolean);
  if (ctx.req.method !== 'GET' && ctx.req.method !== 'HEAD') return false;
  if (path === '/cacerts') {
    sendText(ctx.res, 200, 'text/plain', deps.caCert);
    return true;
  }
  if (path === '/version') {
    sendJson(ctx.res, 200, versionInfo());
    return true;
  }
  if (parts[0] === 'healthz' || parts[0] === 'livez' || parts[0] === 'readyz') {
    await health(ctx, parts[0], deps.checks, parts[1]);
    return true;
  }
  if (path === '/metrics') {
    sendText(ctx.res, 200, 'text/plain; version=0.0.4; charset=utf-8', deps.metrics());
    return true;
  }
  if (path === '/openapi/v2' || path === '/swagger-2.0.0.pb-v1') {
    sendText(ctx.res, 200, 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf', openapiV2());
    return true;
  }
  if (path === '/openapi/v3') {
    sendJson(ctx.res, 200, { paths: { ...openapiV3Index().paths, ...metricsOpenapiIndex() } });
    return true;
  }
  if (parts[0] === 'openapi' && parts[1] === 'v3') {
    const key = parts.slice(2).join('/');
    const doc = openapiV3Document(key) ?? metricsOpenapiDocument(key);
    if (!doc) {
      notFound(ctx.res);
      return true;
    }
    const hash = ctx.query.get('hash');
    if (hash && hash !== doc.hash) {
      ctx.res.writeHead(301, { Location: `${path}?hash=${doc.hash}` });
      ctx.res.end();
      return true;
    }
    const headers: Record<string, string> = { Etag: `"${doc.hash}"`, Vary: 'Accept' };
    if (hash) Object.assign(headers, { 'Cache-Control': 'public, immutable', Expires: new Date(Date.now() + 365 * 86400_000).toUTCString() });
    sendText(ctx.res, 200, 'application/json', doc.body, headers);
    return true;
  }
  if (path === '/api') {
    discovery(ctx, true, () => legacyApi(deps.serverAddress));
    return true;
  }
  if (path === '/apis') {
    discovery(ctx, false, legacyApis);
    return true;
  }
  if (parts[0] === 'api' && parts.length === 2) {
    const list = resourceList('', parts[1]);
    if (list) sendJson(ctx.res, 200, list);
    else notFound(ctx.res);
    return true;
  }
  if (parts[0] === 'apis' && (parts.length === 2 || parts.length === 3)) {
    const doc = parts.length === 2 ? legacyGroup(parts[1]) : resourceList(parts[1], parts[2]);
    if (doc) sendJson(ctx.res, 200, doc);
    else notFound(ctx.res);
    return true;
  }
  if (path === '/') {
    sendJson(ctx.res, 200, { paths: ['/api', '/api/v1', '/apis', '/healthz', '/livez', '/metrics', '/openapi/v2', '/openapi/v3', '/readyz', '/version'] });
    return true;
  }
  return false;
}

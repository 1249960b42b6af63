// pods/proxy and services/proxy: HTTP to a pod, or to a ready endpoint of a service, as
// kube-apiserver's proxy subresources do (`kubectl proxy`, the URLs `kubectl cluster-info` prints).
// The name segment may carry a scheme and port: `[https:]name[:port]`; the rest of the path and the
// query go to the backend. Targets are pod IPs, which live in network namespaces skiff created.
import http from 'node:http';
import https from 'node:https';
import { badRequest, lookupResource, StatusError, type KubeObject } from '../api/index.js';
import type { ResourceContext } from './context.js';
import type { Connector } from './router.js';

interface ProxyTarget {
  scheme: 'http' | 'https';
  host: string;
  port: number;
}

/** Splits `[scheme:]name[:port]` as kube's proxy subresources read it. */
export function parseProxyName(text: string): { scheme: 'http' | 'https'; name: string; port: string } {
  const parts = text.split(':');
  if (parts.length === 3) {
    if (parts[0] !== 'http' && parts[0] !== 'https') throw badRequest(`invalid scheme "${parts[0]}" in "${text}"`);
    return { scheme: parts[0], name: parts[1], port: parts[2] };
  }
  if (parts.length === 2) return { scheme: 'http', name: parts[0], port: parts[1] };
  if (parts.length === 1) return { scheme: 'http', name: parts[0], port: '' };
  throw badRequest(`invalid proxy name "${text}"`);
}

function unavailable(message: string): StatusError {
  return new StatusError(503, 'ServiceUnavailable', message, {});
}

async function podTarget(ctx: ResourceContext): Promise<ProxyTarget> {
  const { scheme, name, port } = parseProxyName(ctx.ri.name);
  const pod = await ctx.core.objects.get(ctx.info, ctx.ri.namespace, name);
  const ip = (pod.status as { podIP?: string } | undefined)?.podIP;
  if (!ip) throw unavailable(`address not allowed: pod ${name} has no IP yet`);
  if (port && !/^\d+$/.test(port)) {
    const containers = ((pod.spec ?? {}) as { containers?: Array<{ ports?: Array<{ name?: string; containerPort: number }> }> }).containers ?? [];
    const named = containers.flatMap((c) => c.ports ?? []).find((p) => p.name === port);
    if (!named) throw badRequest(`no port named "${port}" in pod ${name}`);
    return { scheme, host: ip, port: named.containerPort };
  }
  return { scheme, host: ip, port: port ? Number(port) : 80 };
}

interface SlicePort {
  name?: string;
  port?: number;
}

async function serviceTarget(ctx: ResourceContext): Promise<ProxyTarget> {
  const { scheme, name, port } = parseProxyName(ctx.ri.name);
  const svc = await ctx.core.objects.get(ctx.info, ctx.ri.namespace, name);
  const ports = ((svc.spec ?? {}) as { ports?: Array<{ name?: string; port: number }> }).ports ?? [];
  const svcPort = port ? ports.find((p) => p.name === port || String(p.port) === port) : ports[0];
  if (!svcPort) throw unavailable(`no service port "${port}" found for service "${name}"`);
  const slicesInfo = lookupResource('discovery.k8s.io', 'v1', 'endpointslices')!;
  const slices = ctx.core.cache
    .cache(slicesInfo.storageResource)
    .list(`/registry/${slicesInfo.storageResource}/${ctx.ri.namespace}/`)
    .map((o) => o.obj)
    .filter((s: KubeObject) => s.metadata.labels?.['kubernetes.io/service-name'] === name);
  for (const slice of slices) {
    const slicePort = ((slice.ports ?? []) as SlicePort[]).find((p) => (p.name ?? '') === (svcPort.name ?? ''));
    const ready = ((slice.endpoints ?? []) as Array<{ addresses: string[]; conditions?: { ready?: boolean } }>).filter((e) => e.conditions?.ready !== false && e.addresses.length);
    if (slicePort?.port && ready.length) {
      const chosen = ready[Math.floor(Math.random() * ready.length)];
      return { scheme, host: chosen.addresses[0], port: slicePort.port };
    }
  }
  throw unavailable(`no endpoints available for service "${name}"`);
}

function forward(ctx: ResourceContext, target: ProxyTarget): Promise<void> {
  const path = `/${ctx.ri.rest.map(encodeURIComponent).join('/')}${ctx.query.toString() ? `?${ctx.query}` : ''}`;
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(ctx.req.headers)) if (v !== undefined && k !== 'authorization' && k !== 'host' && k !== 'connection') headers[k] = v;
  const client = target.scheme === 'https' ? https : http;
  return new Promise((resolve) => {
    const upstream = client.request({ host: target.host, port: target.port, path, method: ctx.req.method, headers, agent: false, rejectUnauthorized: false }, (answer) => {
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(answer.headers)) if (v !== undefined && k !== 'connection' && k !== 'transfer-encoding' && k !== 'keep-alive') out[k] = v;
      ctx.res.writeHead(answer.statusCode ?? 502, out);
      answer.pipe(ctx.res);
      answer.on('end', () => resolve());
      answer.on('error', () => {
        ctx.res.destroy();
        resolve();
      });
    });
    upstream.on('error', (err) => {
      if (!ctx.res.headersSent) {
        ctx.res.writeHead(503, { 'Content-Type': 'application/json' });
        ctx.res.end(JSON.stringify(unavailable(`error trying to reach service: ${err.message}`).toStatus()));
      } else ctx.res.destroy();
      resolve();
    });
    ctx.res.on('close', () => upstream.destroy());
    if (ctx.req.readableEnded) upstream.end();
    else ctx.req.pipe(upstream);
  });
}

export function proxyConnectors(): Map<string, Connector> {
  return new Map<string, Connector>([
    ['pods/proxy', async (ctx) => forward(ctx, await podTarget(ctx))],
    ['services/proxy', async (ctx) => forward(ctx, await serviceTarget(ctx))],
  ]);
}

// Streaming subresources served by the pod's kubelet, proxied as kube-apiserver does: pods/log →
// GET /containerLogs/<ns>/<pod>/<container>, pods/exec → /exec/<ns>/<pod>/<container>, pods/attach →
// /attach/…, pods/portforward → /portForward/<ns>/<pod>, nodes/proxy → /<path>. The kubelet is found
// from the Node object (InternalIP, else the first address; status.daemonEndpoints.kubeletEndpoint.Port,
// default 10250); the API server authenticates to it with its client certificate. Upgrade requests
// (SPDY, WebSocket: exec, attach, port-forward) are spliced through as raw streams.
import https from 'node:https';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { badRequest, notFound, StatusError, type KubeObject } from '../api/index.js';
import type { ResourceContext } from './context.js';
import type { Connector } from './router.js';

export const KUBELET_DEFAULT_PORT = 10250;

export interface KubeletClientCredentials {
  cert: string;
  key: string;
}

interface Target {
  host: string;
  port: number;
  path: string;
}

function nodeOf(ctx: ResourceContext, name: string): KubeObject {
  const node = ctx.core.cache.cache('nodes').objects.get(`/registry/nodes/${name}`)?.obj;
  if (!node) throw notFound('nodes', '', name);
  return node;
}

/** Where a node's kubelet listens. */
export function kubeletAddress(node: KubeObject): { host: string; port: number } {
  const status = (node.status ?? {}) as { addresses?: Array<{ type: string; address: string }>; daemonEndpoints?: { kubeletEndpoint?: { Port?: number } } };
  const addresses = status.addresses ?? [];
  const address = addresses.find((a) => a.type === 'InternalIP') ?? addresses.find((a) => a.type === 'ExternalIP') ?? addresses[0];
  if (!address) throw new StatusError(503, 'ServiceUnavailable', `no addresses for node "${node.metadata.name}"`);
  return { host: address.address, port: status.daemonEndpoints?.kubeletEndpoint?.Port || KUBELET_DEFAULT_PORT };
}

function queryWithout(query: URLSearchParams, drop: string[]): string {
  const q = new URLSearchParams(query);
  for (const d of drop) q.delete(d);
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** The container a request means: ?container=, else the only one, else kube's 400. */
function containerOf(pod: KubeObject, query: URLSearchParams): string {
  const wanted = query.get('container');
  const spec = (pod.spec ?? {}) as { containers?: Array<{ name: string }>; initContainers?: Array<{ name: string }>; ephemeralContainers?: Array<{ name: string }> };
  const all = [...(spec.containers ?? []), ...(spec.initContainers ?? []), ...(spec.ephemeralContainers ?? [])].map((c) => c.name);
  const name = pod.metadata.name;
  if (wanted) {
    if (!all.includes(wanted)) throw badRequest(`container ${wanted} is not valid for pod ${name}`);
    return wanted;
  }
  const main = (spec.containers ?? []).map((c) => c.name);
  if (main.length === 1) return main[0];
  throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${main.join(' ')}]`);
}

async function podTarget(ctx: ResourceContext, kubeletPath: (pod: KubeObject) => string): Promise<Target> {
  const pod = await ctx.core.objects.get(ctx.info, ctx.ri.namespace, ctx.ri.name);
  const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
  if (!nodeName) throw badRequest(`pod ${ctx.ri.name} does not have a host assigned`);
  return { ...kubeletAddress(nodeOf(ctx, nodeName)), path: kubeletPath(pod) };
}

const HOP_BY_HOP = new Set(['authorization', 'host', 'content-length', 'transfer-encoding', 'keep-alive', 'proxy-connection']);

function forwardedHeaders(ctx: ResourceContext): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(ctx.req.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v;
  return headers;
}

/** Splices an upgrade request (SPDY/WebSocket) to the kubelet: request head forwarded, then raw bytes both ways. */
function spliceUpgrade(ctx: ResourceContext, target: Target, creds: KubeletClientCredentials, head: Buffer): void {
  const client = ctx.req.socket as Duplex;
  const upstream = tls.connect({ host: target.host, port: target.port, cert: creds.cert, key: creds.key, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'], servername: undefined });
  const lines = [`${ctx.req.method} ${target.path} HTTP/1.1`, `Host: ${target.host}:${target.port}`];
  for (const [k, v] of Object.entries(forwardedHeaders(ctx))) for (const value of Array.isArray(v) ? v : [v]) lines.push(`${k}: ${value}`);
  upstream.once('secureConnect', () => {
    upstream.write(lines.join('\r\n') + '\r\n\r\n');
    if (head.length) upstream.write(head);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  const close = (): void => {
    upstream.destroy();
    client.destroy();
  };
  upstream.on('error', () => {
    if (!client.destroyed) client.end('HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nerror dialing backend\n');
    upstream.destroy();
  });
  upstream.on('close', close);
  client.on('error', close);
  client.on('close', close);
}

/** Forwards a plain request and streams the kubelet's answer back (logs -f flushes as it comes). */
function forward(ctx: ResourceContext, target: Target, creds: KubeletClientCredentials): Promise<void> {
  return new Promise((resolve) => {
    const upstream = https.request(
      { host: target.host, port: target.port, path: target.path, method: ctx.req.method, headers: forwardedHeaders(ctx), cert: creds.cert, key: creds.key, rejectUnauthorized: false, agent: false },
      (answer) => {
        const headers: Record<string, string | string[]> = {};
        for (const [k, v] of Object.entries(answer.headers)) if (v !== undefined && k !== 'connection' && k !== 'keep-alive' && k !== 'transfer-encoding') headers[k] = v;
        ctx.res.writeHead(answer.statusCode ?? 502, headers);
        ctx.res.flushHeaders();
        answer.on('data', (chunk: Buffer) => ctx.res.write(chunk));
        answer.on('end', () => {
          ctx.res.end();
          resolve();
        });
        answer.on('error', () => {
          ctx.res.destroy();
          resolve();
        });
      },
    );
    upstream.on('error', (err) => {
      if (!ctx.res.headersSent) {
        const status = new StatusError(503, 'ServiceUnavailable', `error dialing backend: ${err.message}`).toStatus();
        ctx.res.writeHead(503, { 'Content-Type': 'application/json' });
        ctx.res.end(JSON.stringify(status));
      } else ctx.res.destroy();
      resolve();
    });
    // The client going away (logs -f interrupted) ends the kubelet stream too.
    ctx.res.on('close', () => upstream.destroy());
    if (ctx.req.readableEnded) upstream.end();
    else ctx.req.pipe(upstream);
  });
}

function connector(creds: KubeletClientCredentials, targetOf: (ctx: ResourceContext) => Promise<Target>): Connector {
  return async (ctx) => {
    const target = await targetOf(ctx);
    if (ctx.upgradeHead) spliceUpgrade(ctx, target, creds, ctx.upgradeHead);
    else await forward(ctx, target, creds);
  };
}

const podPath = (ctx: ResourceContext, prefix: string, drop: string[]) => (pod: KubeObject) =>
  `/${prefix}/${encodeURIComponent(ctx.ri.namespace)}/${encodeURIComponent(ctx.ri.name)}/${encodeURIComponent(containerOf(pod, ctx.query))}${queryWithout(ctx.query, drop)}`;

/** The connectors of the built-in streaming subresources, keyed "resource/subresource". */
export function kubeletConnectors(creds: KubeletClientCredentials): Map<string, Connector> {
  return new Map<string, Connector>([
    ['pods/log', connector(creds, (ctx) => podTarget(ctx, podPath(ctx, 'containerLogs', ['container'])))],
    ['pods/exec', connector(creds, (ctx) => podTarget(ctx, podPath(ctx, 'exec', ['container'])))],
    ['pods/attach', connector(creds, (ctx) => podTarget(ctx, podPath(ctx, 'attach', ['container'])))],
    ['pods/portforward', connector(creds, (ctx) => podTarget(ctx, () => `/portForward/${encodeURIComponent(ctx.ri.namespace)}/${encodeURIComponent(ctx.ri.name)}${queryWithout(ctx.query, [])}`))],
    [
      'nodes/proxy',
      connector(creds, async (ctx) => ({ ...kubeletAddress(nodeOf(ctx, ctx.ri.name)), path: `/${ctx.ri.rest.map(encodeURIComponent).join('/')}${queryWithout(ctx.query, [])}` })),
    ],
  ]);
}

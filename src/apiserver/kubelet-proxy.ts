// Streaming subresources served by the pod's kubelet, proxied as kube-apiserver does (LocationStreamer
// for logs, UpgradeAwareHandler for the rest): pods/log → GET /containerLogs/<ns>/<pod>/<container>,
// pods/exec → /exec/<ns>/<pod>/<container>, pods/attach → /attach/…, pods/portforward →
// /portForward/<ns>/<pod>, nodes/proxy → /<path>. The kubelet is found from the Node object (InternalIP,
// else the first address; status.daemonEndpoints.kubeletEndpoint.Port, default 10250) and speaks HTTP;
// the API server proves itself with the cluster's join token (src/kubelet/streaming/server.ts checks it).
// Upgrade requests (SPDY, WebSocket: exec, attach, port-forward) are spliced through as raw streams
// after the request line is rewritten to the kubelet's path, so kubectl's protocols reach it unchanged.
import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { badRequest, lookupResource, StatusError, type KubeObject } from '../api/index.js';
import type { ResourceContext } from './context.js';
import type { Connector } from './router.js';

export const KUBELET_DEFAULT_PORT = 10250;

interface Target {
  host: string;
  port: number;
  path: string;
}

/** Where a node's kubelet listens. */
export function kubeletAddress(node: KubeObject): { host: string; port: number } {
  const status = (node.status ?? {}) as { addresses?: Array<{ type: string; address: string }>; daemonEndpoints?: { kubeletEndpoint?: { Port?: number } } };
  const addresses = status.addresses ?? [];
  const address = addresses.find((a) => a.type === 'InternalIP') ?? addresses[0];
  if (!address) throw new StatusError(503, 'ServiceUnavailable', `node "${node.metadata.name}" has no kubelet endpoint`, {});
  return { host: address.address, port: status.daemonEndpoints?.kubeletEndpoint?.Port || KUBELET_DEFAULT_PORT };
}

async function nodeAddress(ctx: ResourceContext, nodeName: string): Promise<{ host: string; port: number }> {
  try {
    return kubeletAddress(await ctx.core.objects.get(lookupResource('', 'v1', 'nodes')!, '', nodeName));
  } catch (err) {
    if (err instanceof StatusError && err.reason === 'NotFound') throw new StatusError(503, 'ServiceUnavailable', `node "${nodeName}" is not registered`, {});
    throw err;
  }
}

function queryWithout(query: URLSearchParams, drop: string[]): string {
  const q = new URLSearchParams(query);
  for (const d of drop) q.delete(d);
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** The container a request is for: ?container=, the default-container annotation, or the only one (kube's 400s otherwise). */
function containerOf(pod: KubeObject, query: URLSearchParams): string {
  const spec = (pod.spec ?? {}) as { containers?: Array<{ name: string }>; initContainers?: Array<{ name: string }>; ephemeralContainers?: Array<{ name: string }> };
  const all = [...(spec.containers ?? []), ...(spec.initContainers ?? []), ...(spec.ephemeralContainers ?? [])].map((c) => c.name);
  const main = (spec.containers ?? []).map((c) => c.name);
  const name = pod.metadata.name;
  const wanted = query.get('container') || pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'] || (main.length === 1 ? main[0] : '');
  if (!wanted) throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${main.join(' ')}]`);
  if (!all.includes(wanted)) throw badRequest(`container ${wanted} is not valid for pod ${name}`);
  return wanted;
}

async function podTarget(ctx: ResourceContext, kubeletPath: (pod: KubeObject) => string): Promise<Target> {
  const pod = await ctx.core.objects.get(ctx.info, ctx.ri.namespace, ctx.ri.name);
  const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
  if (!nodeName) throw badRequest(`pod ${ctx.ri.name} does not have a host assigned`);
  return { ...(await nodeAddress(ctx, nodeName)), path: kubeletPath(pod) };
}

const HOP_BY_HOP = new Set(['authorization', 'host', 'content-length', 'transfer-encoding', 'keep-alive', 'proxy-connection']);

function forwardedHeaders(ctx: ResourceContext, token: string): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(ctx.req.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v;
  headers.authorization = `Bearer ${token}`;
  return headers;
}

/** Splices an upgrade request to the kubelet: the request head rewritten, then raw bytes both ways. */
function spliceUpgrade(ctx: ResourceContext, target: Target, token: string, head: Buffer): void {
  const client = ctx.req.socket as Duplex;
  const upstream = net.connect({ host: target.host, port: target.port });
  const lines = [`${ctx.req.method} ${target.path} HTTP/1.1`, `host: ${target.host}:${target.port}`];
  for (const [k, v] of Object.entries(forwardedHeaders(ctx, token))) for (const value of Array.isArray(v) ? v : [v]) lines.push(`${k}: ${value}`);
  upstream.once('connect', () => {
    upstream.write(lines.join('\r\n') + '\r\n\r\n');
    if (head.length) upstream.write(head);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  upstream.on('error', (err) => {
    if (!client.destroyed) {
      const body = JSON.stringify(new StatusError(503, 'ServiceUnavailable', `error dialing backend: ${err.message}`, {}).toStatus());
      client.end(`HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    }
    upstream.destroy();
  });
  upstream.on('close', () => client.destroy());
  client.on('error', () => upstream.destroy());
  client.on('close', () => upstream.destroy());
}

/** Forwards a plain request and streams the kubelet's answer back as it comes (logs -f). */
function forward(ctx: ResourceContext, target: Target, token: string): Promise<void> {
  return new Promise((resolve) => {
    const upstream = http.request({ host: target.host, port: target.port, path: target.path, method: ctx.req.method, headers: forwardedHeaders(ctx, token), agent: false }, (answer) => {
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
    });
    upstream.on('error', (err) => {
      if (!ctx.res.headersSent) {
        const status = new StatusError(503, 'ServiceUnavailable', `error dialing backend: ${err.message}`, {}).toStatus();
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

function connector(token: string, targetOf: (ctx: ResourceContext) => Promise<Target>): Connector {
  return async (ctx) => {
    const target = await targetOf(ctx);
    if (ctx.upgradeHead) spliceUpgrade(ctx, target, token, ctx.upgradeHead);
    else await forward(ctx, target, token);
  };
}

const podPath = (ctx: ResourceContext, prefix: string) => (pod: KubeObject) =>
  `/${prefix}/${encodeURIComponent(ctx.ri.namespace)}/${encodeURIComponent(ctx.ri.name)}/${encodeURIComponent(containerOf(pod, ctx.query))}${queryWithout(ctx.query, ['container'])}`;

/** The connectors of the kubelet's streaming subresources, keyed "resource/subresource"; `token` is the join token. */
export function kubeletConnectors(token: string): Map<string, Connector> {
  return new Map<string, Connector>([
    ['pods/log', connector(token, (ctx) => podTarget(ctx, podPath(ctx, 'containerLogs')))],
    ['pods/exec', connector(token, (ctx) => podTarget(ctx, podPath(ctx, 'exec')))],
    ['pods/attach', connector(token, (ctx) => podTarget(ctx, podPath(ctx, 'attach')))],
    ['pods/portforward', connector(token, (ctx) => podTarget(ctx, () => `/portForward/${encodeURIComponent(ctx.ri.namespace)}/${encodeURIComponent(ctx.ri.name)}${queryWithout(ctx.query, [])}`))],
    ['nodes/proxy', connector(token, async (ctx) => ({ ...(await nodeAddress(ctx, ctx.ri.name)), path: `/${ctx.ri.rest.map(encodeURIComponent).join('/')}${queryWithout(ctx.query, [])}` }))],
  ]);
}

// The ingress controller: serves the Ingresses of IngressClass "skiff" (the default class, created at
// start), resolving backends through Services and EndpointSlices and TLS through kubernetes.io/tls Secrets,
// and publishes the node's address in each served Ingress's status.loadBalancer.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { lookupResource, type KubeObject, type ResourceInfo } from '../api/index.js';
import { InformerFactory, ResourceClient, isAlreadyExists, logError, type RestClient } from '../client/index.js';
import { servicePortsFrom, type ServicePort } from '../proxy/index.js';
import { buildRouteTable, type BackendRef, type IngressObject, type RouteTable } from './routes.js';
import { startIngressServer, type IngressServer, type KeyPair, type Upstream } from './server.js';

export const INGRESS_CLASS = 'skiff';
export const CONTROLLER_NAME = 'skiff.dev/ingress-controller';
const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';

export interface IngressControllerOptions {
  rest: RestClient;
  nodeName: string;
  /** The address published in status.loadBalancer.ingress. */
  nodeIP: string;
  bindAddress: string;
  httpPort: number;
  httpsPort: number;
  /** Where the controller keeps its default (fallback) certificate. */
  stateDir: string;
}

function resource(group: string, version: string, plural: string): ResourceInfo {
  const info = lookupResource(group, version, plural);
  if (!info) throw new Error(`resource ${plural} missing from the registry`);
  return info;
}

function defaultCertificate(stateDir: string): KeyPair {
  const key = path.join(stateDir, 'default.key');
  const cert = path.join(stateDir, 'default.crt');
  if (!fs.existsSync(cert) || !fs.existsSync(key)) {
    fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '3650', '-subj', '/O=skiff/CN=skiff Ingress Controller Fake Certificate'], { stdio: 'ignore' });
  }
  return { key: fs.readFileSync(key, 'utf8'), cert: fs.readFileSync(cert, 'utf8') };
}

/** Whether this controller serves the Ingress: class skiff, or no class while skiff is the default. */
function served(ingress: KubeObject, classes: KubeObject[]): boolean {
  const spec = (ingress.spec ?? {}) as { ingressClassName?: string };
  const className = spec.ingressClassName ?? ingress.metadata.annotations?.['kubernetes.io/ingress.class'];
  const ours = classes.filter((c) => (c.spec as { controller?: string } | undefined)?.controller === CONTROLLER_NAME);
  if (className) return ours.some((c) => c.metadata.name === className);
  return ours.some((c) => c.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true');
}

export async function startIngressController(options: IngressControllerOptions): Promise<IngressServer & { stop(): Promise<void> }> {
  const classClient = new ResourceClient(options.rest, resource('networking.k8s.io', 'v1', 'ingressclasses'));
  try {
    await classClient.create({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IngressClass',
      metadata: { name: INGRESS_CLASS, annotations: { [DEFAULT_CLASS_ANNOTATION]: 'true' } },
      spec: { controller: CONTROLLER_NAME },
    });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }

  const ingressInfo = resource('networking.k8s.io', 'v1', 'ingresses');
  const factory = new InformerFactory(options.rest);
  const ingresses = factory.informer(ingressInfo);
  const classes = factory.informer(resource('networking.k8s.io', 'v1', 'ingressclasses'));
  const services = factory.informer(resource('', 'v1', 'services'));
  const slices = factory.informer(resource('discovery.k8s.io', 'v1', 'endpointslices'));
  const secrets = factory.informer(resource('', 'v1', 'secrets'));
  const ingressClient = new ResourceClient(options.rest, ingressInfo);

  let table: RouteTable = buildRouteTable([]);
  /** Service ports by "namespace/service", so a request looks at its own service's ports only. */
  let ports = new Map<string, ServicePort[]>();
  const cursor = new Map<string, number>();
  const refreshRoutes = () => {
    const mine = ingresses.lister.list().filter((i) => served(i, classes.lister.list()));
    table = buildRouteTable(mine as unknown as IngressObject[]);
    for (const ing of mine) void publishStatus(ing);
  };
  const refreshBackends = () => {
    const byService = new Map<string, ServicePort[]>();
    for (const sp of servicePortsFrom(services.lister.list(), slices.lister.list(), options.nodeName)) {
      const key = `${sp.namespace}/${sp.service}`;
      byService.set(key, [...(byService.get(key) ?? []), sp]);
    }
    ports = byService;
  };
  const publishStatus = async (ing: KubeObject) => {
    const current = (ing.status as { loadBalancer?: { ingress?: Array<{ ip?: string }> } } | undefined)?.loadBalancer?.ingress ?? [];
    if (current.length === 1 && current[0].ip === options.nodeIP) return;
    try {
      await ingressClient.patch(ing.metadata.name ?? '', { status: { loadBalancer: { ingress: [{ ip: options.nodeIP }] } } }, 'merge', { namespace: ing.metadata.namespace, subresource: 'status' });
    } catch (err) {
      logError('ingress controller', `cannot publish status of ${ing.metadata.namespace}/${ing.metadata.name}`, err);
    }
  };
  for (const informer of [ingresses, classes]) informer.addEventHandler({ add: refreshRoutes, update: refreshRoutes, delete: refreshRoutes });
  for (const informer of [services, slices]) informer.addEventHandler({ add: refreshBackends, update: refreshBackends, delete: refreshBackends });
  factory.start();
  await factory.waitForSync();
  refreshBackends();
  refreshRoutes();

  const resolve = (backend: BackendRef): Upstream | undefined => {
    const sp = ports.get(`${backend.namespace}/${backend.service}`)?.find((p) => (typeof backend.port === 'number' ? p.port === backend.port : p.portName === backend.port));
    const ready = sp?.endpoints.filter((e) => e.ready) ?? [];
    if (!sp || ready.length === 0) return undefined;
    const key = `${backend.namespace}/${backend.service}:${backend.port}`;
    const next = cursor.get(key) ?? 0;
    cursor.set(key, next + 1);
    const endpoint = ready[next % ready.length];
    return { host: endpoint.ip, port: endpoint.port };
  };
  const certificate = (ref: string): KeyPair | undefined => {
    const [namespace, name] = ref.split('/');
    const secret = secrets.lister.get(name, namespace);
    const data = secret?.data as Record<string, string> | undefined;
    if (!data?.['tls.crt'] || !data['tls.key']) return undefined;
    return { cert: Buffer.from(data['tls.crt'], 'base64').toString(), key: Buffer.from(data['tls.key'], 'base64').toString() };
  };

  const server = await startIngressServer({
    bindAddress: options.bindAddress,
    httpPort: options.httpPort,
    httpsPort: options.httpsPort,
    table: () => table,
    resolve,
    certificate,
    defaultCertificate: defaultCertificate(options.stateDir),
  });
  return {
    ...server,
    stop: async () => {
      factory.stop();
      await server.close();
    },
  };
}

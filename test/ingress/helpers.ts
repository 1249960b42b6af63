// The ingress data plane alone on loopback, for the HTTP/1 tests: one host's routes to local backends.
import net from 'node:net';
import { buildRouteTable, startIngressServer, type IngressServer, type KeyPair, type Upstream } from '../../src/ingress/index.js';

/** Listens on a free loopback port and returns it. */
export function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
}

export type TestPath = { path: string; pathType: string; backend: { service: { name: string; port: { number: number } } } };

/** The ingress server with `paths` under `host`, each service resolved from `upstreams`. */
export function startTestIngress(host: string, paths: TestPath[], upstreams: Map<string, Upstream>, defaultCertificate: KeyPair): Promise<IngressServer> {
  const table = buildRouteTable([{ metadata: { name: 'i', namespace: 'default' }, spec: { rules: [{ host, http: { paths } }] } }]);
  return startIngressServer({
    bindAddress: '127.0.0.1',
    httpPort: 0,
    httpsPort: 0,
    table: () => table,
    resolve: (b) => upstreams.get(b.service),
    certificate: () => undefined,
    defaultCertificate,
  });
}

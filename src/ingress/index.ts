export { buildRouteTable, route, tlsSecretFor, type RouteTable, type BackendRef, type IngressObject } from './routes.js';
export { startIngressServer, type IngressServer, type IngressServerOptions, type Upstream, type KeyPair } from './server.js';
export { startIngressController, INGRESS_CLASS, CONTROLLER_NAME, type IngressControllerOptions } from './runner.js';

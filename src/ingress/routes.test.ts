import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRouteTable, route, tlsSecretFor, type IngressObject } from './routes.js';

const svc = (name: string, port: number | string = 80) => ({ service: { name, port: typeof port === 'number' ? { number: port } : { name: port } } });

// The seed's kubia Ingress with two paths, plus a wildcard host and a default backend.
const ingresses: IngressObject[] = [
  {
    metadata: { name: 'kubia', namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: {
      tls: [{ hosts: ['kubia.example.com'], secretName: 'tls-secret' }],
      rules: [
        {
          host: 'kubia.example.com',
          http: {
            paths: [
              { path: '/kubia', pathType: 'Prefix', backend: svc('kubia-nodeport') },
              { path: '/foo', pathType: 'Prefix', backend: svc('bar', 'http') },
              { path: '/foo/exact', pathType: 'Exact', backend: svc('exact') },
            ],
          },
        },
        { host: '*.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: svc('wild') }] } },
      ],
    },
  },
  { metadata: { name: 'fallback', namespace: 'web', creationTimestamp: '2026-01-02T00:00:00Z' }, spec: { defaultBackend: svc('default-http', 8080) } },
];
const table = buildRouteTable(ingresses);

test('host and prefix paths pick the backend, by path element', () => {
  assert.deepEqual(route(table, 'kubia.example.com', '/kubia/'), { namespace: 'default', service: 'kubia-nodeport', port: 80 });
  assert.equal(route(table, 'kubia.example.com:80', '/kubia')?.service, 'kubia-nodeport');
  assert.equal(route(table, 'kubia.example.com', '/foo/bar')?.port, 'http');
  assert.equal(route(table, 'kubia.example.com', '/kubiax')?.service, 'default-http', '/kubiax is not under /kubia');
});

test('Exact beats Prefix, exact hosts beat wildcards, a wildcard covers one label', () => {
  assert.equal(route(table, 'kubia.example.com', '/foo/exact')?.service, 'exact');
  assert.equal(route(table, 'kubia.example.com', '/foo/exact/more')?.service, 'bar');
  assert.equal(route(table, 'other.example.com', '/anything')?.service, 'wild');
  assert.equal(route(table, 'a.b.example.com', '/')?.service, 'default-http');
});

test('unknown hosts fall to the default backend, or none', () => {
  assert.deepEqual(route(table, 'nope.test', '/'), { namespace: 'web', service: 'default-http', port: 8080 });
  assert.equal(route(buildRouteTable(ingresses.slice(0, 1)), 'nope.test', '/'), undefined);
});

test('TLS secrets are chosen by SNI name', () => {
  assert.equal(tlsSecretFor(table, 'KUBIA.example.com'), 'default/tls-secret');
  assert.equal(tlsSecretFor(table, 'other.example.com'), undefined);
});

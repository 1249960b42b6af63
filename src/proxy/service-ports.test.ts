import { test } from 'node:test';
import assert from 'node:assert/strict';
import { servicePortsFrom } from './service-ports.js';
import type { KubeObject } from '../api/index.js';

const svc = (name: string, spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec });
const slice = (service: string, endpoints: unknown[], ports: unknown[]): KubeObject => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: `${service}-abcde`, namespace: 'default', labels: { 'kubernetes.io/service-name': service } },
  addressType: 'IPv4',
  endpoints,
  ports,
});

test('joins service ports with slice ports by name and marks readiness and locality', () => {
  const ports = servicePortsFrom(
    [svc('kubia', { type: 'NodePort', clusterIP: '10.43.0.20', ports: [{ name: 'http', port: 80, nodePort: 30123 }, { name: 'https', port: 443, nodePort: 30443 }] })],
    [
      slice(
        'kubia',
        [
          { addresses: ['10.42.0.5'], conditions: { ready: true }, nodeName: 'n1' },
          { addresses: ['10.42.1.5'], conditions: { ready: false }, nodeName: 'n2' },
          { addresses: ['10.42.1.6'], conditions: { ready: true, terminating: true }, nodeName: 'n2' },
        ],
        [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'https', port: 8443, protocol: 'TCP' }],
      ),
    ],
    'n1',
  );
  assert.equal(ports.length, 2);
  const http = ports.find((p) => p.portName === 'http')!;
  assert.equal(http.nodePort, 30123);
  assert.deepEqual(http.endpoints, [
    { ip: '10.42.0.5', port: 8080, ready: true, local: true },
    { ip: '10.42.1.5', port: 8080, ready: false, local: false },
    { ip: '10.42.1.6', port: 8080, ready: false, local: false },
  ]);
  assert.equal(ports.find((p) => p.portName === 'https')!.endpoints[0].port, 8443);
});

test('headless and ExternalName services are not proxied; ClusterIP has no node port; affinity defaults to 3h', () => {
  const ports = servicePortsFrom(
    [
      svc('headless', { clusterIP: 'None', ports: [{ port: 80 }] }),
      svc('ext', { type: 'ExternalName', externalName: 'example.test' }),
      svc('sticky', { type: 'ClusterIP', clusterIP: '10.43.0.30', sessionAffinity: 'ClientIP', ports: [{ port: 80, nodePort: 31000 }] }),
    ],
    [],
    'n1',
  );
  assert.equal(ports.length, 1);
  assert.equal(ports[0].service, 'sticky');
  assert.equal(ports[0].nodePort, undefined);
  assert.equal(ports[0].affinitySeconds, 10800);
  assert.deepEqual(ports[0].endpoints, []);
});

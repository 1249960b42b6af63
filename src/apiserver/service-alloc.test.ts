import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError, type KubeObject } from '../api/index.js';
import { cidrRange, kubernetesServiceIP, ServiceAllocator } from './service-alloc.js';

const svc = (uid: string, spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: uid, uid }, spec });

describe('ServiceAllocator', () => {
  it('ranges: the kubernetes Service gets the first address', () => {
    assert.deepEqual(cidrRange('10.43.0.0/16'), { first: (10 << 24) + (43 << 16) + 1, last: (10 << 24) + (43 << 16) + 65534 });
    assert.equal(kubernetesServiceIP('10.43.0.0/16'), '10.43.0.1');
    assert.throws(() => cidrRange('nonsense'));
  });

  it('allocates distinct ClusterIPs and NodePorts, checks requested ones', () => {
    const stored: KubeObject[] = [];
    const alloc = new ServiceAllocator({ serviceCidr: '10.0.0.0/29', nodePortMin: 30000, nodePortMax: 30001 }, () => stored);
    // Each allocation is written (and seen by the cache) before the next one.
    const a = svc('a', { type: 'NodePort', ports: [{ port: 80 }] });
    alloc.allocate(a);
    stored.push(a);
    const b = svc('b', { type: 'NodePort', ports: [{ port: 80 }] });
    alloc.allocate(b);
    stored.push(b);
    const ipA = (a.spec as { clusterIP: string }).clusterIP;
    const ipB = (b.spec as { clusterIP: string }).clusterIP;
    assert.notEqual(ipA, ipB);
    assert.notEqual(ipA, '10.0.0.1');
    const ports = [a, b].map((s) => (s.spec as { ports: Array<{ nodePort: number }> }).ports[0].nodePort).sort();
    assert.deepEqual(ports, [30000, 30001]);
    const full = svc('c', { type: 'NodePort', ports: [{ port: 80 }] });
    assert.throws(() => alloc.allocate(full), (err: StatusError) => err.code === 422 && /range is full/.test(err.message));
    const clash = svc('d', { clusterIP: ipA, ports: [{ port: 80 }] });
    assert.throws(() => alloc.allocate(clash), /provided IP is already allocated/);
  });

  it('exclusive runs one at a time, in order, past failures; a headless Service gets no address', async () => {
    const alloc = new ServiceAllocator({ serviceCidr: '10.0.0.0/30', nodePortMin: 30000, nodePortMax: 30000 }, () => []);
    const order: string[] = [];
    const slow = alloc.exclusive(async () => {
      await new Promise((r) => setTimeout(r, 20));
      order.push('first');
      throw new Error('boom');
    });
    const second = alloc.exclusive(async () => order.push('second'));
    await assert.rejects(slow);
    await second;
    assert.deepEqual(order, ['first', 'second']);
    const headless = svc('h', { clusterIP: 'None', ports: [{ port: 80 }] });
    alloc.allocate(headless);
    assert.equal((headless.spec as { clusterIP: string }).clusterIP, 'None');
  });

  it('a LoadBalancer with externalTrafficPolicy Local gets a healthCheckNodePort, released when it stops being one', () => {
    const stored: KubeObject[] = [];
    const alloc = new ServiceAllocator({ serviceCidr: '10.0.0.0/28', nodePortMin: 30000, nodePortMax: 30002 }, () => stored);
    const lb = svc('lb', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ port: 80 }] });
    alloc.allocate(lb);
    stored.push(lb);
    const spec = lb.spec as { healthCheckNodePort: number; ports: Array<{ nodePort: number }> };
    assert.ok(spec.healthCheckNodePort >= 30000 && spec.healthCheckNodePort <= 30002);
    assert.notEqual(spec.healthCheckNodePort, spec.ports[0].nodePort);
    const clash = svc('x', { type: 'NodePort', ports: [{ port: 80, nodePort: spec.healthCheckNodePort }] });
    assert.throws(() => alloc.allocate(clash), /provided port is already allocated/);
    const cluster = structuredClone(lb);
    (cluster.spec as Record<string, unknown>).externalTrafficPolicy = 'Cluster';
    alloc.allocate(cluster, lb);
    assert.equal((cluster.spec as Record<string, unknown>).healthCheckNodePort, undefined);
  });
});

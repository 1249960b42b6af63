import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { StatusError } from '../errors.js';
import type { KubeObject } from '../object.js';
import { decodeProtobufObject, encodeProtobufObject, hasProtobufMagic } from './index.js';
import { formatDuration, parseDuration } from './time.js';
import { ProtoWriter } from './wire.js';

const roundTrip = (obj: KubeObject): unknown => decodeProtobufObject(encodeProtobufObject(obj));

describe('protobuf codec', () => {
  it('round-trips a pod with times, int-or-string probes, quantities, inlined volume sources and maps', () => {
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'default', creationTimestamp: '2026-11-23T15:00:00Z', labels: { app: 'web' }, generation: 3 },
      spec: {
        containers: [
          {
            name: 'c',
            image: 'busybox',
            command: ['sleep', '10'],
            ports: [{ containerPort: 8080, protocol: 'TCP' }],
            resources: { limits: { cpu: '500m', memory: '1Gi' } },
            readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 5 },
            livenessProbe: { tcpSocket: { port: 8080 } },
          },
        ],
        volumes: [{ name: 'data', emptyDir: { sizeLimit: '1Gi' } }, { name: 'cfg', configMap: { name: 'cm', defaultMode: 420 } }],
        terminationGracePeriodSeconds: 0,
        hostNetwork: true,
      },
    };
    assert.deepEqual(roundTrip(pod), pod);
  });

  it('keeps explicit zeros of pointer fields and drops zero plain omitempty fields', () => {
    const deploy = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: '' }, spec: { replicas: 0, paused: false, selector: {}, template: { spec: { containers: [] } } } };
    assert.deepEqual(roundTrip(deploy as KubeObject), { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 0, selector: {}, template: { spec: {} } } });
  });

  it('decodes MicroTime, RawExtension payloads and byte maps', () => {
    const event = { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'e' }, eventTime: '2026-11-23T15:00:00.123456Z', reason: 'Started', regarding: { kind: 'Pod', name: 'p' } };
    assert.deepEqual(roundTrip(event as KubeObject), event);
    const revision = { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'r' }, data: { spec: { template: { x: 1 } } }, revision: 2 };
    assert.deepEqual(roundTrip(revision as KubeObject), revision);
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { k: Buffer.from('v\u0000x').toString('base64') }, type: 'Opaque' };
    assert.deepEqual(roundTrip(secret as KubeObject), secret);
  });

  it('answers malformed bodies and unknown kinds with a 400 Status, never another error', () => {
    const good = encodeProtobufObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } });
    assert.ok(hasProtobufMagic(good));
    const bodies = [Buffer.from('{"kind":"Pod"}'), good.subarray(0, good.length - 3), encodeProtobufObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: {} }).fill(0xff, 6)];
    for (let i = 0; i < 300; i++) bodies.push(Buffer.concat([good.subarray(0, 4), randomBytes(1 + (i % 64))]));
    for (let i = 0; i < 300; i++) {
      const mutated = Buffer.from(good);
      mutated[4 + (i % (mutated.length - 4))] ^= 1 << i % 8;
      bodies.push(mutated);
    }
    for (const body of bodies) {
      try {
        decodeProtobufObject(body);
      } catch (err) {
        assert.ok(err instanceof StatusError, String(err));
        assert.equal(err.code, 400);
      }
    }
    assert.throws(() => decodeProtobufObject(Buffer.from('k8s\u0000')), /no kind "" is registered/);
  });

  it('refuses objects nested too deeply through RawExtensions with one short 400', () => {
    let body = Buffer.alloc(0);
    for (let i = 0; i < 4000; i++) {
      const revision = new ProtoWriter().message(1, (meta) => meta.string(1, 'r')).message(2, (raw) => raw.bytes(1, body)).finish();
      body = Buffer.concat([Buffer.from('k8s\u0000'), new ProtoWriter().message(1, (t) => t.string(1, 'apps/v1').string(2, 'ControllerRevision')).bytes(2, revision).finish()]);
    }
    assert.throws(
      () => decodeProtobufObject(body),
      (err: unknown) => err instanceof StatusError && err.code === 400 && err.message.length < 200,
    );
  });

  it('prints durations as Go does', () => {
    for (const [ns, text] of [
      [0n, '0s'],
      [1_500_000_000n, '1.5s'],
      [90_000_000_000n, '1m30s'],
      [3_600_000_000_000n, '1h0m0s'],
      [2_000_000n, '2ms'],
      [-5_000_000_000n, '-5s'],
    ] as const) {
      assert.equal(formatDuration(ns), text);
      assert.equal(parseDuration(text), ns);
    }
  });
});

import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { startHealthServer, type HealthServer } from '../../test/kubelet/grpc-health-server.js';
import { decodeCheckResponse, encodeCheckRequest, grpcHealthCheck } from './grpc-health.js';

const statuses = new Map([['', 1], ['db', 2]]);
let health: HealthServer;
let bare: HealthServer;

before(async () => {
  health = await startHealthServer(statuses);
  bare = await startHealthServer(statuses, false);
});
after(() => {
  health?.stop();
  bare?.stop();
});

function check(port: number, service: string): Promise<{ ok: boolean; message: string }> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1', () => resolve(grpcHealthCheck(sock, `127.0.0.1:${port}`, service, 2000)));
    sock.once('error', reject);
  });
}

test('request and response messages', () => {
  assert.deepEqual(encodeCheckRequest(''), Buffer.from([0, 0, 0, 0, 0]));
  assert.deepEqual(encodeCheckRequest('db'), Buffer.from([0, 0, 0, 0, 4, 0x0a, 2, 0x64, 0x62]));
  assert.equal(decodeCheckResponse(Buffer.from([0, 0, 0, 0, 2, 0x08, 1])), 1);
  assert.equal(decodeCheckResponse(Buffer.from([0, 0, 0, 0, 0])), 0);
});

test('SERVING passes; other answers and errors fail with the kubelet\'s messages', async () => {
  assert.deepEqual(await check(health.port, ''), { ok: true, message: '' });
  assert.deepEqual(await check(health.port, 'db'), { ok: false, message: 'service unhealthy (responded with "NOT_SERVING")' });
  assert.deepEqual(await check(health.port, 'nope'), { ok: false, message: 'error: health rpc probe failed: rpc error: code = NotFound desc = unknown service' });
  const unimplemented = await check(bare.port, '');
  assert.equal(unimplemented.ok, false);
  assert.match(unimplemented.message, /^error: this server does not implement the grpc health protocol \(grpc\.health\.v1\.Health\)/);
});

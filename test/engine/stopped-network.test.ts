// docker inspect of a stopped container: still on its networks, but with no address, gateway or MAC.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRoot, makeRoot, ok } from './helpers.js';

let root = '';
before(async () => {
  root = await makeRoot('stoppednet');
});
after(async () => {
  await destroyRoot(root);
});

function net(name: string): string {
  const s = JSON.parse(ok(root, ['inspect', '-f', '{{json .NetworkSettings}}', name])) as { IPAddress: string; Networks: Record<string, { IPAddress: string; Gateway: string; MacAddress: string }> };
  return `${s.IPAddress}|${Object.entries(s.Networks).map(([k, v]) => `${k}=${v.IPAddress},${v.Gateway},${v.MacAddress}`).join(';')}`;
}

test('stop clears the addresses inspect shows; start gives them back', () => {
  ok(root, ['run', '-d', '--name', 'netstop', 'busybox', 'sleep', '300']);
  assert.match(net('netstop'), /^\d+\.\d+\.\d+\.\d+\|bridge=\d+\.\d+\.\d+\.\d+,\d+\.\d+\.\d+\.\d+,[0-9a-f:]{17}$/);
  ok(root, ['stop', '-t', '0', 'netstop']);
  assert.equal(net('netstop'), '|bridge=,,');
  ok(root, ['start', 'netstop']);
  assert.match(net('netstop'), /^\d+\.\d+\.\d+\.\d+\|bridge=\d/);
  ok(root, ['rm', '-f', 'netstop']);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exposedPorts, sameConfig } from './builder.js';

test('EXPOSE specs become docker port keys; ranges expand; bad specs are refused', () => {
  assert.deepEqual(exposedPorts(['80', '53/UDP', '8000-8002/tcp']), ['80/tcp', '53/udp', '8000/tcp', '8001/tcp', '8002/tcp']);
  assert.throws(() => exposedPorts(['http']), /Invalid containerPort: http/);
  assert.throws(() => exposedPorts(['70000']), /Invalid containerPort/);
});

test('cache comparison: order matters for Env and Cmd, not for labels, ports or volumes', () => {
  const a = { Cmd: ['/bin/sh', '-c', '#(nop) ', 'ENV A=1'], Env: ['A=1', 'B=2'], Labels: { x: '1', y: '2' }, ExposedPorts: { '80/tcp': {}, '443/tcp': {} } };
  assert.equal(sameConfig(a, { ...a, Labels: { y: '2', x: '1' }, ExposedPorts: { '443/tcp': {}, '80/tcp': {} } }), true);
  assert.equal(sameConfig(a, { ...a, Env: ['B=2', 'A=1'] }), false);
  assert.equal(sameConfig(a, { ...a, Cmd: ['/bin/sh', '-c', '#(nop) ', 'ENV A=2'] }), false);
  assert.equal(sameConfig(a, { ...a, User: 'nobody' }), false);
  assert.equal(sameConfig(a, undefined), false);
});

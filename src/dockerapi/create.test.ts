import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPlan } from './create.js';
import { parseFilters } from './http.js';

test('a docker CLI create body becomes engine create options', () => {
  const plan = createPlan(
    {
      Image: 'busybox',
      Cmd: ['sh', '-c', 'echo hi'],
      Env: ['A=1'],
      Labels: { app: 'x' },
      Tty: true,
      OpenStdin: true,
      Volumes: { '/data': {} },
      ExposedPorts: { '80/tcp': {} },
      HostConfig: {
        NetworkMode: 'default',
        Binds: ['/tmp:/host:ro', 'named:/named'],
        Tmpfs: { '/run': 'size=1m' },
        PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }] },
        RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 },
        Memory: 67108864,
        ShmSize: 0,
        PublishAllPorts: true,
        VolumesFrom: ['other:ro'],
      },
      NetworkingConfig: { EndpointsConfig: { bridge: { Aliases: ['web'] } } },
    },
    'named1',
  );
  assert.equal(plan.opts.name, 'named1');
  assert.deepEqual(plan.opts.config?.Cmd, ['sh', '-c', 'echo hi']);
  assert.equal(plan.opts.config?.Entrypoint, undefined);
  assert.equal(plan.opts.hostConfig?.NetworkMode, undefined, '"default" leaves the engine default (bridge)');
  assert.equal(plan.opts.hostConfig?.ShmSize, undefined, 'unset sizes keep the engine default');
  assert.equal(plan.opts.hostConfig?.Memory, 67108864);
  assert.deepEqual(plan.opts.hostConfig?.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 3 });
  assert.deepEqual(plan.opts.hostConfig?.PortBindings, { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }] });
  assert.deepEqual(
    plan.opts.mounts?.map((m) => [m.Type, m.Name ?? m.Source, m.Destination, m.RW]),
    [
      ['bind', '/tmp', '/host', false],
      ['volume', 'named', '/named', true],
      ['tmpfs', '', '/run', true],
      ['volume', '', '/data', true],
    ],
  );
  assert.deepEqual(plan.opts.extras, { networkAliases: ['web'] });
  assert.deepEqual([plan.publishAll, plan.exposed, plan.volumesFrom], [true, ['80/tcp'], ['other:ro']]);
});

test('--entrypoint "" clears the entrypoint; a string Cmd is one argument', () => {
  const plan = createPlan({ Image: 'busybox', Entrypoint: [''], Cmd: 'true' }, undefined);
  assert.equal(plan.opts.config?.Entrypoint, null);
  assert.deepEqual(plan.opts.config?.Cmd, ['true']);
});

test('bad create bodies are 400s with docker\'s wording', () => {
  assert.throws(() => createPlan({}, undefined), { status: 400, message: 'No image specified' });
  assert.throws(() => createPlan({ Image: 'b', HostConfig: { AutoRemove: true, RestartPolicy: { Name: 'always' } } }, undefined), { status: 400 });
  assert.throws(() => createPlan({ Image: 'b', HostConfig: { RestartPolicy: { Name: 'sometimes' } } }, undefined), /invalid restart policy/);
  assert.throws(() => createPlan({ Image: 'b', HostConfig: { LogConfig: { Type: 'syslog' } } }, undefined), /no log driver named 'syslog'/);
  assert.throws(() => createPlan({ Image: 'b', HostConfig: { Mounts: [{ Type: 'bind', Source: '/does/not/exist', Target: '/x' }] } }, undefined), /bind source path does not exist/);
});

test('filters arrive as {"key":{"value":true}} or {"key":["value"]}', () => {
  const q = new URLSearchParams({ filters: JSON.stringify({ status: { exited: true, running: false }, label: ['a=b'] }) });
  assert.deepEqual([...parseFilters(q)], [['status', ['exited']], ['label', ['a=b']]]);
  assert.throws(() => parseFilters(new URLSearchParams({ filters: '{' })), { status: 400 });
});

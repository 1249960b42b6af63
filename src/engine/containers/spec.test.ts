import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostsFile, resolvConf, resolveUser } from './etc-files.js';
import { buildSpec, capabilities, DEFAULT_CAPS, parseCapBnd, parseHardLimits } from './spec.js';
import type { Container } from './types.js';

const ALL_BUT_SYS_RESOURCE = 0x1fffeffffffn;

function container(hc: Partial<Container['HostConfig']> = {}, extras: Container['Extras'] = {}): Container {
  return {
    Id: 'c1', Created: '', Path: 'sh', Args: [], Image: 'img', ImageName: 'busybox', Name: '/c', RestartCount: 0, Mounts: [], LogPath: '',
    ManuallyStopped: false, ConmonPid: 0, NetworkSettings: { Networks: {}, Ports: {}, SandboxKey: '' }, Extras: extras,
    State: { Status: 'created', Running: false, Paused: false, Restarting: false, OOMKilled: false, Dead: false, Pid: 0, ExitCode: 0, Error: '', StartedAt: '', FinishedAt: '' },
    Config: { Hostname: 'h', Domainname: '', User: '', AttachStdin: false, AttachStdout: true, AttachStderr: true, Tty: false, OpenStdin: false, StdinOnce: false, Env: [], Cmd: ['sh'], Image: 'busybox', WorkingDir: '', Entrypoint: null, Labels: {} },
    HostConfig: {
      NetworkMode: 'none', RestartPolicy: { Name: 'no', MaximumRetryCount: 0 }, AutoRemove: false, Privileged: false, ReadonlyRootfs: false, CapAdd: null, CapDrop: null,
      Init: null, Memory: 0, MemorySwap: 0, NanoCpus: 0, CpuShares: 0, CpuQuota: 0, CpuPeriod: 0, PidsLimit: null, ShmSize: 67108864, OomScoreAdj: 0,
      LogConfig: { Type: 'json-file', Config: {} }, SecurityOpt: null, Sysctls: {}, Ulimits: null, ExtraHosts: null, Dns: null, PortBindings: {}, Binds: null, ...hc,
    },
  };
}

const input = (c: Container) => ({
  container: c, rootfs: '/r', args: ['sh'], env: ['PATH=/bin'], cwd: '/', user: { uid: 0, gid: 0, additionalGids: [] }, cgroupsPath: '/p/c1',
  etcFiles: { hosts: '/h', hostname: '/hn', resolvConf: '/rc' }, network: 'new', host: { capBnd: ALL_BUT_SYS_RESOURCE, hardLimits: { RLIMIT_NOFILE: 20000 } },
});

test('capabilities: docker defaults, add/drop/ALL, privileged limited to our bounding set', () => {
  assert.deepEqual(capabilities(container(), ALL_BUT_SYS_RESOURCE), DEFAULT_CAPS);
  const tweaked = capabilities(container({ CapAdd: ['NET_ADMIN'], CapDrop: ['chown'] }), ALL_BUT_SYS_RESOURCE);
  assert.ok(tweaked.includes('CAP_NET_ADMIN') && !tweaked.includes('CAP_CHOWN'));
  assert.deepEqual(capabilities(container({ CapDrop: ['ALL'], CapAdd: ['KILL'] }), ALL_BUT_SYS_RESOURCE), ['CAP_KILL']);
  const priv = capabilities(container({ Privileged: true }), ALL_BUT_SYS_RESOURCE);
  assert.ok(priv.includes('CAP_SYS_ADMIN') && !priv.includes('CAP_SYS_RESOURCE'));
});

test('spec: docker mounts, masked paths, resources and rlimits clamped to the hard limit', () => {
  const spec = buildSpec(input(container({ Memory: 64 << 20, NanoCpus: 1.5e9, PidsLimit: 50, Ulimits: [{ Name: 'nofile', Soft: 1048576, Hard: 1048576 }] }))) as any;
  assert.deepEqual(spec.process.rlimits, [{ type: 'RLIMIT_NOFILE', hard: 20000, soft: 20000 }]);
  assert.deepEqual(spec.linux.resources.memory, { limit: 67108864 });
  assert.deepEqual(spec.linux.resources.cpu, { period: 100000, quota: 150000 });
  assert.deepEqual(spec.linux.resources.pids, { limit: 50 });
  assert.ok(spec.linux.maskedPaths.includes('/proc/kcore'));
  assert.ok(spec.mounts.some((m: any) => m.destination === '/dev/shm' && m.options.includes('size=67108864')));
  assert.deepEqual(spec.linux.namespaces.map((n: any) => n.type), ['mount', 'pid', 'ipc', 'uts', 'network']);
  assert.equal(spec.process.noNewPrivileges, false);
  assert.equal(spec.process.rlimits.length, 1);
});

test('spec: joined namespaces, host network, --init and read-only root', () => {
  const joined = buildSpec({ ...input(container({ ReadonlyRootfs: true, Init: true }, { namespaces: { ipc: '/proc/9/ns/ipc', uts: '/proc/9/ns/uts' } })), network: '/run/netns/x', initPath: '/usr/bin/tini-static' }) as any;
  assert.deepEqual(joined.linux.namespaces.filter((n: any) => n.path).map((n: any) => `${n.type}=${n.path}`), ['ipc=/proc/9/ns/ipc', 'uts=/proc/9/ns/uts', 'network=/run/netns/x']);
  assert.equal(joined.hostname, undefined);
  assert.equal(joined.root.readonly, true);
  assert.deepEqual(joined.process.args, ['/sbin/docker-init', '--', 'sh']);
  assert.ok(!joined.mounts.some((m: any) => m.destination === '/dev/shm'));
  const host = buildSpec({ ...input(container()), network: 'host' }) as any;
  assert.deepEqual(host.linux.namespaces.map((n: any) => n.type), ['mount', 'pid', 'ipc']);
});

test('host facts are parsed from /proc', () => {
  assert.equal(parseCapBnd('Name:\tx\nCapBnd:\t000001fffeffffff\n'), 0x1fffeffffffn);
  const limits = parseHardLimits('Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 20000                files\nMax core file size        0                    unlimited            bytes\n');
  assert.deepEqual(limits, { RLIMIT_NOFILE: 20000, RLIMIT_CORE: Infinity });
});

test('users resolve through the container\'s passwd and group files', () => {
  const passwd = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\nweb:x:1000:1000::/srv:/bin/sh\n';
  const group = 'root:x:0:\nweb:x:1000:\nwheel:x:10:web\n';
  assert.deepEqual(resolveUser('', passwd, group), { uid: 0, gid: 0, additionalGids: [], home: '/root' });
  assert.deepEqual(resolveUser('web', passwd, group), { uid: 1000, gid: 1000, additionalGids: [10], home: '/srv' });
  assert.deepEqual(resolveUser('1234:5', passwd, group), { uid: 1234, gid: 5, additionalGids: [], home: '/' });
  assert.equal(resolveUser('nobody:wheel', passwd, group).gid, 10);
  assert.throws(() => resolveUser('ghost', passwd, group), /unable to find user ghost/);
});

test('etc files: hosts with the container IP, resolv.conf without loopback servers', () => {
  assert.match(hostsFile('box', '10.0.0.2', ['db:10.0.0.9']), /127\.0\.0\.1\tlocalhost\n[\s\S]*10\.0\.0\.9\tdb\n10\.0\.0\.2\tbox\n$/);
  assert.equal(resolvConf('nameserver 127.0.0.53\nnameserver 10.1.1.1\nsearch x\n', true), 'nameserver 10.1.1.1\nsearch x\n');
  assert.equal(resolvConf('nameserver 127.0.0.53\n', false), 'nameserver 127.0.0.53\n');
  assert.equal(resolvConf('', true, { nameservers: ['10.43.0.10'], search: ['svc.local'] }), 'nameserver 10.43.0.10\nsearch svc.local\n');
});

test('privileged: host devices, all device access, no masked paths', () => {
  const dev = { path: '/dev/loop0', type: 'b' as const, major: 7, minor: 0, fileMode: 0o600, uid: 0, gid: 0 };
  const spec = buildSpec({ ...input(container({ Privileged: true })), hostDevices: [dev] }) as any;
  assert.deepEqual(spec.linux.devices, [dev]);
  assert.deepEqual(spec.linux.resources.devices, [{ allow: false, access: 'rwm' }, { allow: true, access: 'rwm' }]);
  assert.equal(spec.linux.maskedPaths, undefined);
  assert.ok(spec.mounts.some((m: any) => m.destination === '/sys' && m.options.includes('rw')));
});

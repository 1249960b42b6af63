// Pod options that reach the host: the kubelet-managed /etc/hosts with hostAliases (and a subdomain's
// FQDN), hostPID and hostIPC joining the host's (the agent's) namespaces (ps shows host processes, the
// host's /dev/shm is shared), a pod's own /dev/shm shared by its containers, and hostNetwork (the node's network namespace and address) with a gRPC
// readiness probe against a health server on the host.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { startHealthServer } from './grpc-health-server.js';
import { podManifest, startCluster, waitFor, type Cluster } from './helpers.js';

let c: Cluster;
before(async () => {
  c = await startCluster('host');
});
after(async () => {
  await c?.stop();
});

const sleeper = { name: 'main', image: 'busybox', imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] };

async function running(name: string): Promise<void> {
  await waitFor(`${name} Running`, async () => (await c.k('1.33', ['get', 'pod', name, '-o', 'jsonpath={.status.phase}'])) === 'Running');
}

test('/etc/hosts is the kubelet\'s: pod IP with hostname and FQDN, then the hostAliases', async () => {
  await c.k('1.33', ['apply', '-f', '-'], podManifest('aliased', c.node, {
    hostname: 'web-0',
    subdomain: 'web',
    hostAliases: [{ ip: '10.1.2.3', hostnames: ['foo.local', 'bar.local'] }, { ip: '10.1.2.4', hostnames: ['baz.local'] }],
    containers: [sleeper],
  }));
  await running('aliased');
  const ip = await c.k('1.33', ['get', 'pod', 'aliased', '-o', 'jsonpath={.status.podIP}']);
  const hosts = await c.k('1.33', ['exec', 'aliased', '--', 'cat', '/etc/hosts']);
  assert.equal(
    hosts,
    '# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\n' +
      `fe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n${ip}\tweb-0.web.default.svc.cluster.local\tweb-0\n\n# Entries added by HostAliases.\n10.1.2.3\tfoo.local\tbar.local\n10.1.2.4\tbaz.local\n`,
  );
  assert.equal(await c.k('1.33', ['exec', 'aliased', '--', 'hostname']), 'web-0\n');
  // A StatefulSet pod behind its headless service knows its own FQDN from the hosts file.
  assert.equal(await c.k('1.33', ['exec', 'aliased', '--', 'hostname', '-f']), 'web-0.web.default.svc.cluster.local\n');
  await c.k('1.33', ['delete', 'pod', 'aliased', '--wait=false']);
});

test('hostPID and hostIPC share the host\'s namespaces; ps shows host processes', async () => {
  await c.k('1.33', ['apply', '-f', '-'], podManifest('hostns', c.node, { hostPID: true, hostIPC: true, containers: [sleeper] }));
  await running('hostns');
  const ns = (kind: string): Promise<string> => c.k('1.33', ['exec', 'hostns', '--', 'readlink', `/proc/self/ns/${kind}`]);
  assert.equal(await ns('pid'), `${fs.readlinkSync('/proc/self/ns/pid')}\n`);
  assert.equal(await ns('ipc'), `${fs.readlinkSync('/proc/self/ns/ipc')}\n`);
  // The host's /dev/shm: a file put there by the host is seen in the pod, and one the pod writes lands on the host.
  const shmName = `skiff-test-${process.pid}`;
  fs.writeFileSync(`/dev/shm/${shmName}-host`, 'from host\n');
  try {
    assert.equal(await c.k('1.33', ['exec', 'hostns', '--', 'cat', `/dev/shm/${shmName}-host`]), 'from host\n');
    await c.k('1.33', ['exec', 'hostns', '--', 'sh', '-c', `echo from pod > /dev/shm/${shmName}-pod`]);
    assert.equal(fs.readFileSync(`/dev/shm/${shmName}-pod`, 'utf8'), 'from pod\n');
  } finally {
    fs.rmSync(`/dev/shm/${shmName}-host`, { force: true });
    fs.rmSync(`/dev/shm/${shmName}-pod`, { force: true });
  }
  const ps = await c.k('1.33', ['exec', 'hostns', '--', 'ps', '-o', 'pid,comm']);
  assert.match(ps, new RegExp(`^\\s*${process.pid}\\s+node`, 'm'), 'the test runner is visible');
  await c.k('1.33', ['apply', '-f', '-'], podManifest('ownns', c.node, { containers: [sleeper] }));
  await running('ownns');
  assert.notEqual(await c.k('1.33', ['exec', 'ownns', '--', 'readlink', '/proc/self/ns/pid']), `${fs.readlinkSync('/proc/self/ns/pid')}\n`);
  assert.doesNotMatch(await c.k('1.33', ['exec', 'ownns', '--', 'ps', '-o', 'pid,comm']), new RegExp(`^\\s*${process.pid}\\s`, 'm'));
  await c.k('1.33', ['delete', 'pod', 'hostns', 'ownns', '--wait=false']);
});

test('a pod\'s containers share one 64 MB /dev/shm tmpfs, another pod has its own, a memory emptyDir there wins; deleting the pod unmounts it', async () => {
  const shmMounts = (): string[] => fs.readFileSync('/proc/mounts', 'utf8').split('\n').filter((l) => l.includes(`${c.dataDir}/`) && / tmpfs /.test(l) && l.split(' ')[1].endsWith('/shm'));
  // The pods of the tests before are on their way out (deleted without waiting); theirs go with them.
  await waitFor('earlier pods\' /dev/shm unmounted', async () => shmMounts().length === 0);
  const two = [{ ...sleeper, name: 'a' }, { ...sleeper, name: 'b' }];
  await c.k('1.33', ['apply', '-f', '-'], podManifest('shm-one', c.node, { containers: two }));
  await c.k('1.33', ['apply', '-f', '-'], podManifest('shm-two', c.node, { containers: [sleeper] }));
  await c.k('1.33', ['apply', '-f', '-'], podManifest('shm-vol', c.node, {
    volumes: [{ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '8Mi' } }],
    containers: [{ ...sleeper, volumeMounts: [{ name: 'dshm', mountPath: '/dev/shm' }] }],
  }));
  for (const name of ['shm-one', 'shm-two', 'shm-vol']) await running(name);
  const df = await c.k('1.33', ['exec', 'shm-one', '-c', 'a', '--', 'df', '-k', '/dev/shm']);
  assert.match(df, /^\S+\s+65536\s+\d+\s+\d+\s+\d+%\s+\/dev\/shm$/m, df);
  assert.match(await c.k('1.33', ['exec', 'shm-one', '-c', 'a', '--', 'stat', '-c', '%a', '/dev/shm']), /^1777$/m);
  await c.k('1.33', ['exec', 'shm-one', '-c', 'a', '--', 'sh', '-c', 'echo from a > /dev/shm/note']);
  assert.equal(await c.k('1.33', ['exec', 'shm-one', '-c', 'b', '--', 'cat', '/dev/shm/note']), 'from a\n');
  assert.equal(await c.k('1.33', ['exec', 'shm-two', '--', 'ls', '-A', '/dev/shm']), '');
  assert.match(await c.k('1.33', ['exec', 'shm-vol', '--', 'df', '-k', '/dev/shm']), /^\S+\s+8192\s/m, 'the emptyDir, not the sandbox\'s tmpfs');
  assert.equal(shmMounts().length, 3, shmMounts().join('\n'));
  await c.k('1.33', ['delete', 'pod', 'shm-one', 'shm-two', 'shm-vol', '--grace-period=1']);
  await waitFor('the pods\' /dev/shm unmounted', async () => shmMounts().length === 0);
});

test('hostNetwork pods run in the node\'s network namespace with the node\'s address and /etc/hosts', async () => {
  await c.k('1.33', ['apply', '-f', '-'], podManifest('hostnet', c.node, { hostNetwork: true, hostAliases: [{ ip: '10.9.9.9', hostnames: ['extra.local'] }], containers: [sleeper] }));
  await running('hostnet');
  assert.equal(await c.k('1.33', ['get', 'pod', 'hostnet', '-o', 'jsonpath={.status.podIP} {.status.hostIP}']), '127.0.0.1 127.0.0.1');
  assert.equal(await c.k('1.33', ['exec', 'hostnet', '--', 'readlink', '/proc/self/ns/net']), `${fs.readlinkSync('/proc/self/ns/net')}\n`);
  const hosts = await c.k('1.33', ['exec', 'hostnet', '--', 'cat', '/etc/hosts']);
  assert.equal(hosts, `# Kubernetes-managed hosts file (host network).\n${fs.readFileSync('/etc/hosts', 'utf8')}\n# Entries added by HostAliases.\n10.9.9.9\textra.local\n`);
  await c.k('1.33', ['delete', 'pod', 'hostnet', '--wait=false']);
});

test('a grpc readiness probe follows grpc.health.v1 Check of its service', async (t) => {
  const statuses = new Map([['app', 1]]);
  const health = await startHealthServer(statuses);
  t.after(() => health.stop());
  await c.k('1.33', ['apply', '-f', '-'], podManifest('grpc', c.node, {
    hostNetwork: true,
    containers: [{ ...sleeper, readinessProbe: { grpc: { port: health.port, service: 'app' }, periodSeconds: 1, failureThreshold: 1 } }],
  }));
  const ready = (): Promise<string> => c.k('1.33', ['get', 'pod', 'grpc', '-o', 'jsonpath={.status.containerStatuses[0].ready}']);
  await waitFor('ready', async () => (await ready()) === 'true');
  statuses.set('app', 2);
  await waitFor('not ready', async () => (await ready()) === 'false');
  const events = await c.k('1.33', ['get', 'events', '--field-selector', 'involvedObject.name=grpc,reason=Unhealthy', '-o', 'jsonpath={.items[*].message}']);
  assert.match(events, /Readiness probe failed: service unhealthy \(responded with "NOT_SERVING"\)/);
  statuses.set('app', 1);
  await waitFor('ready again', async () => (await ready()) === 'true');
  await c.k('1.33', ['delete', 'pod', 'grpc', '--wait=false']);
});

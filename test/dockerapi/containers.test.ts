// The real docker CLI (28.x) against `skiff system service`: run/ps/logs/stop/rm, exit codes, stdin,
// exec, inspect, cp, errors — and the same containers seen through `skiff`.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { skiff } from '../engine/helpers.js';
import { docker, dockerOk, startService, type Service } from './helpers.js';

let svc: Service;

before(async () => {
  svc = await startService('dapi-ctr');
});

after(async () => {
  await svc?.stop();
});

test('docker version and info talk to skiff (API negotiated down to 1.43)', async () => {
  const v = await dockerOk(svc, ['version', '--format', '{{.Server.APIVersion}} {{.Client.APIVersion}}']);
  assert.equal(v, '1.43 1.43');
  const ours = (JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string }).version;
  assert.equal(await dockerOk(svc, ['version', '--format', '{{.Server.Version}}']), ours);
  const info = await dockerOk(svc, ['info', '--format', '{{.OSType}} {{.Driver}} {{.DockerRootDir}}']);
  assert.equal(info, `linux overlay2 ${svc.root}`);
});

test('docker run --rm busybox echo hi prints hi, exits 0 and leaves no container', async () => {
  const r = await docker(svc, ['run', '--rm', 'busybox', 'echo', 'hi']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'hi\n');
  assert.equal(await dockerOk(svc, ['ps', '-aq']), '');
});

test('the container exit code is docker run\'s exit code; stdout and stderr stay apart', async () => {
  const r = await docker(svc, ['run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
  assert.equal(r.code, 3);
  assert.equal(r.stdout, 'out\n');
  assert.equal(r.stderr, 'err\n');
});

test('docker run -i passes stdin through and closes it at EOF', async () => {
  const r = await docker(svc, ['run', '--rm', '-i', 'busybox', 'sh', '-c', 'cat; echo done'], 'hello\n');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'hello\ndone\n');
});

test('megabytes of stdin reach the process intact (run -i and exec -i)', async () => {
  const data = crypto.randomBytes(3 * 1024 * 1024).toString('base64');
  const sum = crypto.createHash('md5').update(data).digest('hex');
  const run = await docker(svc, ['run', '--rm', '-i', 'busybox', 'md5sum'], data);
  assert.equal(run.stdout.split(' ')[0], sum, run.stderr);
  await dockerOk(svc, ['run', '-d', '--name', 'bigexec', 'busybox', 'sleep', '60']);
  const exec = await docker(svc, ['exec', '-i', 'bigexec', 'md5sum'], data);
  assert.equal(exec.stdout.split(' ')[0], sum, exec.stderr);
  await dockerOk(svc, ['rm', '-f', 'bigexec']);
});

test('docker run -d, ps, logs, exec, inspect, stop, rm — and skiff sees the same container', async () => {
  const id = await dockerOk(svc, ['run', '-d', '--name', 'web1', '-e', 'GREETING=hey', 'busybox', 'sh', '-c', 'echo started; echo $GREETING >&2; sleep 60']);
  assert.match(id, /^[0-9a-f]{64}$/);
  const ps = await dockerOk(svc, ['ps', '--format', '{{.Names}} {{.Image}} {{.State}}']);
  assert.equal(ps, 'web1 busybox running');
  const viaSkiff = await skiff(svc.root, ['ps', '--format', '{{.ID}} {{.Names}}']);
  assert.equal(viaSkiff.stdout.trim(), `${id.slice(0, 12)} web1`);
  let logs = await docker(svc, ['logs', 'web1']);
  for (let i = 0; i < 50 && !logs.stderr.includes('hey'); i++) {
    await new Promise((r) => setTimeout(r, 100));
    logs = await docker(svc, ['logs', 'web1']);
  }
  assert.equal(logs.stdout, 'started\n');
  assert.equal(logs.stderr, 'hey\n');
  assert.equal(await dockerOk(svc, ['exec', 'web1', 'cat', '/etc/hostname']), id.slice(0, 12));
  assert.equal((await docker(svc, ['exec', 'web1', 'sh', '-c', 'exit 5'])).code, 5);
  const missing = await docker(svc, ['exec', 'web1', 'nonexist']);
  assert.equal(missing.code, 127);
  assert.match(missing.stderr, /executable file not found/);
  const inspected = JSON.parse(await dockerOk(svc, ['inspect', 'web1'])) as Array<Record<string, unknown>>;
  const skiffInspected = JSON.parse((await skiff(svc.root, ['inspect', 'web1'])).stdout) as Array<Record<string, unknown>>;
  assert.deepEqual(inspected[0].Config, skiffInspected[0].Config);
  assert.equal((inspected[0].State as { Status: string }).Status, 'running');
  assert.equal(await dockerOk(svc, ['stop', '-t', '1', 'web1']), 'web1');
  assert.match(await dockerOk(svc, ['ps', '-a', '--format', '{{.Status}}']), /^Exited \(137\)/);
  assert.equal(await dockerOk(svc, ['rm', 'web1']), 'web1');
  assert.equal((await skiff(svc.root, ['ps', '-aq'])).stdout, '');
});

test('a container made by skiff run -d is listed, exec-able and removable through docker', async () => {
  const made = await skiff(svc.root, ['run', '-d', '--name', 'fromskiff', 'busybox', 'sleep', '60']);
  assert.equal(made.code, 0, made.stderr);
  assert.equal(await dockerOk(svc, ['ps', '--format', '{{.Names}}']), 'fromskiff');
  assert.equal(await dockerOk(svc, ['exec', 'fromskiff', 'echo', 'inside']), 'inside');
  assert.equal(await dockerOk(svc, ['rm', '-f', 'fromskiff']), 'fromskiff');
});

test('errors read like the daemon\'s: unknown container, name conflict, removing a running container', async () => {
  const r = await docker(svc, ['logs', 'nosuch']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim(), 'Error response from daemon: No such container: nosuch');
  await dockerOk(svc, ['run', '-d', '--name', 'taken', 'busybox', 'sleep', '60']);
  const dup = await docker(svc, ['run', '-d', '--name', 'taken', 'busybox', 'true']);
  assert.equal(dup.code, 125);
  assert.match(dup.stderr, /Conflict\. The container name "\/taken" is already in use/);
  const rm = await docker(svc, ['rm', 'taken']);
  assert.equal(rm.code, 1);
  assert.match(rm.stderr, /You cannot remove a running container/);
  await dockerOk(svc, ['rm', '-f', 'taken']);
});

test('docker cp copies files both ways', async () => {
  const dir = fs.mkdtempSync(path.join(svc.root, 'cp-'));
  fs.writeFileSync(path.join(dir, 'in.txt'), 'to the container\n');
  await dockerOk(svc, ['run', '-d', '--name', 'cpbox', 'busybox', 'sh', '-c', 'echo from the container > /root/out.txt; sleep 60']);
  await dockerOk(svc, ['cp', path.join(dir, 'in.txt'), 'cpbox:/tmp/']);
  assert.equal(await dockerOk(svc, ['exec', 'cpbox', 'cat', '/tmp/in.txt']), 'to the container');
  await dockerOk(svc, ['cp', path.join(dir, 'in.txt'), 'cpbox:/tmp/renamed.txt']);
  assert.equal(await dockerOk(svc, ['exec', 'cpbox', 'cat', '/tmp/renamed.txt']), 'to the container');
  fs.mkdirSync(path.join(dir, 'tree', 'sub'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'tree', 'sub', 'leaf'), 'leaf\n');
  await dockerOk(svc, ['cp', path.join(dir, 'tree'), 'cpbox:/root/copied']);
  assert.equal(await dockerOk(svc, ['exec', 'cpbox', 'cat', '/root/copied/sub/leaf']), 'leaf');
  await dockerOk(svc, ['cp', 'cpbox:/root/copied/.', path.join(dir, 'back')]);
  assert.equal(fs.readFileSync(path.join(dir, 'back', 'sub', 'leaf'), 'utf8'), 'leaf\n');
  await dockerOk(svc, ['cp', 'cpbox:/root/out.txt', path.join(dir, 'out.txt')]);
  assert.equal(fs.readFileSync(path.join(dir, 'out.txt'), 'utf8'), 'from the container\n');
  const missing = await docker(svc, ['cp', 'cpbox:/nonexist', dir]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /Could not find the file \/nonexist in container cpbox/);
  await dockerOk(svc, ['rm', '-f', 'cpbox']);
});

test('docker cp reads and writes through mounts: generated /etc files, volumes, read-only binds refused', async () => {
  const dir = fs.mkdtempSync(path.join(svc.root, 'cpm-'));
  fs.mkdirSync(path.join(dir, 'ro'));
  fs.writeFileSync(path.join(dir, 'in.txt'), 'into the volume\n');
  const id = await dockerOk(svc, ['run', '-d', '--name', 'cpmounts', '-v', 'cpvol:/data', '-v', `${path.join(dir, 'ro')}:/ro:ro`, 'busybox', 'sleep', '60']);
  await dockerOk(svc, ['cp', 'cpmounts:/etc/hostname', path.join(dir, 'hostname')]);
  assert.equal(fs.readFileSync(path.join(dir, 'hostname'), 'utf8'), `${id.slice(0, 12)}\n`);
  await dockerOk(svc, ['cp', path.join(dir, 'in.txt'), 'cpmounts:/data/']);
  assert.equal(await dockerOk(svc, ['exec', 'cpmounts', 'cat', '/data/in.txt']), 'into the volume');
  const ro = await docker(svc, ['cp', path.join(dir, 'in.txt'), 'cpmounts:/ro/']);
  assert.equal(ro.code, 1);
  assert.match(ro.stderr, /mounted volume is marked read-only/);
  await dockerOk(svc, ['rm', '-f', '-v', 'cpmounts']);
  await dockerOk(svc, ['volume', 'rm', 'cpvol']);
});

/** One raw API request on the service's socket (what dockerode and other SDKs send). */
function request(method: string, urlPath: string, body?: unknown): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: svc.socket, method, path: urlPath, headers: body ? { 'Content-Type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

test('the raw API: ping headers, versioned and unversioned paths, docker-shaped errors and statuses', async () => {
  const ping = await request('HEAD', '/_ping');
  assert.equal(ping.status, 200);
  assert.equal(ping.headers['api-version'], '1.43');
  assert.equal(ping.headers['ostype'], 'linux');
  assert.equal((await request('GET', '/_ping')).text, 'OK');
  assert.deepEqual(await request('GET', '/v1.99/containers/json').then((r) => [r.status, JSON.parse(r.text)]), [400, { message: 'client version 1.99 is too new. Maximum supported API version is 1.43' }]);
  assert.deepEqual(await request('GET', '/v1.41/containers/nosuch/json').then((r) => [r.status, JSON.parse(r.text)]), [404, { message: 'No such container: nosuch' }]);
  assert.equal((await request('GET', '/nowhere')).status, 404);
  const created = await request('POST', '/containers/create?name=rawapi', { Image: 'busybox', Cmd: ['sleep', '60'], Labels: { via: 'raw' } });
  assert.equal(created.status, 201, created.text);
  const id = (JSON.parse(created.text) as { Id: string }).Id;
  assert.equal((await request('POST', `/containers/${id}/start`)).status, 204);
  assert.equal((await request('POST', `/containers/${id}/start`)).status, 304);
  const listed = JSON.parse((await request('GET', `/containers/json?filters=${encodeURIComponent(JSON.stringify({ label: { 'via=raw': true } }))}`)).text) as Array<{ Id: string; Names: string[]; State: string }>;
  assert.deepEqual(listed.map((c) => [c.Id, c.Names, c.State]), [[id, ['/rawapi'], 'running']]);
  assert.equal((await request('POST', '/containers/create?name=rawapi', { Image: 'busybox', Cmd: ['true'] })).status, 409);
  assert.equal((await request('POST', '/containers/create', { Image: 'nosuchimage:9', Cmd: ['true'] })).status, 404);
  assert.equal((await request('DELETE', `/containers/${id}`)).status, 409);
  assert.equal((await request('DELETE', `/containers/${id}?force=1`)).status, 204);
});

test('create options reach the container: -m, --init, -w, -u, --entrypoint, --read-only, --cap-drop; --restart with --rm is refused', async () => {
  await dockerOk(svc, ['create', '--name', 'opts1', '-m', '64m', '--init', '-w', '/tmp', '-u', '1000:1000', '--read-only', '--cap-drop', 'ALL', 'busybox', 'sh', '-c', 'pwd; id -u; touch /x 2>/dev/null || echo read-only']);
  const started = await docker(svc, ['start', '-a', 'opts1']);
  assert.equal(started.code, 0, started.stderr);
  assert.equal(started.stdout, '/tmp\n1000\nread-only\n');
  assert.equal(await dockerOk(svc, ['inspect', '-f', '{{.HostConfig.Memory}} {{.HostConfig.Init}} {{.HostConfig.ReadonlyRootfs}} {{.HostConfig.CapDrop}}', 'opts1']), '67108864 true true [ALL]');
  await dockerOk(svc, ['rm', 'opts1']);
  assert.equal(await dockerOk(svc, ['run', '--rm', '--entrypoint', 'echo', 'busybox', 'from', 'entrypoint']), 'from entrypoint');
  const conflicting = await docker(svc, ['run', '--rm', '--restart', 'always', 'busybox', 'true']);
  assert.equal(conflicting.code, 125);
  assert.match(conflicting.stderr, /conflicting options: cannot specify both --restart and --rm/);
});

// Images, networks and volumes through the real docker CLI: images/tag/rmi/history/inspect, pull of
// the offline busybox and a refused off-machine pull, user networks with name resolution and ports
// published on 127.0.0.1, named volumes that keep data.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { skiff, SKIFF } from '../engine/helpers.js';
import { docker, dockerOk, freePort, startService, waitForPort, type Service } from './helpers.js';

let svc: Service;

before(async () => {
  svc = await startService('dapi-res');
});

after(async () => {
  await svc?.stop();
});

test('images, tag, inspect, history and rmi', async () => {
  assert.match(await dockerOk(svc, ['images', '--format', '{{.Repository}}:{{.Tag}}']), /^busybox:latest$/m);
  await dockerOk(svc, ['tag', 'busybox', 'mybox:1']);
  const ids = (await dockerOk(svc, ['images', '-q'])).split('\n');
  assert.equal(new Set(ids).size, 1);
  assert.equal(await dockerOk(svc, ['image', 'inspect', '-f', '{{join .RepoTags ","}}', 'mybox:1']), 'busybox:latest,mybox:1');
  assert.match(await dockerOk(svc, ['history', 'busybox']), /^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT/);
  assert.equal(await dockerOk(svc, ['rmi', 'mybox:1']), 'Untagged: mybox:1');
  const missing = await docker(svc, ['image', 'inspect', 'nosuch:1']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /No such image: nosuch:1/);
  await dockerOk(svc, ['run', '--name', 'user1', 'busybox', 'true']);
  const inUse = await docker(svc, ['rmi', 'busybox']);
  assert.equal(inUse.code, 1);
  assert.match(inUse.stderr, /container [0-9a-f]{12} is using its referenced image/);
  await dockerOk(svc, ['rm', 'user1']);
});

test('pull of busybox is local; an image from a registry off this machine is refused (offline)', async () => {
  const pulled = await dockerOk(svc, ['pull', 'busybox']);
  assert.match(pulled, /Status: Image is up to date for busybox:latest/);
  const run = await docker(svc, ['run', '--rm', 'alpine:3', 'true']);
  assert.equal(run.code, 125);
  assert.match(run.stderr, /Unable to find image 'alpine:3' locally/);
  assert.match(run.stderr, /not contacted: SKIFF_OFFLINE=1/);
});

test('containers on a user network reach each other by name; -p publishes on 127.0.0.1', async () => {
  await dockerOk(svc, ['network', 'create', 'apinet']);
  assert.match(await dockerOk(svc, ['network', 'ls', '--format', '{{.Name}}']), /^apinet$/m);
  await dockerOk(svc, ['run', '-d', '--name', 'srv', '--network', 'apinet', '-p', '127.0.0.1::80', 'busybox', 'sh', '-c', 'echo served > /index.html; httpd -f -p 80 -h /']);
  const got = await dockerOk(svc, ['run', '--rm', '--network', 'apinet', 'busybox', 'wget', '-qO-', 'http://srv/index.html']);
  assert.equal(got, 'served');
  const port = Number((await dockerOk(svc, ['port', 'srv', '80/tcp'])).split(':').pop());
  assert.ok(port > 0);
  const body = await new Promise<string>((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/index.html' }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve(text));
    }).on('error', reject);
  });
  assert.equal(body, 'served\n');
  assert.equal(await dockerOk(svc, ['network', 'inspect', '-f', '{{len .Containers}}', 'apinet']), '1');
  const busy = await docker(svc, ['network', 'rm', 'apinet']);
  assert.notEqual(busy.code, 0);
  assert.match(busy.stderr, /has active endpoints/);
  await dockerOk(svc, ['rm', '-f', 'srv']);
  await dockerOk(svc, ['network', 'rm', 'apinet']);
  assert.doesNotMatch((await skiff(svc.root, ['network', 'ls'])).stdout, /apinet/);
});

test('network connect and disconnect a running container', async () => {
  await dockerOk(svc, ['network', 'create', 'joinnet']);
  await dockerOk(svc, ['run', '-d', '--name', 'joiner', 'busybox', 'sleep', '60']);
  await dockerOk(svc, ['network', 'connect', '--alias', 'j1', 'joinnet', 'joiner']);
  assert.match(await dockerOk(svc, ['inspect', '-f', '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}', 'joiner']), /\bjoinnet\b/);
  assert.equal(await dockerOk(svc, ['run', '--rm', '--network', 'joinnet', 'busybox', 'sh', '-c', 'ping -c1 -W2 j1 >/dev/null && echo reached']), 'reached');
  await dockerOk(svc, ['network', 'disconnect', 'joinnet', 'joiner']);
  assert.doesNotMatch(await dockerOk(svc, ['inspect', '-f', '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}', 'joiner']), /\bjoinnet\b/);
  await dockerOk(svc, ['rm', '-f', 'joiner']);
  await dockerOk(svc, ['network', 'rm', 'joinnet']);
});

test('network ls, volume ls and images filters, and network connect, agree between docker and skiff', async () => {
  const skiffOk = async (args: string[]): Promise<string> => {
    const r = await skiff(svc.root, args);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trimEnd();
  };
  const same = async (args: string[], want: string): Promise<void> => {
    assert.equal(await dockerOk(svc, args), want, `docker ${args.join(' ')}`);
    assert.equal(await skiffOk(args), want, `skiff ${args.join(' ')}`);
  };
  await dockerOk(svc, ['network', 'create', '--label', 'team=red', 'fnet-red']);
  await dockerOk(svc, ['network', 'create', 'fnet-blue']);
  await same(['network', 'ls', '--format', '{{.Name}}', '--filter', 'name=fnet-', '--filter', 'label=team=red'], 'fnet-red');
  await same(['network', 'ls', '--format', '{{.Name}}', '--filter', 'type=builtin', '--filter', 'name=bridge'], 'bridge');
  await dockerOk(svc, ['volume', 'create', '--label', 'keep=yes', 'fvol-a']);
  await dockerOk(svc, ['volume', 'create', 'fvol-b']);
  await dockerOk(svc, ['run', '-d', '--name', 'fuser', '-v', 'fvol-b:/data', 'busybox', 'sleep', '60']);
  await same(['volume', 'ls', '--format', '{{.Name}}', '--filter', 'name=fvol-', '--filter', 'dangling=true'], 'fvol-a');
  await same(['volume', 'ls', '--format', '{{.Name}}', '--filter', 'label=keep=yes'], 'fvol-a');
  await dockerOk(svc, ['run', '--rm', '-v', 'fvol-a:/data', 'busybox', 'sh', '-c', 'head -c 3000000 /dev/zero > /data/blob']);
  const df = await dockerOk(svc, ['system', 'df', '--format', '{{.Type}} {{.TotalCount}} {{.Active}} {{.Size}}']);
  assert.match(df, /^Local Volumes 2 1 3MB$/m);
  assert.equal(await skiffOk(['system', 'df', '--format', '{{.Type}} {{.TotalCount}} {{.Active}} {{.Size}}']), df);
  await dockerOk(svc, ['tag', 'busybox', 'filtered/one:v1']);
  await same(['images', '--format', '{{.Repository}}:{{.Tag}}', '--filter', 'reference=filtered/*'], 'filtered/one:v1');
  await same(['images', '--format', '{{.Repository}}', '--filter', 'reference=busy'], '');
  const bad = await skiff(svc.root, ['volume', 'ls', '--filter', 'colour=red']);
  assert.deepEqual([bad.code, bad.stderr], [1, "Error response from daemon: invalid filter 'colour'\n"]);

  // skiff's network connect is seen through docker, and docker's disconnect through skiff.
  await skiffOk(['network', 'connect', '--alias', 'fu', 'fnet-red', 'fuser']);
  assert.match(await dockerOk(svc, ['inspect', '-f', '{{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}} {{end}}', 'fuser']), /\bfnet-red=\d+\.\d+\.\d+\.\d+\b/);
  await dockerOk(svc, ['network', 'disconnect', 'fnet-red', 'fuser']);
  const inspected = JSON.parse(await skiffOk(['inspect', 'fuser'])) as Array<{ NetworkSettings: { Networks: Record<string, unknown> } }>;
  assert.deepEqual(Object.keys(inspected[0].NetworkSettings.Networks), ['bridge']);
  const stopped = await skiff(svc.root, ['network', 'connect', 'fnet-red', 'fuser-missing']);
  assert.equal(stopped.code, 1);
  await dockerOk(svc, ['rm', '-f', 'fuser']);
  await dockerOk(svc, ['rmi', 'filtered/one:v1']);
  await dockerOk(svc, ['volume', 'rm', 'fvol-a', 'fvol-b']);
  await dockerOk(svc, ['network', 'rm', 'fnet-red', 'fnet-blue']);
});

test('a named volume keeps data across containers and is removed when unused', async () => {
  assert.equal(await dockerOk(svc, ['volume', 'create', 'keep1']), 'keep1');
  await dockerOk(svc, ['run', '--rm', '-v', 'keep1:/data', 'busybox', 'sh', '-c', 'echo kept > /data/f']);
  assert.equal(await dockerOk(svc, ['run', '--rm', '-v', 'keep1:/data', 'busybox', 'cat', '/data/f']), 'kept');
  assert.match(await dockerOk(svc, ['volume', 'ls', '--format', '{{.Name}} {{.Driver}}']), /^keep1 local$/m);
  assert.equal(await dockerOk(svc, ['volume', 'inspect', '-f', '{{.Name}}', 'keep1']), 'keep1');
  assert.equal(await dockerOk(svc, ['volume', 'rm', 'keep1']), 'keep1');
  const gone = await docker(svc, ['volume', 'inspect', 'keep1']);
  assert.equal(gone.code, 1);
});

test('docker build sends the context to POST /build; the image runs; a failing RUN gives its exit code', async () => {
  const dir = fs.mkdtempSync(path.join(svc.root, 'ctx-'));
  fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM busybox\nCOPY hello.txt /hello.txt\nRUN cat /hello.txt\nCMD ["cat", "/hello.txt"]\n');
  fs.writeFileSync(path.join(dir, 'hello.txt'), 'built through the API\n');
  const built = await docker(svc, ['build', '-t', 'apibuilt:1', dir]);
  assert.equal(built.code, 0, built.stderr);
  assert.match(built.stdout, /Step 3\/4 : RUN cat \/hello\.txt\n ---> Running in [0-9a-f]{12}\nbuilt through the API\n/);
  assert.match(built.stdout, /Successfully tagged apibuilt:1/);
  assert.equal(await dockerOk(svc, ['run', '--rm', 'apibuilt:1']), 'built through the API');
  assert.match(await dockerOk(svc, ['build', '-q', dir]), /^sha256:[0-9a-f]{64}$/);
  fs.writeFileSync(path.join(dir, 'Dockerfile.bad'), 'FROM busybox\nRUN exit 3\n');
  const failed = await docker(svc, ['build', '-f', path.join(dir, 'Dockerfile.bad'), dir]);
  assert.equal(failed.code, 3);
  assert.match(failed.stderr, /The command '\/bin\/sh -c exit 3' returned a non-zero code: 3/);
});

test('commit, update, export | import, save | load', async () => {
  const dir = fs.mkdtempSync(path.join(svc.root, 'xfer-'));
  await dockerOk(svc, ['run', '-d', '--name', 'src1', 'busybox', 'sh', '-c', 'echo committed > /c.txt; sleep 60']);
  for (let i = 0; i < 50 && (await docker(svc, ['exec', 'src1', 'cat', '/c.txt'])).code !== 0; i++) await new Promise((r) => setTimeout(r, 100));
  assert.match(await dockerOk(svc, ['commit', '-c', 'CMD ["cat", "/c.txt"]', '-m', 'via api', 'src1', 'committed:1']), /^sha256:[0-9a-f]{64}$/);
  assert.equal(await dockerOk(svc, ['run', '--rm', 'committed:1']), 'committed');
  await dockerOk(svc, ['update', '-m', '128m', '--restart', 'on-failure:2', 'src1']);
  assert.equal(await dockerOk(svc, ['inspect', '-f', '{{.HostConfig.Memory}} {{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}', 'src1']), '134217728 on-failure:2');
  await dockerOk(svc, ['export', '-o', path.join(dir, 'fs.tar'), 'src1']);
  await dockerOk(svc, ['import', path.join(dir, 'fs.tar'), 'imported:1']);
  assert.equal(await dockerOk(svc, ['run', '--rm', 'imported:1', 'cat', '/c.txt']), 'committed');
  await dockerOk(svc, ['save', '-o', path.join(dir, 'img.tar'), 'committed:1']);
  await dockerOk(svc, ['rm', '-f', 'src1']);
  await dockerOk(svc, ['rmi', 'committed:1']);
  assert.equal(await dockerOk(svc, ['load', '-i', path.join(dir, 'img.tar')]), 'Loaded image: committed:1');
  assert.equal(await dockerOk(svc, ['run', '--rm', 'committed:1']), 'committed');
});

test('push to and pull from a registry on 127.0.0.1 (skiff registry serve)', async () => {
  const port = await freePort();
  const registry = spawn(SKIFF, ['registry', 'serve', '--addr', `127.0.0.1:${port}`, '--root', path.join(svc.root, 'registry')], { stdio: 'ignore' });
  try {
    await waitForPort(port);
    const name = `127.0.0.1:${port}/team/bb:1`;
    await dockerOk(svc, ['tag', 'busybox', name]);
    const pushed = await dockerOk(svc, ['push', name]);
    assert.match(pushed, /1: digest: sha256:[0-9a-f]{64}/);
    await dockerOk(svc, ['rmi', name]);
    const pulled = await dockerOk(svc, ['pull', name]);
    assert.match(pulled, new RegExp(`Status: Downloaded newer image for 127.0.0.1:${port}/team/bb:1`));
    assert.equal(await dockerOk(svc, ['run', '--rm', name, 'echo', 'pulled']), 'pulled');
  } finally {
    registry.kill('SIGKILL');
  }
});

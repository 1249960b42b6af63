// Seed 002 §docker镜像 / §第二部分docker高级 (commit, Dockerfile instructions, build, history, ports,
// save/load, tag/rmi, bind mounts and volumes) and seed 003's network modes, with the skiff CLI on its
// own engine root. The seed's Dockerfiles use busybox (httpd in place of nginx).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { destroyRoot, makeRoot, ok, skiff, skiffSync } from '../../engine/helpers.js';
import { eventuallyGet, freePort } from './net.js';

let root = '';
let work = '';
before(async () => {
  root = await makeRoot('e2e-img');
  work = fs.mkdtempSync(path.join(root, 'work-'));
});
after(async () => {
  await destroyRoot(root);
});

function context(name: string, files: Record<string, string>): string {
  const dir = path.join(work, name);
  fs.mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), text);
  return dir;
}

test('seed 002 §构建镜像 docker commit: a container\'s changes become an image with a repo:tag', () => {
  ok(root, ['run', '--name', 'apache2_src', 'busybox', 'sh', '-c', 'mkdir -p /var/www && echo installed > /var/www/apache2']);
  const id = ok(root, ['commit', 'apache2_src', '17801187613/apache2:1.0.0']);
  assert.match(id, /^sha256:[0-9a-f]{64}$/);
  assert.match(ok(root, ['images', '17801187613/apache2']), /17801187613\/apache2\s+1\.0\.0\s+[0-9a-f]{12}/);
  const inspected = JSON.parse(ok(root, ['inspect', id])) as Array<{ Id: string; RepoTags: string[] }>;
  assert.equal(inspected[0].Id, id);
  assert.deepEqual(inspected[0].RepoTags, ['17801187613/apache2:1.0.0']);
  assert.equal(ok(root, ['run', '--rm', '17801187613/apache2:1.0.0', 'cat', '/var/www/apache2']), 'installed');
  ok(root, ['rm', 'apache2_src']);
});

test('seed 002 §用Dockerfile构建镜像 static_web: build, history, run -p 80 / -p H:80 / -P, docker port', async () => {
  const dir = context('static_web', {
    Dockerfile: [
      '# Version: 0.0.1',
      'FROM busybox',
      'RUN mkdir -p /usr/share/nginx/html',
      "RUN echo 'Hi,I am in your container' \\",
      '    > /usr/share/nginx/html/index.html',
      'EXPOSE 80',
      'CMD ["httpd", "-f", "-p", "80", "-h", "/usr/share/nginx/html"]',
      '',
    ].join('\n'),
  });
  const built = await skiff(root, ['build', '-t', 'static_web', dir]);
  assert.equal(built.code, 0, built.stderr);
  assert.match(built.stdout, /Successfully tagged static_web:latest/);
  // The second build is all cache.
  const again = await skiff(root, ['build', '-t', 'xingkong/static_web', dir]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /Using cache/);
  const history = ok(root, ['history', 'static_web']);
  assert.match(history.split('\n')[0], /^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT$/);
  assert.match(history, /EXPOSE/);
  assert.match(history, /Hi,I am in your container/);

  const port = await freePort();
  ok(root, ['run', '-d', '-p', `127.0.0.1:${port}:80`, '--name', 'static_web', 'static_web']);
  assert.equal((await eventuallyGet(port)).body, 'Hi,I am in your container\n');
  assert.equal(ok(root, ['port', 'static_web']), `80/tcp -> 127.0.0.1:${port}`);
  assert.match(ok(root, ['ps', '-l']), /static_web/);

  ok(root, ['run', '-d', '-p', '80', '--name', 'static_web_any', 'static_web']);
  const [, anyPort] = /0\.0\.0\.0:(\d+)/.exec(ok(root, ['port', 'static_web_any', '80']))!;
  assert.equal((await eventuallyGet(Number(anyPort))).body, 'Hi,I am in your container\n');

  ok(root, ['run', '-d', '-P', '--name', 'static_web_all', 'static_web']);
  const [, allPort] = /0\.0\.0\.0:(\d+)/.exec(ok(root, ['port', 'static_web_all']))!;
  assert.equal((await eventuallyGet(Number(allPort))).body, 'Hi,I am in your container\n');
  ok(root, ['rm', '-f', 'static_web', 'static_web_any', 'static_web_all']);
});

test('seed 002 §Dockerfile指令: CMD is overridden by run arguments, ENTRYPOINT takes them, --entrypoint replaces it', async () => {
  const cmd = context('cmd', { Dockerfile: 'FROM busybox\nCMD ["echo", "from CMD"]\n' });
  assert.equal((await skiff(root, ['build', '-q', '-t', 'cmd_demo', cmd])).code, 0);
  assert.equal(ok(root, ['run', '--rm', 'cmd_demo']), 'from CMD');
  assert.equal(ok(root, ['run', '--rm', 'cmd_demo', 'echo', 'overridden']), 'overridden');

  const entry = context('entry', { Dockerfile: 'FROM busybox\nENTRYPOINT ["echo", "nginx"]\nCMD ["-h"]\n' });
  assert.equal((await skiff(root, ['build', '-q', '-t', 'entry_demo', entry])).code, 0);
  assert.equal(ok(root, ['run', '--rm', 'entry_demo']), 'nginx -h');
  assert.equal(ok(root, ['run', '--rm', 'entry_demo', '-g', 'daemon off;']), 'nginx -g daemon off;');
  assert.equal(ok(root, ['run', '--rm', '--entrypoint', 'pwd', 'entry_demo']), '/');
});

test('seed 002 §Dockerfile指令: ENV + WORKDIR, USER, ADD/COPY, ARG with --build-arg, LABEL', async () => {
  const dir = context('instr', {
    Dockerfile: [
      'FROM busybox',
      'LABEL version="1.0" maintainer="hello1"',
      'ENV RVM_PATH=/home/rvm RVM_ARCHFLAGS="-arch i386"',
      'ENV TARGET_DIR /opt/app',
      'WORKDIR $TARGET_DIR',
      // The seed copies to /root; busybox's /root is 0700, which USER nobody could not read.
      'ADD demo.txt /srv/demo.txt',
      'ARG filename',
      'COPY ${filename} /srv',
      'USER nobody',
      'CMD ["sh", "-c", "pwd; echo $RVM_PATH $RVM_ARCHFLAGS; id -un; cat /srv/demo.txt /srv/other.txt"]',
      '',
    ].join('\n'),
    'demo.txt': 'demo\n',
    'other.txt': 'other\n',
  });
  const built = await skiff(root, ['build', '-t', 'u1_args', '--build-arg', 'filename=other.txt', dir]);
  assert.equal(built.code, 0, built.stderr);
  assert.equal(ok(root, ['run', '--rm', 'u1_args']), '/opt/app\n/home/rvm -arch i386\nnobody\ndemo\nother');
  assert.equal(ok(root, ['inspect', '-f', '{{index .Config.Labels "maintainer"}}', 'u1_args']), 'hello1');
});

test('seed 002 §Dockerfile指令 ONBUILD: u1\'s trigger runs when u2 is built FROM u1', async () => {
  const u1 = context('u1', { Dockerfile: 'FROM busybox\nONBUILD ADD . /var/log/\n' });
  assert.equal((await skiff(root, ['build', '-q', '-t', 'u1', u1])).code, 0);
  const u2 = context('u2', { Dockerfile: 'FROM u1\n', 'app.log': 'triggered\n' });
  const built = await skiff(root, ['build', '-t', 'u2', u2]);
  assert.equal(built.code, 0, built.stderr);
  assert.equal(ok(root, ['run', '--rm', 'u2', 'cat', '/var/log/app.log']), 'triggered');
  // The trigger ran once: an image built from u2 does not run it again.
  const u3 = context('u3', { Dockerfile: 'FROM u2\n', 'other.log': 'no\n' });
  assert.equal((await skiff(root, ['build', '-q', '-t', 'u3', u3])).code, 0);
  assert.equal(skiffSync(root, ['run', '--rm', 'u3', 'ls', '/var/log/other.log']).code, 1);
});

test('seed 002 §多阶段构建: a builder stage makes the program, the final image copies only it (COPY --from=builder)', async () => {
  const dir = context('multistage', {
    Dockerfile: [
      '# 编译阶段',
      'FROM busybox AS builder',
      'WORKDIR /go/src',
      'COPY server.sh .',
      'RUN mkdir -p /out && cp server.sh /out/server && chmod +x /out/server && dd if=/dev/zero of=/go/src/big bs=1k count=512',
      '# 运行阶段',
      'FROM busybox',
      'COPY --from=builder /out/server /app/server',
      'CMD ["/app/server"]',
      '',
    ].join('\n'),
    'server.sh': '#!/bin/sh\necho server built in stage one\n',
  });
  const built = await skiff(root, ['build', '-t', 'multistage', dir]);
  assert.equal(built.code, 0, built.stderr);
  assert.equal(ok(root, ['run', '--rm', 'multistage']), 'server built in stage one');
  // Nothing else of the builder stage is in the final image.
  assert.equal(skiffSync(root, ['run', '--rm', 'multistage', 'ls', '/go/src/big']).code, 1);
  const builder = await skiff(root, ['build', '-q', '--target', 'builder', '-t', 'multistage:builder', dir]);
  assert.equal(builder.code, 0, builder.stderr);
  assert.equal(ok(root, ['run', '--rm', 'multistage:builder', 'pwd']), '/go/src');
});

test('seed 002 §Dockerfile指令 VOLUME: the image\'s volumes are mounted as anonymous volumes', async () => {
  const dir = context('vol', { Dockerfile: 'FROM busybox\nVOLUME ["/data1","/data2"]\n' });
  assert.equal((await skiff(root, ['build', '-q', '-t', 'vol_demo', dir])).code, 0);
  ok(root, ['run', '--name', 'vol_demo', 'vol_demo', 'touch', '/data1/x']);
  const mounts = JSON.parse(ok(root, ['inspect', '-f', '{{json .Mounts}}', 'vol_demo'])) as Array<{ Type: string; Destination: string }>;
  assert.deepEqual(mounts.map((m) => [m.Type, m.Destination]).sort(), [['volume', '/data1'], ['volume', '/data2']]);
  ok(root, ['rm', '-v', 'vol_demo']);
});

test('seed 002 §docker镜像: save > tar, rmi, load < tar, tag, rmi several', async () => {
  ok(root, ['tag', 'busybox', 'ubuntu:1.0.0']);
  ok(root, ['tag', 'ubuntu:1.0.0', 'ubuntu:1.0.1']);
  const tar = path.join(work, 'ubuntu.tar');
  const saved = skiffSync(root, ['save', '-o', tar, 'ubuntu:1.0.0']);
  assert.equal(saved.code, 0, saved.stderr);
  const rmi = ok(root, ['rmi', 'ubuntu:1.0.0', 'ubuntu:1.0.1']);
  assert.match(rmi, /^Untagged: ubuntu:1\.0\.0\nUntagged: ubuntu:1\.0\.1$/);
  assert.doesNotMatch(ok(root, ['images']), /^ubuntu\s/m);
  const loaded = await skiff(root, ['load'], fs.readFileSync(tar));
  assert.equal(loaded.code, 0, loaded.stderr);
  assert.match(loaded.stdout, /Loaded image: ubuntu:1\.0\.0/);
  assert.equal(ok(root, ['run', '--rm', 'ubuntu:1.0.0', 'echo', 'loaded']), 'loaded');
  ok(root, ['rmi', 'ubuntu:1.0.0']);
});

test('seed 002 §Docker的数据持久化 bind mount: -v host:/app shares files both ways', () => {
  const target = path.join(work, 'static_web', 'target');
  fs.mkdirSync(target, { recursive: true });
  ok(root, ['run', '--rm', '-v', `${target}:/app`, 'busybox', 'sh', '-c', 'echo from container > /app/out.txt']);
  assert.equal(fs.readFileSync(path.join(target, 'out.txt'), 'utf8'), 'from container\n');
  fs.writeFileSync(path.join(target, 'in.txt'), 'from host\n');
  assert.equal(ok(root, ['run', '--rm', '-v', `${target}:/app`, 'busybox', 'cat', '/app/in.txt']), 'from host');
});

test('seed 002 §Docker的数据持久化 bind mount: a missing host directory is created', () => {
  const target = path.join(work, 'missing', 'target');
  ok(root, ['run', '--rm', '-v', `${target}:/app`, 'busybox', 'touch', '/app/made']);
  assert.ok(fs.existsSync(path.join(target, 'made')));
});

test('seed 002 §Docker的数据持久化 volume mount: volume create/ls/inspect, -v my-vol:/app shared, rm', () => {
  assert.equal(ok(root, ['volume', 'create', 'my-vol']), 'my-vol');
  assert.match(ok(root, ['volume', 'ls']), /^local\s+my-vol$/m);
  const info = JSON.parse(ok(root, ['volume', 'inspect', 'my-vol'])) as Array<{ Driver: string; Name: string; Mountpoint: string; Scope: string }>;
  assert.equal(info[0].Driver, 'local');
  assert.equal(info[0].Name, 'my-vol');
  assert.equal(info[0].Scope, 'local');
  assert.match(info[0].Mountpoint, /my-vol\/_data$/);
  ok(root, ['run', '-d', '--name', 'devtest', '-v', 'my-vol:/app', 'busybox', 'sh', '-c', 'echo kept > /app/data.txt; sleep 300']);
  assert.equal(ok(root, ['run', '--rm', '-v', 'my-vol:/app', 'busybox', 'sh', '-c', 'while ! cat /app/data.txt 2>/dev/null; do sleep 0.1; done']), 'kept');
  const inUse = skiffSync(root, ['volume', 'rm', 'my-vol']);
  assert.notEqual(inUse.code, 0);
  assert.match(inUse.stderr, /volume is in use/);
  ok(root, ['rm', '-f', 'devtest']);
  assert.equal(ok(root, ['volume', 'rm', 'my-vol']), 'my-vol');

  // Image content under the target is copied into a new named volume (nginx-vol in the seed).
  ok(root, ['run', '--rm', '-v', 'nginx-vol:/etc', 'busybox', 'true']);
  const mp = (JSON.parse(ok(root, ['volume', 'inspect', 'nginx-vol'])) as Array<{ Mountpoint: string }>)[0].Mountpoint;
  assert.ok(fs.existsSync(path.join(mp, 'passwd')));
  ok(root, ['volume', 'rm', 'nginx-vol']);
});

test('seed 002 §Docker的数据持久化: --mount type=bind / source=my-vol,target=/app', () => {
  // Unlike -v, --mount type=bind wants an existing source (docker refuses a missing one).
  const target = path.join(work, 'mount-target');
  fs.mkdirSync(target);
  ok(root, ['run', '--rm', '--mount', `type=bind,source=${target},target=/app`, 'busybox', 'sh', '-c', 'echo hi > /app/x']);
  assert.equal(fs.readFileSync(path.join(target, 'x'), 'utf8'), 'hi\n');
  ok(root, ['run', '--rm', '--mount', 'source=mount-vol,target=/app', 'busybox', 'touch', '/app/y']);
  ok(root, ['volume', 'rm', 'mount-vol']);
});

test('seed 003 §网络模式 null/host/bridge and a user bridge network with name resolution', async () => {
  assert.deepEqual(ok(root, ['network', 'ls', '--format', '{{.Name}} {{.Driver}}']).split('\n').sort(), ['bridge bridge', 'host host', 'none null']);
  // none: only loopback.
  assert.equal(ok(root, ['run', '--rm', '--network', 'none', 'busybox', 'sh', '-c', 'ls /sys/class/net | sort | tr "\\n" " "']), 'lo');
  // bridge: an eth0 with an address of the default bridge.
  assert.match(ok(root, ['run', '--rm', 'busybox', 'ip', '-4', 'addr', 'show', 'eth0']), /inet 172\.\d+\.\d+\.\d+\//);
  // host: the host's interfaces.
  assert.match(ok(root, ['run', '--rm', '--network', 'host', 'busybox', 'ls', '/sys/class/net']), /\blo\b/);

  const netName = `e2enet${process.pid}`;
  ok(root, ['network', 'create', netName]);
  ok(root, ['run', '-d', '--name', 'e2eweb', '--network', netName, 'busybox', 'sh', '-c', 'mkdir /www && echo web > /www/index.html && exec httpd -f -p 80 -h /www']);
  const got = ok(root, ['run', '--rm', '--network', netName, 'busybox', 'sh', '-c', 'for i in $(seq 20); do wget -qO- http://e2eweb/ && exit 0; sleep 0.3; done; exit 1']);
  assert.equal(got, 'web');
  ok(root, ['rm', '-f', 'e2eweb']);
  assert.equal(ok(root, ['network', 'rm', netName]), netName);
});

test('seed 004 §docker system: docker system df and info answer', () => {
  assert.match(ok(root, ['system', 'df']).split('\n')[0], /^TYPE\s+TOTAL\s+ACTIVE\s+SIZE\s+RECLAIMABLE$/);
  assert.match(ok(root, ['info']), /Containers:/);
});

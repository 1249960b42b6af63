// The docker command summary of seed 002 (§docker命令汇总, §运行第一个容器, §构建缓存, §多阶段构建) and
// seed 004 (§命令, §docker exec, §docker commit, §常见应用 hadoop/redis) beyond the walkthroughs in
// docker-containers/docker-images: restart, rm of a running container, kill -s, inspect templates,
// logs -f/--since, rename, wait, prune, restart policies with a limit, commit -a -m, save/export to
// stdout, load -i, failing and cached builds, ADD of a tar, FROM scratch, .dockerignore, -f, a user
// network with --subnet and -h. busybox stands in for ubuntu/nginx/hadoop images (no internet).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { destroyRoot, eventually, makeRoot, ok, SKIFF, skiff, skiffSync } from '../../engine/helpers.js';

let root = '';
let work = '';
before(async () => {
  root = await makeRoot('e2e-cli');
  work = fs.mkdtempSync(path.join(root, 'work-'));
});
after(async () => {
  await destroyRoot(root);
});

function context(name: string, files: Record<string, string | Buffer>): string {
  const dir = path.join(work, name);
  fs.mkdirSync(dir, { recursive: true });
  for (const [file, data] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), data);
  return dir;
}

/** `skiff args > file`: stdout kept as bytes (image and filesystem archives). */
function toFile(args: string[], file: string): void {
  const r = spawnSync(SKIFF, ['--root', root, ...args], { encoding: 'buffer', timeout: 120_000, maxBuffer: 1 << 30 });
  assert.equal(r.status, 0, r.stderr.toString());
  fs.writeFileSync(file, r.stdout);
}

test('seed 002/004 help and system: docker version, info, -h, run --help, container --help lists the container verbs', () => {
  const version = ok(root, ['version']);
  assert.match(version, /^Client:\n\s+Version:\s+\S+/);
  assert.match(version, /^Server:/m);
  assert.match(ok(root, ['system', 'info']), /Containers:/);
  assert.match(ok(root, ['run', '--help']), /Usage:\s+\S+ run \[OPTIONS\] IMAGE \[COMMAND\] \[ARG\.\.\.\]/);
  const help = ok(root, ['container', '--help']);
  for (const verb of ['attach', 'commit', 'cp', 'create', 'diff', 'exec', 'export', 'inspect', 'kill', 'logs', 'ls', 'pause', 'port', 'prune', 'rename', 'restart', 'rm', 'run', 'start', 'stats', 'stop', 'top', 'unpause', 'wait'])
    assert.match(help, new RegExp(`^\\s+${verb}\\s+\\S`, 'm'), `container --help lacks ${verb}`);
});

test('seed 002 §守护式容器/§docker命令汇总: restart, rm of a running container is refused, kill -s KILL, inspect -f templates, ps -as, logs -f and --since, exec env, rename, wait, container prune', async () => {
  const id = ok(root, ['run', '-d', '--name', 'daemon_dave', '-e', 'TZ=Asia/Shanghai', 'busybox', 'sh', '-c', 'echo hello world; exec sleep 300']);
  assert.equal(ok(root, ['inspect', '-f', '{{.Id}}', 'daemon_dave']), id);
  assert.match(ok(root, ['inspect', '--format={{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', 'daemon_dave']), /^\d+\.\d+\.\d+\.\d+$/);
  assert.match(ok(root, ['exec', id.slice(0, 12), 'env']), /^TZ=Asia\/Shanghai$/m);

  const refused = skiffSync(root, ['rm', 'daemon_dave']);
  assert.equal(refused.code, 1);
  assert.equal(refused.stderr.trim(), `Error response from daemon: You cannot remove a running container ${id}. Stop the container before attempting removal or force remove`);

  assert.equal(ok(root, ['restart', '-t', '1', id.slice(0, 5)]), id.slice(0, 5));
  await eventually('the second run logged', () => ok(root, ['logs', 'daemon_dave']) === 'hello world\nhello world');
  assert.equal(ok(root, ['logs', '--since', '30m', 'daemon_dave']), 'hello world\nhello world');

  // docker logs -f keeps following until the container ends (Ctrl-C in the seed).
  const follow = spawn(SKIFF, ['--root', root, 'logs', '-f', 'daemon_dave'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let followed = '';
  follow.stdout.on('data', (d: Buffer) => (followed += d.toString()));
  try {
    await eventually('logs -f output', () => followed === 'hello world\nhello world\n');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(follow.exitCode, null, 'logs -f returned while the container runs');
  } finally {
    follow.kill();
  }

  const sized = ok(root, ['ps', '-as', '--filter', 'name=daemon_dave']);
  assert.match(sized.split('\n')[0], /^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES\s+SIZE$/);
  assert.match(sized, /daemon_dave\s+\d+(\.\d+)?[kMG]?B \(virtual \d+(\.\d+)?[kMG]?B\)$/m);

  assert.equal(ok(root, ['rename', 'daemon_dave', 'daemon_dave2']), '');
  assert.equal(ok(root, ['kill', '-s', 'KILL', 'daemon_dave2']), 'daemon_dave2');
  assert.equal(ok(root, ['wait', 'daemon_dave2']), '137');
  assert.match(ok(root, ['ps', '-a', '--filter', 'name=daemon_dave2', '--format', '{{.Status}}']), /^Exited \(137\)/);
  // docker events --since/--until: the lifecycle above as events.
  const events = ok(root, ['events', '--since', '10m', '--until', '0s', '--filter', 'event=die']);
  assert.match(events, new RegExp(`container die ${id} \\(exitCode=137, .*name=daemon_dave2\\)`));
  const pruned = ok(root, ['container', 'prune', '-f']);
  assert.match(pruned, new RegExp(`^Deleted Containers:\\n(.*\\n)*${id}\\n`));
  assert.equal(ok(root, ['container', 'ls', '-a', '-q', '--filter', 'name=daemon_dave2']), '');
});

test('seed 002 §退出后自动重启: --restart=on-failure:2 restarts a failing container twice, then leaves it exited', async () => {
  ok(root, ['run', '-d', '--name', 'on_failure', '--restart=on-failure:2', 'busybox', 'sh', '-c', 'echo run; exit 1']);
  await eventually('two restarts, then exited', () => ok(root, ['inspect', '-f', '{{.RestartCount}} {{.State.Status}}', 'on_failure']) === '2 exited', 30_000);
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(ok(root, ['inspect', '-f', '{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}}', 'on_failure']), '2 exited 1');
  assert.equal(ok(root, ['logs', 'on_failure']), 'run\nrun\nrun');
  ok(root, ['rm', 'on_failure']);
});

test('seed 002 §docker命令汇总/seed 004 §docker commit: commit -a -m, history, save > tar, rmi, load -i, export > tar | import, tag by image id, images -q, image ls/rm', async () => {
  ok(root, ['run', '--name', 'lnmp', 'busybox', 'sh', '-c', 'echo configured > /etc/lnmp.conf']);
  const image = ok(root, ['commit', '-a', 'user', '-m', 'commit info', 'lnmp', 'mine/lnmp:0.2']);
  assert.match(image, /^sha256:[0-9a-f]{64}$/);
  assert.equal(ok(root, ['inspect', '-f', '{{.Author}}|{{.Comment}}', 'mine/lnmp:0.2']), 'user|commit info');
  assert.match(ok(root, ['history', 'mine/lnmp:0.2']).split('\n')[1], new RegExp(`^${image.slice(7, 19)}\\s+.*\\scommit info$`));

  const saved = path.join(work, 'lnmp.tar');
  toFile(['save', 'mine/lnmp:0.2'], saved);
  assert.match(ok(root, ['image', 'rm', 'mine/lnmp:0.2']), /^Untagged: mine\/lnmp:0\.2\nDeleted: sha256:/);
  assert.equal(ok(root, ['load', '-i', saved]), 'Loaded image: mine/lnmp:0.2');
  assert.equal(ok(root, ['run', '--rm', 'mine/lnmp:0.2', 'cat', '/etc/lnmp.conf']), 'configured');

  const exported = path.join(work, 'ubuntu_nexus.tar');
  toFile(['export', 'lnmp'], exported);
  assert.match(ok(root, ['import', exported, 'nexus:1.0']), /^sha256:[0-9a-f]{64}$/);
  assert.equal(ok(root, ['run', '--rm', 'nexus:1.0', 'cat', '/etc/lnmp.conf']), 'configured');

  // commit -c applies Dockerfile instructions to the new image.
  ok(root, ['commit', '-c', 'CMD ["cat", "/etc/lnmp.conf"]', '-c', 'ENV LNMP=1', 'lnmp', 'mine/lnmp:changed']);
  assert.equal(ok(root, ['run', '--rm', 'mine/lnmp:changed']), 'configured');
  assert.equal(ok(root, ['run', '--rm', 'mine/lnmp:changed', 'sh', '-c', 'echo $LNMP']), '1');
  ok(root, ['rmi', 'mine/lnmp:changed']);

  const shortId = ok(root, ['images', '-q', 'mine/lnmp:0.2']);
  assert.match(shortId, /^[0-9a-f]{12}$/);
  ok(root, ['tag', shortId, 'demo.example/myuser/elasticsearch:1.0.0']);
  assert.match(ok(root, ['image', 'ls']), new RegExp(`^demo\\.example/myuser/elasticsearch\\s+1\\.0\\.0\\s+${shortId}\\s`, 'm'));
  assert.ok(ok(root, ['images', '-a', '-q']).split('\n').includes(shortId));
  ok(root, ['rmi', 'demo.example/myuser/elasticsearch:1.0.0', 'mine/lnmp:0.2', 'nexus:1.0']);
  ok(root, ['rm', 'lnmp']);
});

test('seed 002 §指令失败了会如何/§构建缓存: a failing RUN names the command and its code; the last good layer runs; --no-cache rebuilds every step', async () => {
  const dir = context('static_web_fail', { Dockerfile: 'FROM busybox\nRUN echo installed > /var/nginx\nRUN ngin-install -y ngin\nEXPOSE 80\n' });
  const failed = await skiff(root, ['build', '-t', 'xingkong/static_web', dir]);
  assert.equal(failed.code, 127);
  assert.match(failed.stderr, /The command '\/bin\/sh -c ngin-install -y ngin' returned a non-zero code: 127/);
  const steps = [...failed.stdout.matchAll(/^ ---> ([0-9a-f]{12})$/gm)].map((m) => m[1]);
  assert.equal(ok(root, ['run', '--rm', steps[steps.length - 1], 'cat', '/var/nginx']), 'installed');
  assert.equal(skiffSync(root, ['image', 'inspect', 'xingkong/static_web']).code, 1);

  const good = context('static_web_cache', { Dockerfile: 'FROM busybox\nRUN echo installed > /var/nginx\nEXPOSE 80\n' });
  assert.equal((await skiff(root, ['build', '-t', 'cached', good])).code, 0);
  const cached = await skiff(root, ['build', '-t', 'cached', good]);
  assert.match(cached.stdout, /Using cache/);
  const fresh = await skiff(root, ['build', '--no-cache', '-t', 'cached', good]);
  assert.equal(fresh.code, 0, fresh.stderr);
  assert.doesNotMatch(fresh.stdout, /Using cache/);
  ok(root, ['rmi', 'cached']);
});

test('seed 002 §ADD/§COPY/§多阶段构建/§Dockerfile最佳实践: ADD unpacks a tar and COPY does not; FROM scratch with COPY --from=0; .dockerignore; image build -f', async () => {
  const src = context('tar-src', { 'f.txt': 'inside the tar\n' });
  const tar = spawnSync('tar', ['-C', src, '-cf', '-', 'f.txt'], { encoding: 'buffer' }).stdout;
  const addDir = context('add', { 'demo.tar': tar, Dockerfile: 'FROM busybox\nADD demo.tar /root/\nCOPY demo.tar /copied/\n' });
  assert.equal((await skiff(root, ['build', '-q', '-t', 'add_demo', addDir])).code, 0);
  assert.equal(ok(root, ['run', '--rm', 'add_demo', 'sh', '-c', 'cat /root/f.txt; ls /copied']), 'inside the tar\ndemo.tar');

  const scratch = context('scratch', {
    'server': '#!/bin/sh\necho server from stage 0\n',
    Dockerfile: [
      '# 编译阶段',
      'FROM busybox',
      'COPY server /build/server',
      'RUN chmod +x /build/server',
      '# 运行阶段',
      'FROM scratch',
      'COPY --from=0 /build/server /',
      // The "program" is a script here, so the final image needs a shell; a Go binary would not.
      'COPY --from=0 /bin/busybox /bin/sh',
      'ENTRYPOINT ["/server"]',
      '',
    ].join('\n'),
  });
  const built = await skiff(root, ['build', '-t', 'scratch_server', scratch]);
  assert.equal(built.code, 0, built.stderr);
  assert.equal(ok(root, ['run', '--rm', 'scratch_server']), 'server from stage 0');
  const layers = JSON.parse(ok(root, ['image', 'inspect', '-f', '{{json .RootFS.Layers}}', 'scratch_server'])) as string[];
  assert.equal(layers.length, 2);

  const ignored = context('ignored', { 'keep.txt': 'keep\n', 'secret.txt': 'secret\n', '.dockerignore': 'secret.txt\n', 'build.Dockerfile': 'FROM busybox\nCOPY . /ctx/\nCMD ["ls", "/ctx"]\n' });
  const r = await skiff(root, ['image', 'build', '-f', path.join(ignored, 'build.Dockerfile'), '-t', 'edw/scratch-cms-backend:1.0.0', ignored]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(ok(root, ['run', '--rm', 'edw/scratch-cms-backend:1.0.0']).split('\n'), ['build.Dockerfile', 'keep.txt']);
  ok(root, ['rmi', 'add_demo', 'scratch_server', 'edw/scratch-cms-backend:1.0.0']);
});

test('seed 004 §hadoop: network create --driver=bridge --subnet, run -h Master --network, containers reach each other by name; -v target:/app makes a named volume', () => {
  // The seed's 172.19.0.0/16 could overlap engine default bridges on this host; a /24 of our own stands in.
  const subnet = `10.253.${process.pid % 250}`;
  const netName = `hadoop${process.pid}`;
  ok(root, ['network', 'create', '--driver=bridge', `--subnet=${subnet}.0/24`, netName]);
  try {
    ok(root, ['run', '-d', '--network', netName, '-h', 'Master', '--name', `Master${process.pid}`, 'busybox', 'sleep', '300']);
    assert.equal(ok(root, ['exec', `Master${process.pid}`, 'hostname']), 'Master');
    const ip = ok(root, ['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', `Master${process.pid}`]);
    assert.ok(ip.startsWith(`${subnet}.`), ip);
    assert.match(ok(root, ['run', '--rm', '--network', netName, '-h', 'Slave1', 'busybox', 'ping', '-c', '1', '-W', '3', `Master${process.pid}`]), new RegExp(`64 bytes from ${ip.replace(/\./g, '\\.')}`));
    ok(root, ['rm', '-f', `Master${process.pid}`]);
  } finally {
    ok(root, ['network', 'rm', netName]);
  }

  // seed 004 §docker run (zookeeper): a single host file mounted over a file of the image.
  const cfg = path.join(work, 'zoo.cfg');
  fs.writeFileSync(cfg, 'tickTime=2000\n');
  assert.equal(ok(root, ['run', '--rm', '-v', `${cfg}:/conf/zoo.cfg`, 'busybox', 'cat', '/conf/zoo.cfg']), 'tickTime=2000');

  // -v with a bare name is a named volume, not a host path (seed 002 §bind mount).
  ok(root, ['run', '--rm', '-v', 'target:/app', 'busybox', 'sh', '-c', 'echo kept > /app/x']);
  assert.match(ok(root, ['volume', 'ls']), /^local\s+target$/m);
  assert.equal(ok(root, ['run', '--rm', '-v', 'target:/app', 'busybox', 'cat', '/app/x']), 'kept');
  ok(root, ['volume', 'rm', 'target']);
});

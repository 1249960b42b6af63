// `skiff build` end to end on the real engine (runc containers, overlay layers): the seed's static_web
// Dockerfile with busybox httpd, cache reuse and invalidation, multi-stage, ONBUILD, .dockerignore,
// build args, failing RUN, parse errors, -q and a context from stdin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { cacheMarks, cleanupRoot, ok, skiff, tempDir, writeContext } from './helpers.js';

let base: string;
let root: string;

before(() => {
  base = tempDir('build');
  root = path.join(base, 'root');
});

after(async () => {
  await cleanupRoot(root);
  fs.rmSync(base, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

const STATIC_WEB = (greeting: string) => [
  '# static_web, as in the seed, with busybox httpd in place of nginx',
  'FROM busybox',
  'RUN mkdir -p /usr/share/nginx/html',
  `RUN echo '${greeting}' \\`,
  '  > /usr/share/nginx/html/index.html',
  'EXPOSE 80',
  'CMD ["httpd", "-f", "-p", "80", "-h", "/usr/share/nginx/html"]',
].join('\n');

test('static_web builds with docker\'s transcript, serves its page, rebuilds from cache and from the changed line on', async () => {
  const ctx = writeContext(path.join(base, 'static_web'), { Dockerfile: STATIC_WEB('Hi,I am in your container') });
  const first = await ok(root, ['build', '-t', 'static_web', '-t', 'xingkong/static_web:v1', ctx]);
  const lines = first.trimEnd().split('\n');
  assert.match(lines[0], /^Sending build context to Docker daemon {2}\d+(\.\d+)?kB$/);
  assert.equal(lines[1], 'Step 1/5 : FROM busybox');
  assert.match(lines[2], /^ ---> [0-9a-f]{12}$/);
  assert.equal(lines[3], 'Step 2/5 : RUN mkdir -p /usr/share/nginx/html');
  assert.match(lines[4], /^ ---> Running in [0-9a-f]{12}$/);
  assert.ok(lines.includes("Step 3/5 : RUN echo 'Hi,I am in your container'   > /usr/share/nginx/html/index.html"), first);
  assert.ok(lines.includes('Step 4/5 : EXPOSE 80'));
  assert.match(lines.at(-3)!, /^Successfully built [0-9a-f]{12}$/);
  assert.equal(lines.at(-2), 'Successfully tagged static_web:latest');
  assert.equal(lines.at(-1), 'Successfully tagged xingkong/static_web:v1');
  assert.deepEqual(cacheMarks(first), ['2:run', '3:run']);
  const builtId = /Successfully built (\w+)/.exec(first)![1];

  const again = await ok(root, ['build', '-t', 'static_web', ctx]);
  assert.deepEqual(cacheMarks(again), ['2:cache', '3:cache', '4:cache', '5:cache']);
  assert.equal(/Successfully built (\w+)/.exec(again)![1], builtId);

  fs.writeFileSync(path.join(ctx, 'Dockerfile'), STATIC_WEB('Hi,I am in your container,by xingkong'));
  const changed = await ok(root, ['build', '-t', 'static_web', ctx]);
  assert.deepEqual(cacheMarks(changed), ['2:cache', '3:run']);
  assert.ok(!changed.split('\n').slice(changed.split('\n').findIndex((l) => l.startsWith('Step 3/5'))).includes(' ---> Using cache'));

  const noCache = await ok(root, ['build', '--no-cache', '-t', 'static_web', ctx]);
  assert.deepEqual(cacheMarks(noCache), ['2:run', '3:run']);

  const port = await freePort();
  const id = (await ok(root, ['run', '-d', '--network', 'host', 'static_web', 'httpd', '-f', '-p', `127.0.0.1:${port}`, '-h', '/usr/share/nginx/html'])).trim();
  try {
    let body = '';
    for (let i = 0; i < 50 && !body; i++) {
      try {
        body = await (await fetch(`http://127.0.0.1:${port}/`)).text();
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    assert.equal(body, 'Hi,I am in your container,by xingkong\n');
  } finally {
    await skiff(root, ['rm', '-f', id]);
  }
});

test('multi-stage: AS builder, FROM scratch, COPY --from=builder and --from=0 give a small image that runs', async () => {
  const ctx = writeContext(path.join(base, 'multi'), {
    Dockerfile: [
      'FROM busybox AS builder',
      'WORKDIR /build',
      'RUN echo "compiled output" > server.txt && cp /bin/busybox /build/busybox',
      'FROM scratch',
      'COPY --from=builder /build/busybox /bin/busybox',
      'COPY --from=0 /build/server.txt /',
      'ENTRYPOINT ["/bin/busybox"]',
      'CMD ["cat", "/server.txt"]',
    ].join('\n'),
  });
  const out = await ok(root, ['build', '-t', 'multi:small', ctx]);
  assert.match(out, /Step 4\/8 : FROM scratch\n ---> \n/);
  assert.equal(await ok(root, ['run', '--rm', 'multi:small']), 'compiled output\n');
  const history = await ok(root, ['history', '--format', '{{.CreatedBy}}', 'multi:small']);
  assert.ok(!history.includes('WORKDIR'), 'the final image has only its own stage\'s history');
  const again = await ok(root, ['build', '-t', 'multi:small', ctx]);
  assert.deepEqual(cacheMarks(again), ['2:cache', '3:cache', '5:cache', '6:cache', '7:cache', '8:cache']);
});

test('ONBUILD triggers fire in the child build, once (u1/u2/u3)', async () => {
  const u1 = writeContext(path.join(base, 'u1'), { Dockerfile: 'FROM busybox\nONBUILD ADD . /var/log/app/\nONBUILD RUN echo triggered > /var/log/app/mark\n' });
  await ok(root, ['build', '-t', 'u1', u1]);
  const u2 = writeContext(path.join(base, 'u2'), { Dockerfile: 'FROM u1\n', 'app.log': 'from u2 context\n' });
  const out2 = await ok(root, ['build', '-t', 'u2', u2]);
  assert.match(out2, /Step 1\/1 : FROM u1\n# Executing 2 build triggers\n/);
  assert.equal(await ok(root, ['run', '--rm', 'u2', 'cat', '/var/log/app/app.log', '/var/log/app/mark']), 'from u2 context\ntriggered\n');
  const u3 = writeContext(path.join(base, 'u3'), { Dockerfile: 'FROM u2\nRUN ls /var/log/app\n' });
  const out3 = await ok(root, ['build', '-t', 'u3', u3]);
  assert.ok(!out3.includes('# Executing'), out3);
});

test('.dockerignore excludes files from COPY, with ! exceptions', async () => {
  const ctx = writeContext(path.join(base, 'ignore'), {
    Dockerfile: 'FROM busybox\nCOPY . /ctx/\nRUN find /ctx -type f | sort\n',
    '.dockerignore': '*.secret\nlogs\n!logs/keep.log\n',
    'app.txt': 'a', 'db.secret': 's', 'logs/drop.log': 'd', 'logs/keep.log': 'k',
  });
  const out = await ok(root, ['build', '-t', 'ignored', ctx]);
  assert.ok(out.includes('/ctx/app.txt\n/ctx/logs/keep.log\n'), out);
  assert.ok(!out.includes('db.secret') && !out.includes('drop.log'), out);
  const missing = writeContext(path.join(base, 'ignore2'), { Dockerfile: 'FROM busybox\nCOPY db.secret /\n', '.dockerignore': 'db.secret\n', 'db.secret': 's' });
  const r = await skiff(root, ['build', missing]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /COPY failed: file not found in build context or excluded by .dockerignore: stat db.secret: file does not exist/);
});

test('build args: defaults, --build-arg, cache miss from the first RUN that uses a changed value; unused args warn', async () => {
  const ctx = writeContext(path.join(base, 'args'), {
    Dockerfile: 'FROM busybox\nARG filename=default.txt\nRUN echo first\nCOPY ${filename} /root/\nRUN echo "file is $filename"\n',
    'default.txt': 'd', 'demo.txt': 'x',
  });
  const a = await ok(root, ['build', '-t', 'args', ctx]);
  assert.match(a, /file is default\.txt/);
  const b = await ok(root, ['build', '-t', 'args', '--build-arg', 'filename=demo.txt', '--build-arg', 'unused=1', ctx]);
  assert.deepEqual(cacheMarks(b), ['2:cache', '3:run', '5:run']);
  assert.match(b, /file is demo\.txt/);
  assert.match(b, /\[Warning\] One or more build-args \[unused\] were not consumed/);
  assert.equal(await ok(root, ['run', '--rm', 'args', 'ls', '/root']), 'demo.txt\n');
});

test('a failing RUN stops the build with docker\'s message and exit code', async () => {
  const ctx = writeContext(path.join(base, 'fail'), { Dockerfile: 'FROM busybox\nRUN echo before\nRUN echo failing && exit 3\nRUN echo never\n' });
  const r = await skiff(root, ['build', '-t', 'broken', ctx]);
  assert.equal(r.code, 3);
  assert.equal(r.stderr, "The command '/bin/sh -c echo failing && exit 3' returned a non-zero code: 3\n");
  assert.match(r.stdout, /Step 3\/4 : RUN echo failing && exit 3\n ---> Running in [0-9a-f]{12}\nfailing\n$/);
  const lastGood = [...r.stdout.matchAll(/ ---> ([0-9a-f]{12})\n/g)].at(-1)![1];
  assert.equal(await ok(root, ['run', '--rm', lastGood, 'echo', 'debuggable']), 'debuggable\n');
});

test('parse errors are reported before any step; -q prints only the image ID; a tar context from stdin works', async () => {
  const bad = writeContext(path.join(base, 'bad'), { Dockerfile: 'FROM busybox\nFOO bar\n' });
  const r = await skiff(root, ['build', bad]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'Error response from daemon: dockerfile parse error on line 2: unknown instruction: FOO\n');

  const ctx = writeContext(path.join(base, 'stdin'), { Dockerfile: 'FROM busybox\nCOPY hello.txt /\nCMD ["cat", "/hello.txt"]\n', 'hello.txt': 'from a tar on stdin\n' });
  const tar = spawnSync('tar', ['-c', '-C', ctx, '.']).stdout;
  const quiet = await ok(root, ['build', '-q', '-t', 'fromstdin', '-'], { input: tar });
  assert.match(quiet, /^sha256:[0-9a-f]{64}\n$/);
  assert.equal(await ok(root, ['run', '--rm', 'fromstdin']), 'from a tar on stdin\n');
  const dfFromStdin = (await ok(root, ['build', '-q', '-f', '-', ctx], { input: 'FROM busybox\nCOPY hello.txt /\nCMD ["cat", "/hello.txt"]\n' })).trim();
  assert.equal(dfFromStdin, quiet.trim(), 'the same Dockerfile from stdin hits the cache of the first build');
  const iid = path.join(base, 'iid');
  const labelled = await ok(root, ['build', '--label', 'team=a b', '--label', 'tier=web', '--iidfile', iid, ctx]);
  assert.match(labelled, /Step 4\/4 : LABEL "team"="a b" "tier"="web"\n/);
  const id = fs.readFileSync(iid, 'utf8');
  assert.match(id, /^sha256:[0-9a-f]{64}$/);
  assert.equal((await ok(root, ['image', 'inspect', '--format', '{{json .Config.Labels}}', id])).trim(), '{"team":"a b","tier":"web"}');
  const target = await skiff(root, ['build', '--target', 'nope', ctx]);
  assert.equal(target.stderr, 'Error response from daemon: failed to reach build target nope in Dockerfile\n');
});

test('metadata instructions land in the image config; -f names the Dockerfile; ENTRYPOINT and CMD combine', async () => {
  const ctx = writeContext(path.join(base, 'meta'), {
    'custom.Dockerfile': [
      'FROM busybox',
      'SHELL ["/bin/sh", "-ec"]',
      'LABEL version="1.0" vendor=acme',
      'ENV A=1 B="two words"',
      'RUN echo "$B" > /b.txt',
      'USER nobody',
      'VOLUME ["/data"]',
      'STOPSIGNAL SIGUSR1',
      'HEALTHCHECK --interval=30s --retries=2 CMD wget -q -O- http://localhost/ || exit 1',
      'ENTRYPOINT ["/bin/echo"]',
      'CMD ["default", "args"]',
    ].join('\n'),
  });
  await ok(root, ['build', '-q', '-f', path.join(ctx, 'custom.Dockerfile'), '-t', 'meta', ctx]);
  const config = JSON.parse(await ok(root, ['image', 'inspect', '--format', '{{json .Config}}', 'meta'])) as Record<string, unknown>;
  assert.deepEqual(config.Env, ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'A=1', 'B=two words']);
  assert.deepEqual(config.Labels, { version: '1.0', vendor: 'acme' });
  assert.deepEqual(config.Shell, ['/bin/sh', '-ec']);
  assert.equal(config.User, 'nobody');
  assert.deepEqual(config.Volumes, { '/data': {} });
  assert.equal(config.StopSignal, 'SIGUSR1');
  assert.deepEqual(config.Healthcheck, { Test: ['CMD-SHELL', 'wget -q -O- http://localhost/ || exit 1'], Interval: 30e9, Retries: 2 });
  assert.deepEqual(config.Entrypoint, ['/bin/echo']);
  assert.deepEqual(config.Cmd, ['default', 'args']);
  assert.equal(await ok(root, ['run', '--rm', 'meta']), 'default args\n');
  assert.equal(await ok(root, ['run', '--rm', 'meta', 'hello']), 'hello\n');
  assert.equal(await ok(root, ['run', '--rm', '--entrypoint', 'cat', 'meta', '/b.txt']), 'two words\n');
  const history = await ok(root, ['history', '--no-trunc', '--format', '{{.CreatedBy}}', 'meta']);
  assert.ok(history.includes('/bin/sh -ec echo "$B" > /b.txt'), history);
  assert.match(history, /\/bin\/sh -ec #\(nop\) +USER nobody/);
});

test('RUN uses the host network by default (it reaches a server on 127.0.0.1); --network none cuts it off', async () => {
  const http = await import('node:http');
  const server = http.createServer((_req, res) => res.end('served to RUN\n'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  try {
    const ctx = writeContext(path.join(base, 'net'), { Dockerfile: `FROM busybox\nRUN wget -q -O /got.txt http://127.0.0.1:${port}/\n` });
    await ok(root, ['build', '-q', '-t', 'net:host', ctx]);
    assert.equal(await ok(root, ['run', '--rm', 'net:host', 'cat', '/got.txt']), 'served to RUN\n');
    const none = await skiff(root, ['build', '--no-cache', '--network', 'none', ctx]);
    assert.notEqual(none.code, 0);
    assert.match(none.stderr, /^The command '\/bin\/sh -c wget .*' returned a non-zero code: \d+\n$/);
  } finally {
    server.close();
  }
});

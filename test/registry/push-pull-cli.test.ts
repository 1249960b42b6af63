// The user's flow: build, tag, push to a registry, pull into a fresh engine root and run — against
// Debian's docker-registry (distribution 2.8) and against `skiff registry serve` with basic auth
// (login/logout, credentials in config.json 0600). Mirrors from the engine's daemon.json.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { cleanupRoot, ok, skiff, SKIFF, tempDir, writeContext } from '../build/helpers.js';
import { startDistribution, writeHtpasswd, type DistributionRegistry } from './helpers.js';

let base: string;
let root: string;
let distribution: DistributionRegistry;
let own: ChildProcess | undefined;
let ownHost: string;
const roots: string[] = [];

function newRoot(name: string): string {
  const r = path.join(base, name);
  roots.push(r);
  return r;
}

before(async () => {
  base = tempDir('pushpull');
  root = newRoot('root');
  distribution = await startDistribution(path.join(base, 'dist'));
  writeHtpasswd(path.join(base, 'htpasswd'), 'alice', 'wonderland');
  own = spawn(SKIFF, ['registry', 'serve', '--addr', '127.0.0.1:0', '--root', path.join(base, 'own'), '--htpasswd', path.join(base, 'htpasswd')], {
    env: { ...process.env, SKIFF_DEV: '1' }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  ownHost = await new Promise<string>((resolve, reject) => {
    let out = '';
    own!.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]);
    });
    own!.on('exit', (code) => reject(new Error(`registry exited ${code}`)));
  });
  const ctx = writeContext(path.join(base, 'ctx'), {
    Dockerfile: 'FROM busybox\nRUN echo layer-from-run > /run.txt\nCOPY data.bin /data.bin\nCMD ["cat", "/run.txt"]\n',
    'data.bin': 'x'.repeat(200_000),
  });
  await ok(root, ['build', '-q', '-t', 'pp/app:v1', ctx]);
});

after(async () => {
  distribution?.stop();
  if (own?.pid && own.exitCode === null) process.kill(own.pid, 'SIGKILL');
  for (const r of roots) await cleanupRoot(r);
  fs.rmSync(base, { recursive: true, force: true });
});

test('push to distribution 2.8 and pull into a fresh root', async () => {
  const name = `${distribution.host}/pp/app:v1`;
  await ok(root, ['tag', 'pp/app:v1', name]);
  const pushed = await ok(root, ['push', name]);
  const lines = pushed.trimEnd().split('\n');
  assert.equal(lines[0], `The push refers to repository [${distribution.host}/pp/app]`);
  assert.equal(lines.filter((l) => l.endsWith(': Pushed')).length, 3, pushed);
  assert.match(lines.at(-1)!, /^v1: digest: sha256:[0-9a-f]{64} size: \d+$/);
  const digest = /digest: (sha256:\w+)/.exec(pushed)![1];
  const again = await ok(root, ['push', name]);
  assert.equal(again.split('\n').filter((l) => l.endsWith(': Layer already exists')).length, 3, again);

  const fresh = newRoot('fresh');
  const pulled = await ok(fresh, ['pull', name]);
  const p = pulled.trimEnd().split('\n');
  assert.equal(p[0], 'v1: Pulling from pp/app');
  assert.equal(p.filter((l) => l.endsWith(': Pull complete')).length, 3, pulled);
  assert.equal(p.at(-3), `Digest: ${digest}`);
  assert.equal(p.at(-2), `Status: Downloaded newer image for ${name}`);
  assert.equal(p.at(-1), name);
  assert.equal(await ok(fresh, ['run', '--rm', name]), 'layer-from-run\n');
  const upToDate = await ok(fresh, ['pull', name]);
  assert.match(upToDate, new RegExp(`Status: Image is up to date for ${name.replace(/[.]/g, '\\.')}`));

  const byDigest = newRoot('by-digest');
  const digestName = `${distribution.host}/pp/app@${digest}`;
  assert.match(await ok(byDigest, ['pull', digestName]), new RegExp(`Digest: ${digest}\n`));
  assert.equal(await ok(byDigest, ['run', '--rm', digestName]), 'layer-from-run\n');

  const other = `${distribution.host}/other/app:v1`;
  await ok(root, ['tag', name, other]);
  const mounted = await ok(root, ['push', other]);
  assert.equal(mounted.split('\n').filter((l) => l.endsWith(': Mounted from pp/app')).length, 3, mounted);

  const missing = await skiff(fresh, ['pull', `${distribution.host}/pp/app:nope`]);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, `Error response from daemon: manifest for ${distribution.host}/pp/app:nope not found: manifest unknown: manifest unknown\n`);
});

test('skiff registry with basic auth: push needs login; login stores 0600 credentials; logout removes them', async () => {
  const dockerConfig = path.join(base, 'docker-config');
  const env = { DOCKER_CONFIG: dockerConfig };
  const name = `${ownHost}/team/app:v1`;
  await ok(root, ['tag', 'pp/app:v1', name]);
  const denied = await skiff(root, ['push', name], { env });
  assert.equal(denied.code, 1);
  assert.match(denied.stderr, /unauthorized: authentication required/);

  const bad = await skiff(root, ['login', '-u', 'alice', '--password-stdin', ownHost], { env, input: 'wrong\n' });
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr, `Error response from daemon: Get "http://${ownHost}/v2/": unauthorized: authentication required\n`);
  const login = await ok(root, ['login', '-u', 'alice', '--password-stdin', ownHost], { env, input: 'wonderland\n' });
  assert.match(login, /Login Succeeded\n$/);
  const configFile = path.join(dockerConfig, 'config.json');
  assert.equal(fs.statSync(configFile).mode & 0o777, 0o600);
  const stored = JSON.parse(fs.readFileSync(configFile, 'utf8')) as { auths: Record<string, { auth: string }> };
  assert.equal(Buffer.from(stored.auths[ownHost].auth, 'base64').toString(), 'alice:wonderland');

  await ok(root, ['push', name], { env });
  const fresh = newRoot('fresh-auth');
  await ok(fresh, ['pull', name], { env });
  assert.equal(await ok(fresh, ['run', '--rm', name]), 'layer-from-run\n');

  assert.equal(await ok(root, ['logout', ownHost], { env }), `Removing login credentials for ${ownHost}\n`);
  assert.equal(await ok(root, ['logout', ownHost], { env }), `Not logged in to ${ownHost}\n`);
  const after = await skiff(newRoot('fresh-noauth'), ['pull', name], { env });
  assert.equal(after.code, 1);
  assert.match(after.stderr, /pull access denied for .*, repository does not exist or may require 'docker login'/);
});

test('docker.io images are pulled through the registry-mirrors of the engine config', async () => {
  const name = `${distribution.host}/library/mirrored:latest`;
  await ok(root, ['tag', 'pp/app:v1', name]);
  await ok(root, ['push', name]);
  const fresh = newRoot('mirror-root');
  fs.mkdirSync(fresh, { recursive: true });
  fs.writeFileSync(path.join(fresh, 'daemon.json'), JSON.stringify({ 'registry-mirrors': [`http://${distribution.host}`] }));
  const out = await ok(fresh, ['pull', 'mirrored']);
  assert.match(out, /^Using default tag: latest\nlatest: Pulling from library\/mirrored\n/);
  assert.match(out, /docker\.io\/library\/mirrored:latest\n$/);
  assert.equal(await ok(fresh, ['run', '--rm', 'mirrored']), 'layer-from-run\n');
});

test('search lists matching repositories from a registry catalog', async () => {
  const out = await ok(root, ['search', `${distribution.host}/app`]);
  const lines = out.trimEnd().split('\n');
  assert.match(lines[0], /^NAME\s+DESCRIPTION\s+STARS\s+OFFICIAL\s+AUTOMATED$/);
  assert.ok(lines.some((l) => l.startsWith(`${distribution.host}/pp/app `)), out);
  assert.ok(!lines.some((l) => l.includes('mirrored')), out);
  const hub = await skiff(root, ['search', 'nginx']);
  assert.equal(hub.code, 1);
  assert.match(hub.stderr, /search needs a registry that serves the catalog API/);
});

test('push -a and pull -a move every tag of a repository', async () => {
  const repo = `${distribution.host}/all/app`;
  await ok(root, ['tag', 'pp/app:v1', `${repo}:a`]);
  await ok(root, ['tag', 'pp/app:v1', `${repo}:b`]);
  const pushed = await ok(root, ['push', '-a', repo]);
  assert.deepEqual(pushed.split('\n').filter((l) => / digest: /.test(l)).map((l) => l.split(':')[0]), ['a', 'b']);
  const fresh = newRoot('all-tags');
  const pulled = await ok(fresh, ['pull', '-a', repo]);
  assert.match(pulled, /a: Pulling from all\/app\n/);
  assert.match(pulled, /b: Pulling from all\/app\n/);
  assert.equal(pulled.trimEnd().split('\n').at(-1), repo);
  const tags = await ok(fresh, ['images', '--format', '{{.Repository}}:{{.Tag}}', repo]);
  assert.deepEqual(tags.trim().split('\n').sort(), [`${repo}:a`, `${repo}:b`]);
  const bad = await skiff(fresh, ['pull', '-a', `${repo}:a`]);
  assert.equal(bad.stderr, "tag can't be used with --all-tags/-a\n");
});

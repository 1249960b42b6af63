// compose pull and up's pull of a missing image, against `skiff registry serve` on 127.0.0.1 (its own
// port and storage): the image is pushed from this root, untagged, then compose brings it back.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { destroyRoot, makeRoot, ok, SKIFF, skiffSync } from '../engine/helpers.js';

let root = '';
let registry: ChildProcess | undefined;
let host = '';

before(async () => {
  root = await makeRoot('compose-pull');
  registry = spawn(SKIFF, ['registry', 'serve', '--addr', '127.0.0.1:0', '--root', path.join(root, 'registry')], { stdio: ['ignore', 'pipe', 'inherit'] });
  host = await new Promise<string>((resolve, reject) => {
    let out = '';
    registry!.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]);
    });
    registry!.on('exit', (code) => reject(new Error(`registry exited ${code}`)));
  });
});

after(async () => {
  if (registry?.pid && registry.exitCode === null) process.kill(registry.pid, 'SIGKILL');
  await destroyRoot(root);
});

test('compose pull fetches the services\' images; up pulls a missing one; build-only services are skipped', () => {
  const image = `${host}/compose/app:1`;
  ok(root, ['tag', 'busybox', image]);
  ok(root, ['push', image]);
  ok(root, ['rmi', image]);
  const dir = path.join(root, 'pulled');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM busybox\n');
  fs.writeFileSync(path.join(dir, 'compose.yaml'), `services:
  app:
    image: ${image}
    command: ["echo", "pulled and ran"]
  local:
    build: .
`);
  const compose = (...args: string[]): ReturnType<typeof skiffSync> => skiffSync(root, ['compose', '--project-directory', dir, ...args]);
  const pull = compose('pull');
  assert.equal(pull.code, 0, pull.stderr);
  assert.match(pull.stderr, / app Pulled/);
  assert.match(pull.stderr, / local Skipped - No image to be pulled/);
  assert.match(ok(root, ['images']), new RegExp(`${host}/compose/app\\s+1`));

  ok(root, ['rmi', image]);
  const up = compose('up', 'app');
  assert.equal(up.code, 0, up.stderr);
  assert.match(up.stdout, /app-1 {2}\| pulled and ran/);
  assert.equal(compose('down').code, 0);
});

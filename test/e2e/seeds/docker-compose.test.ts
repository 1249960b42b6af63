// Seed 004 §docker compose: a v3 file with services on two networks, a named volume, published ports and
// depends_on; `compose -f a.yml up -d`, ps, stop/start/restart, down — busybox in place of the seed's
// redis/postgres/voting app images, with the skiff CLI on its own engine root.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { destroyRoot, makeRoot, ok, skiffSync } from '../../engine/helpers.js';
import { eventuallyGet, freePort } from './net.js';

let root = '';
before(async () => {
  root = await makeRoot('e2e-compose');
});
after(async () => {
  await destroyRoot(root);
});

test('seed 004 §docker compose: up -d, ps, stop/start/restart, down', async () => {
  const port = await freePort();
  const dir = path.join(root, 'vote');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'a.yml'), `version: "3"
services:
  redis:
    image: busybox
    command: ["sh", "-c", "mkdir -p /data && echo redis > /data/name && exec httpd -f -p 6379 -h /data"]
    networks:
      - frontend
  db:
    image: busybox
    command: ["sleep", "3600"]
    volumes:
      - db-data:/var/lib/postgresql/data
    networks:
      - backend
  vote:
    image: busybox
    command: ["sh", "-c", "mkdir -p /www && echo vote > /www/index.html && exec httpd -f -p 80 -h /www"]
    ports:
      - "127.0.0.1:${port}:80"
    networks:
      - frontend
    depends_on:
      - redis
  worker:
    image: busybox
    command: ["sleep", "3600"]
    networks:
      - frontend
      - backend
networks:
  frontend:
  backend:
volumes:
  db-data:
`);
  const up = skiffSync(root, ['compose', '-f', path.join(dir, 'a.yml'), 'up', '-d']);
  assert.equal(up.code, 0, up.stderr);
  const ps = ok(root, ['compose', '-f', path.join(dir, 'a.yml'), 'ps']);
  for (const s of ['redis', 'db', 'vote', 'worker']) assert.match(ps, new RegExp(`vote[-_]${s}[-_]1\\s`));
  assert.equal((await eventuallyGet(port)).body, 'vote\n');
  // The worker sits on both networks and reaches redis by its service name.
  assert.equal(ok(root, ['exec', 'vote-worker-1', 'sh', '-c', 'printf "GET /name HTTP/1.0\\r\\n\\r\\n" | nc redis 6379 | tail -1']), 'redis');
  assert.match(ok(root, ['volume', 'ls']), /vote_db-data/);
  ok(root, ['compose', '-f', path.join(dir, 'a.yml'), 'stop']);
  assert.doesNotMatch(ok(root, ['ps']), /vote-/);
  ok(root, ['compose', '-f', path.join(dir, 'a.yml'), 'start']);
  ok(root, ['compose', '-f', path.join(dir, 'a.yml'), 'restart']);
  assert.equal((await eventuallyGet(port)).body, 'vote\n');
  ok(root, ['compose', '-f', path.join(dir, 'a.yml'), 'down']);
  assert.equal(ok(root, ['ps', '-a', '-q']), '');
});

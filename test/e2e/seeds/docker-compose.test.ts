// Seed 004 §docker compose: a v3 file with services on two networks, a named volume, published ports and
// depends_on; `compose -f a.yml up -d`, ps, stop/start/restart, down — busybox in place of the seed's
// redis/postgres/voting app images, with the skiff CLI on its own engine root. Then the seed's demo
// file as written (deploy replicas/restart_policy/placement, stop_grace_period) and its Spark file
// (version 2, hostname, environment map, links, a string command) found as docker-compose.yml.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { destroyRoot, makeRoot, ok, skiffSync } from '../../engine/helpers.js';
import { eventuallyGet, freePort } from './net.js';

/** A busybox command that answers SIGTERM at once (busybox sleep as PID 1 would ignore it for 10 s). */
const IDLE = `["sh", "-c", "trap 'exit 0' TERM; while sleep 1; do :; done"]`;

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
    init: true
    networks:
      - frontend
  db:
    image: busybox
    command: ${IDLE}
    volumes:
      - db-data:/var/lib/postgresql/data
    networks:
      - backend
  vote:
    image: busybox
    command: ["sh", "-c", "mkdir -p /www && echo vote > /www/index.html && exec httpd -f -p 80 -h /www"]
    init: true
    ports:
      - "127.0.0.1:${port}:80"
    networks:
      - frontend
    depends_on:
      - redis
  worker:
    image: busybox
    command: ${IDLE}
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

test('seed 004 §docker compose demo file: deploy replicas, restart_policy and placement, random and fixed ports', async () => {
  const port = await freePort();
  const dir = path.join(root, 'voting');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'docker-compose.yml'), `version: "3"
services:
  redis:
    image: busybox
    command: ["sh", "-c", "mkdir -p /d && echo pong > /d/ping && exec httpd -f -p 6379 -h /d"]
    init: true
    ports:
      - "6379"
    networks:
      - frontend
    deploy:
      replicas: 2
      update_config:
        parallelism: 2
        delay: 10s
      restart_policy:
        condition: on-failure
  db:
    image: busybox
    command: ${IDLE}
    volumes:
      - db-data:/var/lib/postgresql/data
    networks:
      - backend
    deploy:
      placement:
        constraints: [node.role == manager]
  vote:
    image: busybox
    command: ["sh", "-c", "mkdir -p /www && echo vote > /www/index.html && exec httpd -f -p 80 -h /www"]
    init: true
    ports:
      - 127.0.0.1:${port}:80
    networks:
      - frontend
    depends_on:
      - redis
    stop_grace_period: 1m30s
  worker:
    image: busybox
    command: ${IDLE}
    networks:
      - frontend
      - backend
    deploy:
      mode: replicated
      replicas: 1
      labels: [APP=VOTING]
      restart_policy:
        condition: on-failure
        delay: 10s
        max_attempts: 3
        window: 120s
networks:
  frontend:
  backend:
volumes:
  db-data:
`);
  const compose = (...args: string[]): string => ok(root, ['compose', '--project-directory', dir, ...args]);
  const up = skiffSync(root, ['compose', '--project-directory', dir, 'up', '-d']);
  assert.equal(up.code, 0, up.stderr);
  assert.match(up.stderr, /`version` is obsolete/);
  const ps = compose('ps');
  for (const name of ['voting-redis-1', 'voting-redis-2', 'voting-db-1', 'voting-vote-1', 'voting-worker-1']) assert.match(ps, new RegExp(`^${name}\\s`, 'm'));
  // "6379" publishes on a random host port of every replica
  assert.match(ps, /voting-redis-2 .*0\.0\.0\.0:\d+->6379\/tcp/);
  assert.equal((await eventuallyGet(port)).body, 'vote\n');
  assert.equal(ok(root, ['inspect', '-f', '{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}', 'voting-worker-1']), 'on-failure:3');
  assert.equal(ok(root, ['inspect', '-f', '{{.HostConfig.RestartPolicy.Name}}', 'voting-redis-2']), 'on-failure');
  // both redis replicas answer to the service name on the frontend network
  assert.equal(ok(root, ['exec', 'voting-vote-1', 'wget', '-qO-', 'http://redis:6379/ping']), 'pong');
  compose('down', '-v');
  assert.equal(ok(root, ['ps', '-a', '-q']), '');
  assert.doesNotMatch(ok(root, ['volume', 'ls']), /voting_db-data/);
});

test('seed 004 §Spark docker-compose.yml: version 2, hostname, environment map, links, string command', async () => {
  const dir = path.join(root, 'spark');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'docker-compose.yml'), `version: "2"

services:
  master:
    image: busybox
    command: sh -c 'trap "exit 0" TERM; while sleep 1; do :; done'
    hostname: master
  worker:
    image: busybox
    command: sh -c 'trap "exit 0" TERM; while sleep 1; do :; done'
    environment:
      SPARK_WORKER_CORES: 1
      SPARK_WORKER_MEMORY: 2g
    links:
      - master
`);
  const compose = (...args: string[]): string => ok(root, ['compose', '--project-directory', dir, ...args]);
  compose('up', '-d');
  const ps = compose('ps');
  assert.match(ps.split('\n')[0], /^NAME\s+IMAGE\s+COMMAND\s+SERVICE\s+CREATED\s+STATUS\s+PORTS$/);
  assert.match(ps, /^spark-master-1\s+busybox\s+"sh -c trap \\"exit 0\\"…"\s+master\s+.*Up /m);
  assert.equal(ok(root, ['exec', 'spark-master-1', 'hostname']), 'master');
  assert.match(ok(root, ['exec', 'spark-worker-1', 'env']), /SPARK_WORKER_CORES=1\nSPARK_WORKER_MEMORY=2g/);
  assert.equal(ok(root, ['exec', 'spark-worker-1', 'sh', '-c', 'ping -c1 -W2 master >/dev/null && echo reachable']), 'reachable');
  // links order the start: master before worker
  const started = (name: string): number => Date.parse(ok(root, ['inspect', '-f', '{{.State.StartedAt}}', name]));
  assert.ok(started('spark-master-1') <= started('spark-worker-1'));
  compose('down');
  assert.equal(ok(root, ['ps', '-a', '-q']), '');
});

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { findComposeFiles, loadProject, normalizeProjectName } from './load.js';
import { dependencyOrder } from './order.js';
import { configHash, runArgs } from './service-args.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-compose-load-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function project(name: string, files: Record<string, string>): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), text);
  return dir;
}

test('file lookup: compose.yaml before docker-compose.yml, found from a subdirectory, with its override file', () => {
  const dir = project('Look_Up.App', { 'docker-compose.yml': 'services: {a: {image: busybox}}\n', 'compose.yaml': 'services: {b: {image: busybox}}\n', 'compose.override.yaml': 'services: {b: {command: "true"}}\n' });
  fs.mkdirSync(path.join(dir, 'sub'));
  assert.deepEqual(findComposeFiles(path.join(dir, 'sub')), [path.join(dir, 'compose.yaml'), path.join(dir, 'compose.override.yaml')]);
  const p = loadProject({ cwd: path.join(dir, 'sub'), env: {} });
  assert.equal(p.name, 'look_upapp');
  assert.deepEqual(Object.keys(p.services), ['b']);
  assert.deepEqual(p.services.b.command, ['true']);
  assert.throws(() => loadProject({ cwd: '/', env: {} }), /no configuration file provided: not found/);
  assert.equal(normalizeProjectName('-My Project.1'), 'myproject1');
});

test('.env and the shell environment feed ${VAR:-default}; the shell wins; COMPOSE_PROJECT_NAME names the project', () => {
  const dir = project('envs', {
    '.env': 'TAG=from-dotenv\nPORT=8080\nCOMPOSE_PROJECT_NAME=fromenv\n',
    'compose.yml': 'services:\n  web:\n    image: "busybox:${TAG}"\n    ports: ["127.0.0.1:${PORT}:80", "${MISSING:-9000}:90/udp"]\n    environment:\n      - A=${UNSET}\n      - FROM_SHELL\n',
  });
  const warnings: string[] = [];
  const p = loadProject({ cwd: dir, env: { PORT: '9090', FROM_SHELL: 'yes' }, warn: (m) => warnings.push(m) });
  assert.equal(p.name, 'fromenv');
  const web = p.services.web;
  assert.equal(web.image, 'busybox:from-dotenv');
  assert.deepEqual(web.ports, [{ target: 80, published: '9090', host_ip: '127.0.0.1', protocol: 'tcp' }, { target: 90, published: '9000', protocol: 'udp' }]);
  assert.deepEqual(web.environment, { A: '', FROM_SHELL: 'yes' });
  assert.deepEqual(warnings, ['The "UNSET" variable is not set. Defaulting to a blank string.']);
  assert.equal(loadProject({ cwd: dir, env: {}, projectName: 'explicit' }).name, 'explicit');
  assert.throws(() => loadProject({ cwd: dir, env: {}, projectName: 'Bad Name' }), /invalid project name "Bad Name"/);
});

test('-f repeated merges: maps by key, volumes by target, ports appended, command replaced', () => {
  const dir = project('merge', {
    'a.yml': 'services:\n  web:\n    image: busybox\n    command: ["sleep", "1"]\n    environment: {A: "1", B: "1"}\n    ports: ["80"]\n    volumes: ["data:/data", "/tmp:/host"]\n    labels: [x=1]\nvolumes:\n  data:\n',
    'b.yml': 'services:\n  web:\n    command: sleep 2\n    environment: [B=2, C=3]\n    ports: ["81"]\n    volumes: ["/srv:/data:ro"]\n    labels: {y: "2"}\n  db:\n    image: busybox\n',
  });
  const p = loadProject({ cwd: dir, files: ['a.yml', 'b.yml'], env: {} });
  const web = p.services.web;
  assert.equal(p.name, 'merge');
  assert.deepEqual(web.command, ['sleep', '2']);
  assert.deepEqual(web.environment, { A: '1', B: '2', C: '3' });
  assert.deepEqual(web.ports?.map((x) => x.target), [80, 81]);
  assert.deepEqual(web.volumes, [{ type: 'bind', source: '/srv', target: '/data', read_only: true, bind: { create_host_path: true } }, { type: 'bind', source: '/tmp', target: '/host', bind: { create_host_path: true } }]);
  assert.deepEqual(web.labels, { x: '1', y: '2' });
  assert.deepEqual(Object.keys(p.services), ['web', 'db']);
  assert.deepEqual(p.configFiles, [path.join(dir, 'a.yml'), path.join(dir, 'b.yml')]);
});

test('networks and volumes: <project>_<name>, the default network, external and explicit names, aliases', () => {
  const dir = project('nets', {
    'compose.yml': [
      'services:',
      '  a: {image: busybox, networks: {front: {aliases: [alpha]}, back: null}, volumes: ["db:/db", "/anon", "./rel:/rel"]}',
      '  b: {image: busybox}',
      '  c: {image: busybox, network_mode: "service:b"}',
      'networks:',
      '  front:',
      '  back: {name: custom-back}',
      '  ext: {external: true}',
      'volumes:',
      '  db:',
      '',
    ].join('\n'),
  });
  const p = loadProject({ cwd: dir, env: {} });
  assert.equal(p.networks.front.name, 'nets_front');
  assert.equal(p.networks.back.name, 'custom-back');
  assert.deepEqual(p.networks.ext, { name: 'ext', external: true });
  assert.equal(p.networks.default.name, 'nets_default');
  assert.deepEqual(p.services.b.networks, { default: null });
  assert.equal(p.services.c.networks, undefined);
  assert.deepEqual(p.services.c.depends_on, { b: { condition: 'service_started', required: true } });
  assert.equal(p.volumes.db.name, 'nets_db');
  assert.deepEqual(p.services.a.volumes, [
    { type: 'volume', source: 'db', target: '/db' },
    { type: 'volume', target: '/anon' },
    { type: 'bind', source: path.join(dir, 'rel'), target: '/rel', bind: { create_host_path: true } },
  ]);
  const args = runArgs(p, p.services.a, { name: 'nets-a-1', number: 1 });
  // back sorts before front: the primary network is back, with the service's name as alias there
  assert.deepEqual(args.slice(args.indexOf('--network'), args.indexOf('--network') + 4), ['--network', 'custom-back', '--network-alias', 'a']);
  assert.ok(args.includes('nets_db:/db') && args.includes('/anon') && args.includes(`${path.join(dir, 'rel')}:/rel`));
  assert.deepEqual(runArgs(p, p.services.c, { name: 'nets-c-1', number: 1 }).slice(-2), ['--', 'busybox']);
  assert.ok(runArgs(p, p.services.c, { name: 'nets-c-1', number: 1 }).includes('container:nets-b-1'));
});

test('service fields become run flags: command/entrypoint strings split, env_file, restart, healthcheck kept out', () => {
  const dir = project('fields', {
    'web.env': 'FROM_FILE=1\nOVERRIDDEN=file\n',
    'compose.yml': [
      'services:',
      '  web:',
      '    image: busybox',
      '    entrypoint: ["sh", "-c"]',
      '    command: "echo \'hello world\' $$HOME"',
      '    env_file: web.env',
      '    environment: {OVERRIDDEN: yaml, NUM: 3}',
      '    restart: unless-stopped',
      '    working_dir: /srv',
      '    user: "1000"',
      '    hostname: webhost',
      '    stop_grace_period: 1m30s',
      '    ports: [{target: 80, published: 8080, host_ip: 127.0.0.1}]',
      '    healthcheck: {test: "true", interval: 1s}',
      '  worker:',
      '    image: busybox',
      '    command: [sleep, "60"]',
      '    deploy: {replicas: 2, restart_policy: {condition: on-failure, max_attempts: 3}}',
      '',
    ].join('\n'),
  });
  const p = loadProject({ cwd: dir, env: {} });
  const web = p.services.web;
  assert.deepEqual(web.command, ['echo', 'hello world', '$HOME']);
  assert.deepEqual(web.environment, { FROM_FILE: '1', OVERRIDDEN: 'yaml', NUM: '3' });
  assert.deepEqual(web.healthcheck, { test: ['CMD-SHELL', 'true'], interval: '1s' });
  const args = runArgs(p, web, { name: 'fields-web-1', number: 1 });
  for (const pair of [['--restart', 'unless-stopped'], ['--workdir', '/srv'], ['--user', '1000'], ['--hostname', 'webhost'], ['--stop-timeout', '90'], ['--publish', '127.0.0.1:8080:80/tcp'], ['--env', 'NUM=3'], ['--label', 'com.docker.compose.container-number=1']]) {
    assert.ok(args.some((a, i) => a === pair[0] && args[i + 1] === pair[1]), `${pair.join(' ')} in ${args.join(' ')}`);
  }
  assert.deepEqual(args.slice(args.indexOf('--entrypoint')), ['--entrypoint', 'sh', '--', 'busybox', '-c', 'echo', 'hello world', '$HOME']);
  const worker = runArgs(p, p.services.worker, { name: 'fields-worker-2', number: 2 });
  assert.ok(worker.includes('on-failure:3'));
  assert.deepEqual(worker.slice(-4), ['--', 'busybox', 'sleep', '60']);
  // the hash ignores replicas and depends_on but not the command
  const again = loadProject({ cwd: dir, env: {} }).services.worker;
  assert.equal(configHash({ ...again, deploy: { ...again.deploy, replicas: 5 } }), configHash(p.services.worker));
  assert.notEqual(configHash({ ...again, command: ['sleep', '61'] }), configHash(p.services.worker));
});

test('invalid files fail as docker compose does: yaml line, unknown key, undefined references, cycles', () => {
  const bad = (name: string, text: string): RegExp | string => {
    const dir = project(name, { 'compose.yml': text });
    try {
      loadProject({ cwd: dir, env: {} });
    } catch (err) {
      return (err as Error).message;
    }
    return 'no error';
  };
  assert.match(bad('yaml', 'services:\n  web:\n    image: busybox\n   bad: [\n') as string, /compose\.yml: yaml: line \d+: /);
  assert.match(bad('key', 'services:\n  web:\n    image: busybox\n    imagee: x\n') as string, /services\.web additional properties 'imagee' not allowed/);
  assert.match(bad('top', 'service:\n  web: {}\n') as string, /additional properties 'service' not allowed/);
  assert.match(bad('net', 'services:\n  web: {image: busybox, networks: [nope]}\n') as string, /service "web" refers to undefined network nope: invalid compose project/);
  assert.match(bad('vol', 'services:\n  web: {image: busybox, volumes: ["data:/d"]}\n') as string, /service "web" refers to undefined volume data/);
  assert.match(bad('dep', 'services:\n  web: {image: busybox, depends_on: [db]}\n') as string, /service "web" depends on undefined service "db"/);
  assert.match(bad('img', 'services:\n  web: {command: x}\n') as string, /service "web" has neither an image nor a build context specified/);
  assert.match(bad('cycle', 'services:\n  a: {image: busybox, depends_on: [b]}\n  b: {image: busybox, depends_on: [a]}\n') as string, /dependency cycle detected: a -> b -> a/);
  assert.match(bad('req', 'services:\n  a: {image: "${NEED:?please set NEED}"}\n') as string, /required variable NEED is missing a value: please set NEED/);
});

test('depends_on orders services, profiles leave services out unless enabled', () => {
  const dir = project('order', {
    'compose.yml': 'services:\n  web: {image: busybox, depends_on: {db: {condition: service_healthy}, cache: null}}\n  cache: {image: busybox}\n  db: {image: busybox}\n  debug: {image: busybox, profiles: [debug]}\n',
  });
  const p = loadProject({ cwd: dir, env: {} });
  assert.deepEqual(dependencyOrder(p.services), ['db', 'cache', 'web']);
  assert.equal(p.services.web.depends_on?.db.condition, 'service_healthy');
  assert.deepEqual(Object.keys(p.disabled), ['debug']);
  assert.ok(loadProject({ cwd: dir, env: {}, profiles: ['debug'] }).services.debug);
  assert.ok(loadProject({ cwd: dir, env: { COMPOSE_PROFILES: 'debug' } }).services.debug);
});

test('extends: a service of the same file or of another file, its own fields merged over the base', () => {
  const dir = project('extends', {
    'common.yml': 'services:\n  base:\n    image: busybox\n    environment: {A: "1", B: "1"}\n    volumes: ["./data:/data"]\n',
    'compose.yml': [
      'services:',
      '  web:',
      '    extends: {file: common.yml, service: base}',
      '    environment: {B: "2"}',
      '  worker:',
      '    extends: web',
      '    command: sleep 1',
      '  loop:',
      '    extends: loop',
      '',
    ].join('\n'),
  });
  fs.writeFileSync(path.join(dir, 'ok.yml'), fs.readFileSync(path.join(dir, 'compose.yml'), 'utf8').replace(/  loop:[\s\S]*$/, ''));
  const p = loadProject({ cwd: dir, files: ['ok.yml'], env: {} });
  assert.equal(p.services.web.image, 'busybox');
  assert.deepEqual(p.services.web.environment, { A: '1', B: '2' });
  assert.equal(p.services.web.volumes?.[0].source, path.join(dir, 'data'));
  assert.deepEqual(p.services.worker.environment, { A: '1', B: '2' });
  assert.deepEqual(p.services.worker.command, ['sleep', '1']);
  assert.equal(p.services.worker.name, 'worker');
  assert.throws(() => loadProject({ cwd: dir, env: {} }), /circular reference with extends in loop -> loop/);
});

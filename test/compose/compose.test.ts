// skiff compose on real busybox containers: up is idempotent and recreates what changed, scale,
// service names and aliases resolve across networks, volumes and networks get the project's names
// and labels, depends_on waits for a healthcheck, one-off run/exec/logs/top/images/ls/config, and
// errors as docker compose prints them. Every project lives in this file's own engine root.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, test } from 'node:test';
import { destroyRoot, eventually, makeRoot, ok, SKIFF, skiffSync } from '../engine/helpers.js';
import { eventuallyGet } from '../e2e/seeds/net.js';

let root = '';
const children: ChildProcess[] = [];
before(async () => {
  root = await makeRoot('compose');
});
after(async () => {
  for (const c of children) if (c.exitCode === null && c.pid) process.kill(c.pid, 'SIGKILL');
  await destroyRoot(root);
});

/** A command that exits promptly on SIGTERM (busybox sleep as PID 1 would ignore it for 10 s). */
const IDLE = `["sh", "-c", "trap 'exit 0' TERM; while sleep 1; do :; done"]`;

function projectDir(name: string, files: Record<string, string>): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), text);
  return dir;
}

function compose(dir: string, args: string[], input?: string): ReturnType<typeof skiffSync> {
  return skiffSync(root, ['compose', '--project-directory', dir, '-f', path.join(dir, 'compose.yaml'), ...args], input);
}

function composeOk(dir: string, args: string[]): string {
  const r = compose(dir, args);
  if (r.code !== 0) throw new Error(`compose ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
}

function inspect(name: string, format: string): string {
  return ok(root, ['inspect', '-f', format, name]);
}

test('up -d is idempotent, recreates a changed service, scales, and labels like docker compose', async () => {
  const dir = projectDir('Shop.App', {
    '.env': 'GREETING=from-dotenv\n',
    'web.env': 'FROM_FILE=yes\n',
    'compose.yaml': `services:
  web:
    image: busybox
    command: ["sh", "-c", "mkdir -p /www && echo $$GREETING > /www/index.html && exec httpd -f -p 80 -h /www"]
    init: true
    environment:
      GREETING: \${GREETING:-unset}
    env_file: web.env
    ports: ["127.0.0.1::80"]
    volumes: ["/cache"]
    labels: {tier: front}
  worker:
    image: busybox
    command: ${IDLE}
    deploy: {replicas: 2}
`,
  });
  const first = compose(dir, ['up', '-d']);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stderr, /Network shopapp_default {2}Created/);
  assert.match(first.stderr, /Container shopapp-worker-2 {2}Started/);
  const webId = inspect('shopapp-web-1', '{{.Id}}');
  const port = composeOk(dir, ['port', 'web', '80']).split(':')[1];
  assert.equal((await eventuallyGet(Number(port))).body, 'from-dotenv\n');
  assert.equal(inspect('shopapp-web-1', '{{index .Config.Labels "com.docker.compose.project"}} {{index .Config.Labels "com.docker.compose.service"}} {{index .Config.Labels "com.docker.compose.container-number"}} {{index .Config.Labels "tier"}}'), 'shopapp web 1 front');
  assert.match(ok(root, ['exec', 'shopapp-web-1', 'env']), /FROM_FILE=yes/);

  const ps = composeOk(dir, ['ps']);
  assert.match(ps.split('\n')[0], /^NAME\s+IMAGE\s+COMMAND\s+SERVICE\s+CREATED\s+STATUS\s+PORTS$/);
  assert.match(ps, /shopapp-web-1\s+busybox\s+"sh -c mkdir -p \/www…"\s+web\s+.* ago\s+Up .*127\.0\.0\.1:\d+->80\/tcp/);
  assert.equal(composeOk(dir, ['ps', '-q']).split('\n').length, 3);
  assert.deepEqual(composeOk(dir, ['ps', '--services']).split('\n'), ['web', 'worker']);

  // unchanged: kept as is
  const again = compose(dir, ['up', '-d']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /Container shopapp-web-1 {2}Running/);
  assert.equal(inspect('shopapp-web-1', '{{.Id}}'), webId);

  // changed: recreated under the same name, keeping its anonymous volume; scale down removes the surplus
  ok(root, ['exec', 'shopapp-web-1', 'sh', '-c', 'echo kept > /cache/f']);
  fs.writeFileSync(path.join(dir, 'compose.yaml'), fs.readFileSync(path.join(dir, 'compose.yaml'), 'utf8').replace('tier: front', 'tier: edge'));
  const changed = compose(dir, ['up', '-d', '--scale', 'worker=1']);
  assert.equal(changed.code, 0, changed.stderr);
  assert.match(changed.stderr, /Container shopapp-web-1 {2}Recreated/);
  assert.notEqual(inspect('shopapp-web-1', '{{.Id}}'), webId);
  assert.equal(inspect('shopapp-web-1', '{{index .Config.Labels "tier"}}'), 'edge');
  assert.equal(ok(root, ['exec', 'shopapp-web-1', 'cat', '/cache/f']), 'kept');
  assert.doesNotMatch(composeOk(dir, ['ps', '-a']), /shopapp-worker-2/);

  assert.match(composeOk(dir, ['ls']), /shopapp\s+running\(2\)\s+.*compose\.yaml/);
  assert.match(composeOk(dir, ['images']), /shopapp-web-1\s+busybox\s+latest\s+[0-9a-f]{12}/);
  assert.match(composeOk(dir, ['top', 'web']), /shopapp-web-1\n.*PID[\s\S]*httpd/);

  // a service removed from the file leaves an orphan: warned about, removed with --remove-orphans
  const file = path.join(dir, 'compose.yaml');
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/  worker:[\s\S]*$/, ''));
  assert.match(compose(dir, ['up', '-d']).stderr, /Found orphan containers \(\[shopapp-worker-1\]\) for this project/);
  const cleaned = compose(dir, ['up', '-d', '--remove-orphans']);
  assert.equal(cleaned.code, 0, cleaned.stderr);
  assert.match(cleaned.stderr, /Container shopapp-worker-1 {2}Removed/);

  // with -p and no compose file, the verbs act on the project's labelled containers
  const elsewhere = path.join(root, 'elsewhere');
  fs.mkdirSync(elsewhere);
  const byName = skiffSync(root, ['compose', '--project-directory', elsewhere, '-p', 'shopapp', 'ps', '--services']);
  assert.equal(byName.stdout, 'web\n', byName.stderr);
  const down = skiffSync(root, ['compose', '--project-directory', elsewhere, '-p', 'shopapp', 'down']);
  assert.equal(down.code, 0, down.stderr);
  assert.match(down.stderr, /Network shopapp_default {2}Removed/);
  assert.doesNotMatch(ok(root, ['ps', '-a']), /shopapp/);
  assert.doesNotMatch(ok(root, ['network', 'ls']), /shopapp/);
});

test('service names and aliases resolve on shared networks only; named volumes outlive down unless -v', () => {
  const dir = projectDir('netvol', {
    'compose.yaml': `services:
  db:
    image: busybox
    command: ["sh", "-c", "echo stored > /data/value; mkdir -p /www; echo db > /www/name; exec httpd -f -p 80 -h /www"]
    init: true
    volumes: [data:/data]
    networks:
      back:
        aliases: [database]
  api:
    image: busybox
    command: ${IDLE}
    networks: [front, back]
    depends_on: [db]
  ui:
    image: busybox
    command: ${IDLE}
    networks: [front]
networks:
  front:
  back:
volumes:
  data:
`,
  });
  const up = compose(dir, ['up', '-d']);
  assert.equal(up.code, 0, up.stderr);
  assert.match(ok(root, ['network', 'ls']), /netvol_back[\s\S]*netvol_front|netvol_front[\s\S]*netvol_back/);
  assert.equal(ok(root, ['network', 'inspect', '-f', '{{index .Labels "com.docker.compose.network"}}', 'netvol_front']), 'front');
  // api sits on both networks: db by service name and by alias, ui by name
  assert.equal(composeOk(dir, ['exec', '-T', 'api', 'wget', '-qO-', 'http://db/name']), 'db');
  assert.equal(composeOk(dir, ['exec', '-T', 'api', 'wget', '-qO-', 'http://database/name']), 'db');
  assert.equal(composeOk(dir, ['exec', '-T', 'api', 'sh', '-c', 'ping -c1 -W2 ui >/dev/null && echo up']), 'up');
  // ui shares no network with db
  assert.notEqual(compose(dir, ['exec', '-T', 'ui', 'wget', '-qO-', '-T', '2', 'http://db/name']).code, 0);
  assert.equal(ok(root, ['volume', 'inspect', '-f', '{{index .Labels "com.docker.compose.volume"}}', 'netvol_data']), 'data');

  composeOk(dir, ['down']);
  assert.match(ok(root, ['volume', 'ls']), /netvol_data/);
  composeOk(dir, ['up', '-d', 'db']);
  assert.equal(composeOk(dir, ['exec', '-T', 'db', 'cat', '/data/value']), 'stored');
  assert.deepEqual(composeOk(dir, ['ps', '--services']).split('\n'), ['db']);
  const down = compose(dir, ['down', '-v']);
  assert.equal(down.code, 0, down.stderr);
  assert.match(down.stderr, /Volume netvol_data {2}Removed/);
  assert.doesNotMatch(ok(root, ['volume', 'ls']), /netvol_data/);
});

test('depends_on service_healthy waits for the healthcheck; stop/start/restart keep the order', () => {
  const dir = projectDir('health', {
    'compose.yaml': `services:
  app:
    image: busybox
    command: ${IDLE}
    depends_on:
      db: {condition: service_healthy}
  db:
    image: busybox
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 2; touch /ready; while sleep 1; do :; done"]
    healthcheck:
      test: ["CMD", "test", "-f", "/ready"]
      interval: 500ms
      retries: 20
`,
  });
  const up = compose(dir, ['up', '-d']);
  assert.equal(up.code, 0, up.stderr);
  assert.match(up.stderr, /Container health-db-1 {2}Healthy[\s\S]*Container health-app-1 {2}Started/);
  const readyAt = Date.parse(inspect('health-db-1', '{{.State.StartedAt}}')) + 2000;
  assert.ok(Date.parse(inspect('health-app-1', '{{.State.StartedAt}}')) >= readyAt - 100, 'app started only after db became healthy');

  const stop = compose(dir, ['stop']);
  assert.equal(stop.code, 0, stop.stderr);
  assert.ok(stop.stderr.indexOf('health-app-1  Stopped') < stop.stderr.indexOf('health-db-1  Stopping'), stop.stderr);
  assert.equal(composeOk(dir, ['ps']).split('\n').length, 1);
  assert.equal(composeOk(dir, ['ps', '-a']).split('\n').length, 3);
  composeOk(dir, ['start']);
  assert.equal(inspect('health-app-1', '{{.State.Status}}'), 'running');
  composeOk(dir, ['restart', 'db']);
  assert.equal(inspect('health-db-1', '{{.State.Status}}'), 'running');
  composeOk(dir, ['kill', 'app']);
  assert.equal(inspect('health-app-1', '{{.State.ExitCode}}'), '137');
  const rm = compose(dir, ['rm', '-f', 'app']);
  assert.equal(rm.code, 0, rm.stderr);
  assert.doesNotMatch(ok(root, ['ps', '-a']), /health-app-1/);

  // a dependency that never becomes healthy fails up with compose's message
  fs.writeFileSync(path.join(dir, 'compose.yaml'), fs.readFileSync(path.join(dir, 'compose.yaml'), 'utf8').replace('/ready"]', '/never"]').replace('retries: 20', 'retries: 2'));
  const bad = compose(dir, ['up', '-d']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /dependency failed to start: container health-db-1 is unhealthy/);
  composeOk(dir, ['down']);
});

test('run --rm, exec, logs, config, and build with up --build', async () => {
  const dir = projectDir('tools', {
    Dockerfile: 'FROM busybox\nARG FLAVOUR=plain\nRUN echo "$FLAVOUR" > /flavour\nCMD ["sh", "-c", "cat /flavour; trap \'exit 0\' TERM; while sleep 1; do :; done"]\n',
    'compose.yaml': `services:
  built:
    build:
      context: .
      args: {FLAVOUR: vanilla}
  talker:
    image: busybox
    entrypoint: ["sh", "-c"]
    command: ["echo one; echo two >&2; trap 'exit 0' TERM; while sleep 1; do :; done"]
    working_dir: /tmp
    environment: [MODE=test]
`,
  });
  const up = compose(dir, ['up', '-d', '--build']);
  assert.equal(up.code, 0, up.stderr);
  assert.match(up.stderr, /Service built {2}Built/);
  assert.match(ok(root, ['images']), /tools-built\s+latest/);
  assert.equal(composeOk(dir, ['exec', '-T', 'built', 'cat', '/flavour']), 'vanilla');
  assert.equal(composeOk(dir, ['exec', '-T', 'talker', 'sh', '-c', 'echo $MODE $(pwd)']), 'test /tmp');

  const logs = composeOk(dir, ['logs', 'talker']);
  assert.match(logs, /^talker-1 {2}\| one$/m);
  assert.match(logs, /^talker-1 {2}\| two$/m);
  assert.match(composeOk(dir, ['logs', '--no-log-prefix', 'built']), /^vanilla$/m);

  // logs -f follows until the container stops
  const follow = spawn(SKIFF, ['--root', root, 'compose', '--project-directory', dir, 'logs', '-f', '--tail', '1', 'talker'], { stdio: ['ignore', 'pipe', 'ignore'] });
  children.push(follow);
  let followed = '';
  follow.stdout!.on('data', (d: Buffer) => (followed += d.toString()));
  const followEnd = new Promise<number | null>((resolve) => follow.on('close', (code) => resolve(code)));
  await eventually('logs -f output', () => followed.includes('talker-1  | '), 30000);
  composeOk(dir, ['stop', 'talker']);
  assert.equal(await followEnd, 0);
  assert.equal(followed.trim().split('\n').length, 1, followed);
  composeOk(dir, ['start', 'talker']);

  const run = compose(dir, ['run', '--rm', '-T', 'talker', 'echo ran; exit 3']);
  assert.equal(run.code, 3, run.stderr);
  assert.equal(run.stdout, 'ran\n');
  assert.doesNotMatch(ok(root, ['ps', '-a']), /tools-talker-run-/);

  const config = composeOk(dir, ['config']);
  assert.match(config, /^name: tools$/m);
  assert.match(config, /FLAVOUR: vanilla/);
  assert.deepEqual(composeOk(dir, ['config', '--services']).split('\n'), ['built', 'talker']);

  const unknown = compose(dir, ['exec', 'nope', 'true']);
  assert.equal(unknown.code, 1);
  assert.equal(unknown.stderr, 'no such service: nope\n');
  composeOk(dir, ['down', '--rmi', 'local']);
  assert.doesNotMatch(ok(root, ['images']), /tools-built/);
});

test('run starts only the dependencies, joins the project network and reaches them by name', () => {
  const dir = projectDir('oneoff', {
    'compose.yaml': `services:
  db:
    image: busybox
    command: ["sh", "-c", "mkdir -p /www; echo db > /www/name; exec httpd -f -p 80 -h /www"]
    init: true
  cli:
    image: busybox
    depends_on: [db]
`,
  });
  const run = compose(dir, ['run', '--rm', '-T', 'cli', 'wget', '-qO-', 'http://db/name']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, 'db\n');
  const all = ok(root, ['ps', '-a', '--format', '{{.Names}}']);
  assert.equal(all, 'oneoff-db-1');
  composeOk(dir, ['down']);
});

test('foreground up streams prefixed output from now on; Ctrl-C stops every container gracefully', async () => {
  const dir = projectDir('fg', {
    'compose.yaml': `services:
  ticker:
    image: busybox
    command: ["sh", "-c", "trap 'echo bye; exit 0' TERM; i=0; while true; do echo tick $$i; i=$$((i+1)); sleep 1; done"]
  once:
    image: busybox
    command: echo done once
`,
  });
  const child = spawn(SKIFF, ['--root', root, 'compose', '--project-directory', dir, '-f', path.join(dir, 'compose.yaml'), 'up'], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', () => undefined);
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  await eventually('two ticks and the one-off exit', () => /ticker-1 {2}\| tick 1\n/.test(out) && /once-1 exited with code 0/.test(out), 60000);
  assert.match(out, /^Attaching to ticker-1, once-1\n/);
  assert.match(out, /^once-1 {4}\| done once$/m);
  child.kill('SIGINT');
  assert.equal(await exited, 130);
  assert.match(out, /Gracefully stopping\.\.\. \(press Ctrl\+C again to force\)\nticker-1 {2}\| bye\nticker-1 exited with code 0\n$/);
  assert.match(composeOk(dir, ['ps', '-a']), /fg-ticker-1 .*Exited \(0\)/);
  // a second foreground up restarts the stopped containers and shows only the new output
  const again = compose(dir, ['up', '--abort-on-container-exit']);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout.match(/done once/g)?.length, 1);
  assert.match(again.stdout, /Aborting on container exit\.\.\./);
  composeOk(dir, ['down']);
});

test('invalid files and missing files fail as docker compose does', () => {
  const dir = projectDir('broken', { 'compose.yaml': 'services:\n  web:\n    image: busybox\n   oops: [\n' });
  const r = compose(dir, ['up', '-d']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /compose\.yaml: yaml: line \d+: /);
  const empty = path.join(root, 'empty');
  fs.mkdirSync(empty);
  const none = skiffSync(root, ['compose', '--project-directory', empty, '-f', path.join(empty, 'compose.yaml'), 'ps']);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /open .*empty\/compose\.yaml: no such file or directory/);
});

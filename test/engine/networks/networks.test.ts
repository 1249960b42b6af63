// docker networks and published ports end to end on runc + CNI, through the CLI: name resolution on a
// user network, `network rm` refused in use, -p on 127.0.0.1, docker's port-in-use error, `port`, and
// nothing left on the host (links, chains) once the containers and networks are gone.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { EngineNetworks } from '../../../src/engine/networks/index.js';
import { destroyRoot, makeRoot, ok, skiff, skiffSync } from '../helpers.js';

let root = '';
const tag = crypto.randomBytes(3).toString('hex');
const HTTPD = ['sh', '-c', 'mkdir -p /www && echo hello-$(hostname) > /www/index.html && exec httpd -f -p 80 -h /www'];

function hostState(): { links: string[]; rules: string[] } {
  const nets = new EngineNetworks(root);
  const prefix = nets.linkPrefix;
  const chains = nets.scope.chainPrefix;
  nets.close();
  const links = spawnSync('ip', ['-o', 'link'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.includes(`${prefix}`));
  const rules = spawnSync('iptables-save', [], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.includes(chains));
  return { links, rules };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/', timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

async function eventuallyGet(port: number): Promise<string> {
  for (let i = 0; ; i++) {
    try {
      return await get(port);
    } catch (err) {
      if (i > 50) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

before(async () => {
  root = await makeRoot(`net${tag}`);
});

after(async () => {
  await destroyRoot(root);
});

test('containers on a user network reach each other by name and alias; rm of a network in use is refused', async () => {
  const netName = `n${tag}`;
  const id = ok(root, ['network', 'create', netName]);
  assert.match(id, /^[0-9a-f]{64}$/);
  assert.match(ok(root, ['network', 'ls']), new RegExp(`${id.slice(0, 12)}\\s+${netName}\\s+bridge\\s+local`));
  ok(root, ['run', '-d', '--name', `web${tag}`, '--network', netName, '--network-alias', `www${tag}`, 'busybox', ...HTTPD]);
  const got = ok(root, ['run', '--rm', '--network', netName, 'busybox', 'sh', '-c', `for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO- http://web${tag}/ && exit 0; sleep 0.3; done; exit 1`]);
  assert.match(got, /^hello-/);
  assert.match(ok(root, ['run', '--rm', '--network', netName, 'busybox', 'wget', '-qO-', `http://www${tag}/`]), /^hello-/);
  const inspect = JSON.parse(ok(root, ['network', 'inspect', netName])) as Array<{ Containers: Record<string, { Name: string; IPv4Address: string }>; IPAM: { Config: Array<{ Subnet: string }> } }>;
  assert.deepEqual(Object.values(inspect[0].Containers).map((c) => c.Name), [`web${tag}`]);
  // container:<name> shares web's namespace; a restart re-attaches under the same name
  assert.match(ok(root, ['run', '--rm', '--network', `container:web${tag}`, 'busybox', 'wget', '-qO-', 'http://127.0.0.1/']), /^hello-/);
  // stop, then start once conmon's exit command (a `container cleanup` of its own) has run: a start that
  // overlaps that cleanup can lose its fresh network namespace (engine race, reported to the engine).
  ok(root, ['stop', '-t', '1', `web${tag}`]);
  await new Promise((r) => setTimeout(r, 2000));
  ok(root, ['start', `web${tag}`]);
  assert.match(ok(root, ['run', '--rm', '--network', netName, 'busybox', 'sh', '-c', `for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO- http://web${tag}/ && exit 0; sleep 0.3; done; exit 1`]), /^hello-/);
  const rm = skiffSync(root, ['network', 'rm', netName]);
  assert.equal(rm.code, 1);
  assert.match(rm.stderr, /Error response from daemon: error while removing network: network .* has active endpoints/);

  // connect/disconnect with an alias: a container on the default bridge joins and resolves the alias
  ok(root, ['run', '-d', '--name', `cli${tag}`, 'busybox', 'sleep', '60']);
  ok(root, ['network', 'connect', '--alias', `al${tag}`, netName, `cli${tag}`]);
  assert.match(ok(root, ['exec', `cli${tag}`, 'wget', '-qO-', `http://web${tag}/`]), /^hello-/);
  assert.match(ok(root, ['exec', `web${tag}`, 'cat', '/etc/hosts']), new RegExp(`al${tag}`));
  ok(root, ['network', 'disconnect', netName, `cli${tag}`]);
  assert.doesNotMatch(ok(root, ['exec', `web${tag}`, 'cat', '/etc/hosts']), new RegExp(`al${tag}`));

  // --ip picks the address; one in use is refused as docker refuses it
  const subnet = inspect[0].IPAM.Config[0].Subnet.split('.').slice(0, 3).join('.');
  ok(root, ['network', 'connect', '--ip', `${subnet}.200`, netName, `cli${tag}`]);
  assert.match(ok(root, ['exec', `cli${tag}`, 'ip', '-o', 'addr']), new RegExp(`inet ${subnet.replace(/\./g, '\\.')}\\.200/`));
  ok(root, ['run', '-d', '--name', `dup${tag}`, 'busybox', 'sleep', '60']);
  const dup = skiffSync(root, ['network', 'connect', '--ip', `${subnet}.200`, netName, `dup${tag}`]);
  assert.equal(dup.code, 1);
  assert.match(dup.stderr, /Error response from daemon: Address already in use/);
  ok(root, ['rm', '-f', `dup${tag}`]);
  // run --ip on the user network; the default bridge refuses it as docker does
  assert.match(ok(root, ['run', '--rm', '--network', netName, '--ip', `${subnet}.201`, 'busybox', 'ip', '-o', 'addr']), new RegExp(`inet ${subnet.replace(/\./g, '\\.')}\\.201/`));
  const onBridge = skiffSync(root, ['run', '--rm', '--ip', `${subnet}.202`, 'busybox', 'true']);
  assert.equal(onBridge.code, 125);
  assert.match(onBridge.stderr, /user specified IP address is supported on user defined networks only/);

  ok(root, ['rm', '-f', `web${tag}`, `cli${tag}`]);
  assert.equal(ok(root, ['network', 'rm', netName]), netName);
  assert.deepEqual(ok(root, ['network', 'ls', '--format', '{{.Name}}']).split('\n').sort(), ['bridge', 'host', 'none']);
});

test('-p 127.0.0.1:H:80 answers from the host; a port in use is refused as docker does; port shows it', async () => {
  const port = await freePort();
  ok(root, ['run', '-d', '--name', `pub${tag}`, '-p', `127.0.0.1:${port}:80`, 'busybox', ...HTTPD]);
  assert.match(await eventuallyGet(port), /^hello-/);
  assert.equal(ok(root, ['port', `pub${tag}`]), `80/tcp -> 127.0.0.1:${port}`);
  const again = skiffSync(root, ['run', '-d', '-p', `127.0.0.1:${port}:80`, 'busybox', 'true']);
  assert.equal(again.code, 125, again.stdout + again.stderr);
  assert.match(again.stderr, new RegExp(`Bind for 127\\.0\\.0\\.1:${port} failed: port is already allocated`));

  const held = await freePort();
  const holder = net.createServer();
  await new Promise<void>((resolve) => holder.listen(held, '127.0.0.1', resolve));
  try {
    const busy = skiffSync(root, ['run', '-d', '-p', `127.0.0.1:${held}:80`, 'busybox', 'true']);
    assert.equal(busy.code, 125, busy.stdout + busy.stderr);
    assert.match(busy.stderr, new RegExp(`Error starting userland proxy: listen tcp4 127\\.0\\.0\\.1:${held}: bind: address already in use`));
  } finally {
    holder.close();
  }

  // UDP: busybox has no UDP server applet, so a node echo server runs inside the container's namespace.
  const udp = await freePort();
  ok(root, ['run', '-d', '--name', `udp${tag}`, '-p', `127.0.0.1:${udp}:5353/udp`, 'busybox', 'sleep', '60']);
  assert.equal(ok(root, ['port', `udp${tag}`]), `5353/udp -> 127.0.0.1:${udp}`);
  const netns = ok(root, ['inspect', '--format', '{{.NetworkSettings.SandboxKey}}', `udp${tag}`]);
  const echo = spawn('nsenter', [`--net=${netns}`, '--', process.execPath, '-e', "const s=require('dgram').createSocket('udp4');s.on('message',(m,r)=>s.send(m,r.port,r.address));s.bind(5353,()=>console.log('ready'))"], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise((resolve) => echo.stdout.once('data', resolve));
    const sock = dgram.createSocket('udp4');
    const reply = await new Promise<string>((resolve, reject) => {
      sock.on('message', (m) => resolve(String(m)));
      sock.send('ping-udp', udp, '127.0.0.1');
      setTimeout(() => reject(new Error('no UDP reply through the published port')), 5000);
    }).finally(() => sock.close());
    assert.equal(reply, 'ping-udp');
  } finally {
    echo.kill();
  }
  ok(root, ['rm', '-f', `udp${tag}`]);

  ok(root, ['run', '-d', '--name', `rnd${tag}`, '-p', '80', 'busybox', ...HTTPD]);
  const [, hostPort] = /0\.0\.0\.0:(\d+)/.exec(ok(root, ['port', `rnd${tag}`, '80']))!;
  assert.match(await eventuallyGet(Number(hostPort)), /^hello-/);
  // From a container on another network: the published port through the host answers, the container's
  // own address does not (docker's isolation between networks).
  ok(root, ['network', 'create', `o${tag}`]);
  const gw = ok(root, ['inspect', '--format', '{{range .NetworkSettings.Networks}}{{.Gateway}}{{end}}', `rnd${tag}`]);
  const ip = ok(root, ['inspect', '--format', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', `rnd${tag}`]);
  assert.match(ok(root, ['run', '--rm', '--network', `o${tag}`, 'busybox', 'wget', '-qO-', `http://${gw}:${hostPort}/`]), /^hello-/);
  const direct = skiffSync(root, ['run', '--rm', '--network', `o${tag}`, 'busybox', 'sh', '-c', `echo | nc -w 2 ${ip} 80`]);
  assert.notEqual(direct.code, 0);
  assert.match(direct.stderr, /timed out/);
  ok(root, ['network', 'rm', `o${tag}`]);
  ok(root, ['rm', '-f', `pub${tag}`, `rnd${tag}`]);
  assert.deepEqual(hostState().rules.filter((r) => r.includes('-j DNAT')), [], 'port rules removed with the containers');
});

test('-P publishes every EXPOSEd port of the image on a random host port', async () => {
  const ctx = fs.mkdtempSync(path.join(os.tmpdir(), `skiff-netctx-${tag}-`));
  try {
    fs.writeFileSync(path.join(ctx, 'Dockerfile'), `FROM busybox\nEXPOSE 80\nCMD ${JSON.stringify(HTTPD)}\n`);
    ok(root, ['build', '-q', '-t', `exp${tag}:1`, ctx]);
  } finally {
    fs.rmSync(ctx, { recursive: true, force: true });
  }
  ok(root, ['run', '-d', '--name', `all${tag}`, '-P', `exp${tag}:1`]);
  const m = /^80\/tcp -> 0\.0\.0\.0:(\d+)$/.exec(ok(root, ['port', `all${tag}`]));
  assert.ok(m, 'port 80 published');
  assert.match(await eventuallyGet(Number(m[1])), /^hello-/);
  ok(root, ['rm', '-f', `all${tag}`]);
});

test('a restarting container keeps its network while other processes handle the same exit', async () => {
  const name = `flap${tag}`;
  // Each run prints the address it finds on eth0, then fails, so `always` restarts it again and again.
  const id = ok(root, ['run', '-d', '--name', name, '--restart', 'always', 'busybox', 'sh', '-c', 'ip -o -4 addr show eth0; sleep 1; exit 1']);
  const exitFile = path.join(root, 'containers', id, 'exits', id);
  const restarts = (): number => Number(ok(root, ['inspect', '-f', '{{.RestartCount}}', name]));
  for (let round = 1; round <= 3; round++) {
    // As soon as conmon records the exit, handlers race for it, as conmon's exit command, a `stop` and
    // the Docker API can: one restarts the container, none may free the new run's netns or runc state.
    for (let i = 0; !fs.existsSync(exitFile); i++) {
      assert.ok(i < 1000, `exit ${round}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    const racers = await Promise.all([1, 2, 3].map(() => skiff(root, ['container', 'cleanup', id])));
    assert.deepEqual(racers.map((r) => r.code), [0, 0, 0]);
    for (let i = 0; restarts() < round; i++) {
      assert.ok(i < 200, `restart ${round} (restarts: ${restarts()})`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  for (let i = 0; ok(root, ['logs', name]).split('\n').length < 4; i++) {
    assert.ok(i < 200, 'four runs logged');
    await new Promise((r) => setTimeout(r, 50));
  }
  for (const line of ok(root, ['logs', name]).split('\n')) assert.match(line, /inet \d+\.\d+\.\d+\.\d+\//, 'every run has its address');
  ok(root, ['rm', '-f', name]);
});

test('after removing every container nothing of the root is left on the host', async () => {
  for (const id of ok(root, ['ps', '-aq']).split('\n').filter(Boolean)) ok(root, ['rm', '-f', id]);
  ok(root, ['network', 'create', `idle${tag}`]);
  // A network without endpoints holds nothing on the host: the bridge and its chains come and go with
  // its containers, so a root deleted without cleanup leaves nothing either.
  assert.deepEqual(hostState(), { links: [], rules: [] });
  assert.equal(ok(root, ['network', 'prune', '-f']), `Deleted Networks:\nidle${tag}`);
  assert.deepEqual(ok(root, ['network', 'ls', '--format', '{{.Name}}']).split('\n').sort(), ['bridge', 'host', 'none']);
  const { EngineNetworks: Nets } = await import('../../../src/engine/networks/index.js');
  const nets = new Nets(root);
  await nets.reset();
  nets.close();
  assert.deepEqual(hostState(), { links: [], rules: [] });
});

test('the idle default bridge moves off a subnet something else on the host has taken meanwhile', () => {
  const subnetOf = (): string => ok(root, ['network', 'inspect', 'bridge', '--format', '{{range .IPAM.Config}}{{.Subnet}}{{end}}']);
  const before = subnetOf();
  const squatter = `skx${tag}`;
  try {
    assert.equal(spawnSync('ip', ['link', 'add', squatter, 'type', 'bridge']).status, 0);
    assert.equal(spawnSync('ip', ['addr', 'add', before.replace(/\.0\/24$/, '.250/24'), 'dev', squatter]).status, 0);
    assert.equal(spawnSync('ip', ['link', 'set', squatter, 'up']).status, 0);
    assert.match(ok(root, ['run', '--rm', 'busybox', 'ip', '-o', '-4', 'addr', 'show', 'eth0']), /inet /);
    assert.notEqual(subnetOf(), before);
  } finally {
    spawnSync('ip', ['link', 'del', squatter]);
  }
});

test('system reset removes the root and everything it held on the host', async () => {
  const other = await makeRoot(`reset${tag}`);
  try {
    ok(other, ['network', 'create', `r${tag}`]);
    ok(other, ['volume', 'create', `rv${tag}`]);
    ok(other, ['run', '-d', '--network', `r${tag}`, '-p', '80', '-v', `rv${tag}:/v`, 'busybox', 'sleep', '60']);
    ok(other, ['run', '-d', 'busybox', 'sleep', '60']);
    const nets = new EngineNetworks(other);
    const prefixes = [nets.linkPrefix, nets.scope.chainPrefix];
    nets.close();
    ok(other, ['system', 'reset', '-f']);
    assert.ok(!fs.existsSync(other), 'root removed');
    assert.deepEqual(spawnSync('ip', ['-o', 'link'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.includes(prefixes[0])), []);
    assert.deepEqual(spawnSync('iptables-save', [], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.includes(prefixes[1])), []);
    assert.deepEqual(fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(other)), []);
  } finally {
    if (fs.existsSync(other)) await destroyRoot(other);
  }
});

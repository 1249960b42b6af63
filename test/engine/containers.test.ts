// The container verbs on real runc + conmon, as the seeds use them (issue 4's acceptance list).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { destroyRoot, eventually, makeRoot, ok, skiff, skiffSync, SKIFF } from './helpers.js';

let root = '';
before(async () => {
  root = await makeRoot('ctr');
});
after(async () => {
  await destroyRoot(root);
});

const inspect = (ref: string, format: string): string => ok(root, ['inspect', '-f', format, ref]);

describe('run, ps, logs, rm', () => {
  test('run prints output and returns the container exit code; --rm removes it', () => {
    const r = skiffSync(root, ['run', '--rm', '--name', 'once', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.equal(r.code, 3);
    assert.equal(r.stdout, 'out\n');
    assert.equal(r.stderr, 'err\n');
    assert.equal(skiffSync(root, ['inspect', 'once']).code, 1);
  });

  test('container --help lists docker\'s container commands; VERB --help prints its usage', () => {
    const help = ok(root, ['container', '--help']);
    const listed = help.split('\n').filter((l) => /^  \w/.test(l)).map((l) => l.trim().split(/\s+/)[0]);
    assert.deepEqual(listed, ['attach', 'commit', 'cp', 'create', 'diff', 'exec', 'export', 'inspect', 'kill', 'logs', 'ls', 'pause', 'port', 'prune', 'rename', 'restart', 'rm', 'run', 'start', 'stats', 'stop', 'top', 'unpause', 'update', 'wait']);
    assert.match(ok(root, ['run', '--help']), /Usage:  skiff run \[OPTIONS\] IMAGE \[COMMAND\] \[ARG\.\.\.\]/);
    const unknown = skiffSync(root, ['frobnicate']);
    assert.equal(unknown.code, 125);
    assert.match(unknown.stderr, /'frobnicate' is not a docker command/);
  });

  test('docker exit codes: 127 for a missing command, 125 for engine errors', () => {
    const missing = skiffSync(root, ['run', '--rm', 'busybox', 'no-such-command']);
    assert.equal(missing.code, 127, missing.stderr);
    assert.match(missing.stderr, /executable file not found|no such file/);
    const badFlag = skiffSync(root, ['run', '--no-such-flag', 'busybox']);
    assert.equal(badFlag.code, 125);
    assert.match(badFlag.stderr, /unknown flag: --no-such-flag/);
  });

  test('an image that is not here is looked for in its registry (on loopback only) and fails with 125', () => {
    const r = skiffSync(root, ['run', '--rm', '127.0.0.1:9/nosuch', 'true']);
    assert.equal(r.code, 125);
    assert.match(r.stderr, /^Unable to find image '127\.0\.0\.1:9\/nosuch:latest' locally\n/);
  });

  test('names are unique with docker\'s conflict message; rm refuses a running container', () => {
    ok(root, ['run', '-d', '--name', 'uniq', 'busybox', 'sleep', '60']);
    const dup = skiffSync(root, ['run', '-d', '--name', 'uniq', 'busybox', 'true']);
    assert.equal(dup.code, 125);
    assert.match(dup.stderr, /Conflict\. The container name "\/uniq" is already in use by container "[0-9a-f]{64}"/);
    const rm = skiffSync(root, ['rm', 'uniq']);
    assert.equal(rm.code, 1);
    assert.match(rm.stderr, /You cannot remove a running container [0-9a-f]{64}\. Stop the container before attempting removal or force remove/);
    ok(root, ['rm', '-f', 'uniq']);
    assert.equal(skiffSync(root, ['inspect', 'uniq']).code, 1);
  });

  test('daemon_dave: a detached loop shows in ps, logs and logs -f, top lists its processes', async () => {
    const id = ok(root, ['run', '--name', 'daemon_dave', '-d', 'busybox', 'sh', '-c', 'while true; do echo hello world; sleep 1; done']);
    assert.match(id, /^[0-9a-f]{64}$/);
    const ps = ok(root, ['ps']);
    assert.match(ps.split('\n')[0], /^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES$/);
    assert.match(ps, new RegExp(`${id.slice(0, 12)}\\s+busybox\\s+"sh -c while true; d…"\\s+.* ago\\s+Up .*daemon_dave`));
    await eventually('two log lines', () => ok(root, ['logs', 'daemon_dave']).split('\n').length >= 2);
    assert.match(ok(root, ['logs', '--tail', '1', 'daemon_dave']), /^hello world$/);
    assert.match(ok(root, ['logs', '-t', '--tail', '1', 'daemon_dave']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z hello world$/);
    const top = ok(root, ['top', 'daemon_dave']);
    assert.match(top.split('\n')[0], /UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD/);
    assert.match(top, /sh -c while true/);

    // logs -f keeps streaming and ends when the container stops.
    const follow = spawn(SKIFF, ['--root', root, 'logs', '-f', '--tail', '0', 'daemon_dave']);
    let followed = '';
    follow.stdout.on('data', (d: Buffer) => (followed += d.toString()));
    const ended = new Promise<number | null>((r) => follow.on('close', r));
    try {
      await eventually('followed lines', () => followed.split('\n').length >= 3, 20000);
      ok(root, ['stop', '-t', '1', 'daemon_dave']);
      assert.equal(await ended, 0);
    } finally {
      follow.kill();
    }
    assert.match(ok(root, ['ps', '-a', '--filter', 'name=daemon_dave', '--format', '{{.Status}}']), /^Exited \(137\) /);
    ok(root, ['rm', 'daemon_dave']);
  });

  test('ps -q/-a/-l/-n, --filter and Go-template --format', () => {
    const a = ok(root, ['run', '-d', '--name', 'ps-a', '-l', 'tier=web', 'busybox', 'sleep', '60']);
    ok(root, ['run', '--name', 'ps-b', 'busybox', 'true']);
    assert.deepEqual(ok(root, ['ps', '-q', '--filter', 'name=ps-']).split('\n'), [a.slice(0, 12)]);
    assert.equal(ok(root, ['ps', '-l', '--format', '{{.Names}}']), 'ps-b');
    assert.equal(ok(root, ['ps', '-a', '-n', '2', '--format', '{{.Names}} {{.State}}']), 'ps-b exited\nps-a running');
    assert.equal(ok(root, ['ps', '--filter', 'label=tier=web', '--format', '{{.Names}}']), 'ps-a');
    assert.equal(ok(root, ['ps', '-a', '--filter', 'exited=0', '--format', '{{.Names}}']), 'ps-b');
    assert.match(ok(root, ['ps', '--format', 'table {{.Names}}\t{{.Image}}', '--filter', 'name=ps-a']), /^NAMES\s+IMAGE\nps-a\s+busybox$/);
    ok(root, ['rm', '-f', 'ps-a', 'ps-b']);
  });
});

describe('inspect, exec, diff, cp', () => {
  test('inspect is docker-shaped and -f takes the seeds\' templates', () => {
    ok(root, ['run', '-d', '--name', 'insp', '-e', 'A=1', '-w', '/tmp', '-h', 'box', 'busybox', 'sleep', '60']);
    const [doc] = JSON.parse(ok(root, ['inspect', 'insp'])) as Array<Record<string, any>>;
    assert.match(doc.Id, /^[0-9a-f]{64}$/);
    assert.equal(doc.Name, '/insp');
    assert.equal(doc.State.Status, 'running');
    assert.equal(doc.State.Running, true);
    assert.ok(doc.State.Pid > 0);
    assert.equal(doc.Config.Hostname, 'box');
    assert.ok(doc.Config.Env.includes('A=1'));
    assert.equal(doc.HostConfig.RestartPolicy.Name, 'no');
    assert.equal(doc.RestartCount, 0);
    assert.equal(inspect('insp', '{{.State.Status}}'), 'running');
    assert.equal(inspect('insp', '{{json .Config.Cmd}}'), '["sleep","60"]');
    // The default network is bridge once a network provider is wired in, none without one.
    const ip = inspect('insp', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}');
    assert.match(ip, inspect('insp', '{{.HostConfig.NetworkMode}}') === 'none' ? /^$/ : /^\d+\.\d+\.\d+\.\d+$/);
    assert.equal(ok(root, ['exec', 'insp', 'sh', '-c', 'pwd; hostname; echo $A']), '/tmp\nbox\n1');
  });

  test('exec -d touch then diff shows A /root/demo.txt', async () => {
    ok(root, ['exec', '-d', 'insp', 'touch', '/root/demo.txt']);
    await eventually('demo.txt', () => skiffSync(root, ['exec', 'insp', 'test', '-e', '/root/demo.txt']).code === 0);
    assert.equal(ok(root, ['diff', 'insp']), 'C /root\nA /root/demo.txt');
  });

  test('exec -e -u -w, exit codes pass through', () => {
    assert.equal(ok(root, ['exec', '-e', 'X=2', '-u', 'nobody', '-w', '/', 'insp', 'sh', '-c', 'echo $X $(id -u) $(pwd)']), '2 65534 /');
    assert.equal(skiffSync(root, ['exec', 'insp', 'sh', '-c', 'exit 7']).code, 7);
    const missing = skiffSync(root, ['exec', 'insp', 'no-such-tool']);
    assert.equal(missing.code, 127);
    assert.match(missing.stderr, /^OCI runtime exec failed: .*executable file not found in \$PATH: unknown\n$/);
    assert.equal(skiffSync(root, ['exec', 'insp', '/etc/passwd']).code, 126);
  });

  test('exec -it runs under a real pty', () => {
    const cmd = `${SKIFF} --root ${root} exec -it insp sh -c 'tty; echo in-pty'`;
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', timeout: 60000 });
    assert.equal(r.status, 0, r.stderr);
    // runc makes the outer terminal raw concurrently with the process's first output, so an early line
    // may still get the outer terminal's \r too.
    assert.match(r.stdout, /\/dev\/pts\/\d+\r+\n/);
    assert.match(r.stdout, /in-pty/);
  });

  test('run -it gives the container a pty and relays it', async () => {
    const child = spawn('script', ['-qec', `${SKIFF} --root ${root} run -it --rm --network none busybox sh -c 'tty; echo in-run-pty'`, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    // stdin stays open while the container runs, as a terminal's would.
    const code = await new Promise<number | null>((r) => child.on('close', r));
    child.stdin.end();
    assert.equal(code, 0, out);
    assert.match(out, /\/dev\/pts\/\d+\r?\n/);
    assert.match(out, /in-run-pty/);
  });

  test('cp copies both ways, and - streams tar', () => {
    const dir = fs.mkdtempSync(path.join(root, 'cp-'));
    fs.writeFileSync(path.join(dir, 'in.txt'), 'into the container\n');
    ok(root, ['cp', path.join(dir, 'in.txt'), 'insp:/tmp/']);
    assert.equal(ok(root, ['exec', 'insp', 'cat', '/tmp/in.txt']), 'into the container');
    ok(root, ['exec', 'insp', 'sh', '-c', 'mkdir -p /data && echo out > /data/f']);
    ok(root, ['cp', 'insp:/data', path.join(dir, 'copy')]);
    assert.equal(fs.readFileSync(path.join(dir, 'copy', 'f'), 'utf8'), 'out\n');
    const tar = spawnSync(SKIFF, ['--root', root, 'cp', 'insp:/data/f', '-']);
    assert.equal(tar.status, 0);
    const listed = spawnSync('tar', ['-tf', '-'], { input: tar.stdout, encoding: 'utf8' });
    assert.equal(listed.stdout.trim(), 'f');
    const back = spawnSync(SKIFF, ['--root', root, 'cp', '-', 'insp:/root'], { input: tar.stdout });
    assert.equal(back.status, 0, back.stderr.toString());
    assert.equal(ok(root, ['exec', 'insp', 'cat', '/root/f']), 'out');
  });

  test('cp follows docker\'s rules: into a directory or as a new name, SRC/. contents, ownership, -a, a stopped container', () => {
    const dir = fs.mkdtempSync(path.join(root, 'cprules-'));
    fs.mkdirSync(path.join(dir, 'tree', 'sub'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'tree', 'sub', 'f'), 'deep\n');
    fs.chownSync(path.join(dir, 'tree', 'sub', 'f'), 1234, 1234);
    ok(root, ['exec', 'insp', 'mkdir', '-p', '/into']);
    // A directory lands inside an existing directory, or becomes a new name; SRC/. merges its contents.
    ok(root, ['cp', path.join(dir, 'tree'), 'insp:/into']);
    ok(root, ['cp', path.join(dir, 'tree'), 'insp:/renamed']);
    ok(root, ['cp', `${path.join(dir, 'tree')}/.`, 'insp:/into']);
    assert.equal(ok(root, ['exec', 'insp', 'sh', '-c', 'cat /into/tree/sub/f /renamed/sub/f /into/sub/f']), 'deep\ndeep\ndeep');
    // Copied in, files belong to the container's root user unless -a keeps the source's owner.
    assert.equal(ok(root, ['exec', 'insp', 'stat', '-c', '%u:%g', '/renamed/sub/f']), '0:0');
    ok(root, ['cp', '-a', path.join(dir, 'tree'), 'insp:/kept']);
    assert.equal(ok(root, ['exec', 'insp', 'stat', '-c', '%u:%g', '/kept/sub/f']), '1234:1234');
    // Docker's refusals.
    ok(root, ['exec', 'insp', 'touch', '/afile']);
    assert.match(skiffSync(root, ['cp', path.join(dir, 'tree'), 'insp:/afile']).stderr, /cannot copy directory/);
    assert.match(skiffSync(root, ['cp', path.join(dir, 'tree', 'sub', 'f'), 'insp:/nowhere/']).stderr, /destination directory \/nowhere\/ does not exist/);
    assert.match(skiffSync(root, ['cp', path.join(dir, 'tree', 'sub', 'f'), 'insp:/no/such/parent']).stderr, /no such file or directory/);
    assert.match(skiffSync(root, ['cp', 'insp:/nope', dir]).stderr, /Could not find the file \/nope in container insp/);
    // A stopped container's files can be copied both ways.
    const stopped = ok(root, ['create', 'busybox', 'true']);
    ok(root, ['cp', path.join(dir, 'tree', 'sub', 'f'), `${stopped}:/etc/copied`]);
    ok(root, ['cp', `${stopped}:/etc/copied`, path.join(dir, 'back')]);
    assert.equal(fs.readFileSync(path.join(dir, 'back'), 'utf8'), 'deep\n');
    assert.equal(fs.statSync(path.join(dir, 'back')).uid, process.getuid!());
    assert.ok(!fs.readFileSync('/proc/self/mountinfo', 'utf8').includes(stopped), 'the stopped container\'s rootfs is unmounted again');
    ok(root, ['rm', stopped]);
  });

  test('commit then run the new image; export | import', async () => {
    const id = ok(root, ['commit', '-a', 'dave', '-m', 'added demo', '-c', 'CMD ["cat", "/root/f"]', 'insp', 'committed:v1']);
    assert.match(id, /^sha256:[0-9a-f]{64}$/);
    assert.equal(ok(root, ['run', '--rm', 'committed:v1']), 'out');
    assert.match(ok(root, ['images', 'committed']), /committed\s+v1\s+[0-9a-f]{12}\s+.*ago/);
    assert.match(ok(root, ['history', 'committed:v1']).split('\n')[1], /added demo$/);
    const exported = spawnSync(SKIFF, ['--root', root, 'export', 'insp'], { maxBuffer: 64 << 20 });
    assert.equal(exported.status, 0);
    const imported = await skiff(root, ['import', '-', 'imported:v1'], exported.stdout);
    assert.equal(imported.code, 0, imported.stderr);
    assert.equal(ok(root, ['run', '--rm', 'imported:v1', 'cat', '/root/f']), 'out');
    ok(root, ['rm', '-f', 'insp']);
  });
});

describe('stop, kill, pause, restart policies, limits', () => {
  test('stop with --init gives 143, kill gives 137', () => {
    ok(root, ['run', '-d', '--init', '--name', 'initd', 'busybox', 'sh', '-c', 'while true; do sleep 1; done']);
    ok(root, ['stop', 'initd']);
    assert.equal(inspect('initd', '{{.State.ExitCode}}'), '143');
    ok(root, ['run', '-d', '--name', 'killed', 'busybox', 'sleep', '60']);
    ok(root, ['kill', 'killed']);
    assert.equal(inspect('killed', '{{.State.ExitCode}}'), '137');
    assert.match(ok(root, ['ps', '-a', '--filter', 'name=killed', '--format', '{{.Status}}']), /^Exited \(137\)/);
    assert.equal(ok(root, ['wait', 'killed']), '137');
    ok(root, ['rm', 'initd', 'killed']);
  });

  test('pause freezes the cgroup and ps shows Paused; unpause thaws', () => {
    const id = ok(root, ['run', '-d', '--name', 'pz', 'busybox', 'sleep', '60']);
    ok(root, ['pause', 'pz']);
    assert.equal(inspect('pz', '{{.State.Status}}'), 'paused');
    assert.match(ok(root, ['ps', '--filter', 'name=pz', '--format', '{{.Status}}']), /^Up .* \(Paused\)$/);
    if (fs.existsSync('/sys/fs/cgroup/freezer')) {
      assert.equal(fs.readFileSync(path.join('/sys/fs/cgroup/freezer', findCgroup('freezer', id), 'freezer.state'), 'utf8').trim(), 'FROZEN');
    }
    ok(root, ['unpause', 'pz']);
    assert.equal(inspect('pz', '{{.State.Status}}'), 'running');
    ok(root, ['rm', '-f', 'pz']);
  });

  test('--memory 64m and --pids-limit are visible in the container\'s cgroup; stats reports them', () => {
    const id = ok(root, ['run', '-d', '--name', 'lim', '--memory', '64m', '--pids-limit', '50', '--cpus', '0.5', 'busybox', 'sleep', '60']);
    assert.equal(fs.readFileSync(path.join('/sys/fs/cgroup/memory', findCgroup('memory', id), 'memory.limit_in_bytes'), 'utf8').trim(), '67108864');
    assert.equal(fs.readFileSync(path.join('/sys/fs/cgroup/pids', findCgroup('pids', id), 'pids.max'), 'utf8').trim(), '50');
    assert.equal(inspect('lim', '{{.HostConfig.Memory}}'), '67108864');
    const stats = ok(root, ['stats', '--no-stream', 'lim']);
    assert.match(stats.split('\n')[0], /^CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O\s+PIDS$/);
    assert.match(stats.split('\n')[1], new RegExp(`^${id.slice(0, 12)}\\s+lim\\s+\\d+\\.\\d\\d%\\s+[\\d.]+[KMG]?i?B / 64MiB\\s+[\\d.]+%\\s+.*\\s+1$`));
    ok(root, ['rm', '-f', 'lim']);
  });

  test('--restart on-failure:3 restarts three times, then stays exited', async () => {
    ok(root, ['run', '-d', '--name', 'flaky', '--restart', 'on-failure:3', 'busybox', 'sh', '-c', 'echo attempt; exit 2']);
    await eventually('3 restarts', () => inspect('flaky', '{{.RestartCount}} {{.State.Status}}') === '3 exited', 30000);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(inspect('flaky', '{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}}'), '3 exited 2');
    assert.equal(ok(root, ['logs', 'flaky']), 'attempt\nattempt\nattempt\nattempt');
    ok(root, ['rm', 'flaky']);
  });

  test('a container that exits while no skiff process runs shows Exited (3) and its logs', async () => {
    const id = ok(root, ['run', '-d', '--name', 'lonely', 'busybox', 'sh', '-c', 'echo before exit; sleep 1; exit 3']);
    // Nothing of skiff runs now; conmon alone watches the container and records its exit.
    await eventually('exit file', () => fs.existsSync(path.join(root, 'containers', id, 'exits', id)), 15000);
    assert.match(ok(root, ['ps', '-a', '--filter', 'name=lonely', '--format', '{{.Status}}']), /^Exited \(3\) /);
    assert.equal(ok(root, ['logs', 'lonely']), 'before exit');
    ok(root, ['rm', 'lonely']);
  });

  test('system restore starts again what restart policies keep running once conmon is gone', async () => {
    const kept = ok(root, ['run', '-d', '--name', 'survivor', '--restart', 'always', 'busybox', 'sleep', '300']);
    const plain = ok(root, ['run', '-d', '--name', 'bystander', 'busybox', 'sleep', '300']);
    // A host restart, simulated: monitors and containers vanish without writing exit files.
    for (const id of [kept, plain]) {
      const conmon = Number(fs.readFileSync(path.join(root, 'containers', id, 'conmon.pid'), 'utf8'));
      const pid = Number(inspect(id, '{{.State.Pid}}'));
      process.kill(conmon, 'SIGKILL');
      process.kill(pid, 'SIGKILL');
    }
    await eventually('conmon gone', () => inspect('survivor', '{{.State.Status}}') === 'exited' && inspect('bystander', '{{.State.Status}}') === 'exited');
    assert.equal(inspect('bystander', '{{.State.Status}} {{.State.ExitCode}}'), 'exited 255');
    assert.equal(ok(root, ['system', 'restore']), kept);
    assert.equal(inspect('survivor', '{{.State.Status}}'), 'running');
    assert.equal(inspect('bystander', '{{.State.Status}}'), 'exited');
    ok(root, ['rm', '-f', 'survivor', 'bystander']);
  });

  test('a cleanup waits while another live process frees an exit, and takes over if that process dies', async () => {
    // The engine library without an exit command, so this test decides who handles the exit.
    const { Engine } = await import('../../src/engine/index.js');
    const engine = new Engine({ root });
    const holder = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      const c = await engine.containers.create({ name: 'claimed', image: 'busybox', config: { Cmd: ['true'] } });
      await engine.containers.start(c.Id);
      await eventually('exit', () => engine.containers.readExit(c.Id));
      const exit = engine.containers.readExit(c.Id)!;
      engine.containers.update(c.Id, (x) => {
        x.ExitCleanup = { FinishedAt: exit.finishedAt, Pid: holder.pid!, Done: false };
      });
      const stateDir = path.join(root, 'runc', c.Id);
      const waiting = skiff(root, ['container', 'cleanup', c.Id]);
      await new Promise((r) => setTimeout(r, 1500));
      assert.ok(fs.existsSync(stateDir), 'nothing freed while the claimer lives');
      holder.kill('SIGKILL');
      assert.equal((await waiting).code, 0);
      assert.ok(!fs.existsSync(stateDir), 'freed by the cleanup that took over');
      assert.equal(engine.containers.get(c.Id).ExitCleanup?.Done, true);
      await engine.containers.remove(c.Id);
    } finally {
      holder.kill('SIGKILL');
      engine.close();
    }
  });

  test('20 parallel run -d never corrupt state', async () => {
    const runs = await Promise.all(Array.from({ length: 20 }, (_, i) => skiff(root, ['run', '-d', '--name', `par${i}`, 'busybox', 'sleep', '60'])));
    for (const r of runs) assert.equal(r.code, 0, r.stderr);
    const ids = new Set(runs.map((r) => r.stdout.trim()));
    assert.equal(ids.size, 20);
    const names = ok(root, ['ps', '--filter', 'name=par', '--format', '{{.Names}} {{.State}}']).split('\n').sort();
    assert.deepEqual(names, Array.from({ length: 20 }, (_, i) => `par${i} running`).sort());
    const rm = await skiff(root, ['rm', '-f', ...Array.from({ length: 20 }, (_, i) => `par${i}`)]);
    assert.equal(rm.code, 0, rm.stderr);
    assert.equal(ok(root, ['ps', '-a', '--filter', 'name=par', '-q']), '');
  });
});

/** The container's cgroup path under a v1 controller, found from its init process. */
function findCgroup(controller: string, id: string): string {
  const pid = ok(root, ['inspect', '-f', '{{.State.Pid}}', id]);
  const line = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n').find((l) => l.split(':')[1].split(',').includes(controller));
  assert.ok(line, `no ${controller} cgroup for ${id}`);
  return line.split(':')[2];
}

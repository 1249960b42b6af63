// docker update / events / container prune / image prune / info / version / system df / attach.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { diskUsage, engineInfo, filtersFromFlags, followEvents, formatTimeNano, goArch, attachSocket, pruneContainers, pruneImages, resizePty, skiffVersion, type Engine } from '../../engine/index.js';
import type { GlobalOptions } from '../command.js';
import { flagBool, flagInt, flagList, flagString, parseFlags } from '../flags.js';
import { CliError, humanSize, makeRaw, parseMemory, renderFormat, withEngine } from './common.js';

export async function update(argv: string[], globals: GlobalOptions): Promise<number> {
  const flags = parseFlags(argv, [
    { name: 'memory', short: 'm', kind: 'string' },
    { name: 'memory-swap', kind: 'string' },
    { name: 'cpus', kind: 'string' },
    { name: 'cpu-shares', short: 'c', kind: 'int' },
    { name: 'pids-limit', kind: 'int' },
    { name: 'restart', kind: 'string' },
  ]);
  if (!flags.positionals.length) throw new CliError(`skiff: 'update' requires at least 1 argument.\nSee 'skiff update --help'.`, 1);
  const u: Parameters<Engine['containers']['updateResources']>[1] = {};
  const mem = flagString(flags, 'memory');
  if (mem) u.Memory = parseMemory(mem);
  const swap = flagString(flags, 'memory-swap');
  if (swap) u.MemorySwap = swap === '-1' ? -1 : parseMemory(swap);
  const cpus = flagString(flags, 'cpus');
  if (cpus) u.NanoCpus = Math.round(Number(cpus) * 1e9);
  const shares = flagInt(flags, 'cpu-shares');
  if (shares !== undefined) u.CpuShares = shares;
  const pids = flagInt(flags, 'pids-limit');
  if (pids !== undefined) u.PidsLimit = pids;
  const restart = flagString(flags, 'restart');
  if (restart) {
    const [name, count] = restart.split(':');
    if (!['no', 'always', 'on-failure', 'unless-stopped'].includes(name)) throw new CliError(`invalid restart policy format: invalid restart policy '${restart}'`, 1);
    u.RestartPolicy = { Name: name as 'no', MaximumRetryCount: Number(count ?? 0) };
  }
  return withEngine(globals, async (engine) => {
    let failed = false;
    for (const ref of flags.positionals) {
      try {
        await engine.containers.updateResources(ref, u);
        process.stdout.write(`${ref}\n`);
      } catch (err) {
        process.stderr.write(`Error response from daemon: ${(err as Error).message}\n`);
        failed = true;
      }
    }
    return failed ? 1 : 0;
  });
}

export async function events(argv: string[], globals: GlobalOptions): Promise<number> {
  const flags = parseFlags(argv, [
    { name: 'since', kind: 'string' },
    { name: 'until', kind: 'string' },
    { name: 'filter', short: 'f', kind: 'list' },
    { name: 'format', kind: 'string' },
  ]);
  const filters = filtersFromFlags(flagList(flags, 'filter'));
  const format = flagString(flags, 'format');
  return withEngine(globals, async (engine) => {
    const ac = new AbortController();
    process.once('SIGINT', () => ac.abort());
    await followEvents(engine, { since: flagString(flags, 'since'), until: flagString(flags, 'until'), filters, signal: ac.signal }, (e) => {
      if (format) {
        process.stdout.write(renderFormat(format, {}, [{ Type: e.type, Action: e.action, Status: e.action, ID: e.actorId, Actor: { ID: e.actorId, Attributes: e.attributes }, time: Number(e.timeNano / 1000000000n), timeNano: Number(e.timeNano) }]));
      } else {
        const attrs = Object.entries(e.attributes).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`).join(', ');
        process.stdout.write(`${formatTimeNano(e.timeNano).replace('Z', '+00:00')} ${e.type} ${e.action} ${e.actorId} (${attrs})\n`);
      }
    });
    return 0;
  });
}

export async function confirm(question: string): Promise<boolean> {
  process.stdout.write(`${question} [y/N] `);
  const answer = await new Promise<string>((resolve) => {
    process.stdin.once('data', (d: Buffer) => resolve(d.toString()));
    process.stdin.once('end', () => resolve(''));
  });
  process.stdin.pause();
  return /^y(es)?$/i.test(answer.trim());
}

export async function containerPrune(argv: string[], globals: GlobalOptions): Promise<number> {
  const flags = parseFlags(argv, [
    { name: 'force', short: 'f', kind: 'bool' },
    { name: 'filter', kind: 'list' },
  ]);
  if (!flagBool(flags, 'force') && !(await confirm('WARNING! This will remove all stopped containers.\nAre you sure you want to continue?'))) return 0;
  return withEngine(globals, async (engine) => {
    const { deleted, space } = await pruneContainers(engine, filtersFromFlags(flagList(flags, 'filter')));
    if (deleted.length) process.stdout.write(`Deleted Containers:\n${deleted.join('\n')}\n\n`);
    process.stdout.write(`Total reclaimed space: ${humanSize(space)}\n`);
    return 0;
  });
}

export async function imagePrune(argv: string[], globals: GlobalOptions): Promise<number> {
  const flags = parseFlags(argv, [
    { name: 'force', short: 'f', kind: 'bool' },
    { name: 'all', short: 'a', kind: 'bool' },
    { name: 'filter', kind: 'list' },
  ]);
  const all = flagBool(flags, 'all');
  const warning = all ? 'WARNING! This will remove all images without at least one container associated to them.' : 'WARNING! This will remove all dangling images.';
  if (!flagBool(flags, 'force') && !(await confirm(`${warning}\nAre you sure you want to continue?`))) return 0;
  return withEngine(globals, async (engine) => {
    const { lines, space } = pruneImages(engine, all);
    if (lines.length) process.stdout.write(`Deleted Images:\n${lines.map((l) => l.replace(/^Untagged:/, 'untagged:').replace(/^Deleted:/, 'deleted:')).join('\n')}\n\n`);
    process.stdout.write(`Total reclaimed space: ${humanSize(space)}\n`);
    return 0;
  });
}

export async function version(argv: string[], globals: GlobalOptions): Promise<number> {
  const flags = parseFlags(argv, [{ name: 'format', short: 'f', kind: 'string' }]);
  const info = {
    Client: { Version: skiffVersion(), ApiVersion: '1.43', GoVersion: process.version, Os: 'linux', Arch: goArch() },
    Server: { Version: skiffVersion(), ApiVersion: '1.43', MinAPIVersion: '1.12', Os: 'linux', Arch: goArch(), KernelVersion: os.release(), Root: globals.root },
  };
  const format = flagString(flags, 'format');
  if (format) {
    process.stdout.write(renderFormat(format, {}, [info]));
    return 0;
  }
  process.stdout.write(
    [
      'Client:',
      ` Version:           ${info.Client.Version}`,
      ` API version:       ${info.Client.ApiVersion}`,
      ` Node version:      ${info.Client.GoVersion}`,
      ` OS/Arch:           linux/${info.Client.Arch}`,
      '',
      'Server: skiff engine (daemonless)',
      ' Engine:',
      `  Version:          ${info.Server.Version}`,
      `  API version:      ${info.Server.ApiVersion} (minimum version ${info.Server.MinAPIVersion})`,
      `  OS/Arch:          linux/${info.Server.Arch}`,
      `  Kernel:           ${info.Server.KernelVersion}`,
      ' runc:',
      `  Version:          ${firstLine('/usr/sbin/runc')}`,
      ' conmon:',
      `  Version:          ${firstLine('/usr/bin/conmon')}`,
    ].join('\n') + '\n',
  );
  return 0;
}

function firstLine(binary: string): string {
  try {
    return execFileSync(binary, ['--version'], { encoding: 'utf8' }).split('\n')[0].replace(/^.*version\s*/i, '');
  } catch {
    return 'unknown';
  }
}

export async function info(argv: string[], globals: GlobalOptions): Promise<number> {
  const flags = parseFlags(argv, [{ name: 'format', short: 'f', kind: 'string' }]);
  return withEngine(globals, async (engine) => {
    const data = engineInfo(engine);
    const format = flagString(flags, 'format');
    if (format) {
      process.stdout.write(renderFormat(format, {}, [data]));
      return 0;
    }
    process.stdout.write(
      [
        'Server:',
        ` Containers: ${data.Containers}`,
        `  Running: ${data.ContainersRunning}`,
        `  Paused: ${data.ContainersPaused}`,
        `  Stopped: ${data.ContainersStopped}`,
        ` Images: ${data.Images}`,
        ` Server Version: ${data.ServerVersion}`,
        ` Storage Driver: ${data.Driver}`,
        ` Logging Driver: ${data.LoggingDriver}`,
        ` Cgroup Driver: ${data.CgroupDriver}`,
        ` Cgroup Version: ${data.CgroupVersion}`,
        ` Runtimes: runc`,
        ` Default Runtime: ${data.DefaultRuntime}`,
        ` Kernel Version: ${data.KernelVersion}`,
        ` Operating System: ${data.OperatingSystem}`,
        ` OSType: ${data.OSType}`,
        ` Architecture: ${data.Architecture}`,
        ` CPUs: ${data.NCPU}`,
        ` Total Memory: ${(data.MemTotal / 2 ** 30).toFixed(2)}GiB`,
        ` Name: ${data.Name}`,
        ` Docker Root Dir: ${data.DockerRootDir}`,
      ].join('\n') + '\n',
    );
    return 0;
  });
}

export async function systemDf(argv: string[], globals: GlobalOptions): Promise<number> {
  const flags = parseFlags(argv, [
    { name: 'verbose', short: 'v', kind: 'bool' },
    { name: 'format', kind: 'string' },
  ]);
  const { volumeStore } = await import('./volume.js');
  const volumes = (await volumeStore(globals.root)).list();
  return withEngine(globals, async (engine) => {
    const du = diskUsage(engine, volumes);
    // docker's summary row: how many, how many in use, the bytes, and the bytes of what is not in use.
    const row = (type: string, items: Array<{ size: number; active: boolean }>): Record<string, string> => {
      const size = items.reduce((a, i) => a + i.size, 0);
      const reclaim = items.filter((i) => !i.active).reduce((a, i) => a + i.size, 0);
      const pct = size ? Math.round((reclaim / size) * 100) : 0;
      // docker df prints sizes with 4 significant digits (units.HumanSize), not the 3 of docker images.
      return { Type: type, TotalCount: String(items.length), Active: String(items.filter((i) => i.active).length), Size: humanSize(size, 4), Reclaimable: `${humanSize(reclaim, 4)} (${pct}%)` };
    };
    const rows = [
      row('Images', du.images.map((i) => ({ size: i.image.size, active: i.containers > 0 }))),
      row('Containers', du.containers.map((c) => ({ size: c.sizeRw, active: c.container.State.Running }))),
      row('Local Volumes', du.volumes.map((v) => ({ size: v.size, active: v.refCount > 0 }))),
      { Type: 'Build Cache', TotalCount: '0', Active: '0', Size: '0B', Reclaimable: '0B' },
    ];
    const format = flagString(flags, 'format') ?? 'table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}';
    process.stdout.write(renderFormat(format, { Type: 'TYPE', TotalCount: 'TOTAL', Active: 'ACTIVE', Size: 'SIZE', Reclaimable: 'RECLAIMABLE' }, rows));
    return 0;
  });
}

/** docker attach: the container's stdio through conmon's socket until it exits or the client detaches. */
export async function attach(argv: string[], globals: GlobalOptions): Promise<number> {
  const flags = parseFlags(argv, [
    { name: 'no-stdin', kind: 'bool' },
    { name: 'sig-proxy', kind: 'bool' },
    { name: 'detach-keys', kind: 'string' },
  ]);
  if (flags.positionals.length !== 1) throw new CliError(`skiff: 'attach' requires exactly 1 argument.\nSee 'skiff attach --help'.`, 1);
  return withEngine(globals, async (engine) => {
    const c = engine.containers.get(flags.positionals[0]);
    if (!c.State.Running) throw new CliError('You cannot attach to a stopped container, start it first', 1);
    const bundle = engine.containers.dir(c.Id);
    const withStdin = c.Config.OpenStdin && !flagBool(flags, 'no-stdin');
    const session = await attachSocket(bundle, { stdin: withStdin ? process.stdin : undefined, stdout: process.stdout, stderr: process.stderr });
    const raw = c.Config.Tty && process.stdin.isTTY && withStdin;
    const undo = raw ? makeRaw() : undefined;
    if (raw) resizePty(bundle, process.stdout.rows ?? 24, process.stdout.columns ?? 80);
    await session.done;
    undo?.();
    process.stdin.pause();
    return engine.containers.wait(c.Id);
  });
}

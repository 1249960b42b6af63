// docker top / stats / port.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { readCgroupStats, type CgroupStats, type Container, type Engine } from '../../engine/index.js';
import type { GlobalOptions } from '../command.js';
import { flagBool, flagString, parseFlags } from '../flags.js';
import { bytesSize, CliError, humanSize, renderFormat, withEngine } from './common.js';

export async function top(argv: string[], globals: GlobalOptions): Promise<number> {
  const flags = parseFlags(argv, [], { stopAtPositional: true });
  const [ref, ...psArgs] = flags.positionals;
  if (!ref) throw new CliError(`skiff: 'top' requires at least 1 argument.\nSee 'skiff top --help'.`, 1);
  return withEngine(globals, async (engine) => {
    const c = engine.containers.get(ref);
    if (!c.State.Running) throw new CliError(`Error response from daemon: container ${c.Id} is not running`, 1);
    const pids = new Set(await engine.containers.runc.pids(c.Id));
    // docker runs ps on the host (default -ef) and keeps the header plus the container's processes.
    const out = execFileSync('ps', psArgs.length ? psArgs : ['-ef'], { encoding: 'utf8' }).split('\n').filter(Boolean);
    const header = out[0];
    const pidCol = header.trim().split(/\s+/).indexOf('PID');
    if (pidCol < 0) throw new CliError(`Error response from daemon: Couldn't find PID field in ps output`, 1);
    const rows = out.slice(1).filter((l) => pids.has(Number(l.trim().split(/\s+/)[pidCol])));
    process.stdout.write([header, ...rows].join('\n') + '\n');
    return 0;
  });
}

function systemCpuNanos(): number {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const ticks = line.split(/\s+/).slice(1, 8).reduce((a, b) => a + Number(b), 0);
  return (ticks * 1e9) / 100;
}

function netIO(c: Container): [number, number] {
  if (!c.State.Pid || c.HostConfig.NetworkMode === 'host') return [0, 0];
  let rx = 0;
  let tx = 0;
  try {
    for (const line of fs.readFileSync(`/proc/${c.State.Pid}/net/dev`, 'utf8').split('\n').slice(2)) {
      const [iface, rest] = line.split(':');
      if (!rest || iface.trim() === 'lo') continue;
      const f = rest.trim().split(/\s+/).map(Number);
      rx += f[0];
      tx += f[8];
    }
  } catch {
    // the process is gone
  }
  return [rx, tx];
}

interface Sample {
  c: Container;
  stats: CgroupStats;
  system: number;
}

function sample(engine: Engine, list: Container[]): Sample[] {
  const system = systemCpuNanos();
  return list.map((c) => ({ c, stats: readCgroupStats(engine.containers.cgroupPath(c)), system }));
}

const STATS_HEADERS: Record<string, string> = {
  Container: 'CONTAINER', ID: 'CONTAINER ID', Name: 'NAME', CPUPerc: 'CPU %', MemUsage: 'MEM USAGE / LIMIT', MemPerc: 'MEM %', NetIO: 'NET I/O', BlockIO: 'BLOCK I/O', PIDs: 'PIDS',
};

export async function stats(argv: string[], globals: GlobalOptions): Promise<number> {
  const flags = parseFlags(argv, [
    { name: 'no-stream', kind: 'bool' },
    { name: 'all', short: 'a', kind: 'bool' },
    { name: 'format', kind: 'string' },
    { name: 'no-trunc', kind: 'bool' },
  ]);
  return withEngine(globals, async (engine) => {
    const pick = (): Container[] =>
      flags.positionals.length
        ? flags.positionals.map((r) => engine.containers.get(r))
        : engine.containers.list().filter((c) => !c.Extras.sandbox && (flagBool(flags, 'all') || c.State.Running));
    const cpus = os.cpus().length;
    const memTotal = os.totalmem();
    const format = flagString(flags, 'format') ?? 'table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}';
    let prev = sample(engine, pick());
    for (;;) {
      await new Promise((r) => setTimeout(r, 1000));
      const cur = sample(engine, pick());
      const rows = cur.map((s) => {
        const p = prev.find((x) => x.c.Id === s.c.Id);
        const running = s.c.State.Running;
        const dCpu = p ? s.stats.cpuNanos - p.stats.cpuNanos : 0;
        const dSys = p ? s.system - p.system : 0;
        const cpu = running && dSys > 0 && dCpu > 0 ? (dCpu / dSys) * cpus * 100 : 0;
        const limit = s.stats.memoryLimit && s.stats.memoryLimit < memTotal ? s.stats.memoryLimit : memTotal;
        const used = running ? s.stats.memoryWorkingSet : 0;
        const [rx, tx] = netIO(s.c);
        return {
          Container: flags.positionals.find((r) => engine.containers.find(r)?.Id === s.c.Id) ?? s.c.Id.slice(0, 12),
          ID: flagBool(flags, 'no-trunc') ? s.c.Id : s.c.Id.slice(0, 12),
          Name: s.c.Name.slice(1),
          CPUPerc: `${cpu.toFixed(2)}%`,
          MemUsage: `${bytesSize(used)} / ${bytesSize(limit)}`,
          MemPerc: `${limit ? ((used / limit) * 100).toFixed(2) : '0.00'}%`,
          NetIO: `${humanSize(rx)} / ${humanSize(tx)}`,
          BlockIO: `${humanSize(s.stats.blkioRead)} / ${humanSize(s.stats.blkioWrite)}`,
          PIDs: String(running ? s.stats.pids : 0),
        };
      });
      const text = renderFormat(format, STATS_HEADERS, rows);
      if (flagBool(flags, 'no-stream')) {
        process.stdout.write(text);
        return 0;
      }
      process.stdout.write(`\x1b[2J\x1b[H${text}`);
      prev = cur;
    }
  });
}

export async function port(argv: string[], globals: GlobalOptions): Promise<number> {
  const flags = parseFlags(argv, []);
  const [ref, wanted] = flags.positionals;
  if (!ref) throw new CliError(`skiff: 'port' requires at least 1 argument.\nSee 'skiff port --help'.`, 1);
  return withEngine(globals, async (engine) => {
    const c = engine.containers.get(ref);
    const ports = c.NetworkSettings.Ports ?? {};
    if (wanted) {
      const key = wanted.includes('/') ? wanted : `${wanted}/tcp`;
      const b = ports[key];
      if (!b || !b.length) throw new CliError(`Error: No public port '${key}' published for ${ref}`, 1);
      process.stdout.write(b.map((x) => `${x.HostIp || '0.0.0.0'}:${x.HostPort}\n`).join(''));
      return 0;
    }
    for (const [p, b] of Object.entries(ports)) for (const x of b ?? []) process.stdout.write(`${p} -> ${x.HostIp || '0.0.0.0'}:${x.HostPort}\n`);
    return 0;
  });
}

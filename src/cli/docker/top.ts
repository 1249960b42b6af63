// docker top / stats / port.
import { containerTop, sampleStats, type Container, type Engine, type StatsSample } from '../../engine/index.js';
import type { GlobalOptions } from '../command.js';
import { flagBool, flagString, parseFlags } from '../flags.js';
import { bytesSize, CliError, humanSize, renderFormat, withEngine } from './common.js';

export async function top(argv: string[], globals: GlobalOptions): Promise<number> {
  const flags = parseFlags(argv, [], { stopAtPositional: true });
  const [ref, ...psArgs] = flags.positionals;
  if (!ref) throw new CliError(`skiff: 'top' requires at least 1 argument.\nSee 'skiff top --help'.`, 1);
  return withEngine(globals, async (engine) => {
    const { lines } = await containerTop(engine, ref, psArgs);
    process.stdout.write(lines.join('\n') + '\n');
    return 0;
  });
}

interface Sample {
  c: Container;
  stats: StatsSample;
}

function sample(engine: Engine, list: Container[]): Sample[] {
  return list.map((c) => ({ c, stats: sampleStats(engine, c) }));
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
    const format = flagString(flags, 'format') ?? 'table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}';
    let prev = sample(engine, pick());
    for (;;) {
      await new Promise((r) => setTimeout(r, 1000));
      const cur = sample(engine, pick());
      const rows = cur.map((s) => {
        const p = prev.find((x) => x.c.Id === s.c.Id);
        const cg = s.stats.cgroup;
        // docker's CPU %: the container's share of the host's CPU time since the last sample, times the CPUs.
        const dCpu = cg && p?.stats.cgroup ? cg.cpuNanos - p.stats.cgroup.cpuNanos : 0;
        const dSys = p ? s.stats.systemCpuNanos - p.stats.systemCpuNanos : 0;
        const cpu = dSys > 0 && dCpu > 0 ? (dCpu / dSys) * s.stats.onlineCpus * 100 : 0;
        const limit = s.stats.memoryLimit;
        const used = cg?.memoryWorkingSet ?? 0;
        const nets = Object.values(s.stats.networks);
        const rx = nets.reduce((a, n) => a + n.rx_bytes, 0);
        const tx = nets.reduce((a, n) => a + n.tx_bytes, 0);
        return {
          Container: flags.positionals.find((r) => engine.containers.find(r)?.Id === s.c.Id) ?? s.c.Id.slice(0, 12),
          ID: flagBool(flags, 'no-trunc') ? s.c.Id : s.c.Id.slice(0, 12),
          Name: s.c.Name.slice(1),
          CPUPerc: `${cpu.toFixed(2)}%`,
          MemUsage: `${bytesSize(used)} / ${bytesSize(limit)}`,
          MemPerc: `${limit ? ((used / limit) * 100).toFixed(2) : '0.00'}%`,
          NetIO: `${humanSize(rx)} / ${humanSize(tx)}`,
          BlockIO: `${humanSize(cg?.blkioRead ?? 0)} / ${humanSize(cg?.blkioWrite ?? 0)}`,
          PIDs: String(cg?.pids ?? 0),
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

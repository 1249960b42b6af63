// GET /containers/{id}/stats: docker's StatsJSON from the container's cgroup. Clients compute CPU % from
// the difference between cpu_stats and precpu_stats (container time over host time), so every sample
// carries the previous one.
import fs from 'node:fs';
import os from 'node:os';
import { readCgroupStats, type Container, type Engine } from '../engine/index.js';

export interface StatsSample {
  read: string;
  cpu_stats: { cpu_usage: { total_usage: number }; system_cpu_usage: number; online_cpus: number };
  [key: string]: unknown;
}

/** Host CPU time in nanoseconds (/proc/stat's first line, USER_HZ ticks), as docker's system_cpu_usage. */
function systemCpuNanos(): number {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
  return (line.split(/\s+/).slice(1, 8).reduce((a, b) => a + Number(b), 0) * 1e9) / 100;
}

/** The container's interfaces from its own network namespace (lo left out, as docker does). */
function networks(c: Container): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  if (!c.State.Pid || c.HostConfig.NetworkMode === 'host') return out;
  try {
    for (const line of fs.readFileSync(`/proc/${c.State.Pid}/net/dev`, 'utf8').split('\n').slice(2)) {
      const [iface, rest] = line.split(':');
      if (!rest || iface.trim() === 'lo') continue;
      const f = rest.trim().split(/\s+/).map(Number);
      out[iface.trim()] = { rx_bytes: f[0], rx_packets: f[1], rx_errors: f[2], rx_dropped: f[3], tx_bytes: f[8], tx_packets: f[9], tx_errors: f[10], tx_dropped: f[11] };
    }
  } catch {
    // the process has exited: no interfaces to report
  }
  return out;
}

export function statsJSON(engine: Engine, c: Container, prev?: StatsSample): StatsSample {
  const running = c.State.Running;
  const s = running ? readCgroupStats(engine.containers.cgroupPath(c)) : undefined;
  const cpus = os.cpus().length;
  const empty = { cpu_usage: { total_usage: 0 }, system_cpu_usage: 0, online_cpus: cpus };
  return {
    read: new Date().toISOString(),
    preread: prev?.read ?? '0001-01-01T00:00:00Z',
    id: c.Id,
    name: c.Name,
    pids_stats: s ? { current: s.pids, ...(s.pidsLimit ? { limit: s.pidsLimit } : {}) } : {},
    blkio_stats: {
      io_service_bytes_recursive: s
        ? [
            { major: 0, minor: 0, op: 'read', value: s.blkioRead },
            { major: 0, minor: 0, op: 'write', value: s.blkioWrite },
          ]
        : null,
    },
    num_procs: 0,
    storage_stats: {},
    cpu_stats: s ? { cpu_usage: { total_usage: s.cpuNanos }, system_cpu_usage: systemCpuNanos(), online_cpus: cpus } : empty,
    precpu_stats: prev?.cpu_stats ?? empty,
    // usage is the working set already (inactive file cache left out), so clients subtract nothing.
    memory_stats: s ? { usage: s.memoryWorkingSet, limit: s.memoryLimit && s.memoryLimit < os.totalmem() ? s.memoryLimit : os.totalmem(), stats: {} } : {},
    networks: networks(c),
  };
}

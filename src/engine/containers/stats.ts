// One resource sample of a container, as docker stats (the CLI's table and the Engine API's StatsJSON)
// reads it: the cgroup's counters, the host CPU time to compare them against, and the network counters
// of the container's own namespace.
import fs from 'node:fs';
import os from 'node:os';
import type { Engine } from '../engine.js';
import { readCgroupStats, type CgroupStats } from './cgroups.js';
import type { Container } from './types.js';

export interface InterfaceCounters {
  rx_bytes: number;
  rx_packets: number;
  rx_errors: number;
  rx_dropped: number;
  tx_bytes: number;
  tx_packets: number;
  tx_errors: number;
  tx_dropped: number;
}

export interface StatsSample {
  /** ISO time of the sample. */
  read: string;
  /** The cgroup's counters; none once the container stopped. */
  cgroup?: CgroupStats;
  /** Host CPU time in nanoseconds (/proc/stat's first line, USER_HZ ticks), as docker's system_cpu_usage. */
  systemCpuNanos: number;
  onlineCpus: number;
  /** The cgroup's memory limit, or the host's memory when that is lower or there is none (docker's LIMIT). */
  memoryLimit: number;
  /** Per interface of the container's network namespace, lo left out as docker does. */
  networks: Record<string, InterfaceCounters>;
}

function systemCpuNanos(): number {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
  return (line.split(/\s+/).slice(1, 8).reduce((a, b) => a + Number(b), 0) * 1e9) / 100;
}

function networks(c: Container): Record<string, InterfaceCounters> {
  const out: Record<string, InterfaceCounters> = {};
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

export function sampleStats(engine: Engine, c: Container): StatsSample {
  const cgroup = c.State.Running ? readCgroupStats(engine.containers.cgroupPath(c)) : undefined;
  const host = os.totalmem();
  return {
    read: new Date().toISOString(),
    cgroup,
    systemCpuNanos: systemCpuNanos(),
    onlineCpus: os.cpus().length,
    memoryLimit: cgroup?.memoryLimit && cgroup.memoryLimit < host ? cgroup.memoryLimit : host,
    networks: networks(c),
  };
}

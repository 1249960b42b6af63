// GET /containers/{id}/stats: docker's StatsJSON from the engine's sample. Clients compute CPU % from
// the difference between cpu_stats and precpu_stats (container time over host time), so every body
// carries the previous one.
import { sampleStats, type Container, type Engine } from '../engine/index.js';

export interface StatsJSON {
  read: string;
  cpu_stats: { cpu_usage: { total_usage: number }; system_cpu_usage: number; online_cpus: number };
  [key: string]: unknown;
}

export function statsJSON(engine: Engine, c: Container, prev?: StatsJSON): StatsJSON {
  const sample = sampleStats(engine, c);
  const s = sample.cgroup;
  const empty = { cpu_usage: { total_usage: 0 }, system_cpu_usage: 0, online_cpus: sample.onlineCpus };
  return {
    read: sample.read,
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
    cpu_stats: s ? { cpu_usage: { total_usage: s.cpuNanos }, system_cpu_usage: sample.systemCpuNanos, online_cpus: sample.onlineCpus } : empty,
    precpu_stats: prev?.cpu_stats ?? empty,
    // usage is the working set already (inactive file cache left out), so clients subtract nothing.
    memory_stats: s ? { usage: s.memoryWorkingSet, limit: sample.memoryLimit, stats: {} } : {},
    networks: sample.networks,
  };
}

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContainerStatusCRI, PodSandboxStatus } from '../engine/index.js';
import { buildSummary, CpuRates, parseMeminfo, parseProcStat, type StatsRuntime } from './stats.js';

const STAT = `cpu  1269786 7 240471 513426 2664 11 4274 319 0 0
cpu0 622810 0 119330 271222 576 0 1191 160 0 0
intr 1 2 3
btime 1763911000
processes 1234
`;

const MEMINFO = `MemTotal:       24683656 kB
MemFree:        22893336 kB
MemAvailable:   23505308 kB
Buffers:           10000 kB
Inactive(file):   348176 kB
`;

test('/proc/stat: busy ticks (user, nice, system, irq, softirq, steal) in nanoseconds, and the boot time', () => {
  const s = parseProcStat(STAT);
  assert.equal(s.usageCoreNanoSeconds, (1269786 + 7 + 240471 + 11 + 4274 + 319) * 10_000_000);
  assert.equal(s.bootTime.toISOString(), '2025-11-23T15:16:40.000Z');
});

test('/proc/meminfo: usage is total minus free, the working set leaves out inactive file pages', () => {
  const m = parseMeminfo(MEMINFO);
  assert.equal(m.capacityBytes, 24683656 * 1024);
  assert.equal(m.usageBytes, (24683656 - 22893336) * 1024);
  assert.equal(m.workingSetBytes, (24683656 - 22893336 - 348176) * 1024);
  assert.deepEqual(parseMeminfo(''), { capacityBytes: 0, usageBytes: 0, workingSetBytes: 0 });
});

test('cpu rates need an earlier sample at least a second old; a counter going back starts over', () => {
  const r = new CpuRates();
  assert.equal(r.rate('c', 1000, 5e9), undefined);
  assert.equal(r.rate('c', 1500, 5.2e9), undefined, 'half a second is too short a window');
  assert.equal(r.rate('c', 3000, 6e9), 500_000_000, '1e9 ns of CPU over 2 s = half a core');
  assert.equal(r.rate('c', 5000, 1e9), undefined, 'restarted container: the counter went back');
  assert.equal(r.rate('c', 6000, 1.25e9), 250_000_000);
  r.retain(new Set());
  assert.equal(r.rate('c', 8000, 2e9), undefined, 'forgotten');
});

function container(id: string, uid: string, pod: string, name: string): ContainerStatusCRI {
  return {
    id, podSandboxId: `sb-${uid}`, metadata: { name, attempt: 0 }, state: 'CONTAINER_RUNNING', createdAt: 0n, startedAt: 1_763_900_000_000_000_000n, finishedAt: 0n,
    exitCode: 0, image: 'busybox', imageRef: '', reason: '', message: '', mounts: [], logPath: '', pid: 1, annotations: {},
    labels: { 'io.kubernetes.pod.uid': uid, 'io.kubernetes.pod.name': pod, 'io.kubernetes.pod.namespace': 'default', 'io.kubernetes.container.name': name },
  };
}

test('summary: pods are the sum of their running containers; a container that vanished mid-read is left out', () => {
  const cpu = 1e9;
  const runtime: StatsRuntime = {
    listPodSandbox: () => [{ id: 'sb-u1', labels: { 'io.kubernetes.pod.uid': 'u1' }, createdAt: 1_763_899_999_000_000_000n } as unknown as PodSandboxStatus],
    listContainers: () => [container('a', 'u1', 'web', 'app'), container('b', 'u1', 'web', 'sidecar'), container('gone', 'u2', 'other', 'x')],
    containerStats: (id) => {
      if (id === 'gone') throw new Error('no such container');
      return { id, timestamp: 0n, cpuUsageCoreNanoSeconds: BigInt(id === 'a' ? cpu : 2e9), memoryWorkingSetBytes: 1 << 20, memoryUsageBytes: 2 << 20, pids: 2 };
    },
  };
  const rates = new CpuRates();
  const first = buildSummary('n1', runtime, rates, { stat: STAT, meminfo: MEMINFO });
  assert.equal(first.node.nodeName, 'n1');
  assert.equal(first.node.memory.availableBytes, 24683656 * 1024 - first.node.memory.workingSetBytes);
  assert.equal(first.pods.length, 1);
  const [pod] = first.pods;
  assert.deepEqual(pod.podRef, { name: 'web', namespace: 'default', uid: 'u1' });
  assert.equal(pod.startTime, '2025-11-23T12:13:19Z');
  assert.deepEqual(pod.containers.map((c) => [c.name, c.startTime, c.cpu.usageCoreNanoSeconds, c.memory.workingSetBytes]), [
    ['app', '2025-11-23T12:13:20Z', 1e9, 1 << 20],
    ['sidecar', '2025-11-23T12:13:20Z', 2e9, 1 << 20],
  ]);
  assert.equal(pod.cpu.usageCoreNanoSeconds, 3e9);
  assert.equal(pod.memory.workingSetBytes, 2 << 20);
  assert.equal(pod.process_stats.process_count, 4);
  assert.equal(pod.cpu.usageNanoCores, undefined, 'no earlier sample yet');
  assert.ok(!Number.isNaN(Date.parse(pod.cpu.time)));
});

// The kubelet's Summary API (GET /stats/summary, stats/v1alpha1) that metrics-server and the API
// server's metrics.k8s.io scrape: the node's CPU and memory from /proc, every running container's from
// its cgroup through the runtime's ContainerStats (the engine owns the cgroup paths and files), pods
// as the sum of their containers. usageCoreNanoSeconds is cumulative; usageNanoCores is the rate since
// an earlier look at the same container, as cAdvisor reports it between housekeeping runs.
import crypto from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import { rfc3339 } from '../client/index.js';
import type { ContainerStatsCRI, Runtime } from '../engine/index.js';
import { LABEL_CONTAINER_NAME, LABEL_POD_NAME, LABEL_POD_NAMESPACE, LABEL_POD_UID } from './pod-worker.js';
import { tokenSecret } from './streaming/server.js';

export interface CPUStats {
  time: string;
  usageNanoCores?: number;
  usageCoreNanoSeconds: number;
}

export interface MemoryStats {
  time: string;
  availableBytes?: number;
  usageBytes: number;
  workingSetBytes: number;
}

export interface ContainerStats {
  name: string;
  startTime: string;
  cpu: CPUStats;
  memory: MemoryStats;
}

export interface PodStats {
  podRef: { name: string; namespace: string; uid: string };
  startTime: string;
  containers: ContainerStats[];
  cpu: CPUStats;
  memory: MemoryStats;
  process_stats: { process_count: number };
}

export interface NodeStats {
  nodeName: string;
  startTime: string;
  cpu: CPUStats;
  memory: MemoryStats;
}

export interface Summary {
  node: NodeStats;
  pods: PodStats[];
}

/** Linux reports /proc/stat in USER_HZ ticks, which the kernel fixes at 100 for userspace. */
const USER_HZ = 100;

/**
 * Busy CPU time of the whole machine from /proc/stat's `cpu` line, in nanoseconds (idle and iowait
 * excluded; guest time is already part of user), and the boot time from `btime`.
 */
export function parseProcStat(text: string): { usageCoreNanoSeconds: number; bootTime: Date } {
  let usage = 0;
  let boot = 0;
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] === 'cpu') {
      const [user, nice, system, , , irq, softirq, steal] = f.slice(1).map(Number);
      usage = [user, nice, system, irq, softirq, steal].reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
    } else if (f[0] === 'btime') boot = Number(f[1]);
  }
  return { usageCoreNanoSeconds: usage * (1e9 / USER_HZ), bootTime: new Date(boot * 1000) };
}

/**
 * Machine memory from /proc/meminfo the way cAdvisor reads the root cgroup: usage is everything not
 * free, the working set is usage without the inactive file cache (which the kernel reclaims first).
 */
export function parseMeminfo(text: string): { capacityBytes: number; usageBytes: number; workingSetBytes: number } {
  const kb: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^([^:]+):\s+(\d+)/.exec(line);
    if (m) kb[m[1]] = Number(m[2]) * 1024;
  }
  const capacity = kb.MemTotal ?? 0;
  const usage = Math.max(0, capacity - (kb.MemFree ?? 0));
  const inactive = kb['Inactive(file)'] ?? 0;
  return { capacityBytes: capacity, usageBytes: usage, workingSetBytes: inactive < usage ? usage - inactive : usage };
}

interface Sample {
  at: number;
  cpu: number;
}

/** Samples closer together than this give no rate of their own; the older one is kept. */
const MIN_RATE_WINDOW_MS = 1000;

/** Cumulative CPU samples per container (and the node), turned into usageNanoCores. */
export class CpuRates {
  private readonly samples = new Map<string, Sample>();

  /** The rate between the kept sample of `key` and this one, if there is a kept one at least a second older. */
  rate(key: string, at: number, cpu: number): number | undefined {
    const prev = this.samples.get(key);
    if (!prev || cpu < prev.cpu || at < prev.at) {
      this.samples.set(key, { at, cpu });
      return undefined;
    }
    if (at - prev.at < MIN_RATE_WINDOW_MS) return undefined;
    this.samples.set(key, { at, cpu });
    return Math.round(((cpu - prev.cpu) / (at - prev.at)) * 1e3);
  }

  /** Forgets containers that are gone. */
  retain(keys: Set<string>): void {
    for (const k of this.samples.keys()) if (!keys.has(k)) this.samples.delete(k);
  }
}

/** RFC 3339 with milliseconds: Go's time parser takes the fraction, and rates need better than seconds. */
function timeOf(ms: number): string {
  return new Date(ms).toISOString();
}

/** Start times (ns since the epoch) as metav1.Time. */
function startOf(nanos: bigint): string {
  return rfc3339(new Date(Number(nanos / 1_000_000n)));
}

const NODE_KEY = '';

/** What the Summary needs of the runtime. */
export type StatsRuntime = Pick<Runtime, 'listPodSandbox' | 'listContainers' | 'containerStats'>;

/** Builds the Summary of this node now. */
export function buildSummary(nodeName: string, runtime: StatsRuntime, rates: CpuRates, proc: { stat: string; meminfo: string }): Summary {
  const now = Date.now();
  const time = timeOf(now);
  const cpuOf = (key: string, usageCoreNanoSeconds: number): CPUStats => {
    const usageNanoCores = rates.rate(key, now, usageCoreNanoSeconds);
    return usageNanoCores === undefined ? { time, usageCoreNanoSeconds } : { time, usageNanoCores, usageCoreNanoSeconds };
  };
  const stat = parseProcStat(proc.stat);
  const mem = parseMeminfo(proc.meminfo);
  const node: NodeStats = {
    nodeName,
    startTime: rfc3339(stat.bootTime),
    cpu: cpuOf(NODE_KEY, stat.usageCoreNanoSeconds),
    memory: { time, availableBytes: Math.max(0, mem.capacityBytes - mem.workingSetBytes), usageBytes: mem.usageBytes, workingSetBytes: mem.workingSetBytes },
  };
  const sandboxes = new Map(runtime.listPodSandbox().filter((s) => s.labels[LABEL_POD_UID]).map((s) => [s.labels[LABEL_POD_UID], s]));
  const pods = new Map<string, PodStats>();
  const seen = new Set([NODE_KEY]);
  for (const c of runtime.listContainers({ state: 'CONTAINER_RUNNING' })) {
    const uid = c.labels[LABEL_POD_UID];
    if (!uid) continue;
    let s: ContainerStatsCRI;
    try {
      s = runtime.containerStats(c.id);
    } catch {
      continue; // removed between the listing and the read
    }
    seen.add(c.id);
    const cumulative = Number(s.cpuUsageCoreNanoSeconds);
    const container: ContainerStats = {
      name: c.labels[LABEL_CONTAINER_NAME] ?? c.metadata.name,
      startTime: startOf(c.startedAt),
      cpu: cpuOf(c.id, cumulative),
      memory: { time, usageBytes: s.memoryUsageBytes, workingSetBytes: s.memoryWorkingSetBytes },
    };
    let pod = pods.get(uid);
    if (!pod) {
      pod = {
        podRef: { name: c.labels[LABEL_POD_NAME] ?? '', namespace: c.labels[LABEL_POD_NAMESPACE] ?? '', uid },
        startTime: startOf(sandboxes.get(uid)?.createdAt ?? c.startedAt),
        containers: [],
        cpu: { time, usageCoreNanoSeconds: 0 },
        memory: { time, usageBytes: 0, workingSetBytes: 0 },
        process_stats: { process_count: 0 },
      };
      pods.set(uid, pod);
    }
    pod.containers.push(container);
    pod.cpu.usageCoreNanoSeconds += cumulative;
    if (container.cpu.usageNanoCores !== undefined) pod.cpu.usageNanoCores = (pod.cpu.usageNanoCores ?? 0) + container.cpu.usageNanoCores;
    pod.memory.usageBytes += s.memoryUsageBytes;
    pod.memory.workingSetBytes += s.memoryWorkingSetBytes;
    pod.process_stats.process_count += s.pids;
  }
  rates.retain(seen);
  return { node, pods: [...pods.values()] };
}

const ratesByRuntime = new WeakMap<Runtime, CpuRates>();

function send(res: http.ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

function failure(code: number, reason: string, message: string): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

/**
 * Answers the kubelet's /stats/ paths (the caller proves itself with the join token, as for logs and
 * exec); false for any other path so the streaming server handles it.
 */
export async function serveStats(kubelet: { nodeName: string; runtime: Runtime }, token: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://kubelet');
  if (url.pathname !== '/stats' && !url.pathname.startsWith('/stats/')) return false;
  const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
  const digest = (t: string): Buffer => crypto.createHash('sha256').update(tokenSecret(t)).digest();
  if (!crypto.timingSafeEqual(digest(bearer), digest(token))) {
    send(res, 401, failure(401, 'Unauthorized', 'Unauthorized'));
    return true;
  }
  if (url.pathname.replace(/\/+$/, '') !== '/stats/summary') {
    send(res, 404, failure(404, 'NotFound', 'the server could not find the requested resource'));
    return true;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, 405, failure(405, 'MethodNotAllowed', `the server does not allow the method ${req.method} here`));
    return true;
  }
  let rates = ratesByRuntime.get(kubelet.runtime);
  if (!rates) ratesByRuntime.set(kubelet.runtime, (rates = new CpuRates()));
  const [stat, meminfo] = await Promise.all([fs.promises.readFile('/proc/stat', 'utf8'), fs.promises.readFile('/proc/meminfo', 'utf8')]);
  send(res, 200, buildSummary(kubelet.nodeName, kubelet.runtime, rates, { stat, meminfo }));
  return true;
}

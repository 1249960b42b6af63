// What metrics-server's scraper and storage do, inside the API server: read every node's kubelet
// Summary API (the join token proves who we are, as for logs and exec), keep the last two points of
// each node and container, and turn cumulative CPU into a rate over the window between them. Scrapes
// happen on demand, at most once per resolution (15 s, metrics-server's default); after a long quiet
// spell two quick scrapes a second apart give a fresh window instead of an hours-long average.
import http from 'node:http';
import type { KubeObject } from '../api/index.js';
import { kubeletAddress } from './kubelet-proxy.js';

/** One reading: cumulative CPU (ns of CPU time) and the working set, at `timestamp` (ms). */
export interface MetricsPoint {
  startTime: number;
  timestamp: number;
  cpuNanoSeconds: number;
  memoryBytes: number;
}

export interface MetricsBatch {
  nodes: Map<string, MetricsPoint>;
  /** "namespace/name" → container name → point. */
  pods: Map<string, Map<string, MetricsPoint>>;
}

export interface Usage {
  timestamp: number;
  windowMs: number;
  cpuNanoCores: number;
  memoryBytes: number;
}

/** The slice of the kubelet's Summary that metrics are made of. */
interface SummaryDoc {
  node?: { nodeName?: string; startTime?: string; cpu?: { time?: string; usageCoreNanoSeconds?: number }; memory?: { workingSetBytes?: number } };
  pods?: Array<{
    podRef?: { name?: string; namespace?: string };
    containers?: Array<{ name?: string; startTime?: string; cpu?: { time?: string; usageCoreNanoSeconds?: number }; memory?: { workingSetBytes?: number } }>;
  }>;
}

function point(startTime: string | undefined, cpu: { time?: string; usageCoreNanoSeconds?: number } | undefined, memory: { workingSetBytes?: number } | undefined): MetricsPoint | undefined {
  const timestamp = Date.parse(cpu?.time ?? '');
  const cpuNanoSeconds = cpu?.usageCoreNanoSeconds;
  if (!Number.isFinite(timestamp) || typeof cpuNanoSeconds !== 'number') return undefined;
  return { startTime: Date.parse(startTime ?? '') || 0, timestamp, cpuNanoSeconds, memoryBytes: memory?.workingSetBytes ?? 0 };
}

/** Adds one node's Summary to a batch; false when it is not the Summary of `nodeName` (another kubelet answered). */
export function addSummary(batch: MetricsBatch, nodeName: string, summary: SummaryDoc): boolean {
  if (summary.node?.nodeName !== nodeName) return false;
  const node = point(summary.node.startTime, summary.node.cpu, summary.node.memory);
  if (node) batch.nodes.set(nodeName, node);
  for (const pod of summary.pods ?? []) {
    if (!pod.podRef?.name || !pod.podRef.namespace) continue;
    const containers = new Map<string, MetricsPoint>();
    for (const c of pod.containers ?? []) {
      const p = c.name ? point(c.startTime, c.cpu, c.memory) : undefined;
      if (p) containers.set(c.name!, p);
    }
    batch.pods.set(`${pod.podRef.namespace}/${pod.podRef.name}`, containers);
  }
  return true;
}

/** A container this young has too short a history for a rate of its own (metrics-server waits 10 s; our reads are direct). */
const FRESH_MIN_MS = 1000;

function rate(last: MetricsPoint, prev: MetricsPoint): Usage | undefined {
  const windowMs = last.timestamp - prev.timestamp;
  if (windowMs <= 0 || last.cpuNanoSeconds < prev.cpuNanoSeconds || last.startTime < prev.startTime) return undefined;
  return { timestamp: last.timestamp, windowMs, cpuNanoCores: ((last.cpuNanoSeconds - prev.cpuNanoSeconds) * 1000) / windowMs, memoryBytes: last.memoryBytes };
}

/** The point to keep as "previous" when `next` replaces `last` (metrics-server's storage rules). */
function previous(next: MetricsPoint, last: MetricsPoint | undefined, prev: MetricsPoint | undefined): MetricsPoint | undefined {
  // Restarted since the last look (its counters began again): no earlier point belongs to this run.
  if (last && next.startTime > last.timestamp) return undefined;
  if (last && next.timestamp > last.timestamp) return last;
  if (prev && prev.timestamp < next.timestamp) return prev;
  return undefined;
}

/** The last two batches' points per node and container, and the usage rates between them. */
export class MetricsStorage {
  private lastNodes = new Map<string, MetricsPoint>();
  private prevNodes = new Map<string, MetricsPoint>();
  private lastPods = new Map<string, Map<string, MetricsPoint>>();
  private prevPods = new Map<string, Map<string, MetricsPoint>>();

  store(batch: MetricsBatch): void {
    const prevNodes = new Map<string, MetricsPoint>();
    for (const [name, p] of batch.nodes) {
      const kept = previous(p, this.lastNodes.get(name), this.prevNodes.get(name));
      if (kept) prevNodes.set(name, kept);
    }
    const prevPods = new Map<string, Map<string, MetricsPoint>>();
    for (const [key, containers] of batch.pods) {
      const kept = new Map<string, MetricsPoint>();
      for (const [name, p] of containers) {
        const found = previous(p, this.lastPods.get(key)?.get(name), this.prevPods.get(key)?.get(name));
        // A container new since the last look started from zero CPU at its start time.
        const fresh = !found && p.startTime > 0 && p.timestamp - p.startTime >= FRESH_MIN_MS ? { ...p, timestamp: p.startTime, cpuNanoSeconds: 0 } : undefined;
        if (found ?? fresh) kept.set(name, (found ?? fresh)!);
      }
      prevPods.set(key, kept);
    }
    this.lastNodes = batch.nodes;
    this.prevNodes = prevNodes;
    this.lastPods = batch.pods;
    this.prevPods = prevPods;
  }

  node(name: string): Usage | undefined {
    const last = this.lastNodes.get(name);
    const prev = this.prevNodes.get(name);
    return last && prev ? rate(last, prev) : undefined;
  }

  /** Per container, with the earliest container's time as the pod's; undefined until every container has a rate. */
  pod(namespace: string, name: string): { timestamp: number; windowMs: number; containers: Array<{ name: string; cpuNanoCores: number; memoryBytes: number }> } | undefined {
    const key = `${namespace}/${name}`;
    const last = this.lastPods.get(key);
    if (!last?.size) return undefined;
    const prev = this.prevPods.get(key);
    const containers: Array<{ name: string; cpuNanoCores: number; memoryBytes: number }> = [];
    let earliest: Usage | undefined;
    for (const [c, p] of last) {
      const before = prev?.get(c);
      if (!before) return undefined;
      const u = rate(p, before);
      if (!u) continue;
      containers.push({ name: c, cpuNanoCores: u.cpuNanoCores, memoryBytes: u.memoryBytes });
      if (!earliest || u.timestamp < earliest.timestamp) earliest = u;
    }
    return earliest && { timestamp: earliest.timestamp, windowMs: earliest.windowMs, containers };
  }
}

/** metrics-server's --metric-resolution. */
export const RESOLUTION_MS = 15_000;
/** Points older than this make no useful window: scrape twice. */
const STALE_MS = 4 * RESOLUTION_MS;
/** The window of the two quick scrapes after a quiet spell. */
const QUICK_WINDOW_MS = 1000;
/** metrics-server's --kubelet-request-timeout is 10 s; an agent on loopback answers in milliseconds. */
const KUBELET_TIMEOUT_MS = 5000;
const MAX_SUMMARY_BYTES = 64 << 20;
const CONCURRENT_SCRAPES = 32;

/** GETs a node's /stats/summary; rejects on any failure (unreachable, hollow, timeout, bad answer). */
export function fetchSummary(node: KubeObject, token: string): Promise<SummaryDoc> {
  return new Promise((resolve, reject) => {
    const { host, port } = kubeletAddress(node);
    const req = http.get({ host, port, path: '/stats/summary?only_cpu_and_memory=true', headers: { authorization: `Bearer ${token}`, accept: 'application/json' }, agent: false, timeout: KUBELET_TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (d: Buffer) => {
        size += d.length;
        if (size > MAX_SUMMARY_BYTES) req.destroy(new Error('summary too large'));
        else chunks.push(d);
      });
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`kubelet answered ${res.statusCode}`));
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as SummaryDoc);
        } catch (err) {
          reject(err as Error);
        }
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('kubelet request timed out')));
    req.on('error', reject);
  });
}

/** Scrapes on demand and keeps the storage current enough to answer a request. */
export class MetricsScraper {
  readonly storage = new MetricsStorage();
  private lastScrape = 0;
  private refreshing?: Promise<void>;

  constructor(
    private readonly nodes: () => KubeObject[],
    private readonly token: string,
    private readonly fetch: (node: KubeObject, token: string) => Promise<SummaryDoc> = fetchSummary,
  ) {}

  /** The storage, after a scrape if the last one is older than the resolution. */
  async current(): Promise<MetricsStorage> {
    if (Date.now() - this.lastScrape >= RESOLUTION_MS) {
      this.refreshing ??= this.refresh().finally(() => (this.refreshing = undefined));
      await this.refreshing;
    }
    return this.storage;
  }

  private async refresh(): Promise<void> {
    const stale = Date.now() - this.lastScrape >= STALE_MS;
    await this.scrape();
    if (!stale) return;
    await new Promise((r) => setTimeout(r, QUICK_WINDOW_MS));
    await this.scrape();
  }

  private async scrape(): Promise<void> {
    const batch: MetricsBatch = { nodes: new Map(), pods: new Map() };
    const queue = [...this.nodes()];
    const worker = async (): Promise<void> => {
      for (let node = queue.shift(); node; node = queue.shift()) {
        try {
          addSummary(batch, node.metadata.name ?? '', await this.fetch(node, this.token));
        } catch {
          // An unreachable or hollow node has no metrics, as with metrics-server; kubectl shows <unknown>.
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENT_SCRAPES, queue.length) }, worker));
    this.storage.store(batch);
    this.lastScrape = Date.now();
  }
}

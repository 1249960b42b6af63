// Prometheus text metrics: request counts and latencies by verb/resource/code, open watches, and
// objects per resource (the figures kube-apiserver's apiserver_* metrics give).

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

export class Metrics {
  private readonly requests = new Map<string, number>();
  private readonly latencies = new Map<string, Histogram>();
  openWatches = 0;

  observe(verb: string, resource: string, code: number, seconds: number): void {
    const key = `verb="${verb}",resource="${resource}",code="${code}"`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    const lkey = `verb="${verb}",resource="${resource}"`;
    let h = this.latencies.get(lkey);
    if (!h) this.latencies.set(lkey, (h = { counts: BUCKETS.map(() => 0), sum: 0, count: 0 }));
    BUCKETS.forEach((b, i) => {
      if (seconds <= b) h.counts[i]++;
    });
    h.sum += seconds;
    h.count++;
  }

  render(objectCounts: Map<string, number>): string {
    const lines: string[] = [];
    lines.push('# HELP apiserver_request_total Counter of apiserver requests broken out by verb, resource and HTTP response code.');
    lines.push('# TYPE apiserver_request_total counter');
    for (const [k, v] of this.requests) lines.push(`apiserver_request_total{${k}} ${v}`);
    lines.push('# HELP apiserver_request_duration_seconds Response latency distribution in seconds for each verb and resource.');
    lines.push('# TYPE apiserver_request_duration_seconds histogram');
    for (const [k, h] of this.latencies) {
      BUCKETS.forEach((b, i) => lines.push(`apiserver_request_duration_seconds_bucket{${k},le="${b}"} ${h.counts[i]}`));
      lines.push(`apiserver_request_duration_seconds_bucket{${k},le="+Inf"} ${h.count}`);
      lines.push(`apiserver_request_duration_seconds_sum{${k}} ${h.sum}`);
      lines.push(`apiserver_request_duration_seconds_count{${k}} ${h.count}`);
    }
    lines.push('# HELP apiserver_longrunning_requests Number of open watch requests.');
    lines.push('# TYPE apiserver_longrunning_requests gauge');
    lines.push(`apiserver_longrunning_requests{verb="WATCH"} ${this.openWatches}`);
    lines.push('# HELP apiserver_storage_objects Number of stored objects at the time of last check split by kind.');
    lines.push('# TYPE apiserver_storage_objects gauge');
    for (const [resource, n] of objectCounts) lines.push(`apiserver_storage_objects{resource="${resource}"} ${n}`);
    const mem = process.memoryUsage();
    lines.push('# TYPE process_resident_memory_bytes gauge');
    lines.push(`process_resident_memory_bytes ${mem.rss}`);
    return lines.join('\n') + '\n';
  }
}

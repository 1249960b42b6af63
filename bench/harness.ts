// What every benchmark returns: rows of one metric each, skiff's figure beside a peer measured in the
// same run where one exists. `npm run bench` prints them as one table.

export interface BenchRow {
  metric: string;
  unit: string;
  skiff: number;
  /** The peer's figure, measured in the same run (bare runc, podman, nginx, ...). */
  peer?: number;
  peerName?: string;
  /** true when a smaller number is better (latency, time, memory). */
  lowerIsBetter: boolean;
  target?: string;
}

export interface Benchmark {
  name: string;
  description: string;
  run(): Promise<BenchRow[]>;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

export function median(values: number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

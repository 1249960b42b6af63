// `npm run bench [-- NAME...]`: runs the benchmarks (all, or the named ones) and prints one table
// of metric, skiff, peer and ratio, plus the machine's facts; results also go to bench/results/.
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Benchmark, BenchRow } from './harness.js';

// Benchmarks never contact a registry off this machine (DESIGN.md §5), as the tests do not.
process.env.SKIFF_OFFLINE = '1';

const benchmarks: Record<string, () => Promise<Benchmark>> = {
  store: () => import('./store.js').then((m) => m.benchmark),
  build: () => import('./build.js').then((m) => m.benchmark),
  apiserver: () => import('./apiserver.js').then((m) => m.benchmark),
  scheduler: () => import('./scheduler.js').then((m) => m.benchmark),
  controllers: () => import('./controllers.js').then((m) => m.benchmark),
  engine: () => import('./engine.js').then((m) => m.benchmark),
  network: () => import('./network.js').then((m) => m.benchmark),
  kubelet: () => import('./kubelet.js').then((m) => m.benchmark),
  services: () => import('./services.js').then((m) => m.benchmark),
  dockerapi: () => import('./dockerapi.js').then((m) => m.benchmark),
};

function format(n: number | undefined): string {
  if (n === undefined || Number.isNaN(n)) return '-';
  if (Math.abs(n) >= 100) return n.toFixed(0);
  if (Math.abs(n) >= 1) return n.toFixed(2);
  return n.toPrecision(3);
}

function ratio(row: BenchRow): string {
  if (row.peer === undefined || row.peer === 0) return '-';
  return `${(row.skiff / row.peer).toFixed(2)}x`;
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const names = wanted.length ? wanted : Object.keys(benchmarks);
  const unknown = names.filter((n) => !benchmarks[n]);
  if (unknown.length) {
    console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(benchmarks).join(', ') || '(none yet)'}`);
    process.exitCode = 2;
    return;
  }
  const results: Array<BenchRow & { benchmark: string }> = [];
  const failures: Array<{ benchmark: string; error: string }> = [];
  const loads: string[] = [];
  for (const name of names) {
    const bench = await benchmarks[name]();
    process.stderr.write(`running ${name}: ${bench.description}\n`);
    const before = os.loadavg()[0].toFixed(1);
    // One benchmark that fails (a peer missing, a port taken) must not cost the rest of the table.
    try {
      for (const row of await bench.run()) results.push({ ...row, benchmark: name });
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      process.stderr.write(`${name} failed: ${error}\n`);
      failures.push({ benchmark: name, error });
      process.exitCode = 1;
    }
    loads.push(`${name} ${before}→${os.loadavg()[0].toFixed(1)}`);
  }
  console.log(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.type()} ${os.release()}, node ${process.version}`);
  // Every figure is wall time on a shared machine: the load average says how much to trust it.
  console.log(`load average (1 min) before→after each: ${loads.join(', ')}`);
  const header = ['benchmark', 'metric', 'unit', 'skiff', 'peer', 'peer value', 'ratio', 'target'];
  const lines = results.map((r) => [r.benchmark, r.metric, r.unit, format(r.skiff), r.peerName ?? '-', format(r.peer), ratio(r), r.target ?? '-']);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  for (const line of [header, ...lines]) console.log(line.map((cell, i) => cell.padEnd(widths[i])).join('  '));
  for (const f of failures) console.log(`${f.benchmark}: FAILED — ${f.error}`);
  const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify({ machine: { cores: os.cpus().length, memory: os.totalmem(), kernel: os.release(), node: process.version }, loads, results, failures }, null, 2));
  console.log(`results written to ${file}`);
}

await main();

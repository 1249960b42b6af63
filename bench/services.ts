// Service data paths (issue 11), with Debian's wrk on the node against one keep-alive HTTP pod behind a real
// `skiff server` + `skiff agent`: requests/s and latency to the pod IP directly, through the ClusterIP in
// iptables mode, through the skiff Ingress and through Debian's nginx as a reverse proxy to the same pod,
// then (the agent restarted with --kube-proxy-mode userspace) through the userspace proxy. Every path
// ends at the same single pod, so the ratios compare only what sits in between. Last, with 1,000 more
// services and their EndpointSlices, the time from an endpoint change to its rule in iptables-save.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { clientFromKubeconfig, ResourceClient, type ResourceRef, type RestClient } from '../src/client/index.js';
import type { KubeObject } from '../src/api/index.js';
import { cleanupNode } from '../src/kubelet/index.js';
import { makeTempDir, REPO_ROOT, startTestServer, type TestServer } from '../test/lib/index.js';
import { assertServiceIPContained } from '../test/e2e/seeds/node.js';
import { median, type Benchmark, type BenchRow } from './harness.js';

const execFileP = promisify(execFile);
const SERVICES = 1000;
const CHANGES = 10;
const ROUNDS = 5;
const WRK = { seconds: 4, connections: 8 };
const HOST = 'bench.skiff.local';

const ref = (group: string, version: string, resource: string): ResourceRef => ({ group, version, resource, namespaced: true });
const REFS = {
  deployments: ref('apps', 'v1', 'deployments'),
  services: ref('', 'v1', 'services'),
  slices: ref('discovery.k8s.io', 'v1', 'endpointslices'),
  ingresses: ref('networking.k8s.io', 'v1', 'ingresses'),
  pods: ref('', 'v1', 'pods'),
};

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 120_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

interface WrkResult {
  rps: number;
  p50: number;
  p99: number;
  /** The proxy process's CPU time per request (user + system) over the run, when a proxy pid was given. */
  cpuMicros?: number;
}

/** Clock ticks per second of /proc/<pid>/stat's utime and stime. */
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** CPU time (user + system) a process has used so far, in microseconds. */
function cpuMicros(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The fields after the parenthesised command name; utime and stime are fields 14 and 15 of proc(5).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
}

/** wrk's latency figure ("812.00us", "1.20ms", "2.00s") in ms. */
function ms(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text);
  if (!m) return NaN;
  return Number(m[1]) * { us: 0.001, ms: 1, s: 1000, m: 60_000 }[m[2] as 'us' | 'ms' | 's' | 'm'];
}

/** `proxyPid`: the process in between, whose CPU time per request is measured too (a figure load hardly moves). */
async function wrk(url: string, headers: string[] = [], proxyPid?: number): Promise<WrkResult> {
  const args = ['-t1', `-c${WRK.connections}`, `-d${WRK.seconds}s`, '--latency', ...headers.flatMap((h) => ['-H', h]), url];
  const cpuBefore = proxyPid ? cpuMicros(proxyPid) : 0;
  const { stdout } = await execFileP('wrk', args, { timeout: (WRK.seconds + 30) * 1000 });
  const cpu = proxyPid ? cpuMicros(proxyPid) - cpuBefore : undefined;
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
  const requests = Number(/(\d+) requests in/.exec(stdout)?.[1]);
  if (!rps || /Non-2xx or 3xx responses/.test(stdout)) throw new Error(`wrk ${url} failed:\n${stdout}`);
  return { rps, p50: ms(/ 50%\s+(\S+)/.exec(stdout)?.[1] ?? ''), p99: ms(/ 99%\s+(\S+)/.exec(stdout)?.[1] ?? ''), cpuMicros: cpu === undefined ? undefined : cpu / requests };
}

/** Median of each figure over the rounds. */
function mid(results: WrkResult[]): WrkResult {
  const cpu = results.flatMap((r) => (r.cpuMicros === undefined ? [] : [r.cpuMicros]));
  return { rps: median(results.map((r) => r.rps)), p50: median(results.map((r) => r.p50)), p99: median(results.map((r) => r.p99)), cpuMicros: cpu.length ? median(cpu) : undefined };
}

/** A `skiff agent` joined to the server; restartable with another proxy mode on the same data dir. */
class Agent {
  private child?: ChildProcess;
  /** Everything the agent printed, for the proxy's own account of slow syncs. */
  output = '';
  constructor(private readonly args: string[]) {}

  /** The agent's process (bin/skiff execs node), which serves the Ingress too. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(mode: 'iptables' | 'userspace'): Promise<void> {
    const child = spawn(path.join(REPO_ROOT, 'bin/skiff'), ['agent', ...this.args, '--kube-proxy-mode', mode], { env: { ...process.env, SKIFF_DEV: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let out = '';
    const keep = (d: Buffer) => {
      out += d.toString();
      this.output += d.toString();
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    await until('the agent to be ready', async () => {
      if (child.exitCode !== null) throw new Error(`skiff agent exited: ${out}`);
      return / ready/.test(out) ? true : undefined;
    }, 60_000, 100).catch((err: Error) => {
      throw new Error(`${err.message}\n${out}`);
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(force);
  }
}

/** Debian's nginx as a reverse proxy to the pod: own prefix, config and pid file, loopback port. */
async function startNginx(dir: string, port: number, upstream: string): Promise<ChildProcess> {
  const conf = path.join(dir, 'nginx.conf');
  // One worker: skiff's ingress is one event loop too. Headers as ingress-nginx sets them.
  fs.writeFileSync(conf, `worker_processes 1;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream backend { server ${upstream}; keepalive 64; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Real-IP $remote_addr;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Host $host;
      proxy_set_header X-Forwarded-Port $server_port;
      proxy_set_header X-Forwarded-Proto $scheme;
    }
  }
}
`);
  const child = spawn('nginx', ['-p', dir, '-e', `${dir}/error.log`, '-c', conf, '-g', `daemon off; pid ${dir}/nginx.pid;`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  await until('nginx to listen', () => new Promise<true | undefined>((resolve) => {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${err}`);
    const s = net.connect(port, '127.0.0.1', () => {
      s.destroy();
      resolve(true);
    }).on('error', () => resolve(undefined));
  }), 10_000, 50);
  return child;
}

// The backend: a keep-alive HTTP server (node's http module, the host's node binary and libraries mounted
// read-only into a busybox pod). busybox httpd closes every connection, which makes each request a new
// connection whose TIME_WAIT in the pod collides with the next paths' (masqueraded) connections on the
// same ports: wrk then measures SYN retransmits rather than the paths.
const NODE_BIN = path.dirname(process.execPath);
const DEPLOYMENT = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [{
          name: 'web',
          image: 'busybox',
          imagePullPolicy: 'IfNotPresent',
          command: ['/host/bin/node', '-e', "require('http').createServer((req, res) => res.end('ok\\n')).listen(8080)"],
          ports: [{ containerPort: 8080 }],
          readinessProbe: { periodSeconds: 1, tcpSocket: { port: 8080 } },
          volumeMounts: [
            { name: 'bin', mountPath: '/host/bin', readOnly: true },
            ...['lib', 'lib64'].map((d) => ({ name: d, mountPath: `/${d}`, readOnly: true })),
          ],
        }],
        volumes: [
          { name: 'bin', hostPath: { path: NODE_BIN, type: 'Directory' } },
          ...['lib', 'lib64'].map((d) => ({ name: d, hostPath: { path: `/${d}`, type: 'Directory' } })),
        ],
      },
    },
  },
};

/** Runs fn over items with `width` in flight. */
async function pool<T>(items: T[], width: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

/** The proxy's own figure for its last sync that changed rules (GET /metrics on its metrics port). */
async function lastSyncMs(port: number): Promise<number> {
  const text = await new Promise<string>((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/metrics' }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
  return Number(/^skiff_proxy_sync_proxy_rules_duration_seconds (\S+)$/m.exec(text)?.[1]) * 1000;
}

/**
 * Time from an EndpointSlice change to its DNAT rule in iptables-save, with SERVICES more services
 * programmed; polled with iptables-save as fast as it runs, so each figure is late by up to one poll
 * (the median poll time is returned too).
 */
async function endpointChangeLatency(rest: RestClient, addressBase: string, metricsPort: number): Promise<{ latencies: number[]; pollMs: number; syncMs: number[] }> {
  const services = new ResourceClient(rest, REFS.services);
  const slices = new ResourceClient(rest, REFS.slices);
  const indexes = Array.from({ length: SERVICES }, (_, i) => i);
  const address = (i: number, generation: number) => `${addressBase}.${(i >> 8) + 100 + generation * 10}.${i & 255}`;
  const slice = (i: number, generation: number): KubeObject => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `many-${i}`, namespace: 'default', labels: { 'kubernetes.io/service-name': `many-${i}`, 'endpointslice.kubernetes.io/managed-by': 'bench.skiff.dev' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [address(i, generation)], conditions: { ready: true } }],
    ports: [{ port: 8080, protocol: 'TCP' }],
  } as KubeObject);
  await pool(indexes, 16, async (i) => {
    await services.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: `many-${i}`, namespace: 'default' }, spec: { ports: [{ port: 80, protocol: 'TCP' }] } } as KubeObject, { namespace: 'default' });
    await slices.create(slice(i, 0), { namespace: 'default' });
  });
  const polls: number[] = [];
  const nat = async () => {
    const t = performance.now();
    const { stdout } = await execFileP('iptables-save', ['-t', 'nat'], { maxBuffer: 64 << 20 });
    polls.push(performance.now() - t);
    return stdout;
  };
  await until(`${SERVICES} services in iptables`, async () => ((await nat()).includes(`--to-destination ${address(SERVICES - 1, 0)}:8080`) ? true : undefined), 300_000, 500);
  const latencies: number[] = [];
  const syncMs: number[] = [];
  for (let c = 0; c < CHANGES; c++) {
    const i = Math.floor((c + 0.5) * (SERVICES / CHANGES));
    const wanted = `--to-destination ${address(i, 1)}:8080`;
    const current = await slices.get(`many-${i}`, 'default');
    const t0 = performance.now();
    await slices.update({ ...slice(i, 1), metadata: { ...slice(i, 1).metadata, resourceVersion: current.metadata.resourceVersion } }, { namespace: 'default' });
    await until('the changed endpoint in iptables', async () => ((await nat()).includes(wanted) ? true : undefined), 60_000, 0);
    latencies.push(performance.now() - t0);
    syncMs.push(await lastSyncMs(metricsPort));
  }
  return { latencies, pollMs: median(polls), syncMs };
}

export const benchmark: Benchmark = {
  name: 'services',
  description: 'wrk to one keep-alive HTTP pod: pod IP vs ClusterIP (iptables, userspace) vs skiff Ingress vs nginx; endpoint change → iptables rules with 1,000 services',
  async run(): Promise<BenchRow[]> {
    const pid = process.pid;
    const serviceCIDR = `10.${44 + (pid % 6)}.0.0/16`;
    const podNet = `10.${50 + (pid % 10)}`;
    const podCIDR = `${podNet}.${(pid >> 6) % 250}.0/24`;
    const clusterDNS = serviceCIDR.replace('0.0/16', '0.10');
    const dir = makeTempDir('bench-services');
    const dataDir = path.join(dir, 'agent');
    const ingressPort = await freePort();
    const nginxPort = await freePort();
    const metricsPort = await freePort();
    let server: TestServer | undefined;
    let agent: Agent | undefined;
    let nginx: ChildProcess | undefined;
    let rest: RestClient | undefined;
    try {
      server = await startTestServer({ controlPlane: true, args: ['--service-cidr', serviceCIDR, '--cluster-dns', clusterDNS, '--cluster-cidr', `${podNet}.0.0/16`] });
      agent = new Agent([
        '--server', server.url, '--token-file', path.join(server.dataDir, 'server', 'token'), '--data-dir', dataDir, '--node-name', `bench-svc-${pid}`,
        '--node-ip', '127.0.0.1', '--kubelet-port', '0', '--pod-cidr', podCIDR, '--cluster-cidr', `${podNet}.0.0/16`, '--service-cidr', serviceCIDR,
        '--cluster-dns', clusterDNS, '--kube-proxy-metrics-port', String(metricsPort), '--ingress-http-port', String(ingressPort), '--ingress-https-port', String(await freePort()),
      ]);
      await agent.start('iptables');
      rest = clientFromKubeconfig(server.kubeconfig);
      const ns = { namespace: 'default' };
      await new ResourceClient(rest, REFS.deployments).create(DEPLOYMENT as unknown as KubeObject, ns);
      const svc = await new ResourceClient(rest, REFS.services).create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } } as KubeObject, ns);
      await new ResourceClient(rest, REFS.ingresses).create({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: 'web' },
        spec: { rules: [{ host: HOST, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] },
      } as KubeObject, ns);
      const clusterIP = (svc.spec as { clusterIP: string }).clusterIP;
      const podIP = await until('a ready pod', async () => {
        const pods = await new ResourceClient(rest!, REFS.pods).list({ namespace: 'default', labelSelector: 'app=web' });
        const pod = pods.items.find((p) => (p.status as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
        return (pod?.status as { podIP?: string } | undefined)?.podIP;
      });
      assertServiceIPContained(clusterIP);
      nginx = await startNginx(dir, nginxPort, `${podIP}:8080`);
      // nginx's one worker does the proxying (its master only waits).
      const nginxWorker = Number(fs.readFileSync(`/proc/${nginx.pid}/task/${nginx.pid}/children`, 'utf8').trim().split(' ')[0]);

      const paths = {
        direct: () => wrk(`http://${podIP}:8080/`),
        clusterIP: () => wrk(`http://${clusterIP}/`),
        ingress: () => wrk(`http://127.0.0.1:${ingressPort}/`, [`Host: ${HOST}`], agent!.pid),
        nginx: () => wrk(`http://127.0.0.1:${nginxPort}/`, [`Host: ${HOST}`], nginxWorker),
      };
      // Every path answers before anything is timed (rules, routes and endpoints are in).
      for (const run of Object.values(paths)) await until('the path to answer', run, 60_000, 500);
      const results: Record<keyof typeof paths, WrkResult[]> = { direct: [], clusterIP: [], ingress: [], nginx: [] };
      // Interleaved rounds, so load from other processes falls on every path alike.
      for (let round = 0; round < ROUNDS; round++) {
        for (const [name, run] of Object.entries(paths)) results[name as keyof typeof paths].push(await run());
      }
      const [direct, iptables, ingress, viaNginx] = [mid(results.direct), mid(results.clusterIP), mid(results.ingress), mid(results.nginx)];
      const load = `load ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0]}`;

      // Addresses the rules point at but nothing ever contacts.
      const changes = await endpointChangeLatency(rest, `10.${200 + (pid % 50)}`, metricsPort);
      const proxyTrouble = agent.output.split('\n').filter((l) => /service proxy/.test(l));
      if (proxyTrouble.length) process.stderr.write(`service proxy messages during the run:\n${proxyTrouble.join('\n')}\n`);
      // The userspace proxy then serves just the one service.
      const services = new ResourceClient(rest, REFS.services);
      await pool(Array.from({ length: SERVICES }, (_, i) => i), 16, (i) => services.delete(`many-${i}`, ns));

      await agent.stop();
      await agent.start('userspace');
      const userspaceRuns: WrkResult[] = [];
      const directAgain: WrkResult[] = [];
      await until('the userspace ClusterIP to answer', paths.clusterIP, 60_000, 500);
      for (let round = 0; round < ROUNDS; round++) {
        directAgain.push(await paths.direct());
        userspaceRuns.push(await paths.clusterIP());
      }
      const [direct2, userspace] = [mid(directAgain), mid(userspaceRuns)];
      const conns = `${WRK.connections} conns, ${load}`;
      return [
        { metric: `req/s pod IP directly (${conns})`, unit: 'req/s', skiff: direct.rps, lowerIsBetter: false },
        { metric: 'req/s ClusterIP (iptables) vs pod IP', unit: 'req/s', skiff: iptables.rps, peer: direct.rps, peerName: 'pod IP', lowerIsBetter: false, target: '≥ 0.9x' },
        { metric: 'p99 latency ClusterIP (iptables) vs pod IP', unit: 'ms', skiff: iptables.p99, peer: direct.p99, peerName: 'pod IP', lowerIsBetter: true },
        { metric: 'req/s ClusterIP (userspace) vs pod IP', unit: 'req/s', skiff: userspace.rps, peer: direct2.rps, peerName: 'pod IP', lowerIsBetter: false },
        { metric: 'p99 latency ClusterIP (userspace) vs pod IP', unit: 'ms', skiff: userspace.p99, peer: direct2.p99, peerName: 'pod IP', lowerIsBetter: true },
        { metric: 'req/s skiff Ingress vs nginx (1 worker)', unit: 'req/s', skiff: ingress.rps, peer: viaNginx.rps, peerName: 'nginx', lowerIsBetter: false, target: '≥ 0.7x' },
        { metric: 'p50 latency skiff Ingress vs nginx', unit: 'ms', skiff: ingress.p50, peer: viaNginx.p50, peerName: 'nginx', lowerIsBetter: true },
        { metric: 'p99 latency skiff Ingress vs nginx', unit: 'ms', skiff: ingress.p99, peer: viaNginx.p99, peerName: 'nginx', lowerIsBetter: true },
        { metric: 'CPU per request: skiff agent process (Ingress) vs nginx worker', unit: 'us', skiff: ingress.cpuMicros ?? NaN, peer: viaNginx.cpuMicros, peerName: 'nginx', lowerIsBetter: true },
        { metric: `endpoint change → iptables rules, ${SERVICES} services (median of ${CHANGES}; polls ${changes.pollMs.toFixed(0)} ms)`, unit: 'ms', skiff: median(changes.latencies), lowerIsBetter: true },
        { metric: `endpoint change → iptables rules, ${SERVICES} services (max of ${CHANGES})`, unit: 'ms', skiff: Math.max(...changes.latencies), lowerIsBetter: true },
        { metric: `proxy sync for one endpoint change, ${SERVICES} services (median, proxy's metric)`, unit: 'ms', skiff: median(changes.syncMs), lowerIsBetter: true },
      ];
    } finally {
      if (nginx && nginx.exitCode === null) {
        const exited = new Promise((r) => nginx!.once('exit', r));
        nginx.kill('SIGTERM');
        await exited;
      }
      rest?.close();
      await agent?.stop();
      await cleanupNode(dataDir, podCIDR, serviceCIDR).catch(() => undefined);
      await server?.stop();
      spawnSync('rm', ['-rf', dir]);
    }
  },
};

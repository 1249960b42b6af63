// Userspace mode, for hosts without iptables: each ClusterIP is added as an address on the service
// bridge (so the node and pods routed through it reach it), and Node.js listens on ClusterIP:port and on
// NodePorts, relaying TCP streams and UDP datagrams round-robin to ready endpoints (with ClientIP
// affinity when asked). Slower than the kernel's DNAT, but needs nothing but sockets and `ip addr`.
import net from 'node:net';
import dgram from 'node:dgram';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { servicePortName, type ServicePort, type ProxyEndpoint } from './model.js';

const run = promisify(execFile);

interface Frontend {
  key: string;
  close(): void;
}

class Balancer {
  private next = 0;
  private affinity = new Map<string, { endpoint: ProxyEndpoint; until: number }>();

  /** `external`: a NodePort, external IP or load balancer frontend, where externalTrafficPolicy applies. */
  constructor(
    public servicePort: ServicePort,
    private readonly external: boolean,
  ) {}

  pick(clientIP: string): ProxyEndpoint | undefined {
    // externalTrafficPolicy Local: outside traffic only reaches this node's endpoints (none: dropped).
    const localOnly = this.external && this.servicePort.externalTrafficLocal;
    const ready = this.servicePort.endpoints.filter((e) => e.ready && (!localOnly || e.local));
    if (ready.length === 0) return undefined;
    const seconds = this.servicePort.affinitySeconds;
    if (seconds) {
      const sticky = this.affinity.get(clientIP);
      if (sticky && sticky.until > Date.now() && ready.some((e) => e.ip === sticky.endpoint.ip && e.port === sticky.endpoint.port)) {
        sticky.until = Date.now() + seconds * 1000;
        return sticky.endpoint;
      }
    }
    const endpoint = ready[this.next++ % ready.length];
    if (seconds) this.affinity.set(clientIP, { endpoint, until: Date.now() + seconds * 1000 });
    return endpoint;
  }
}

function tcpFrontend(key: string, host: string, port: number, balancer: Balancer): Promise<Frontend> {
  const server = net.createServer((client) => {
    const endpoint = balancer.pick(client.remoteAddress ?? '');
    if (!endpoint) return client.destroy();
    const upstream = net.connect(endpoint.port, endpoint.ip);
    client.pipe(upstream);
    upstream.pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve({ key, close: () => server.close() }));
  });
}

function udpFrontend(key: string, host: string, port: number, balancer: Balancer): Promise<Frontend> {
  const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  // One upstream socket per client address, so replies find their way back; idle ones expire.
  const sessions = new Map<string, { upstream: dgram.Socket; timer: NodeJS.Timeout }>();
  socket.on('message', (msg, rinfo) => {
    const clientKey = `${rinfo.address}:${rinfo.port}`;
    let session = sessions.get(clientKey);
    if (!session) {
      const endpoint = balancer.pick(rinfo.address);
      if (!endpoint) return;
      const upstream = dgram.createSocket(net.isIPv6(endpoint.ip) ? 'udp6' : 'udp4');
      upstream.connect(endpoint.port, endpoint.ip);
      upstream.on('message', (reply) => socket.send(reply, rinfo.port, rinfo.address));
      upstream.on('error', () => undefined);
      session = { upstream, timer: setTimeout(() => undefined, 0) };
      sessions.set(clientKey, session);
    }
    clearTimeout(session.timer);
    const current = session;
    current.timer = setTimeout(() => {
      current.upstream.close();
      sessions.delete(clientKey);
    }, 30_000);
    current.upstream.send(msg);
  });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () =>
      resolve({
        key,
        close: () => {
          for (const s of sessions.values()) {
            clearTimeout(s.timer);
            s.upstream.close();
          }
          socket.close();
        },
      }),
    );
  });
}

export interface UserspaceProxierOptions {
  /** The service bridge (service-route.ts) that ClusterIPs are added to. */
  bridge: string;
  /** Addresses NodePorts listen on (127.0.0.1 and the node's IPs). */
  nodeAddresses: string[];
}

export class UserspaceProxier {
  private frontends = new Map<string, Frontend>();
  private balancers = new Map<string, Balancer>();
  private addresses = new Set<string>();

  constructor(private readonly options: UserspaceProxierOptions) {}

  async sync(servicePorts: ServicePort[]): Promise<void> {
    const wanted = new Map<string, { host: string; port: number; sp: ServicePort; external: boolean }>();
    const wantedAddresses = new Set<string>();
    for (const sp of servicePorts) {
      const proto = sp.protocol.toLowerCase();
      for (const ip of sp.clusterIPs) {
        wanted.set(`${proto}/${ip}/${sp.port}`, { host: ip, port: sp.port, sp, external: false });
        wantedAddresses.add(ip);
      }
      for (const ip of sp.externalIPs) {
        wanted.set(`${proto}/${ip}/${sp.port}`, { host: ip, port: sp.port, sp, external: true });
        wantedAddresses.add(ip);
      }
      if (sp.nodePort) for (const ip of this.options.nodeAddresses) wanted.set(`${proto}/${ip}/${sp.nodePort}`, { host: ip, port: sp.nodePort, sp, external: true });
      // Load balancer addresses are the nodes' own (servicelb): listened on, never added to the bridge.
      for (const ip of sp.loadBalancerIPs) wanted.set(`${proto}/${ip}/${sp.port}`, { host: ip, port: sp.port, sp, external: true });
    }
    for (const ip of wantedAddresses) {
      if (this.addresses.has(ip)) continue;
      await run('ip', ['addr', 'replace', `${ip}/32`, 'dev', this.options.bridge]);
      this.addresses.add(ip);
    }
    for (const [key, frontend] of this.frontends) {
      if (wanted.has(key)) continue;
      frontend.close();
      this.frontends.delete(key);
      this.balancers.delete(key);
    }
    for (const [key, { host, port, sp, external }] of wanted) {
      const existing = this.balancers.get(key);
      if (existing) {
        existing.servicePort = sp;
        continue;
      }
      const balancer = new Balancer(sp, external);
      try {
        const open = sp.protocol === 'UDP' ? udpFrontend : tcpFrontend;
        this.frontends.set(key, await open(key, host, port, balancer));
        this.balancers.set(key, balancer);
      } catch (err) {
        process.stderr.write(`proxy: cannot listen for ${servicePortName(sp)} on ${host}:${port}: ${(err as Error).message}\n`);
      }
    }
    for (const ip of [...this.addresses]) {
      if (wantedAddresses.has(ip)) continue;
      await run('ip', ['addr', 'del', `${ip}/32`, 'dev', this.options.bridge]).catch(() => undefined);
      this.addresses.delete(ip);
    }
  }

  async close(): Promise<void> {
    await this.sync([]);
  }
}

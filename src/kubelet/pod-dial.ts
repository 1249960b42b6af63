// Opening a TCP connection to a port of a pod, for probes and port-forward. A pod with an address the
// node can route to is dialled directly; a pod whose network namespace only has loopback is reached
// from inside that namespace: a small helper process entered with nsenter connects to 127.0.0.1
// there and relays the bytes over its stdio (kubelet's CRI runtimes do the same with socat/netns).
import { spawn } from 'node:child_process';
import net from 'node:net';
import { Duplex } from 'node:stream';

export interface PodAddress {
  /** An address of the pod the node can route to ('' when it has none). */
  ip: string;
  /** The pod's network namespace (used when ip is empty). */
  netnsPath: string;
}

const RELAY = [
  "const s=require('net').connect(Number(process.argv[1]),'127.0.0.1');",
  "s.once('connect',()=>process.stderr.write('+'));",
  "s.once('error',(e)=>{process.stderr.write('!'+e.message);process.exit(1)});",
  'process.stdin.pipe(s);s.pipe(process.stdout);',
].join('');

/** Connects to port of the pod; rejects with the connect error ("connect ECONNREFUSED …"). */
export function dialPod(addr: PodAddress, port: number, timeoutMs = 10_000): Promise<Duplex> {
  if (addr.ip) {
    return new Promise((resolve, reject) => {
      const sock = net.connect({ host: addr.ip, port, timeout: timeoutMs });
      sock.once('connect', () => {
        sock.setTimeout(0);
        resolve(sock);
      });
      sock.once('timeout', () => sock.destroy(new Error(`dial tcp ${addr.ip}:${port}: i/o timeout`)));
      sock.once('error', reject);
    });
  }
  if (!addr.netnsPath) return Promise.reject(new Error('the pod has no network namespace'));
  return new Promise((resolve, reject) => {
    const child = spawn('nsenter', [`--net=${addr.netnsPath}`, '--', process.execPath, '-e', RELAY, String(port)], { stdio: ['pipe', 'pipe', 'pipe'] });
    let status = '';
    let settled = false;
    const timer = setTimeout(() => fail(new Error(`dial tcp 127.0.0.1:${port}: i/o timeout`)), timeoutMs);
    function fail(err: Error): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(err);
    }
    child.once('error', fail);
    child.stderr.on('data', (d: Buffer) => {
      status += d.toString();
      if (settled) return;
      if (status.startsWith('+')) {
        settled = true;
        clearTimeout(timer);
        const duplex = Duplex.from({ readable: child.stdout, writable: child.stdin });
        duplex.once('close', () => child.kill('SIGKILL'));
        resolve(duplex);
      }
    });
    child.once('exit', () => fail(new Error(status.startsWith('!') ? status.slice(1) : `dial tcp 127.0.0.1:${port}: failed`)));
  });
}

// Loopback helpers for the seed tests: a free port from the OS and HTTP GETs that retry until the
// listener (a published port, a port-forward, an ingress) answers.
import http from 'node:http';
import net from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface Got {
  status: number;
  body: string;
}

export function get(port: number, urlPath = '/', headers: Record<string, string> = {}): Promise<Got> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: urlPath, headers, timeout: 3000, agent: false }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('timeout', function (this: http.ClientRequest) {
        this.destroy(new Error('timeout'));
      })
      .on('error', reject);
  });
}

/** GET until the port answers at all (connection refused/reset retried for up to timeoutMs). */
export async function eventuallyGet(port: number, urlPath = '/', headers: Record<string, string> = {}, timeoutMs = 20_000): Promise<Got> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await get(port, urlPath, headers);
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

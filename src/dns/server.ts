// The cluster DNS server: UDP and TCP on one address, answers cluster names from a ClusterResolver and
// forwards every other name to the upstream resolvers it was given (the node's, never in tests).
import dgram from 'node:dgram';
import net from 'node:net';
import { parseQuery, buildResponse, truncate, RCODE, DnsFormatError, type Query } from './message.js';
import type { ClusterResolver } from './records.js';

export interface DnsServerOptions {
  host: string;
  port: number;
  resolver: ClusterResolver;
  /** "ip" or "ip:port" of resolvers for names outside the cluster zone. */
  upstreams: string[];
  forwardTimeoutMs?: number;
}

export interface DnsServer {
  /** The UDP/TCP port actually bound (useful when port 0 was asked). */
  port: number;
  close(): Promise<void>;
}

const UDP_LIMIT = 512;

function failure(query: Query, rcode: number): Buffer {
  return buildResponse(query, { rcode, authoritative: false, answers: [] });
}

/** Sends the raw query to each upstream in turn over UDP and returns the first answer. */
function forward(raw: Buffer, upstreams: string[], timeoutMs: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    if (upstreams.length === 0) return resolve(undefined);
    const socket = dgram.createSocket(upstreams[0].includes(':') && !upstreams[0].includes('.') ? 'udp6' : 'udp4');
    let index = 0;
    let timer: NodeJS.Timeout | undefined;
    const finish = (answer: Buffer | undefined): void => {
      clearTimeout(timer);
      socket.close();
      resolve(answer);
    };
    const tryNext = (): void => {
      if (index >= upstreams.length) return finish(undefined);
      const [host, port] = upstreams[index++].split(/:(?=\d+$)/);
      socket.send(raw, Number(port ?? 53), host);
      timer = setTimeout(tryNext, timeoutMs);
    };
    socket.on('message', (msg) => finish(msg));
    socket.on('error', () => finish(undefined));
    tryNext();
  });
}

async function answer(raw: Buffer, options: DnsServerOptions, overUdp: boolean): Promise<Buffer | undefined> {
  let query: Query;
  try {
    query = parseQuery(raw);
  } catch (err) {
    if (err instanceof DnsFormatError && raw.length >= 2) {
      return buildResponse({ id: raw.readUInt16BE(0), flags: 0, questions: [] }, { rcode: RCODE.FORMERR, authoritative: false, answers: [] });
    }
    return undefined;
  }
  if (query.questions.length !== 1) return failure(query, RCODE.FORMERR);
  const { name, type } = query.questions[0];
  const resolution = options.resolver.resolve(name, type);
  if (resolution.kind === 'forward') {
    return (await forward(raw, options.upstreams, options.forwardTimeoutMs ?? 2000)) ?? failure(query, RCODE.SERVFAIL);
  }
  const response = buildResponse(query, resolution.response);
  return overUdp && response.length > UDP_LIMIT ? truncate(query) : response;
}

export async function startDnsServer(options: DnsServerOptions): Promise<DnsServer> {
  // With port 0 the kernel picks a free UDP port, but the same TCP port may be taken: try another one
  // rather than fail, and never leave the UDP socket bound behind a failed start.
  for (let attempt = 1; ; attempt++) {
    try {
      return await bindBoth(options);
    } catch (err) {
      if (options.port !== 0 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 20) throw err;
    }
  }
}

async function bindBoth(options: DnsServerOptions): Promise<DnsServer> {
  const udp = dgram.createSocket(net.isIPv6(options.host) ? 'udp6' : 'udp4');
  udp.on('message', (msg, rinfo) => {
    answer(msg, options, true).then(
      (reply) => reply && udp.send(reply, rinfo.port, rinfo.address),
      () => undefined,
    );
  });
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(options.port, options.host, () => resolve());
  });
  const port = udp.address().port;

  const tcp = net.createServer((conn) => {
    let pending = Buffer.alloc(0);
    conn.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const msg = pending.subarray(2, 2 + pending.readUInt16BE(0));
        pending = pending.subarray(2 + msg.length);
        answer(msg, options, false).then(
          (reply) => {
            if (!reply || conn.destroyed) return;
            const len = Buffer.alloc(2);
            len.writeUInt16BE(reply.length);
            conn.write(Buffer.concat([len, reply]));
          },
          () => conn.destroy(),
        );
      }
    });
    conn.on('error', () => conn.destroy());
    conn.setTimeout(10_000, () => conn.destroy());
  });
  try {
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(port, options.host, () => resolve());
    });
  } catch (err) {
    await new Promise<void>((r) => udp.close(() => r()));
    throw err;
  }

  return {
    port,
    close: async () => {
      await Promise.all([new Promise<void>((r) => udp.close(() => r())), new Promise<void>((r) => tcp.close(() => r()))]);
    },
  };
}

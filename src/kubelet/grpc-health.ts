// The grpc probe (pkg/probe/grpc): one grpc.health.v1.Health/Check call with the probe's service name,
// healthy only when the answer is SERVING. It is spoken here over HTTP/2 on a connection the caller
// opened (pod-dial: the pod IP, or a relay into the pod's network namespace), so it reaches every pod
// the other probes reach; the two messages are a single field each and are coded by hand.
import http2 from 'node:http2';
import type { Duplex } from 'node:stream';

const STATUS_NAMES = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];
const UNIMPLEMENTED = 12;
const CODE_NAMES = ['OK', 'Canceled', 'Unknown', 'InvalidArgument', 'DeadlineExceeded', 'NotFound', 'AlreadyExists', 'PermissionDenied', 'ResourceExhausted', 'FailedPrecondition', 'Aborted', 'OutOfRange', 'Unimplemented', 'Internal', 'Unavailable', 'DataLoss', 'Unauthenticated'];

/** HealthCheckRequest{service} in a gRPC message frame (uncompressed flag, 4-byte length, protobuf). */
export function encodeCheckRequest(service: string): Buffer {
  const name = Buffer.from(service);
  const body = name.length ? Buffer.concat([Buffer.from([0x0a]), varint(name.length), name]) : Buffer.alloc(0);
  const head = Buffer.alloc(5);
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}

/** HealthCheckResponse.status (field 1, varint) out of one gRPC message frame; 0 (UNKNOWN) when absent. */
export function decodeCheckResponse(frame: Buffer): number {
  if (frame.length < 5) throw new Error('short gRPC message');
  const body = frame.subarray(5, 5 + frame.readUInt32BE(1));
  let i = 0;
  let status = 0;
  while (i < body.length) {
    const tag = body[i++]!;
    if ((tag & 7) !== 0) throw new Error(`unexpected wire type ${tag & 7} in HealthCheckResponse`);
    let v = 0;
    for (let shift = 0; ; shift += 7) {
      const b = body[i++]!;
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
    }
    if (tag >> 3 === 1) status = v;
  }
  return status;
}

/** Runs the check over sock; `addr` (host:port) is used in messages as the kubelet words them. */
export function grpcHealthCheck(sock: Duplex, addr: string, service: string, timeoutMs: number): Promise<{ ok: boolean; message: string }> {
  return new Promise((resolve) => {
    let done = false;
    const session = http2.connect(`http://${addr}`, { createConnection: () => sock });
    const finish = (ok: boolean, message: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      session.destroy();
      sock.destroy();
      resolve({ ok, message });
    };
    const timer = setTimeout(() => finish(false, `timeout: health rpc did not complete within ${timeoutMs / 1000}s`), timeoutMs);
    session.on('error', (err) => finish(false, `error: failed to connect service at "${addr}": ${err.message}`));
    const req = session.request({
      ':method': 'POST',
      ':path': '/grpc.health.v1.Health/Check',
      'content-type': 'application/grpc',
      te: 'trailers',
      'user-agent': 'kube-probe/1.33',
    });
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('error', (err) => finish(false, `error: health rpc probe failed: ${err.message}`));
    const settle = (headers: http2.IncomingHttpHeaders): void => {
      const code = Number(headers['grpc-status'] ?? 0);
      const message = decodeURIComponent(String(headers['grpc-message'] ?? ''));
      if (code === UNIMPLEMENTED) return finish(false, `error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ${message}`);
      if (code !== 0) return finish(false, `error: health rpc probe failed: rpc error: code = ${CODE_NAMES[code] ?? `Code(${code})`} desc = ${message}`);
      let status: number;
      try {
        status = decodeCheckResponse(Buffer.concat(chunks));
      } catch (err) {
        return finish(false, `error: health rpc probe failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      finish(status === 1, status === 1 ? '' : `service unhealthy (responded with "${STATUS_NAMES[status] ?? String(status)}")`);
    };
    // A gRPC error without a body comes as one header block (trailers-only); otherwise in the trailers.
    req.on('response', (headers) => {
      if (headers['grpc-status'] !== undefined) settle(headers);
    });
    req.on('trailers', settle);
    req.on('close', () => finish(false, 'error: health rpc probe failed: the stream ended without a gRPC status'));
    req.end(encodeCheckRequest(service));
  });
}

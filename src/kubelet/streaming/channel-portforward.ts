// Port-forward over the channel WebSocket protocols — no subprotocol, v4.channel.k8s.io (binary) and
// v4.base64.channel.k8s.io — that the client libraries (JavaScript, Python) speak, where kubectl uses
// SPDY or the SPDY tunnel. As the kubelet does: port i owns data channel 2i and error channel 2i+1,
// each opens with the port as two little-endian bytes, a failed dial is reported as text on the error
// channel, and the connection closes once every port's connection has ended.
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { readChannel, sendChannel } from './channels.js';

/**
 * The ports asked for: `port` as Kubernetes' API server passes them on, or `ports` as clients send them
 * (skiff's API server passes the query through); each value may list several, comma separated.
 */
export function portForwardPorts(query: URLSearchParams): number[] {
  const values = [...query.getAll('port'), ...query.getAll('ports')];
  if (values.length === 0) throw new Error('query parameter "port" is required');
  return values.flatMap((v) => v.split(',')).map((text) => {
    const port = Number(text);
    if (!/^\d+$/.test(text) || port > 65535) throw new Error(`unable to parse "${text}" as a port`);
    if (port === 0) throw new Error(`port "${text}" must be > 0`);
    return port;
  });
}

interface PortStream {
  port: number;
  socket?: Duplex;
  /** Client bytes that arrived before the pod connection was open. */
  pending: Buffer[];
  done: boolean;
}

export function serveChannelPortForward(
  ws: WebSocket,
  ports: number[],
  dial: (port: number) => Promise<Duplex>,
  dialError: (port: number, err: unknown) => string,
): void {
  const send = (channel: number, payload: Buffer): void => sendChannel(ws, channel, payload);
  const streams: PortStream[] = ports.map((port) => ({ port, pending: [], done: false }));
  const finish = (s: PortStream): void => {
    s.done = true;
    if (streams.every((x) => x.done) && ws.readyState === ws.OPEN) ws.close(1000);
  };

  ws.on('message', (data: Buffer, isBinary: boolean) => {
    const m = readChannel(data, isBinary);
    if (!m) return;
    const { channel, payload } = m;
    // Error channels are written by the server only.
    const s = channel % 2 === 0 ? streams[channel / 2] : undefined;
    if (!s || s.done || payload.length === 0) return;
    if (s.socket) s.socket.write(payload);
    else s.pending.push(payload);
  });
  ws.once('close', () => {
    for (const s of streams) s.socket?.destroy();
  });

  streams.forEach((s, i) => {
    const portBytes = Buffer.alloc(2);
    portBytes.writeUInt16LE(s.port);
    send(2 * i, portBytes);
    send(2 * i + 1, portBytes);
    dial(s.port).then(
      (socket) => {
        if (ws.readyState !== ws.OPEN) {
          socket.destroy();
          return;
        }
        s.socket = socket;
        socket.on('error', () => undefined);
        for (const b of s.pending.splice(0)) socket.write(b);
        socket.on('data', (d: Buffer) => send(2 * i, d));
        socket.once('close', () => finish(s));
      },
      (err: unknown) => {
        send(2 * i + 1, Buffer.from(dialError(s.port, err)));
        finish(s);
      },
    );
  });
}

// The channel WebSocket framing (k8s.io/apimachinery wsstream) shared by exec/attach and port-forward:
// each message is one channel byte and its data — binary frames for v5.channel.k8s.io,
// v4.channel.k8s.io and the bare protocol, text frames of '0'+channel followed by base64 for
// v4.base64.channel.k8s.io.
import type { WebSocket } from 'ws';

export const CHANNEL_V5_PROTOCOL = 'v5.channel.k8s.io';
export const CHANNEL_BINARY_PROTOCOL = 'v4.channel.k8s.io';
export const CHANNEL_BASE64_PROTOCOL = 'v4.base64.channel.k8s.io';

/** Sends data on a channel in the framing of the socket's protocol; nothing once it is closing. */
export function sendChannel(ws: WebSocket, channel: number, payload: Buffer, done?: () => void): void {
  if (ws.readyState !== ws.OPEN) {
    done?.();
    return;
  }
  if (ws.protocol === CHANNEL_BASE64_PROTOCOL) ws.send(String.fromCharCode(48 + channel) + payload.toString('base64'), done && (() => done()));
  else ws.send(Buffer.concat([Buffer.from([channel]), payload]), { binary: true }, done && (() => done()));
}

/** The channel and data of a received message (binary, or base64 text), or undefined when empty. */
export function readChannel(data: Buffer, isBinary: boolean): { channel: number; payload: Buffer } | undefined {
  if (!data.length) return undefined;
  if (isBinary) return { channel: data[0]!, payload: data.subarray(1) };
  const text = data.toString();
  return { channel: text.charCodeAt(0) - 48, payload: Buffer.from(text.slice(1), 'base64') };
}

// One exec/attach session independent of the transport: the transports (SPDY, WebSocket v5) feed
// stdin and resize events in and take stdout/stderr out; the runtime side runs the process or
// attaches to the container. Ends with a metav1.Status as kubectl's remotecommand v4 expects.
import { PassThrough } from 'node:stream';
import type { Runtime } from '../../engine/index.js';

export interface SessionIO {
  stdin?: PassThrough;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  tty: boolean;
  /** Sizes sent by the client; the first may arrive before the process exists. */
  onResize(fn: (size: { width: number; height: number }) => void): void;
}

export interface RemoteStatus {
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  code?: number;
  details?: { causes: Array<{ reason: string; message: string }> };
}

export const SUCCESS: RemoteStatus = { metadata: {}, status: 'Success' };

export function exitStatus(code: number): RemoteStatus {
  if (code === 0) return SUCCESS;
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command, exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

export function errorStatus(message: string): RemoteStatus {
  return { metadata: {}, status: 'Failure', message, reason: 'InternalError', code: 500 };
}

/** Turns "{"Width":W,"Height":H}\n" lines into sizes. */
export function resizeParser(emit: (size: { width: number; height: number }) => void): (chunk: Buffer) => void {
  let pending = '';
  return (chunk) => {
    pending += chunk.toString();
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      if (!line) continue;
      try {
        const v = JSON.parse(line) as { Width?: number; Height?: number };
        if (v.Width && v.Height) emit({ width: v.Width, height: v.Height });
      } catch {
        // A torn line waits for the rest; garbage is dropped.
      }
    }
  };
}

/** Client input racing the process's end must not crash the agent: the socket may be gone already. */
function guarded(fn: () => unknown): void {
  try {
    fn();
  } catch {
    // The process exited; its input has nowhere to go.
  }
}

/** Runs cmd in the container with the session's streams; resolves with the final status. */
export async function runExec(runtime: Runtime, containerId: string, cmd: string[], io: SessionIO): Promise<RemoteStatus> {
  let size: { width: number; height: number } | undefined;
  let resize: ((rows: number, cols: number) => void) | undefined;
  io.onResize((s) => {
    size = s;
    resize?.(s.height, s.width);
  });
  let session;
  try {
    session = await runtime.exec(containerId, cmd, { tty: io.tty, stdin: Boolean(io.stdin) }, { stdout: io.stdout, stderr: io.tty ? io.stdout : io.stderr });
  } catch (err) {
    return errorStatus(`failed to exec in container: ${err instanceof Error ? err.message : String(err)}`);
  }
  resize = (rows, cols) => session.resize(rows, cols);
  if (size) resize(size.height, size.width);
  let exited = false;
  if (io.stdin) {
    io.stdin.on('data', (d: Buffer) => guarded(() => !exited && session.attach.write(d)));
    // Under a pty, EOF is the terminal's ^D; a plain pipe gets a half-close.
    io.stdin.on('end', () => guarded(() => !exited && (io.tty ? session.attach.write(Buffer.from([4])) : session.attach.closeStdin())));
  }
  const code = await session.exit;
  exited = true;
  return exitStatus(code);
}

/** Attaches to the container's own stdio until it exits or the client goes. */
export async function runAttach(runtime: Runtime, containerId: string, io: SessionIO, clientGone: Promise<void>): Promise<RemoteStatus> {
  let attached;
  try {
    attached = await runtime.attach(containerId, { stdout: io.stdout, stderr: io.tty ? io.stdout : io.stderr });
  } catch (err) {
    return errorStatus(`failed to attach to container: ${err instanceof Error ? err.message : String(err)}`);
  }
  io.onResize((s) => attached.resize(s.height, s.width));
  let ended = false;
  if (io.stdin) {
    io.stdin.on('data', (d: Buffer) => guarded(() => !ended && attached.session.write(d)));
    io.stdin.on('end', () => guarded(() => !ended && attached.session.closeStdin()));
  }
  await Promise.race([attached.session.done, clientGone]);
  ended = true;
  attached.session.close();
  return SUCCESS;
}

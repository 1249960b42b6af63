// A client for conmon's attach socket (AF_UNIX SOCK_SEQPACKET at <bundle>/attach): each packet is one
// stream-id byte (2 stdout, 3 stderr) plus data; input is raw bytes; a half-close closes the container's
// stdin. Node's net module cannot open SEQPACKET sockets, hence node-unix-socket (loaded lazily).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface AttachStreams {
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

export interface AttachSession {
  /** Resolves when conmon closes the connection (the container exited or detached). */
  done: Promise<void>;
  /** Writes raw bytes to the container's stdin. */
  write(data: Buffer): void;
  /** Half-closes: the container sees EOF on stdin (unless conmon keeps it open). */
  closeStdin(): void;
  close(): void;
}

const SUN_PATH_MAX = 107;

let socketModule: Promise<typeof import('node-unix-socket')> | undefined;

/** Starts loading the native socket module early, so a later attach does not wait for it. */
export function preloadAttach(): void {
  socketModule ??= loadSocketModule();
}

/**
 * node-unix-socket picks its glibc or musl addon with process.report.getReport(), a full diagnostic
 * report that costs tens of milliseconds; during the import that probe is answered from the loader file.
 */
async function loadSocketModule(): Promise<typeof import('node-unix-socket')> {
  const report = process.report as unknown as { getReport: () => object };
  const original = report.getReport;
  const musl = fs.existsSync('/lib/ld-musl-x86_64.so.1') || fs.existsSync('/lib/ld-musl-aarch64.so.1');
  report.getReport = () => ({ header: musl ? {} : { glibcVersionRuntime: 'glibc' } });
  try {
    return await import('node-unix-socket');
  } finally {
    report.getReport = original;
  }
}

/** Connects to a container's attach socket; `bundle` is the directory conmon was started in. */
const CONMON_READ_SIZE = 8192;

export async function attachSocket(bundle: string, streams: AttachStreams): Promise<AttachSession> {
  preloadAttach();
  const { SeqpacketSocket } = await socketModule!;
  const target = path.join(bundle, 'attach');
  let linkDir: string | undefined;
  let connectPath = target;
  if (Buffer.byteLength(target) > SUN_PATH_MAX) {
    // sun_path holds 108 bytes; reach long bundle paths through a short symlink to the bundle.
    linkDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sk-'));
    const link = path.join(linkDir, crypto.randomBytes(3).toString('hex'));
    fs.symlinkSync(bundle, link);
    connectPath = path.join(link, 'attach');
  }
  const sock = new SeqpacketSocket();
  try {
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.connect(connectPath, () => {
        sock.off('error', reject);
        resolve();
      });
    });
  } finally {
    if (linkDir) fs.rmSync(linkDir, { recursive: true, force: true });
  }
  let stdinClosed = false;
  const done = new Promise<void>((resolve) => {
    sock.on('data', (packet: Buffer) => {
      if (packet.length < 1) return;
      const data = packet.subarray(1);
      if (packet[0] === 3) streams.stderr?.write(data);
      else streams.stdout?.write(data);
    });
    sock.on('end', () => resolve());
    sock.on('close', () => resolve());
    sock.on('error', () => resolve());
  });
  // Once conmon has closed the socket (the process exited) input has nowhere to go; the native socket
  // then throws (EBADF) on write/end, which must not reach a caller still relaying its client's stdin.
  let open = true;
  void done.then(() => (open = false));
  const attempt = (fn: () => void): void => {
    if (!open) return;
    try {
      fn();
    } catch {
      open = false;
    }
  };
  const session: AttachSession = {
    done,
    write: (data) => {
      if (stdinClosed) return;
      // conmon reads each SEQPACKET message into an 8 KiB buffer and drops the rest of a longer one.
      for (let off = 0; off < data.length; off += CONMON_READ_SIZE) attempt(() => sock.write(data.subarray(off, off + CONMON_READ_SIZE)));
    },
    closeStdin: () => {
      if (stdinClosed) return;
      stdinClosed = true;
      attempt(() => sock.end());
    },
    close: () => sock.destroy(),
  };
  if (streams.stdin) {
    streams.stdin.on('data', (d: Buffer) => session.write(d));
    streams.stdin.on('end', () => session.closeStdin());
  }
  void done.then(() => sock.destroy());
  return session;
}

/** Resizes the container's pty through conmon's ctl fifo (message type 1: rows, cols). */
export function resizePty(bundle: string, rows: number, cols: number): void {
  let fd: number;
  try {
    fd = fs.openSync(path.join(bundle, 'ctl'), fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
  } catch {
    return;
  }
  try {
    fs.writeSync(fd, `1 ${rows} ${cols}\n`);
  } catch {
    // conmon busy or gone: a lost resize is harmless, the next one corrects it.
  } finally {
    fs.closeSync(fd);
  }
}

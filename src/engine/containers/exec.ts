// Running extra processes in a running container: exec-sync (captured output, timeout) through
// `runc exec`, and streaming exec through its own conmon so clients get conmon's attach socket (stdin,
// stdout/stderr demux) and pty resize, exactly as for the container itself.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { conflict } from '../errors.js';
import { attachSocket, resizePty, type AttachSession, type AttachStreams } from './attach.js';
import { startConmon } from './conmon.js';
import type { ContainerEngine, ExecOptions } from './manager.js';

export interface ExecSyncResult {
  stdout: Buffer;
  stderr: Buffer;
  exitCode: number;
  timedOut: boolean;
}

export async function execSync(engine: ContainerEngine, ref: string, cmd: string[], timeoutMs = 0): Promise<ExecSyncResult> {
  const c = engine.get(ref);
  if (!c.State.Running) throw conflict(`container ${c.Id} is not running`);
  const argv = await engine.execArgs(c, { cmd, env: [] });
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = timeoutMs > 0
      ? setTimeout(() => {
          timedOut = true;
          // runc forwards TERM to the process; KILL only ends runc, so it comes second.
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 1000).unref();
        }, timeoutMs)
      : undefined;
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(err), exitCode: code ?? 137, timedOut });
    });
  });
}

export interface ExecSession {
  execId: string;
  pid: number;
  /** Resolves with the process's exit code once all of its output has been delivered. */
  exit: Promise<number>;
  resize(rows: number, cols: number): void;
  attach: AttachSession;
}

/** Starts a process with its own conmon; output goes to `streams` from the first byte. */
export async function execStream(engine: ContainerEngine, ref: string, o: ExecOptions & { stdin?: boolean }, streams: AttachStreams): Promise<ExecSession> {
  const c = engine.get(ref);
  if (!c.State.Running) throw conflict(`container ${c.Id} is not running`);
  const execId = crypto.randomBytes(32).toString('hex');
  const dir = path.join(engine.dir(c.Id), 'exec', execId.slice(0, 12));
  fs.mkdirSync(path.join(dir, 'exits'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'persist'), { recursive: true });
  const spec = JSON.parse(fs.readFileSync(path.join(engine.dir(c.Id), 'config.json'), 'utf8')) as { process: Record<string, unknown> };
  const process = { ...spec.process, args: o.cmd, terminal: o.tty ?? false } as Record<string, unknown>;
  const env = [...((process.env as string[]) ?? []), ...o.env, ...(o.tty ? ['TERM=xterm'] : [])];
  process.env = env;
  if (o.workdir) process.cwd = o.workdir;
  if (o.user) {
    const argv = await engine.execArgs(c, { cmd: o.cmd, env: [], user: o.user });
    const [uid, gid] = argv[argv.indexOf('--user') + 1].split(':').map(Number);
    process.user = { uid, gid };
  }
  const processFile = path.join(dir, 'process.json');
  fs.writeFileSync(processFile, JSON.stringify(process));
  let attach: AttachSession | undefined;
  const handle = await startConmon({
    cid: c.Id,
    cuuid: execId,
    name: c.Name.slice(1),
    bundle: dir,
    runcRoot: engine.runc.stateRoot,
    exitDir: path.join(dir, 'exits'),
    persistDir: path.join(dir, 'persist'),
    logPath: 'none',
    terminal: o.tty ?? false,
    stdin: o.stdin ?? false,
    execProcessSpec: processFile,
    execAttach: async () => {
      attach = await attachSocket(dir, streams);
    },
    pidFile: path.join(dir, 'pid'),
    conmonPidFile: path.join(dir, 'conmon.pid'),
  });
  const exit = (async () => {
    const code = await handle.execExit!;
    await attach!.done;
    fs.rmSync(dir, { recursive: true, force: true });
    return code;
  })();
  return { execId, pid: handle.pid, exit, resize: (rows, cols) => resizePty(dir, rows, cols), attach: attach! };
}

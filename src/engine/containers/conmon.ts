// Starting one conmon per container (or exec session). conmon double-forks, so the pid of the
// container arrives later on the sync pipe (fd 3); conmon waits for a byte on the start pipe (fd 4)
// before it runs `runc create`. See engine-internals.md §1.
import { spawn } from 'node:child_process';
import { EngineError } from '../errors.js';
import { RUNC, runcMessage } from './runc.js';

export const CONMON = '/usr/bin/conmon';

export interface ConmonOptions {
  /** The id runc knows the container by; also the exit file's name. */
  cid: string;
  /** Id for the attach socket and journald (the exec session id for execs). */
  cuuid: string;
  name: string;
  bundle: string;
  runcRoot: string;
  exitDir: string;
  persistDir: string;
  /** '' or 'none' disables logging; otherwise a k8s-file path. */
  logPath: string;
  logSizeMax?: number;
  terminal: boolean;
  stdin: boolean;
  leaveStdinOpen?: boolean;
  /** argv of the program conmon runs after the exit file is written (restart policies, --rm). */
  exitCommand?: string[];
  /** Exec sessions: the process.json to pass to `runc exec`. */
  execProcessSpec?: string;
  /**
   * Exec sessions: called once conmon's attach socket exists and before the process starts, so a
   * client attached here sees all of its output (conmon's --exec-attach handshake).
   */
  execAttach?: () => Promise<void>;
  pidFile: string;
  conmonPidFile: string;
}

export function conmonArgs(o: ConmonOptions): string[] {
  const args = ['--api-version', '1', '-c', o.cid, '-u', o.cuuid, '-r', RUNC, '-b', o.bundle, '-p', o.pidFile, '-n', o.name,
    '--exit-dir', o.exitDir, '--persist-dir', o.persistDir, '--full-attach', '--conmon-pidfile', o.conmonPidFile,
    '--runtime-arg', `--root=${o.runcRoot}`, '--log-level', 'error'];
  args.push('-l', o.logPath && o.logPath !== 'none' ? `k8s-file:${o.logPath}` : 'none');
  if (o.logSizeMax) args.push('--log-size-max', String(o.logSizeMax));
  if (o.terminal) args.push('-t');
  if (o.stdin) args.push('-i');
  if (o.leaveStdinOpen) args.push('--leave-stdin-open');
  if (o.execProcessSpec) args.push('-e', '--exec-process-spec', o.execProcessSpec);
  if (o.execAttach) args.push('--exec-attach');
  if (o.exitCommand?.length) {
    args.push('--exit-command', o.exitCommand[0]);
    for (const a of o.exitCommand.slice(1)) args.push('--exit-command-arg', a);
  }
  return args;
}

export interface ConmonHandle {
  /** The container (or exec) process pid. */
  pid: number;
  /** For execs: resolves with the exit code conmon reports on the sync pipe. */
  execExit?: Promise<number>;
}

/** A conmon that has been spawned and waits on its start pipe before it runs `runc create` (or exec). */
export interface PendingConmon {
  /** Lets conmon go on; resolves once runc create (or exec) has succeeded, with the process pid. */
  start(): Promise<ConmonHandle>;
  /** Ends a conmon that was never started: it is still one process, blocked on its start pipe. */
  cancel(): void;
}

/** Spawns conmon and resolves once runc create (or exec) has succeeded, with the process pid. */
export function startConmon(o: ConmonOptions): Promise<ConmonHandle> {
  return spawnConmon(o).start();
}

/**
 * Spawns conmon without letting it run the runtime yet, so that its start-up (exec, dynamic linking,
 * log file) overlaps with what the caller still prepares, such as the rootfs mount and config.json.
 */
export function spawnConmon(o: ConmonOptions): PendingConmon {
  let child!: ReturnType<typeof spawn>;
  let start!: NodeJS.WritableStream & { destroy(): void };
  const ready = new Promise<ConmonHandle>((resolve, reject) => {
    child = spawn(CONMON, conmonArgs(o), {
      cwd: o.bundle,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe', ...(o.execAttach ? (['pipe'] as const) : [])],
      env: {
        PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
        _OCI_SYNCPIPE: '3',
        _OCI_STARTPIPE: '4',
        ...(o.execAttach ? { _OCI_ATTACHPIPE: '5' } : {}),
      },
    });
    const sync = child.stdio[3] as NodeJS.ReadableStream & { destroy(): void };
    start = child.stdio[4] as NodeJS.WritableStream & { destroy(): void };
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout?.resume();
    let buffered = '';
    let settled = false;
    let execResolve: ((code: number) => void) | undefined;
    const execExit = o.execProcessSpec ? new Promise<number>((r) => (execResolve = r)) : undefined;
    const finish = (err?: Error, pid?: number): void => {
      if (settled) return;
      settled = true;
      if (!o.execProcessSpec) {
        sync.destroy();
        start.destroy();
        child.unref();
      }
      if (err) reject(err);
      else resolve({ pid: pid!, execExit });
    };
    sync.on('data', (d: Buffer) => {
      buffered += d.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        let msg: { data: number; message?: string };
        try {
          msg = JSON.parse(line) as { data: number; message?: string };
        } catch {
          continue;
        }
        if (!settled) {
          if (msg.data < 0) finish(new EngineError('Runtime', runcMessage(msg.message ?? '') || 'runc create failed'));
          else finish(undefined, msg.data);
        } else if (execResolve) {
          execResolve(msg.data);
          execResolve = undefined;
          sync.destroy();
          start.destroy();
          child.unref();
        }
      }
    });
    sync.on('end', () => {
      finish(new EngineError('Runtime', `conmon exited before reporting a pid: ${stderr.trim() || 'no output'}`));
      execResolve?.(-1);
    });
    sync.on('error', () => undefined);
    start.on('error', () => undefined);
    child.on('error', (e) => finish(new EngineError('Runtime', `conmon: ${e.message}`)));
    if (o.execAttach) {
      const attachPipe = (child.stdio as unknown as Array<NodeJS.ReadableStream & { destroy(): void }>)[5];
      attachPipe.once('data', () => {
        attachPipe.destroy();
        o.execAttach!().then(
          () => start.write(Buffer.from([0])),
          (err: Error) => {
            child.kill();
            finish(err);
          },
        );
      });
      attachPipe.on('error', () => undefined);
    }
  });
  // A conmon that fails before anyone starts it must not surface as an unhandled rejection.
  ready.catch(() => undefined);
  let begun = false;
  return {
    start: () => {
      if (!begun) {
        begun = true;
        start.write(Buffer.from([0]));
      }
      return ready;
    },
    cancel: () => {
      if (begun) return;
      begun = true;
      child.kill('SIGKILL');
    },
  };
}

// runc invocations the engine makes itself (conmon only ever runs `runc create`). Every call passes the
// engine root's own runc state dir so two roots never see each other's containers.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { EngineError } from '../errors.js';
import { removeTree } from '../remove-tree.js';

export const RUNC = '/usr/sbin/runc';

export interface RuncState {
  status: 'creating' | 'created' | 'running' | 'paused' | 'stopped';
  pid: number;
}

export class Runc {
  constructor(readonly stateRoot: string) {}

  private args(rest: string[]): string[] {
    return ['--root', this.stateRoot, ...rest];
  }

  /** Runs a runc command and fails with its stderr; `tolerate` lists stderr patterns that count as done. */
  async run(rest: string[], tolerate?: RegExp): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = spawn(RUNC, this.args(rest), { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('error', (e) => reject(new EngineError('Runtime', `runc: ${e.message}`)));
      child.on('close', (code) => {
        if (code === 0 || (tolerate && tolerate.test(err))) resolve(out);
        else reject(new EngineError('Runtime', runcMessage(err) || `runc ${rest[0]} exited with ${code}`));
      });
    });
  }

  state(id: string): RuncState | undefined {
    const r = spawnSync(RUNC, this.args(['state', id]), { encoding: 'utf8' });
    if (r.status !== 0) return undefined;
    const s = JSON.parse(r.stdout) as { status: RuncState['status']; pid: number };
    return { status: s.status, pid: s.pid };
  }

  /**
   * What `runc start` does (runc v1.1 libcontainer `exec()`), done in-process because a runc spawn is a
   * large share of a short `run --rm`: after `runc create` the container's init blocks opening its end
   * of `<state>/exec.fifo` for writing; opening the read end lets it write one byte and exec the user
   * process, and removing the fifo is what makes runc report the container as running.
   */
  async start(id: string, initPid: number): Promise<void> {
    const fifo = path.join(this.stateRoot, id, 'exec.fifo');
    if (!fs.existsSync(fifo)) throw new EngineError('Runtime', `cannot start container ${id}: it is not in the created state`);
    // The open blocks (in libuv's thread pool) until the init opens the write end. If the init has died
    // it never will: then our own non-blocking writer releases the open and the read sees no byte.
    const watch = setInterval(() => {
      if (processAlive(initPid)) return;
      try {
        fs.closeSync(fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK));
      } catch {
        // ENXIO: the reader is not blocked in open yet; the next tick retries.
      }
    }, 100);
    let byte = 0;
    try {
      // The callback API: fs.promises would load a dozen more internal modules on every CLI start.
      const fd = await new Promise<number>((resolve, reject) => fs.open(fifo, fs.constants.O_RDONLY, (err, n) => (err ? reject(err) : resolve(n))));
      try {
        byte = await new Promise<number>((resolve, reject) => fs.read(fd, Buffer.alloc(1), 0, 1, null, (err, n) => (err ? reject(err) : resolve(n))));
      } finally {
        fs.closeSync(fd);
      }
    } finally {
      clearInterval(watch);
    }
    if (!byte) throw new EngineError('Runtime', 'container process is already dead');
    removeTree(fifo);
  }

  kill(id: string, signal: string, all = false): Promise<string> {
    return this.run(['kill', ...(all ? ['--all'] : []), id, signal], /not running|does not exist|process already finished|container not running/);
  }

  delete(id: string): Promise<string> {
    return this.run(['delete', '--force', id], /does not exist|not exist/);
  }

  pause(id: string): Promise<string> {
    return this.run(['pause', id]);
  }

  resume(id: string): Promise<string> {
    return this.run(['resume', id]);
  }

  update(id: string, resourcesJson: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = spawn(RUNC, this.args(['update', '--resources', '-', id]), { stdio: ['pipe', 'pipe', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve('') : reject(new EngineError('Runtime', runcMessage(err)))));
      child.stdin.end(resourcesJson);
    });
  }

  /** `runc ps` pids (host view) of the container's processes. */
  async pids(id: string): Promise<number[]> {
    const out = await this.run(['ps', '--format', 'json', id]);
    return (JSON.parse(out || '[]') as number[] | null) ?? [];
  }
}

/** Whether a process exists and has not exited (a zombie waiting to be reaped counts as gone). */
export function processAlive(pid: number): boolean {
  if (!pid) return false;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** runc's stderr is logrus text (`time=… level=error msg="…"`); users want the msg. */
export function runcMessage(stderr: string): string {
  const msgs = [...stderr.matchAll(/msg="((?:[^"\\]|\\.)*)"/g)].map((m) => m[1].replace(/\\"/g, '"').replace(/\\n/g, '\n'));
  return (msgs.length ? msgs.join('; ') : stderr).trim();
}

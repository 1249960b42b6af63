// runc invocations the engine makes itself (conmon only ever runs `runc create`). Every call passes the
// engine root's own runc state dir so two roots never see each other's containers.
import { spawn, spawnSync } from 'node:child_process';
import { EngineError } from '../errors.js';

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

  start(id: string): Promise<string> {
    return this.run(['start', id]);
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

/** runc's stderr is logrus text (`time=… level=error msg="…"`); users want the msg. */
export function runcMessage(stderr: string): string {
  const msgs = [...stderr.matchAll(/msg="((?:[^"\\]|\\.)*)"/g)].map((m) => m[1].replace(/\\"/g, '"').replace(/\\n/g, '\n'));
  return (msgs.length ? msgs.join('; ') : stderr).trim();
}

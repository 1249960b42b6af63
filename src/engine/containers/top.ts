// docker top: the host's `ps` (default -ef, as docker runs it) cut to the container's processes.
import { execFileSync } from 'node:child_process';
import type { Engine } from '../engine.js';
import { conflict, EngineError } from '../errors.js';

export interface TopResult {
  /** ps's header line and the container's lines, as ps printed them (what `docker top` shows). */
  lines: string[];
  /** The same split into columns (the Engine API's Titles and Processes). */
  titles: string[];
  processes: string[][];
}

export async function containerTop(engine: Engine, ref: string, psArgs: string[] = []): Promise<TopResult> {
  const c = engine.containers.get(ref);
  if (!c.State.Running) throw conflict(`container ${c.Id} is not running`);
  const pids = new Set(await engine.containers.runc.pids(c.Id));
  let out: string[];
  try {
    out = execFileSync('ps', psArgs.length ? psArgs : ['-ef'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n').filter(Boolean);
  } catch (err) {
    const stderr = String((err as { stderr?: unknown }).stderr ?? '').trim();
    throw new EngineError('Runtime', `Error running ps: ${stderr || (err as Error).message}`);
  }
  const titles = (out[0] ?? '').trim().split(/\s+/);
  const pidCol = titles.indexOf('PID');
  if (pidCol < 0) throw new EngineError('Runtime', `Couldn't find PID field in ps output`);
  const rows = out.slice(1).map((line) => {
    const f = line.trim().split(/\s+/);
    // The last column (the command) may contain spaces.
    return { line, columns: [...f.slice(0, titles.length - 1), f.slice(titles.length - 1).join(' ')] };
  });
  const mine = rows.filter((r) => pids.has(Number(r.columns[pidCol])));
  return { lines: [out[0], ...mine.map((r) => r.line)], titles, processes: mine.map((r) => r.columns) };
}

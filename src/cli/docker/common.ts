// What every docker verb shares: opening the engine for --root, docker's error shape and exit codes,
// and docker's human-readable durations, sizes and tab-aligned tables.
import { spawnSync } from 'node:child_process';
import type { Engine } from '../../engine/index.js';
import type { GlobalOptions } from '../command.js';
import { compile, isTable } from './template.js';

/** An error the CLI prints as is, exiting with `code` (docker's 1 for most verbs, 125 for run/create). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** argv that re-enters this CLI (for conmon's exit command), whether running from dist/ or from sources. */
export function selfCommand(): string[] {
  return [process.execPath, ...process.execArgv.filter((a) => !a.startsWith('--inspect')), process.argv[1]];
}

export async function openEngine(globals: GlobalOptions): Promise<Engine> {
  const { Engine } = await import('../../engine/index.js');
  const { EngineNetworks } = await import('../../engine/networks/index.js');
  return new Engine({
    root: globals.root,
    networkProvider: new EngineNetworks(globals.root),
    // conmon runs this with its cwd in the container dir, which the cleanup may delete: start from /.
    cleanupCommand: (id) => ['/usr/bin/env', '-C', '/', ...selfCommand(), '--root', globals.root, 'container', 'cleanup', id],
  });
}

/**
 * Runs fn with an open engine. The connection is never closed: every verb exits right after, without
 * the close that would checkpoint the WAL (src/cli/main.ts).
 */
export async function withEngine<T>(globals: GlobalOptions, fn: (engine: Engine) => Promise<T>): Promise<T> {
  return fn(await openEngine(globals));
}

function precise(n: number, digits: number): string {
  return String(Number(n.toPrecision(digits)));
}

/** Go-units HumanSizeWithPrecision: decimal units (kB, MB, GB), as docker images and ps -s print. */
export function humanSize(bytes: number, digits = 3): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${precise(v, digits)}${units[i]}`;
}

/** Go-units BytesSize: binary units (KiB, MiB, GiB), as docker stats prints memory. */
export function bytesSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${precise(v, 4)}${units[i]}`;
}

/** Go-units RAMInBytes: "64m", "1g", "512k", "100" (bytes). */
export function parseMemory(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([bkmgtp])?b?$/i.exec(value.trim());
  if (!m) throw new CliError(`invalid size: '${value}'`, 125);
  const mult: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };
  return Math.round(Number(m[1]) * mult[(m[2] ?? 'b').toLowerCase()]);
}

/** Rows aligned like Go's tabwriter with docker's padding of 3 (cells split on \t). */
export function tabular(lines: string[]): string {
  const rows = lines.map((l) => l.split('\t'));
  const widths: number[] = [];
  for (const r of rows) r.forEach((cell, i) => i < r.length - 1 && (widths[i] = Math.max(widths[i] ?? 0, [...cell].length)));
  return rows.map((r) => r.map((cell, i) => (i < r.length - 1 ? cell + ' '.repeat(widths[i] - [...cell].length + 3) : cell)).join('').trimEnd() + '\n').join('');
}

/**
 * Renders items with a docker --format value: `table …` gets a header from `headers` and tab alignment,
 * `json` prints each item as JSON, anything else is a Go template per item.
 */
export function renderFormat(format: string, headers: Record<string, string>, items: object[]): string {
  if (format === 'json') return items.map((i) => JSON.stringify(i) + '\n').join('');
  if (isTable(format)) {
    const tpl = compile(format.slice('table'.length).trim().replace(/\\t/g, '\t'));
    const lines = [tpl.execute(headers), ...items.map((i) => tpl.execute(i))];
    return tabular(lines);
  }
  const tpl = compile(format.replace(/\\t/g, '\t').replace(/\\n/g, '\n'));
  return items.map((i) => tpl.execute(i) + '\n').join('');
}

export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

/** docker's CheckTty: a TTY session fed from stdin needs a terminal there, or it could never end. */
export function checkTty(attachStdin: boolean, tty: boolean): void {
  if (attachStdin && tty && !process.stdin.isTTY) throw new CliError('the input device is not a TTY', 1);
}

/**
 * Puts the terminal on stdin in docker's raw mode and returns the undo. libuv's raw mode keeps output
 * post-processing (\n → \r\n), which would double the \r the container's own pty already adds.
 */
export function makeRaw(): () => void {
  process.stdin.setRawMode(true);
  spawnSync('stty', ['-opost'], { stdio: ['inherit', 'ignore', 'ignore'] });
  return () => {
    spawnSync('stty', ['opost'], { stdio: ['inherit', 'ignore', 'ignore'] });
    process.stdin.setRawMode(false);
  };
}

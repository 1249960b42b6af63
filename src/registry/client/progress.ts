// Docker's pull/push status display. On a terminal each layer keeps one line that is rewritten in place
// (with a progress bar while bytes move); otherwise every status change is printed as its own line and
// byte-level progress is left out, as the docker CLI does when its output is not a tty.
import type { Writable } from 'node:stream';

export interface ProgressOutput {
  /** A status for one layer id (`a3ed95caeb02: Pull complete`). */
  status(id: string, text: string): void;
  /** Bytes moved for one layer; shown only on a terminal. */
  progress(id: string, action: string, current: number, total: number): void;
  /** A line that belongs to no layer (`Digest: …`). */
  line(text: string): void;
}

function human(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  // Go-units HumanSize: four significant digits, as docker's progress bars show sizes.
  return `${Number(n.toPrecision(4))}${units[i]}`;
}

function bar(current: number, total: number): string {
  const width = 50;
  const filled = total > 0 ? Math.min(width, Math.floor((current / total) * width)) : 0;
  const arrow = filled < width ? '>' : '';
  return `[${'='.repeat(Math.max(0, filled - (arrow ? 1 : 0)))}${arrow}${' '.repeat(width - filled)}] ${human(current)}/${human(total)}`;
}

export function createProgress(stream: Writable & { isTTY?: boolean }): ProgressOutput {
  if (!stream.isTTY) {
    return {
      status: (id, text) => stream.write(`${id}: ${text}\n`),
      progress: () => undefined,
      line: (text) => stream.write(`${text}\n`),
    };
  }
  const order: string[] = [];
  const render = (id: string, text: string): void => {
    const index = order.indexOf(id);
    if (index < 0) {
      order.push(id);
      stream.write(`${id}: ${text}\n`);
      return;
    }
    const up = order.length - index;
    stream.write(`\x1b[${up}A\r\x1b[2K${id}: ${text}\r\x1b[${up}B`);
  };
  let lastDraw = 0;
  return {
    status: render,
    progress: (id, action, current, total) => {
      const now = Date.now();
      if (current < total && now - lastDraw < 100) return;
      lastDraw = now;
      render(id, `${action} ${bar(current, total)}`);
    },
    line: (text) => stream.write(`${text}\n`),
  };
}

/** For -q: nothing is shown. */
export const silentProgress: ProgressOutput = { status: () => undefined, progress: () => undefined, line: () => undefined };

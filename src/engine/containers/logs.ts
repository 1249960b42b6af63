// `docker logs` on top of conmon's k8s-file (CRI) log: records are `<time> <stream> <P|F> <msg>`, P
// pieces are joined up to the next F of the same stream, then tail/since/until apply as in moby's
// daemon/logs.go. Times stay nanosecond BigInts: JS Date would drop everything below a millisecond.
import fs from 'node:fs';
import { invalid } from '../errors.js';

export interface LogMessage {
  timeNano: bigint;
  stream: 'stdout' | 'stderr';
  /** The message bytes, ending in \n unless the stream ended mid-line. */
  data: Buffer;
}

export interface LogOptions {
  /** Number of last messages, or undefined for all. */
  tail?: number;
  sinceNano?: bigint;
  untilNano?: bigint;
  follow?: boolean;
  /** Asked while following: false ends the follow once the file has no more data. */
  isRunning?: () => boolean;
  signal?: AbortSignal;
}

/** Parses `2026-11-23T15:02:02.963425124+00:00` (or …Z) into nanoseconds since the epoch. */
export function parseTimeNano(text: string): bigint {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(text);
  if (!m) throw invalid(`invalid timestamp ${JSON.stringify(text)}`);
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) throw invalid(`invalid timestamp ${JSON.stringify(text)}`);
  return BigInt(ms) * 1000000n + BigInt((m[2] ?? '').padEnd(9, '0') || '0');
}

/** docker's fixed-width RFC3339 with 9 fraction digits in UTC, as `logs -t` prints it. */
export function formatTimeNano(nano: bigint): string {
  const ms = Number(nano / 1000000n);
  const frac = (nano % 1000000000n).toString().padStart(9, '0');
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, `.${frac}Z`);
}

/** Docker's --since/--until: RFC3339 dates, date-only, unix seconds[.nanos], or a duration before now. */
export function parseTimeArg(value: string, nowMs = Date.now()): bigint {
  if (/^\d+(\.\d{1,9})?$/.test(value)) {
    const [s, f = ''] = value.split('.');
    return BigInt(s) * 1000000000n + BigInt(f.padEnd(9, '0') || '0');
  }
  const dur = /^((?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+)$/.exec(value);
  if (dur) {
    let ms = 0;
    const units: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000 };
    for (const part of value.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(part[1]) * units[part[2]];
    return BigInt(Math.round(nowMs - ms)) * 1000000n;
  }
  if (/^\d{4}-\d\d-\d\d$/.test(value)) return BigInt(Date.parse(`${value}T00:00:00Z`)) * 1000000n;
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(value)) return BigInt(Date.parse(value)) * 1000000n;
  try {
    return parseTimeNano(value.replace(/(T\d\d:\d\d)(Z|[+-])/, '$1:00$2'));
  } catch {
    throw invalid(`invalid value for "since"/"until": ${value}: expected a timestamp, unix seconds or a duration`);
  }
}

interface Pending {
  timeNano: bigint;
  parts: Buffer[];
}

/** Turns k8s-file records into messages, joining P pieces; keeps state across chunks while following. */
export class K8sLogDecoder {
  private pending: Record<string, Pending | undefined> = {};
  private rest = Buffer.alloc(0);

  push(chunk: Buffer): LogMessage[] {
    const buf = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    const out: LogMessage[] = [];
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(10, start);
      if (nl < 0) break;
      const msg = this.record(buf.subarray(start, nl));
      if (msg) out.push(msg);
      start = nl + 1;
    }
    this.rest = Buffer.from(buf.subarray(start));
    return out;
  }

  private record(line: Buffer): LogMessage | undefined {
    const s1 = line.indexOf(32);
    const s2 = line.indexOf(32, s1 + 1);
    const s3 = line.indexOf(32, s2 + 1);
    if (s1 < 0 || s2 < 0) return undefined;
    const stream = line.subarray(s1 + 1, s2).toString();
    if (stream !== 'stdout' && stream !== 'stderr') return undefined;
    let timeNano: bigint;
    try {
      timeNano = parseTimeNano(line.subarray(0, s1).toString());
    } catch {
      return undefined;
    }
    const tag = s3 < 0 ? line.subarray(s2 + 1).toString() : line.subarray(s2 + 1, s3).toString();
    const data = s3 < 0 ? Buffer.alloc(0) : line.subarray(s3 + 1);
    const pending = this.pending[stream];
    if (tag.startsWith('P')) {
      if (pending) pending.parts.push(Buffer.from(data));
      else this.pending[stream] = { timeNano, parts: [Buffer.from(data)] };
      return undefined;
    }
    this.pending[stream] = undefined;
    const parts = pending ? [...pending.parts, data, Buffer.from('\n')] : [data, Buffer.from('\n')];
    return { timeNano: pending?.timeNano ?? timeNano, stream, data: Buffer.concat(parts) };
  }

  /** Messages still waiting for their F record (the container ended mid-line). */
  flush(): LogMessage[] {
    const out: LogMessage[] = [];
    for (const [stream, p] of Object.entries(this.pending)) {
      if (p) out.push({ timeNano: p.timeNano, stream: stream as LogMessage['stream'], data: Buffer.concat(p.parts) });
    }
    this.pending = {};
    return out.sort((a, b) => (a.timeNano < b.timeNano ? -1 : 1));
  }
}

/** Applies docker's history rules: tail first, then since (until the first match) and until. */
export function selectHistory(messages: LogMessage[], o: LogOptions): LogMessage[] {
  let list = o.tail === undefined ? messages : o.tail <= 0 ? [] : messages.slice(-o.tail);
  if (o.sinceNano !== undefined) {
    const first = list.findIndex((m) => m.timeNano >= o.sinceNano!);
    list = first < 0 ? [] : list.slice(first);
  }
  if (o.untilNano !== undefined) {
    const stop = list.findIndex((m) => m.timeNano > o.untilNano!);
    if (stop >= 0) list = list.slice(0, stop);
  }
  return list;
}

/** Reads a container's log, calling emit for each message; with follow, keeps going until it stops. */
export async function readLogs(file: string, o: LogOptions, emit: (m: LogMessage) => void): Promise<void> {
  const decoder = new K8sLogDecoder();
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch {
    data = Buffer.alloc(0);
  }
  let offset = data.length;
  const history = decoder.push(data);
  if (!o.follow) history.push(...decoder.flush());
  for (const m of selectHistory(history, o)) emit(m);
  if (!o.follow) return;
  const pastUntil = (m: LogMessage): boolean => o.untilNano !== undefined && m.timeNano > o.untilNano;
  for (;;) {
    if (o.signal?.aborted) return;
    const running = o.isRunning ? o.isRunning() : false;
    let size = 0;
    try {
      size = fs.statSync(file).size;
    } catch {
      size = 0;
    }
    if (size < offset) offset = 0;
    if (size > offset) {
      const fd = fs.openSync(file, 'r');
      const chunk = Buffer.alloc(size - offset);
      fs.readSync(fd, chunk, 0, chunk.length, offset);
      fs.closeSync(fd);
      offset = size;
      for (const m of decoder.push(chunk)) {
        if (pastUntil(m)) return;
        if (o.sinceNano === undefined || m.timeNano >= o.sinceNano) emit(m);
      }
      continue;
    }
    if (!running) {
      for (const m of decoder.flush()) emit(m);
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

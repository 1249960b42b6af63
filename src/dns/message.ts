// DNS wire format (RFC 1035) — only what a cluster DNS server needs: parse a query, build an answer.

export const TYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, TXT: 16, AAAA: 28, SRV: 33, ANY: 255 } as const;
export const CLASS_IN = 1;
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

export interface Question {
  name: string;
  type: number;
  class: number;
}

export interface Query {
  id: number;
  flags: number;
  questions: Question[];
}

export type RecordData =
  | { type: typeof TYPE.A; address: string }
  | { type: typeof TYPE.AAAA; address: string }
  | { type: typeof TYPE.CNAME; target: string }
  | { type: typeof TYPE.PTR; target: string }
  | { type: typeof TYPE.SRV; priority: number; weight: number; port: number; target: string }
  | { type: typeof TYPE.SOA; mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number };

export type ResourceRecord = RecordData & { name: string; ttl: number };

export class DnsFormatError extends Error {}

function readName(buf: Buffer, start: number): { name: string; next: number } {
  const labels: string[] = [];
  let offset = start;
  let next = -1;
  for (let jumps = 0; jumps < 64; jumps++) {
    if (offset >= buf.length) throw new DnsFormatError('name runs past the message');
    const len = buf[offset];
    if (len === 0) {
      if (next < 0) next = offset + 1;
      return { name: labels.join('.'), next };
    }
    if ((len & 0xc0) === 0xc0) {
      if (offset + 1 >= buf.length) throw new DnsFormatError('truncated name pointer');
      if (next < 0) next = offset + 2;
      offset = ((len & 0x3f) << 8) | buf[offset + 1];
      continue;
    }
    if (offset + 1 + len > buf.length) throw new DnsFormatError('label runs past the message');
    labels.push(buf.toString('latin1', offset + 1, offset + 1 + len));
    offset += 1 + len;
  }
  throw new DnsFormatError('too many name compression jumps');
}

export function parseQuery(buf: Buffer): Query {
  if (buf.length < 12) throw new DnsFormatError('message shorter than a header');
  const id = buf.readUInt16BE(0);
  const flags = buf.readUInt16BE(2);
  const qdcount = buf.readUInt16BE(4);
  const questions: Question[] = [];
  let offset = 12;
  for (let i = 0; i < qdcount; i++) {
    const { name, next } = readName(buf, offset);
    if (next + 4 > buf.length) throw new DnsFormatError('truncated question');
    questions.push({ name: name.toLowerCase(), type: buf.readUInt16BE(next), class: buf.readUInt16BE(next + 2) });
    offset = next + 4;
  }
  return { id, flags, questions };
}

/** Writes names with compression against names already in the message. */
class Writer {
  private chunks: Buffer[] = [];
  private length = 0;
  private names = new Map<string, number>();

  bytes(b: Buffer): void {
    this.chunks.push(b);
    this.length += b.length;
  }
  u16(v: number): void {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(v);
    this.bytes(b);
  }
  u32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v >>> 0);
    this.bytes(b);
  }
  get offset(): number {
    return this.length;
  }
  name(name: string): void {
    const labels = name.replace(/\.$/, '').split('.').filter(Boolean);
    for (let i = 0; i < labels.length; i++) {
      const suffix = labels.slice(i).join('.').toLowerCase();
      const known = this.names.get(suffix);
      if (known !== undefined) {
        this.u16(0xc000 | known);
        return;
      }
      if (this.offset < 0x3fff) this.names.set(suffix, this.offset);
      const label = Buffer.from(labels[i], 'latin1');
      if (label.length > 63) throw new DnsFormatError(`label too long: ${labels[i]}`);
      this.bytes(Buffer.from([label.length]));
      this.bytes(label);
    }
    this.bytes(Buffer.from([0]));
  }
  patchU16(at: number, v: number): void {
    const whole = this.finish();
    whole.writeUInt16BE(v, at);
    this.chunks = [whole];
  }
  finish(): Buffer {
    return Buffer.concat(this.chunks, this.length);
  }
}

function ipv4(address: string): Buffer {
  return Buffer.from(address.split('.').map((n) => Number(n)));
}

function ipv6(address: string): Buffer {
  const [head, tail] = address.includes('::') ? address.split('::') : [address, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(parseInt(g || '0', 16), i * 2));
  return b;
}

function writeRecord(w: Writer, rr: ResourceRecord): void {
  w.name(rr.name);
  w.u16(rr.type);
  w.u16(CLASS_IN);
  w.u32(rr.ttl);
  const lengthAt = w.offset;
  w.u16(0);
  const start = w.offset;
  switch (rr.type) {
    case TYPE.A:
      w.bytes(ipv4(rr.address));
      break;
    case TYPE.AAAA:
      w.bytes(ipv6(rr.address));
      break;
    case TYPE.CNAME:
    case TYPE.PTR:
      w.name(rr.target);
      break;
    case TYPE.SRV:
      w.u16(rr.priority);
      w.u16(rr.weight);
      w.u16(rr.port);
      w.name(rr.target);
      break;
    case TYPE.SOA:
      w.name(rr.mname);
      w.name(rr.rname);
      for (const v of [rr.serial, rr.refresh, rr.retry, rr.expire, rr.minimum]) w.u32(v);
      break;
  }
  w.patchU16(lengthAt, w.offset - start);
}

export interface Response {
  rcode: number;
  authoritative: boolean;
  answers: ResourceRecord[];
  authority?: ResourceRecord[];
  additional?: ResourceRecord[];
}

export function buildResponse(query: Query, response: Response): Buffer {
  const w = new Writer();
  w.u16(query.id);
  const rd = query.flags & 0x0100;
  w.u16(0x8000 | (response.authoritative ? 0x0400 : 0) | rd | 0x0080 | (response.rcode & 0xf));
  w.u16(query.questions.length);
  w.u16(response.answers.length);
  w.u16(response.authority?.length ?? 0);
  w.u16(response.additional?.length ?? 0);
  for (const q of query.questions) {
    w.name(q.name);
    w.u16(q.type);
    w.u16(q.class);
  }
  for (const rr of [...response.answers, ...(response.authority ?? []), ...(response.additional ?? [])]) writeRecord(w, rr);
  return w.finish();
}

/** Marks a UDP answer that did not fit 512 bytes as truncated, keeping only the header and question. */
export function truncate(query: Query): Buffer {
  const w = new Writer();
  w.u16(query.id);
  w.u16(0x8000 | 0x0400 | 0x0200 | (query.flags & 0x0100) | 0x0080);
  w.u16(query.questions.length);
  w.u16(0);
  w.u16(0);
  w.u16(0);
  for (const q of query.questions) {
    w.name(q.name);
    w.u16(q.type);
    w.u16(q.class);
  }
  return w.finish();
}

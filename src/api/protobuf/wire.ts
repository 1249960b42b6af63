// The protobuf wire format (varints, length-delimited fields, fixed 64-bit): just enough to read
// Kubernetes' gogo-protobuf objects and to write gnostic's OpenAPI v2 document.

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_FIXED32 = 5;

export class ProtoError extends Error {}

export class ProtoReader {
  private pos = 0;

  constructor(private readonly buf: Uint8Array) {}

  done(): boolean {
    return this.pos >= this.buf.length;
  }

  /** The next field's number and wire type. */
  tag(): { field: number; wire: number } {
    const key = this.varint();
    const wire = Number(key & 7n);
    const field = Number(key >> 3n);
    if (field === 0) throw new ProtoError('invalid field number 0');
    return { field, wire };
  }

  /** An unsigned 64-bit varint. */
  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.pos >= this.buf.length) throw new ProtoError('unexpected end of varint');
      const byte = this.buf[this.pos++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return result & 0xffffffffffffffffn;
    }
    throw new ProtoError('varint too long');
  }

  bytes(): Uint8Array {
    const length = Number(this.varint());
    if (this.pos + length > this.buf.length) throw new ProtoError('length-delimited field runs past the end');
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  fixed64(): Uint8Array {
    if (this.pos + 8 > this.buf.length) throw new ProtoError('unexpected end of fixed64');
    const out = this.buf.subarray(this.pos, this.pos + 8);
    this.pos += 8;
    return out;
  }

  skip(wire: number): void {
    if (wire === WIRE_VARINT) this.varint();
    else if (wire === WIRE_FIXED64) this.fixed64();
    else if (wire === WIRE_BYTES) this.bytes();
    else if (wire === WIRE_FIXED32) {
      if (this.pos + 4 > this.buf.length) throw new ProtoError('unexpected end of fixed32');
      this.pos += 4;
    } else throw new ProtoError(`unsupported wire type ${wire}`);
  }
}

/** A signed 64-bit integer from a varint, as a JS number (Kubernetes' int64s fit in 2^53). */
export function toInt64(value: bigint): number {
  return Number(BigInt.asIntN(64, value));
}

export function toInt32(value: bigint): number {
  return Number(BigInt.asIntN(32, value));
}

export class ProtoWriter {
  private readonly parts: Uint8Array[] = [];

  private rawVarint(value: bigint): void {
    const bytes: number[] = [];
    let v = BigInt.asUintN(64, value);
    while (v >= 0x80n) {
      bytes.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    bytes.push(Number(v));
    this.parts.push(Uint8Array.from(bytes));
  }

  private key(field: number, wire: number): void {
    this.rawVarint(BigInt((field << 3) | wire));
  }

  varint(field: number, value: number | bigint | boolean): this {
    this.key(field, WIRE_VARINT);
    this.rawVarint(typeof value === 'boolean' ? (value ? 1n : 0n) : BigInt(value));
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.key(field, WIRE_BYTES);
    this.rawVarint(BigInt(value.length));
    this.parts.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, Buffer.from(value, 'utf8'));
  }

  double(field: number, value: number): this {
    this.key(field, WIRE_FIXED64);
    const b = Buffer.alloc(8);
    b.writeDoubleLE(value);
    this.parts.push(b);
    return this;
  }

  message(field: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  finish(): Buffer {
    return Buffer.concat(this.parts);
  }
}

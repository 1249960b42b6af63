// resource.Quantity (k8s.io/apimachinery/pkg/api/resource): "100m", "1.5Gi", "2e3". Values are kept
// exactly in nano units (kube's finest precision; finer input rounds away from zero) and print in
// kube's canonical form, so "1000m" reads back as "1" and "1536Mi" as "1536Mi".

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export const QUANTITY_FORMAT_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
export const QUANTITY_NUMERIC_ERROR = 'unable to parse numeric part of quantity';
export const QUANTITY_SUFFIX_ERROR = "unable to parse quantity's suffix";

export class QuantityError extends Error {
  override name = 'QuantityError';
}

const NANO = 1_000_000_000n;
const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const SUFFIX_CHARS = 'eEinumkKMGTP';

const abs = (v: bigint): bigint => (v < 0n ? -v : v);

/** Division rounding away from zero, as kube rounds quantities "up" to nano precision. */
function divAway(n: bigint, d: bigint): bigint {
  const q = n / d;
  return n % d === 0n ? q : n < 0n ? q - 1n : q + 1n;
}

function removeFactors(value: bigint, base: bigint): [bigint, number] {
  let times = 0;
  while (value !== 0n && value % base === 0n) {
    value /= base;
    times++;
  }
  return [value, times];
}

export class Quantity {
  private constructor(
    /** The value times 10^9. */
    readonly nanos: bigint,
    readonly format: QuantityFormat,
  ) {}

  static parse(text: string): Quantity {
    if (text.length === 0) throw new QuantityError(QUANTITY_FORMAT_ERROR);
    let pos = 0;
    let negative = false;
    if (text[0] === '-' || text[0] === '+') {
      negative = text[0] === '-';
      pos++;
    }
    const digits = (from: number): number => {
      let i = from;
      while (i < text.length && text[i]! >= '0' && text[i]! <= '9') i++;
      return i;
    };
    const numEnd = digits(pos);
    let whole = text.slice(pos, numEnd);
    let fraction = '';
    pos = numEnd;
    if (text[pos] === '.') {
      const fracEnd = digits(pos + 1);
      fraction = text.slice(pos + 1, fracEnd);
      pos = fracEnd;
    }
    const suffixStart = pos;
    while (pos < text.length && SUFFIX_CHARS.includes(text[pos]!)) pos++;
    if (text[pos] === '-' || text[pos] === '+') pos++;
    if (digits(pos) !== text.length) throw new QuantityError(QUANTITY_FORMAT_ERROR);
    const suffix = text.slice(suffixStart);
    if (whole === '' && fraction === '') throw new QuantityError(QUANTITY_NUMERIC_ERROR);
    whole ||= '0';

    let format: QuantityFormat;
    let multiplier: bigint;
    let divisor = 10n ** BigInt(fraction.length);
    if (suffix in BINARY_SUFFIXES) {
      format = 'BinarySI';
      multiplier = 2n ** BigInt(BINARY_SUFFIXES[suffix]!);
    } else if (suffix in DECIMAL_SUFFIXES) {
      format = 'DecimalSI';
      const e = DECIMAL_SUFFIXES[suffix]!;
      multiplier = e >= 0 ? 10n ** BigInt(e) : 1n;
      if (e < 0) divisor *= 10n ** BigInt(-e);
    } else if (/^[eE][-+]?\d+$/.test(suffix)) {
      format = 'DecimalExponent';
      const e = Number(suffix.slice(1));
      if (Math.abs(e) > 1000) throw new QuantityError(QUANTITY_SUFFIX_ERROR);
      multiplier = e >= 0 ? 10n ** BigInt(e) : 1n;
      if (e < 0) divisor *= 10n ** BigInt(-e);
    } else {
      throw new QuantityError(QUANTITY_SUFFIX_ERROR);
    }
    const mantissa = BigInt(whole + fraction) * (negative ? -1n : 1n);
    return new Quantity(divAway(mantissa * multiplier * NANO, divisor), format);
  }

  static fromMilli(milli: number | bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(BigInt(milli) * 1_000_000n, format);
  }

  isZero(): boolean {
    return this.nanos === 0n;
  }

  /** -1, 0 or 1. */
  cmp(other: Quantity): number {
    return this.nanos < other.nanos ? -1 : this.nanos > other.nanos ? 1 : 0;
  }

  add(other: Quantity): Quantity {
    return new Quantity(this.nanos + other.nanos, this.format);
  }

  /** RoundUp(-3): kube keeps resource lists at milli precision, rounding finer values away from zero. */
  roundUpToMilli(): Quantity {
    return new Quantity(divAway(this.nanos, 1_000_000n) * 1_000_000n, this.format);
  }

  /** Value(): whole units, rounded away from zero ("100m" → 1). */
  value(): number {
    return Number(divAway(this.nanos, NANO));
  }

  /** MilliValue(): thousandths, rounded away from zero ("0.5" → 500, "1Ki" → 1024000). */
  milliValue(): number {
    return Number(divAway(this.nanos, 1_000_000n));
  }

  toString(): string {
    if (this.nanos === 0n) return '0';
    let format = this.format;
    if (format === 'BinarySI' && (abs(this.nanos) < 1024n * NANO || this.nanos % NANO !== 0n)) {
      // Small or fractional binary values would need rounding in base 1024: kube shows them in decimal.
      format = 'DecimalSI';
    }
    if (format === 'BinarySI') {
      const [amount, times] = removeFactors(this.nanos / NANO, 1024n);
      const exponent = Math.min(times, 6);
      const scaled = amount * 1024n ** BigInt(times - exponent);
      return `${scaled}${Object.keys(BINARY_SUFFIXES)[exponent - 1] ?? ''}`;
    }
    let [amount, exponent] = removeFactors(this.nanos, 10n);
    exponent -= 9;
    // Keep the exponent a multiple of three so it maps onto an SI suffix.
    const rem = ((exponent % 3) + 3) % 3;
    amount *= 10n ** BigInt(rem);
    exponent -= rem;
    if (format === 'DecimalExponent') return exponent === 0 ? `${amount}` : `${amount}e${exponent}`;
    if (exponent > 18) {
      amount *= 10n ** BigInt(exponent - 18);
      exponent = 18;
    }
    const suffix = Object.entries(DECIMAL_SUFFIXES).find(([, e]) => e === exponent)![0];
    return `${amount}${suffix}`;
  }

  toJSON(): string {
    return this.toString();
  }
}

export function parseQuantity(text: string): Quantity {
  return Quantity.parse(text);
}

/** Quantities arrive from JSON as strings or plain numbers (`cpu: 2`); both are accepted. */
export function quantityOf(value: unknown): Quantity {
  if (typeof value === 'number') return Quantity.parse(String(value));
  if (typeof value === 'string') return Quantity.parse(value);
  throw new QuantityError(QUANTITY_FORMAT_ERROR);
}

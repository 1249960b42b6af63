// JSON forms of metav1.Time (RFC 3339, seconds), metav1.MicroTime (RFC 3339, microseconds) and
// metav1.Duration (Go's time.Duration.String(), e.g. "1h0m0s"), which protobuf carries as numbers.

export function formatTime(seconds: number, nanos: number, micro: boolean): string {
  const iso = new Date(seconds * 1000).toISOString().slice(0, 19);
  if (!micro) return `${iso}Z`;
  return `${iso}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z`;
}

export function parseTime(text: string): { seconds: number; nanos: number } {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) return { seconds: 0, nanos: 0 };
  const fraction = /\.(\d+)/.exec(text)?.[1] ?? '';
  return { seconds: Math.floor(ms / 1000), nanos: Number(fraction.padEnd(9, '0').slice(0, 9)) };
}

const NS = { h: 3_600_000_000_000n, m: 60_000_000_000n, s: 1_000_000_000n, ms: 1_000_000n, us: 1_000n };

/** `n / unit` with the fraction's trailing zeros trimmed, as Go prints durations. */
function fixed(n: bigint, unit: bigint, digits: number): string {
  const whole = n / unit;
  const fraction = (n % unit).toString().padStart(digits, '0').replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : `${whole}`;
}

export function formatDuration(ns: bigint): string {
  if (ns === 0n) return '0s';
  const sign = ns < 0n ? '-' : '';
  const d = ns < 0n ? -ns : ns;
  if (d < NS.us) return `${sign}${d}ns`;
  if (d < NS.ms) return `${sign}${fixed(d, NS.us, 3)}µs`;
  if (d < NS.s) return `${sign}${fixed(d, NS.ms, 6)}ms`;
  const hours = d / NS.h;
  const minutes = (d % NS.h) / NS.m;
  const seconds = fixed(d % NS.m, NS.s, 9);
  if (hours > 0n) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes > 0n) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}

const UNITS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, μs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Parses Go's duration syntax ("1h30m", "1.5s", "-2m"); unparsable text is 0. */
export function parseDuration(text: string): bigint {
  const sign = text.startsWith('-') ? -1 : 1;
  let total = 0;
  for (const m of text.replace(/^[-+]/, '').matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|μs|ms|s|m|h)/g)) total += Number(m[1]) * UNITS[m[2]!]!;
  return BigInt(Math.round(total)) * BigInt(sign);
}

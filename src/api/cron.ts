// Cron schedules as CronJobs use them: the standard 5-field syntax and @descriptors of
// github.com/robfig/cron/v3 ParseStandard, with its error messages (validation shows them verbatim),
// and the next activation time for the cronjob controller.

export class CronParseError extends Error {
  override name = 'CronParseError';
}

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MONTH_NAMES: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const DOW_NAMES: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };

const FIELDS: Bounds[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: MONTH_NAMES },
  { min: 0, max: 6, names: DOW_NAMES },
];

export interface CronSchedule {
  minutes: Set<number>;
  hours: Set<number>;
  daysOfMonth: Set<number>;
  months: Set<number>;
  daysOfWeek: Set<number>;
  /** A `*` (or `?`) day field: cron then matches on the other day field alone. */
  domStar: boolean;
  dowStar: boolean;
  /** Set for `@every <duration>`: a fixed interval in milliseconds. */
  everyMs?: number;
  /** From a CRON_TZ= / TZ= prefix. */
  timeZone?: string;
}

function parseIntStrict(expr: string): number {
  if (!/^[+-]?\d+$/.test(expr)) throw new CronParseError(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`);
  const n = Number(expr);
  if (n < 0) throw new CronParseError(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

function parseValue(expr: string, bounds: Bounds): number {
  const named = bounds.names?.[expr.toLowerCase()];
  return named !== undefined ? named : parseIntStrict(expr);
}

function parseRange(expr: string, bounds: Bounds, out: Set<number>): boolean {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0]!.split('-');
  const singleDigit = lowAndHigh.length === 1;
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = bounds.min;
    end = bounds.max;
    star = true;
  } else {
    start = parseValue(lowAndHigh[0]!, bounds);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseValue(lowAndHigh[1]!, bounds);
    else throw new CronParseError(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = parseIntStrict(rangeAndStep[1]!);
    // "N/step" means N through the maximum.
    if (singleDigit) end = bounds.max;
    if (step > 1) star = false;
  } else if (rangeAndStep.length > 2) {
    throw new CronParseError(`too many slashes: ${expr}`);
  }
  if (start < bounds.min) throw new CronParseError(`beginning of range (${start}) below minimum (${bounds.min}): ${expr}`);
  if (end > bounds.max) throw new CronParseError(`end of range (${end}) above maximum (${bounds.max}): ${expr}`);
  if (start > end) throw new CronParseError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new CronParseError(`step of range should be a positive number: ${expr}`);
  for (let v = start; v <= end; v += step) out.add(v);
  return star;
}

function parseField(text: string, bounds: Bounds): { values: Set<number>; star: boolean } {
  const values = new Set<number>();
  let star = false;
  for (const part of text.split(',')) star = parseRange(part, bounds, values) || star;
  return { values, star };
}

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration for `@every`. */
function parseDuration(text: string): number | undefined {
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    matched = re.lastIndex;
  }
  return matched === text.length && text.length > 0 ? total : undefined;
}

export function parseCron(spec: string): CronSchedule {
  if (spec.length === 0) throw new CronParseError('empty spec string');
  let timeZone: string | undefined;
  let rest = spec;
  if (rest.startsWith('TZ=') || rest.startsWith('CRON_TZ=')) {
    const space = rest.indexOf(' ');
    timeZone = rest.slice(rest.indexOf('=') + 1, space < 0 ? undefined : space);
    rest = space < 0 ? '' : rest.slice(space).trim();
  }
  if (rest.startsWith('@')) {
    if (rest.startsWith('@every ')) {
      const ms = parseDuration(rest.slice('@every '.length));
      if (ms === undefined) throw new CronParseError(`failed to parse duration ${rest}: time: invalid duration ${JSON.stringify(rest.slice(7))}`);
      const every = parseStandardFields('* * * * *');
      return { ...every, everyMs: Math.max(1000, Math.floor(ms / 1000) * 1000), timeZone };
    }
    const expanded = DESCRIPTORS[rest];
    if (!expanded) throw new CronParseError(`unrecognized descriptor: ${rest}`);
    return { ...parseStandardFields(expanded), timeZone };
  }
  return { ...parseStandardFields(rest), timeZone };
}

function parseStandardFields(text: string): CronSchedule {
  const fields = text.split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 5) throw new CronParseError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  const [minute, hour, dom, month, dow] = fields.map((f, i) => parseField(f, FIELDS[i]!));
  return {
    minutes: minute!.values,
    hours: hour!.values,
    daysOfMonth: dom!.values,
    months: month!.values,
    daysOfWeek: dow!.values,
    domStar: dom!.star,
    dowStar: dow!.star,
  };
}

/** Wall-clock fields of an instant in a time zone (UTC when none). */
interface WallClock {
  month: number;
  day: number;
  weekday: number;
  hour: number;
  minute: number;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
const formatters = new Map<string, Intl.DateTimeFormat>();

function wallClock(t: Date, timeZone: string | undefined): WallClock {
  if (!timeZone || timeZone === 'UTC') return { month: t.getUTCMonth() + 1, day: t.getUTCDate(), weekday: t.getUTCDay(), hour: t.getUTCHours(), minute: t.getUTCMinutes() };
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', month: 'numeric', day: 'numeric', weekday: 'short', hour: 'numeric', minute: 'numeric' });
    formatters.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(t).map((p) => [p.type, p.value]));
  return { month: Number(parts.month), day: Number(parts.day), weekday: WEEKDAYS[parts.weekday ?? 'Sun'] ?? 0, hour: Number(parts.hour), minute: Number(parts.minute) };
}

/** True when `timeZone` is an IANA zone this runtime knows. */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

function dayMatches(s: CronSchedule, w: WallClock): boolean {
  const domMatch = s.daysOfMonth.has(w.day);
  const dowMatch = s.daysOfWeek.has(w.weekday);
  // Either restricted day field may match, unless one of them is `*` (standard cron semantics).
  if (s.domStar || s.dowStar) return domMatch && dowMatch;
  return domMatch || dowMatch;
}

const MINUTE = 60_000;

/**
 * The first activation strictly after `after`, in `timeZone` (a CronJob's spec.timeZone; else the
 * schedule's CRON_TZ, else UTC). Undefined if none within five years (e.g. "0 0 30 2 *").
 */
export function nextActivation(s: CronSchedule, after: Date, timeZone?: string): Date | undefined {
  if (s.everyMs !== undefined) return new Date(after.getTime() - (after.getTime() % 1000) + s.everyMs);
  const zone = timeZone ?? s.timeZone;
  let t = after.getTime() - (after.getTime() % MINUTE) + MINUTE;
  const limit = after.getTime() + 5 * 366 * 24 * 60 * MINUTE;
  // Skip whole days or hours that cannot match; zones are whole minutes from UTC, so minute steps stay aligned.
  while (t <= limit) {
    const w = wallClock(new Date(t), zone);
    if (!s.months.has(w.month) || !dayMatches(s, w)) t += ((23 - w.hour) * 60 + (60 - w.minute)) * MINUTE;
    else if (!s.hours.has(w.hour)) t += (60 - w.minute) * MINUTE;
    else if (!s.minutes.has(w.minute)) t += MINUTE;
    else return new Date(t);
  }
  return undefined;
}

// Compose's variable interpolation (compose-spec "Interpolation"): `$VAR`, `${VAR}`, `${VAR:-default}`,
// `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`, `${VAR:+replacement}`, `${VAR+replacement}`,
// nested in defaults (`${A:-${B}}`), and `$$` for a literal `$`. Applied to every string value of a
// compose file (never to keys), before the files are merged and normalised.
import { ComposeError } from './types.js';

/** A user error in a compose project's inputs (a ComposeError, so the CLI prints it as one). */
export class InterpolationError extends ComposeError {
  constructor(message: string) {
    super(message);
    this.name = 'InterpolationError';
  }
}

export type Lookup = (name: string) => string | undefined;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** Index of the `}` closing the `${` that opened just before `from`, skipping nested `${…}`. */
function closingBrace(s: string, from: number): number {
  let depth = 1;
  for (let i = from; i < s.length; i++) {
    if (s[i] === '$' && s[i + 1] === '$') i++;
    else if (s[i] === '$' && s[i + 1] === '{') {
      depth++;
      i++;
    } else if (s[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

function braced(body: string, lookup: Lookup, onMissing: (name: string) => void, whole: string): string {
  const m = NAME.exec(body);
  if (!m) throw new InterpolationError(`invalid interpolation format for ${JSON.stringify(whole)}. You may need to escape any $ with another $.`);
  const name = m[0];
  const rest = body.slice(name.length);
  const value = lookup(name);
  if (rest === '') {
    if (value === undefined) onMissing(name);
    return value ?? '';
  }
  const op = /^(:?[-?+])/.exec(rest)?.[1];
  if (!op) throw new InterpolationError(`invalid interpolation format for ${JSON.stringify(whole)}. You may need to escape any $ with another $.`);
  const arg = (): string => interpolateString(rest.slice(op.length), lookup, onMissing);
  const unset = op.startsWith(':') ? value === undefined || value === '' : value === undefined;
  switch (op.slice(-1)) {
    case '-':
      return unset ? arg() : value!;
    case '+':
      return unset ? '' : arg();
    default:
      if (unset) throw new InterpolationError(`required variable ${name} is missing a value${rest.length > op.length ? `: ${arg()}` : ''}`);
      return value!;
  }
}

/** Interpolates one string; `onMissing` hears of each variable used without a value or default. */
export function interpolateString(s: string, lookup: Lookup, onMissing: (name: string) => void = () => undefined): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch !== '$') {
      out += ch;
      continue;
    }
    const next = s[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '{') {
      const end = closingBrace(s, i + 2);
      if (end < 0) throw new InterpolationError(`invalid interpolation format for ${JSON.stringify(s)}. You may need to escape any $ with another $.`);
      out += braced(s.slice(i + 2, end), lookup, onMissing, s);
      i = end;
    } else {
      const m = NAME.exec(s.slice(i + 1));
      if (!m) {
        out += '$';
        continue;
      }
      const value = lookup(m[0]);
      if (value === undefined) onMissing(m[0]);
      out += value ?? '';
      i += m[0].length;
    }
  }
  return out;
}

/** Interpolates every string value of a parsed YAML tree (keys stay as written). */
export function interpolateTree(node: unknown, lookup: Lookup, onMissing?: (name: string) => void): unknown {
  if (typeof node === 'string') return interpolateString(node, lookup, onMissing);
  if (Array.isArray(node)) return node.map((n) => interpolateTree(n, lookup, onMissing));
  if (node && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, interpolateTree(v, lookup, onMissing)]));
  }
  return node;
}

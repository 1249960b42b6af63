// The `.env` / `env_file` format compose reads (compose-go's dotenv): `KEY=VALUE` lines, `export `
// prefixes, `#` comments, single quotes literal, double quotes with \n \t \" escapes, inline
// ` #` comments after unquoted values, a bare `KEY` taking its value from the environment, and
// `${VAR}` in unquoted and double-quoted values expanded from earlier lines, then the environment.
import { ComposeError } from './types.js';
import { interpolateString } from './interpolate.js';

/** A user error in a compose project's inputs (a ComposeError, so the CLI prints it as one). */
export class DotenvError extends ComposeError {
  constructor(message: string) {
    super(message);
    this.name = 'DotenvError';
  }
}

function unquote(raw: string, file: string, line: number, expand: (s: string) => string): string {
  const v = raw.trim();
  if (v.startsWith("'")) {
    const end = v.indexOf("'", 1);
    if (end < 0) throw new DotenvError(`${file}: line ${line}: unterminated quoted value`);
    return v.slice(1, end);
  }
  if (v.startsWith('"')) {
    let out = '';
    for (let i = 1; i < v.length; i++) {
      const ch = v[i];
      if (ch === '"') return expand(out);
      if (ch === '\\' && i + 1 < v.length) {
        const n = v[++i];
        out += n === 'n' ? '\n' : n === 't' ? '\t' : n === 'r' ? '\r' : n;
      } else out += ch;
    }
    throw new DotenvError(`${file}: line ${line}: unterminated quoted value`);
  }
  const comment = v.search(/\s#/);
  return expand((comment >= 0 ? v.slice(0, comment) : v).trim());
}

/**
 * Parses dotenv text into ordered pairs. A bare `KEY` is looked up with `lookup`; it is left out when
 * that has no value, as compose does.
 */
export function parseDotenv(text: string, file: string, lookup: (name: string) => string | undefined = () => undefined): Record<string, string> {
  const out: Record<string, string> = {};
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const body = line.replace(/^export\s+/, '');
    const eq = body.indexOf('=');
    const key = (eq < 0 ? body : body.slice(0, eq)).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key)) throw new DotenvError(`${file}: line ${i + 1}: unexpected character in variable name ${JSON.stringify(key)}`);
    if (eq < 0) {
      const v = lookup(key);
      if (v !== undefined) out[key] = v;
      return;
    }
    const expand = (text: string): string => interpolateString(text, (k) => out[k] ?? lookup(k));
    out[key] = unquote(body.slice(eq + 1), file, i + 1, expand);
  });
  return out;
}

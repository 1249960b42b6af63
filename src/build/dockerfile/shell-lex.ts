// Docker's word expansion for Dockerfile arguments: quotes, the escape token, `$VAR`, `${VAR}` and the
// modifiers `${VAR:-word}`, `${VAR-word}`, `${VAR:+word}`, `${VAR+word}`, `${VAR:?msg}`, `${VAR?msg}`,
// `${VAR#pat}`, `${VAR##pat}`, `${VAR%pat}`, `${VAR%%pat}`, `${VAR/pat/repl}`, `${VAR//pat/repl}`.
// Unlike a shell there is no command substitution or globbing: only variables and quotes.

export type EnvLookup = (name: string) => string | undefined;

export class ExpansionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpansionError';
  }
}

const SPECIAL_PARAMS = new Set(['@', '*', '#', '?', '-', '$', '!', '0']);
const isSpace = (ch: string): boolean => /\s/.test(ch);

/** Accumulates both the single-word result and the whitespace-split words. */
class Words {
  words: string[] = [];
  private buf = '';
  private inWord = false;

  addChar(ch: string): void {
    if (isSpace(ch)) {
      if (this.inWord && this.buf.length > 0) {
        this.words.push(this.buf);
        this.buf = '';
        this.inWord = false;
      }
      return;
    }
    this.addRaw(ch);
  }
  addRaw(s: string): void {
    this.buf += s;
    this.inWord = true;
  }
  addString(s: string): void {
    for (const ch of s) this.addChar(ch);
  }
  finish(): string[] {
    if (this.buf.length > 0) this.words.push(this.buf);
    this.buf = '';
    return this.words;
  }
}

class Lexer {
  private pos = 0;
  private readonly chars: string[];

  constructor(
    text: string,
    private readonly env: EnvLookup,
    private readonly escape: string,
  ) {
    this.chars = [...text];
  }

  private peek(): string | undefined {
    return this.chars[this.pos];
  }
  private next(): string | undefined {
    return this.chars[this.pos++];
  }

  /** Processes until `stop` (consumed) or end of input; rawEscapes keeps escape tokens in the output. */
  run(stop: string | undefined, rawEscapes: boolean): { word: string; words: string[] } {
    let result = '';
    const words = new Words();
    while (this.peek() !== undefined) {
      const ch = this.peek()!;
      if (stop !== undefined && ch === stop) {
        this.next();
        return { word: result, words: words.finish() };
      }
      if (ch === '$') {
        const v = this.dollar();
        result += v;
        words.addString(v);
      } else if (ch === "'") {
        const v = this.singleQuote();
        result += v;
        words.addRaw(v);
      } else if (ch === '"') {
        const v = this.doubleQuote(rawEscapes);
        result += v;
        words.addRaw(v);
      } else {
        this.next();
        if (ch === this.escape) {
          if (rawEscapes) {
            words.addRaw(ch);
            result += ch;
          }
          const escaped = this.next();
          if (escaped === undefined) break;
          words.addRaw(escaped);
          result += escaped;
        } else {
          words.addChar(ch);
          result += ch;
        }
      }
    }
    if (stop !== undefined) throw new ExpansionError(`unexpected end of statement while looking for matching ${stop}`);
    return { word: result, words: words.finish() };
  }

  private singleQuote(): string {
    this.next();
    let out = '';
    for (;;) {
      const ch = this.next();
      if (ch === undefined) throw new ExpansionError('unexpected end of statement while looking for matching single-quote');
      if (ch === "'") return out;
      out += ch;
    }
  }

  private doubleQuote(rawEscapes: boolean): string {
    this.next();
    let out = '';
    for (;;) {
      const ch = this.peek();
      if (ch === undefined) throw new ExpansionError('unexpected end of statement while looking for matching double-quote');
      if (ch === '"') {
        this.next();
        return out;
      }
      if (ch === '$') {
        out += this.dollar();
        continue;
      }
      let c = this.next()!;
      if (c === this.escape) {
        if (rawEscapes) out += c;
        const after = this.peek();
        if (after === undefined) continue;
        if (after === '"' || after === '$' || after === this.escape) c = this.next()!;
      }
      out += c;
    }
  }

  private name(): string {
    let name = '';
    for (;;) {
      const ch = this.peek();
      if (ch === undefined) return name;
      if (name === '' && /[0-9]/.test(ch)) {
        while (this.peek() !== undefined && /[0-9]/.test(this.peek()!)) name += this.next();
        return name;
      }
      if (name === '' && SPECIAL_PARAMS.has(ch)) return this.next()!;
      if (!/[\p{L}\p{N}_]/u.test(ch)) return name;
      name += this.next();
    }
  }

  private dollar(): string {
    this.next();
    if (this.peek() !== '{') {
      const name = this.name();
      if (name === '') return '$';
      return this.env(name) ?? '';
    }
    this.next();
    const first = this.peek();
    if (first === undefined) throw new ExpansionError("syntax error: missing '}'");
    if (first === '{' || first === '}' || first === ':') throw new ExpansionError('syntax error: bad substitution');
    const name = this.name();
    let ch = this.next();
    if (ch === undefined) throw new ExpansionError("syntax error: missing '}'");
    if (ch === '}') return this.env(name) ?? '';
    let modifier = ch;
    let nullIsUnset = false;
    if (ch === ':') {
      nullIsUnset = true;
      ch = this.next();
      if (ch === undefined) throw new ExpansionError("syntax error: missing '}'");
      modifier += ch;
    }
    if (ch === '/' && !nullIsUnset) return this.replace(name);
    if (!['+', '-', '?', '#', '%'].includes(ch)) {
      throw new ExpansionError(`unsupported modifier (${modifier}) in substitution`);
    }
    const trims = ch === '#' || ch === '%';
    if (nullIsUnset && trims) throw new ExpansionError(`unsupported modifier (${modifier}) in substitution`);
    const word = this.nested('}', trims, "syntax error: missing '}'");
    const value = this.env(name);
    const unset = value === undefined || (nullIsUnset && value === '');
    switch (ch) {
      case '-':
        return unset ? word : value!;
      case '+':
        return unset ? '' : word;
      case '?':
        if (value === undefined) throw new ExpansionError(`${name}: ${word || 'is not allowed to be unset'}`);
        if (nullIsUnset && value === '') throw new ExpansionError(`${name}: ${word || 'is not allowed to be empty'}`);
        return value;
      default: {
        const greedy = word.startsWith(ch);
        const pattern = greedy ? word.slice(1) : word;
        return trimPattern(value ?? '', pattern, ch === '#' ? 'prefix' : 'suffix', greedy);
      }
    }
  }

  private replace(name: string): string {
    const all = this.peek() === '/';
    if (all) this.next();
    const pattern = this.nested('/', true, "syntax error: missing '/' in ${}");
    const replacement = this.nested('}', true, "syntax error: missing '}'");
    const value = this.env(name) ?? '';
    const re = globToRegex(pattern, all ? 'g' : '');
    return value.replace(re, () => replacement);
  }

  private nested(stop: string, rawEscapes: boolean, missing: string): string {
    try {
      return this.run(stop, rawEscapes).word;
    } catch (err) {
      if (this.peek() === undefined) throw new ExpansionError(missing);
      throw err;
    }
  }
}

/** Shell glob (`*`, `?`, `[...]`, backslash escapes) → regular expression source. */
function globSource(pattern: string, greedy: boolean): string {
  let src = '';
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    if (ch === '\\' && i + 1 < chars.length) src += escapeRegex(chars[++i]);
    else if (ch === '*') src += greedy ? '.*' : '.*?';
    else if (ch === '?') src += '.';
    else if (ch === '[') {
      const end = chars.indexOf(']', i + 1);
      if (end < 0) src += '\\[';
      else {
        let cls = chars.slice(i + 1, end).join('');
        if (cls.startsWith('!')) cls = '^' + cls.slice(1);
        src += `[${cls.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else src += escapeRegex(ch);
  }
  return src;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function globToRegex(pattern: string, flags: string): RegExp {
  return new RegExp(globSource(pattern, true), flags);
}

function trimPattern(value: string, pattern: string, side: 'prefix' | 'suffix', greedy: boolean): string {
  const src = globSource(pattern, true);
  const re = new RegExp(`^(?:${src})$`, 's');
  if (side === 'prefix') {
    const lengths = [...Array(value.length + 1).keys()];
    if (greedy) lengths.reverse();
    for (const n of lengths) if (re.test(value.slice(0, n))) return value.slice(n);
    return value;
  }
  const starts = [...Array(value.length + 1).keys()];
  if (!greedy) starts.reverse();
  for (const s of starts) if (re.test(value.slice(s))) return value.slice(0, s);
  return value;
}

/** Expands one word: quotes removed, variables substituted, whitespace kept (ENV, WORKDIR, COPY...). */
export function expandWord(word: string, env: EnvLookup, escape = '\\'): string {
  try {
    return new Lexer(word, env, escape).run(undefined, false).word;
  } catch (err) {
    if (err instanceof ExpansionError) throw new ExpansionError(`failed to process ${JSON.stringify(word)}: ${err.message}`);
    throw err;
  }
}

/** Expands and splits into words as a shell would, without globbing (EXPOSE). */
export function expandWords(word: string, env: EnvLookup, escape = '\\'): string[] {
  try {
    return new Lexer(word, env, escape).run(undefined, false).words;
  } catch (err) {
    if (err instanceof ExpansionError) throw new ExpansionError(`failed to process ${JSON.stringify(word)}: ${err.message}`);
    throw err;
  }
}

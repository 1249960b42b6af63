// Dockerfile text → a list of raw instruction nodes, with docker's line rules: parser directives
// (`# escape=`), comments, line continuations (comments and blank lines inside a continuation are
// skipped), and per-instruction argument shapes (JSON arrays, key=value pairs, whitespace lists).
// Typed instructions are built from these nodes in instructions.ts.

export class DockerfileParseError extends Error {
  constructor(
    readonly line: number,
    readonly detail: string,
  ) {
    super(`dockerfile parse error on line ${line}: ${detail}`);
    this.name = 'DockerfileParseError';
  }
}

/** One instruction as written: the lower-cased command, its `--flags`, and its arguments. */
export interface DockerfileNode {
  /** Instruction name, lower case ("run", "copy", ...). */
  cmd: string;
  /** The instruction name as the user wrote it. */
  rawCmd: string;
  /** `--name[=value]` words that came before the arguments. */
  flags: string[];
  /** Arguments in the instruction's own shape (see parseArgs). For ENV/LABEL: key, value, sep triples. */
  args: string[];
  /** The arguments were a JSON array. */
  json: boolean;
  /** ONBUILD's trigger, parsed as an instruction of its own. */
  sub?: DockerfileNode;
  /** The whole instruction on one line (continuations joined), leading whitespace removed. */
  original: string;
  startLine: number;
  endLine: number;
}

export interface ParsedDockerfile {
  nodes: DockerfileNode[];
  escapeToken: string;
  warnings: string[];
}

const WHITESPACE = /[\t\v\f\r ]+/;
const DIRECTIVE = /^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/;
const KNOWN_DIRECTIVES = new Set(['syntax', 'escape', 'check']);

function isSpace(ch: string): boolean {
  return /\s/.test(ch);
}

function isComment(line: string): boolean {
  return line.trimStart().startsWith('#');
}

function continuationRegex(escape: string): RegExp {
  const e = `\\${escape}`;
  return new RegExp(`([^${e}])${e}[ \\t]*$|^${e}[ \\t]*$`);
}

/** Parser directives are only read from the leading comment block of the file. */
class DirectiveReader {
  private done = false;
  private seen = new Set<string>();

  read(line: string): { name: string; value: string } | undefined {
    if (this.done) return undefined;
    if (!line.startsWith('#')) {
      this.done = true;
      return undefined;
    }
    const m = DIRECTIVE.exec(line.slice(1).trimStart());
    const name = m?.[1].toLowerCase();
    if (!m || !name || !KNOWN_DIRECTIVES.has(name)) {
      this.done = true;
      return undefined;
    }
    if (this.seen.has(name)) throw new Error(`only one ${name} parser directive can be used`);
    this.seen.add(name);
    return { name, value: m[2] };
  }
}

export function parseDockerfile(text: string): ParsedDockerfile {
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  let escape = '\\';
  let contRe = continuationRegex(escape);
  const directives = new DirectiveReader();
  const nodes: DockerfileNode[] = [];
  const warnings: string[] = [];

  const prepare = (raw: string, stripLeft: boolean, lineNo: number): string => {
    let line = raw.replace(/[\r\n]+$/, '');
    if (stripLeft) line = line.trimStart();
    let directive;
    try {
      directive = directives.read(line);
    } catch (err) {
      throw new DockerfileParseError(lineNo, (err as Error).message);
    }
    if (directive?.name === 'escape') {
      if (directive.value !== '`' && directive.value !== '\\') {
        throw new DockerfileParseError(lineNo, `invalid escape token '${directive.value}' does not match \` or \\`);
      }
      escape = directive.value;
      contRe = continuationRegex(escape);
    }
    return isComment(line) ? '' : line;
  };
  const trimContinuation = (line: string): [string, boolean] => {
    if (contRe.test(line)) return [line.replace(contRe, '$1'), false];
    return [line, true];
  };

  let i = 0;
  while (i < lines.length) {
    const first = prepare(lines[i], true, i + 1);
    i++;
    const startLine = i;
    let [buf, ended] = trimContinuation(first);
    if (ended && buf.length === 0) continue;
    let emptyContinuation = false;
    while (!ended && i < lines.length) {
      const raw = lines[i];
      const line = prepare(raw, false, i + 1);
      i++;
      if (isComment(raw)) continue;
      if (line.trim().length === 0) {
        emptyContinuation = true;
        continue;
      }
      let part: string;
      [part, ended] = trimContinuation(line);
      buf += part;
    }
    if (emptyContinuation) warnings.push(`Empty continuation line found in: ${buf}`);
    try {
      nodes.push({ ...nodeFromLine(buf, escape), startLine, endLine: i });
    } catch (err) {
      if (err instanceof DockerfileParseError) throw err;
      throw new DockerfileParseError(startLine, (err as Error).message);
    }
  }
  if (nodes.length === 0) throw new DockerfileParseError(lines.length, 'file with no instructions');
  return { nodes, escapeToken: escape, warnings };
}

/** Parses one instruction line (also used for ONBUILD triggers stored in an image). */
export function nodeFromLine(line: string, escape: string): Omit<DockerfileNode, 'startLine' | 'endLine'> {
  const trimmed = line.trim();
  const split = WHITESPACE.exec(trimmed);
  const rawCmd = split ? trimmed.slice(0, split.index) : trimmed;
  const rest = split ? trimmed.slice(split.index + split[0].length) : '';
  const { flags, rest: argText } = extractFlags(rest, escape);
  const cmd = rawCmd.toLowerCase();
  const { args, json, sub } = parseArgs(cmd, argText.trim(), escape);
  return { cmd, rawCmd, flags, args, json, sub, original: line.trimStart() };
}

/** Leading `--flag[=value]` words; quotes and escapes inside them are resolved like docker's. */
function extractFlags(line: string, escape: string): { flags: string[]; rest: string } {
  const flags: string[] = [];
  let pos = 0;
  for (;;) {
    while (pos < line.length && isSpace(line[pos])) pos++;
    if (pos >= line.length) return { flags, rest: '' };
    if (!line.startsWith('--', pos)) return { flags, rest: line.slice(pos) };
    let word = '';
    let quote = '';
    let blankOk = false;
    for (; pos < line.length; pos++) {
      const ch = line[pos];
      if (quote) {
        if (ch === quote) {
          quote = '';
          continue;
        }
      } else {
        if (isSpace(ch)) break;
        if (ch === '"' || ch === "'") {
          quote = ch;
          blankOk = true;
          continue;
        }
      }
      if (ch === escape) {
        if (pos + 1 === line.length) continue;
        pos++;
        word += line[pos];
        continue;
      }
      word += ch;
    }
    if (word === '--') return { flags, rest: line.slice(pos) };
    if (blankOk || word.length > 0) flags.push(word);
  }
}

/** Splits on whitespace, keeping quotes and escapes in the words (expansion resolves them later). */
export function parseWords(rest: string, escape: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote = '';
  let blankOk = false;
  const chars = [...rest];
  for (let pos = 0; pos < chars.length; pos++) {
    let ch = chars[pos];
    if (!inWord) {
      if (isSpace(ch)) continue;
      inWord = true;
    }
    if (!quote) {
      if (isSpace(ch)) {
        if (blankOk || word.length > 0) words.push(word);
        word = '';
        blankOk = false;
        inWord = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOk = true;
      } else if (ch === escape) {
        if (pos + 1 === chars.length) continue;
        word += ch;
        ch = chars[++pos];
      }
      word += ch;
      continue;
    }
    if (ch === quote) {
      quote = '';
    } else if (ch === escape && quote !== "'") {
      if (pos + 1 === chars.length) {
        quote = '';
        continue;
      }
      word += ch;
      ch = chars[++pos];
    }
    word += ch;
  }
  if (inWord && (blankOk || word.length > 0)) words.push(word);
  return words;
}

function parseJsonArray(rest: string): string[] | undefined {
  const text = rest.trimStart();
  if (!text.startsWith('[')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value)) return undefined;
  if (!value.every((v) => typeof v === 'string')) {
    throw new Error('when using JSON array syntax, arrays must be comprised of strings only');
  }
  return value as string[];
}

function whitespaceList(rest: string): string[] {
  return rest === '' ? [] : rest.split(WHITESPACE);
}

function maybeJson(rest: string): { args: string[]; json: boolean } {
  if (rest === '') return { args: [], json: false };
  const arr = parseJsonArray(rest);
  return arr ? { args: arr, json: true } : { args: [rest], json: false };
}

function nameValues(rest: string, key: string, escape: string): string[] {
  const words = parseWords(rest, escape);
  if (words.length === 0) return [];
  if (!words[0].includes('=')) {
    const parts = rest.split(WHITESPACE);
    if (parts.length < 2) throw new Error(`${key} must have two arguments`);
    const sep = WHITESPACE.exec(rest)!;
    return [parts[0], rest.slice(sep.index + sep[0].length), ''];
  }
  const out: string[] = [];
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq < 0) throw new Error(`Syntax error - can't find = in ${JSON.stringify(word)}. Must be of the form: name=value`);
    out.push(word.slice(0, eq), word.slice(eq + 1), '=');
  }
  return out;
}

function parseArgs(cmd: string, rest: string, escape: string): { args: string[]; json: boolean; sub?: DockerfileNode } {
  switch (cmd) {
    case 'run':
    case 'cmd':
    case 'entrypoint':
    case 'shell':
      return maybeJson(rest);
    case 'add':
    case 'copy':
    case 'volume': {
      const arr = parseJsonArray(rest);
      return arr ? { args: arr, json: true } : { args: whitespaceList(rest), json: false };
    }
    case 'env':
      return { args: nameValues(rest, 'ENV', escape), json: false };
    case 'label':
      return { args: nameValues(rest, 'LABEL', escape), json: false };
    case 'arg':
      return { args: parseWords(rest, escape), json: false };
    case 'expose':
    case 'from':
      return { args: whitespaceList(rest), json: false };
    case 'maintainer':
    case 'stopsignal':
    case 'user':
    case 'workdir':
      return { args: rest === '' ? [] : [rest], json: false };
    case 'onbuild': {
      if (rest === '') return { args: [], json: false };
      const sub = { ...nodeFromLine(rest, escape), startLine: 0, endLine: 0 };
      return { args: [sub.rawCmd, ...sub.args], json: sub.json, sub };
    }
    case 'healthcheck': {
      const m = /^(\S+)\s*/.exec(rest);
      if (!m) return { args: [], json: false };
      const { args, json } = maybeJson(rest.slice(m[0].length));
      return { args: [m[1], ...args], json };
    }
    default:
      return { args: [], json: false };
  }
}

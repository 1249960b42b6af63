// A Go text/template evaluator for docker's --format flags (ps, images, inspect, stats, ...): fields
// (.A.B), pipelines, range/if/with/else/end, variables-free; the functions docker adds (json, join, split,
// upper, lower, title, pad, truncate) plus Go's builtins (index, len, printf, print, println, eq, ne, lt,
// le, gt, ge, and, or, not, slice).

type Value = unknown;

interface TextNode { kind: 'text'; text: string }
interface ActionNode { kind: 'action'; pipe: string }
interface BlockNode { kind: 'if' | 'range' | 'with'; pipe: string; body: Node[]; elseBody: Node[] }
type Node = TextNode | ActionNode | BlockNode;

export class TemplateError extends Error {
  constructor(message: string) {
    super(`template: ${message}`);
    this.name = 'TemplateError';
  }
}

function lex(src: string): Array<{ text?: string; action?: string }> {
  const out: Array<{ text?: string; action?: string }> = [];
  let i = 0;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    if (open < 0) {
      out.push({ text: src.slice(i) });
      break;
    }
    let text = src.slice(i, open);
    let start = open + 2;
    if (src[start] === '-' && src[start + 1] === ' ') {
      text = text.replace(/\s+$/, '');
      start += 1;
    }
    if (text) out.push({ text });
    const close = findClose(src, start);
    if (close < 0) throw new TemplateError('unclosed action');
    let body = src.slice(start, close);
    let next = close + 2;
    if (body.endsWith(' -')) {
      body = body.slice(0, -2);
      while (next < src.length && /\s/.test(src[next])) next++;
    }
    out.push({ action: body.trim() });
    i = next;
  }
  return out;
}

function findClose(src: string, from: number): number {
  let inStr = false;
  for (let i = from; i < src.length - 1; i++) {
    const ch = src[i];
    if (inStr) {
      if (ch === '\\') i++;
      else if (ch === '"') inStr = false;
    } else if (ch === '"') inStr = true;
    else if (ch === '}' && src[i + 1] === '}') return i;
  }
  return -1;
}

function parse(src: string): Node[] {
  const tokens = lex(src);
  let pos = 0;
  const parseList = (stopAt: string[]): { nodes: Node[]; stop: string } => {
    const nodes: Node[] = [];
    while (pos < tokens.length) {
      const t = tokens[pos++];
      if (t.text !== undefined) {
        nodes.push({ kind: 'text', text: t.text });
        continue;
      }
      const a = t.action!;
      if (a.startsWith('/*')) continue;
      const word = a.split(/\s+/)[0];
      if (stopAt.includes(word)) return { nodes, stop: a };
      if (word === 'if' || word === 'range' || word === 'with') {
        nodes.push(parseBlock(word, a.slice(word.length).trim()));
        continue;
      }
      if (word === 'end' || word === 'else') throw new TemplateError(`unexpected {{${a}}}`);
      nodes.push({ kind: 'action', pipe: a });
    }
    if (stopAt.length) throw new TemplateError(`unexpected EOF, expected {{end}}`);
    return { nodes, stop: '' };
  };
  const parseBlock = (kind: BlockNode['kind'], pipe: string): BlockNode => {
    const { nodes, stop } = parseList(['end', 'else']);
    const block: BlockNode = { kind, pipe, body: nodes, elseBody: [] };
    if (stop.startsWith('else')) {
      const rest = stop.slice(4).trim();
      if (rest.startsWith('if ')) block.elseBody = [parseBlock('if', rest.slice(3).trim())];
      else block.elseBody = parseList(['end']).nodes;
    }
    return block;
  };
  return parseList([]).nodes;
}

function tokenizeArgs(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    if (/\s/.test(s[i])) {
      i++;
      continue;
    }
    if (s[i] === '"') {
      let j = i + 1;
      while (j < s.length && s[j] !== '"') j += s[j] === '\\' ? 2 : 1;
      out.push(s.slice(i, j + 1));
      i = j + 1;
    } else if (s[i] === '(') {
      let depth = 0;
      let j = i;
      for (; j < s.length; j++) {
        if (s[j] === '(') depth++;
        else if (s[j] === ')' && --depth === 0) break;
      }
      out.push(s.slice(i, j + 1));
      i = j + 1;
    } else {
      let j = i;
      while (j < s.length && !/\s/.test(s[j])) j++;
      out.push(s.slice(i, j));
      i = j;
    }
  }
  return out;
}

function splitPipe(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let inStr = false;
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (inStr) {
      cur += ch;
      if (ch === '\\') cur += s[++i] ?? '';
      else if (ch === '"') inStr = false;
      continue;
    }
    if (ch === '"') inStr = true;
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === '|' && depth === 0) {
      parts.push(cur.trim());
      cur = '';
      continue;
    }
    cur += ch;
  }
  parts.push(cur.trim());
  return parts;
}

function field(value: Value, name: string): Value {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Map) return value.get(name);
  if (typeof value === 'object') {
    const v = (value as Record<string, Value>)[name];
    return typeof v === 'function' ? (v as () => Value).call(value) : v;
  }
  throw new TemplateError(`can't evaluate field ${name} in type ${typeof value}`);
}

function truthy(v: Value): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v as object).length > 0;
  return true;
}

/** Go's fmt %v rendering of a value. */
export function goPrint(v: Value): string {
  if (v === undefined) return '<no value>';
  if (v === null) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goPrint).join(' ')}]`;
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, Value>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `map[${entries.map(([k, x]) => `${k}:${goPrint(x)}`).join(' ')}]`;
  }
  return String(v);
}

function sprintf(fmt: string, args: Value[]): string {
  let i = 0;
  return fmt.replace(/%([-+ 0#]*)(\d*)(?:\.(\d+))?([vsdqfxt%])/g, (_m, flags: string, width: string, prec: string, verb: string) => {
    if (verb === '%') return '%';
    const a = args[i++];
    let s: string;
    switch (verb) {
      case 'q': s = JSON.stringify(String(a)); break;
      case 'd': s = String(Math.trunc(Number(a))); break;
      case 'f': s = Number(a).toFixed(prec ? Number(prec) : 6); break;
      case 'x': s = typeof a === 'number' ? a.toString(16) : Buffer.from(String(a)).toString('hex'); break;
      default: s = typeof a === 'string' ? a : goPrint(a);
    }
    if (prec && verb === 's') s = s.slice(0, Number(prec));
    const w = Number(width || 0);
    return flags.includes('-') ? s.padEnd(w) : s.padStart(w);
  });
}

const FUNCS: Record<string, (...args: Value[]) => Value> = {
  json: (v) => JSON.stringify(v === undefined ? null : v),
  upper: (v) => String(v).toUpperCase(),
  lower: (v) => String(v).toLowerCase(),
  title: (v) => String(v).replace(/\b\w/g, (c) => c.toUpperCase()),
  join: (v, sep) => (Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : goPrint(x))).join(String(sep)) : String(v)),
  split: (v, sep) => String(v).split(String(sep)),
  pad: (v, l, r) => `${' '.repeat(Number(l))}${String(v)}${' '.repeat(Number(r))}`,
  truncate: (v, n) => String(v).slice(0, Number(n)),
  len: (v) => (Array.isArray(v) || typeof v === 'string' ? v.length : v && typeof v === 'object' ? Object.keys(v).length : 0),
  index: (v, ...keys) => keys.reduce<Value>((acc, k) => (acc === null || acc === undefined ? undefined : (acc as Record<string, Value>)[String(k)]), v),
  slice: (v, a, b) => (Array.isArray(v) || typeof v === 'string' ? v.slice(Number(a ?? 0), b === undefined ? undefined : Number(b)) : v),
  printf: (fmt, ...args) => sprintf(String(fmt), args),
  print: (...args) => args.map((a) => (typeof a === 'string' ? a : goPrint(a))).join(''),
  println: (...args) => `${args.map((a) => (typeof a === 'string' ? a : goPrint(a))).join(' ')}\n`,
  eq: (a, ...bs) => bs.some((b) => a === b),
  ne: (a, b) => a !== b,
  lt: (a, b) => (a as number) < (b as number),
  le: (a, b) => (a as number) <= (b as number),
  gt: (a, b) => (a as number) > (b as number),
  ge: (a, b) => (a as number) >= (b as number),
  and: (...args) => args.find((a) => !truthy(a)) ?? args[args.length - 1],
  or: (...args) => args.find((a) => truthy(a)) ?? args[args.length - 1],
  not: (a) => !truthy(a),
};

function evalArg(tok: string, dot: Value, root: Value): Value {
  if (tok.startsWith('"')) return JSON.parse(tok) as string;
  if (tok.startsWith('(')) return evalPipe(tok.slice(1, -1), dot, root);
  if (/^-?\d+(\.\d+)?$/.test(tok)) return Number(tok);
  if (tok === 'true' || tok === 'false') return tok === 'true';
  if (tok === 'nil') return null;
  if (tok === '.') return dot;
  if (tok.startsWith('.') || tok.startsWith('$')) {
    let v: Value = tok.startsWith('$') ? root : dot;
    const path = tok.startsWith('$') ? tok.slice(1) : tok;
    for (const part of path.split('.').filter(Boolean)) v = field(v, part);
    return v;
  }
  if (FUNCS[tok]) return FUNCS[tok]();
  throw new TemplateError(`function "${tok}" not defined`);
}

function evalPipe(pipe: string, dot: Value, root: Value): Value {
  let prev: Value;
  let first = true;
  for (const cmd of splitPipe(pipe)) {
    const toks = tokenizeArgs(cmd);
    if (!toks.length) throw new TemplateError('missing value for command');
    const fn = FUNCS[toks[0]];
    let value: Value;
    if (fn) {
      const args = toks.slice(1).map((t) => evalArg(t, dot, root));
      if (!first) args.push(prev);
      value = fn(...args);
    } else {
      if (/^[A-Za-z_]\w*$/.test(toks[0]) && !['true', 'false', 'nil'].includes(toks[0])) throw new TemplateError(`function "${toks[0]}" not defined`);
      if (toks.length > 1 || !first) throw new TemplateError(`can't give argument to non-function ${toks[0]}`);
      value = evalArg(toks[0], dot, root);
    }
    prev = value;
    first = false;
  }
  return prev;
}

function execNodes(nodes: Node[], dot: Value, root: Value, out: string[]): void {
  for (const n of nodes) {
    if (n.kind === 'text') out.push(n.text);
    else if (n.kind === 'action') {
      const v = evalPipe(n.pipe, dot, root);
      out.push(typeof v === 'string' ? v : goPrint(v));
    } else {
      const v = evalPipe(n.pipe, dot, root);
      if (n.kind === 'if') execNodes(truthy(v) ? n.body : n.elseBody, dot, root, out);
      else if (n.kind === 'with') execNodes(truthy(v) ? n.body : n.elseBody, truthy(v) ? v : dot, root, out);
      else {
        const items: Value[] = Array.isArray(v)
          ? v
          : v && typeof v === 'object'
            ? Object.keys(v as object).sort().map((k) => (v as Record<string, Value>)[k])
            : [];
        if (!items.length) execNodes(n.elseBody, dot, root, out);
        for (const item of items) execNodes(n.body, item, root, out);
      }
    }
  }
}

export interface Template {
  execute(data: Value): string;
}

export function compile(src: string): Template {
  const nodes = parse(src);
  return {
    execute(data: Value): string {
      const out: string[] = [];
      execNodes(nodes, data, data, out);
      return out.join('');
    },
  };
}

/** docker's `table` prefix: the template renders rows and the field names become a header. */
export function isTable(format: string): boolean {
  return format.startsWith('table');
}

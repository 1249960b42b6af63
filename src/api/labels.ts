// The one label selector implementation: the string syntax of `-l` / `?labelSelector=` (parsed as
// k8s.io/apimachinery/pkg/labels does, with its error messages) and metav1.LabelSelector objects
// (matchLabels / matchExpressions), both turned into the same Selector.

import type { FieldError } from './errors.js';
import { isQualifiedName, isValidLabelValue } from './names.js';
import { aggregateMessage, child, goStringSlice, index, invalidValue, key as keyPath } from './validation/field.js';

export type Operator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | '>' | '<';

export interface Requirement {
  key: string;
  operator: Operator;
  /** Sorted and de-duplicated for set operators, one value for =, ==, !=, > and <, none for exists/!. */
  values: string[];
}

export type Labels = Record<string, string> | undefined | null;

export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[] | null;
}

/** metav1.LabelSelector as it appears in specs. */
export interface LabelSelector {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: LabelSelectorRequirement[] | null;
}

/** Bad selector syntax or content; the message is kube-apiserver's, to be sent as 400 BadRequest. */
export class SelectorParseError extends Error {
  override name = 'SelectorParseError';
}

function hasValue(r: Requirement, value: string): boolean {
  return r.values.includes(value);
}

function parseInt64(s: string): bigint | undefined {
  return /^[+-]?\d+$/.test(s) ? BigInt(s) : undefined;
}

function requirementMatches(r: Requirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return has && hasValue(r, labels[r.key]!);
    case 'notin':
    case '!=':
      return !has || !hasValue(r, labels[r.key]!);
    case 'exists':
      return has;
    case '!':
      return !has;
    case '>':
    case '<': {
      if (!has) return false;
      const actual = parseInt64(labels[r.key]!);
      const bound = parseInt64(r.values[0] ?? '');
      if (actual === undefined || bound === undefined) return false;
      return r.operator === '>' ? actual > bound : actual < bound;
    }
  }
}

function requirementString(r: Requirement): string {
  switch (r.operator) {
    case 'exists':
      return r.key;
    case '!':
      return `!${r.key}`;
    case 'in':
    case 'notin':
      return `${r.key} ${r.operator} (${[...r.values].sort().join(',')})`;
    default:
      return `${r.key}${r.operator}${r.values[0] ?? ''}`;
  }
}

export class Selector {
  private constructor(
    readonly requirements: readonly Requirement[],
    /** labels.Nothing(): a nil LabelSelector selects no objects. */
    readonly selectsNothing: boolean,
  ) {}

  private static readonly EVERYTHING = new Selector([], false);
  private static readonly NOTHING = new Selector([], true);

  static everything(): Selector {
    return Selector.EVERYTHING;
  }

  static nothing(): Selector {
    return Selector.NOTHING;
  }

  /** Requirements sorted by key, as labels.Selector.Add keeps them. */
  static of(requirements: Requirement[]): Selector {
    return new Selector(
      [...requirements].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
      false,
    );
  }

  matches(labels: Labels): boolean {
    if (this.selectsNothing) return false;
    const set = labels ?? {};
    return this.requirements.every((r) => requirementMatches(r, set));
  }

  /** True when the selector does not restrict anything (matches every object). */
  empty(): boolean {
    return !this.selectsNothing && this.requirements.length === 0;
  }

  toString(): string {
    return this.requirements.map(requirementString).join(',');
  }

  /** The single value `key` must have (for `key=v`, `key==v`, `key in (v)`), for index lookups. */
  requiresExactMatch(key: string): string | undefined {
    const r = this.requirements.find((x) => x.key === key);
    if (r && (r.operator === '=' || r.operator === '==' || r.operator === 'in') && r.values.length === 1) return r.values[0];
    return undefined;
  }
}

/**
 * labels.NewRequirement: validates key and values; `path` is the field path errors are reported
 * under.
 */
export function newRequirement(key: string, operator: Operator, values: string[], path = ''): Requirement {
  const errs: FieldError[] = [];
  const keyErrs = isQualifiedName(key);
  if (keyErrs.length) errs.push(invalidValue(child(path, 'key'), key, keyErrs.join('; ')));
  const valuePath = child(path, 'values');
  switch (operator) {
    case 'in':
    case 'notin':
      if (values.length === 0) errs.push(invalidValue(valuePath, goStringSlice(values), "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1) errs.push(invalidValue(valuePath, goStringSlice(values), 'exact-match compatibility requires one single value'));
      break;
    case 'exists':
    case '!':
      if (values.length !== 0) errs.push(invalidValue(valuePath, goStringSlice(values), 'values set must be empty for exists and does not exist'));
      break;
    case '>':
    case '<':
      if (values.length !== 1) errs.push(invalidValue(valuePath, goStringSlice(values), "for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => {
        if (parseInt64(v) === undefined) errs.push(invalidValue(index(valuePath, i), v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
  }
  values.forEach((v, i) => {
    const valueErrs = isValidLabelValue(v);
    if (valueErrs.length) errs.push(invalidValue(keyPath(index(valuePath, i), key), v, valueErrs.join('; ')));
  });
  if (errs.length) throw new SelectorParseError(aggregateMessage(errs));
  return { key, operator, values };
}

// --- the string syntax -------------------------------------------------------------------------

type Token = 'end' | ')' | ',' | '!' | '==' | '=' | '>' | 'id' | 'in' | '<' | '!=' | 'notin' | '(';

const LITERAL_TOKENS: Record<string, Token> = { ')': ')', ',': ',', '!': '!', '==': '==', '=': '=', '>': '>', in: 'in', '<': '<', '!=': '!=', notin: 'notin', '(': '(' };
const BINARY_OPERATORS = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];

interface Item {
  tok: Token;
  lit: string;
}

const isWhitespace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isSpecial = (c: string): boolean => '=!(),><'.includes(c);

function lex(s: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isWhitespace(s[pos]!)) pos++;
    if (pos >= s.length) {
      items.push({ tok: 'end', lit: '' });
      return items;
    }
    if (isSpecial(s[pos]!)) {
      // Longest run of special characters that is still a known operator ("!=" over "!"); every
      // single special character is an operator, so this always yields a token.
      let buffer = s[pos++]!;
      while (pos < s.length && LITERAL_TOKENS[buffer + s[pos]!]) buffer += s[pos++];
      items.push({ tok: LITERAL_TOKENS[buffer]!, lit: buffer });
      continue;
    }
    let buffer = '';
    while (pos < s.length && !isSpecial(s[pos]!) && !isWhitespace(s[pos]!)) buffer += s[pos++];
    items.push({ tok: LITERAL_TOKENS[buffer] ?? 'id', lit: buffer });
  }
}

class Parser {
  private pos = 0;
  constructor(private readonly items: Item[]) {}

  /** In value position "in" and "notin" are plain identifiers ("x in (in)"). */
  private static asValue(item: Item): Item {
    return item.tok === 'in' || item.tok === 'notin' ? { tok: 'id', lit: item.lit } : item;
  }
  private peek(values = true): Item {
    const item = this.items[Math.min(this.pos, this.items.length - 1)]!;
    return values ? Parser.asValue(item) : item;
  }
  private next(values = true): Item {
    const item = this.peek(values);
    this.pos++;
    return item;
  }

  parse(): Requirement[] {
    const requirements: Requirement[] = [];
    for (;;) {
      const { tok, lit } = this.peek();
      if (tok === 'end') return requirements;
      if (tok !== 'id' && tok !== '!') throw new SelectorParseError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      try {
        requirements.push(this.requirement());
      } catch (e) {
        throw new SelectorParseError(`unable to parse requirement: ${(e as Error).message}`);
      }
      const after = this.next();
      if (after.tok === 'end') return requirements;
      if (after.tok !== ',') throw new SelectorParseError(`found '${after.lit}', expected: ',' or 'end of string'`);
      const following = this.peek();
      if (following.tok !== 'id' && following.tok !== '!') throw new SelectorParseError(`found '${following.lit}', expected: identifier after ','`);
    }
  }

  private requirement(): Requirement {
    let item = this.next();
    let notExists = false;
    if (item.tok === '!') {
      notExists = true;
      item = this.next();
    }
    if (item.tok !== 'id') throw new Error(`found '${item.lit}', expected: identifier`);
    const key = item.lit;
    const keyErrs = isQualifiedName(key);
    if (keyErrs.length) throw new Error(aggregateMessage([invalidValue('<nil>', key, keyErrs.join('; '))]));
    // "!key" is complete by itself: whatever follows is the next token of the selector ("!a=b" fails there).
    if (notExists) return newRequirement(key, '!', []);
    const ahead = this.peek().tok;
    if (ahead === 'end' || ahead === ',') return newRequirement(key, 'exists', []);
    const opItem = this.next(false);
    let operator: Operator;
    switch (opItem.tok) {
      case 'in':
      case 'notin':
      case '=':
      case '==':
      case '!=':
      case '>':
      case '<':
        operator = opItem.tok;
        break;
      default:
        throw new Error(`found '${opItem.lit}', expected: ${BINARY_OPERATORS.join(', ')}`);
    }
    const values = operator === 'in' || operator === 'notin' ? this.setValues() : this.exactValue();
    return newRequirement(key, operator, [...new Set(values)].sort());
  }

  private setValues(): string[] {
    const open = this.next();
    if (open.tok !== '(') throw new Error(`found '${open.lit}' expected: '('`);
    const first = this.peek();
    if (first.tok === ')') {
      this.next();
      return [''];
    }
    if (first.tok !== 'id' && first.tok !== ',') throw new Error(`found '${first.lit}', expected: ',', ')' or identifier`);
    const values = this.identifiers();
    if (this.next().tok !== ')') throw new Error(`found '${first.lit}', expected: ')'`);
    return values;
  }

  /** A comma-separated list in which empty entries stand for the empty value: "(a,,b)", "(,a)". */
  private identifiers(): string[] {
    const values: string[] = [];
    for (;;) {
      const item = this.next();
      if (item.tok === 'id') {
        values.push(item.lit);
        const ahead = this.peek();
        if (ahead.tok === ',') continue;
        if (ahead.tok === ')') return values;
        throw new Error(`found '${ahead.lit}', expected: ',' or ')'`);
      }
      if (item.tok === ',') {
        if (values.length === 0) values.push('');
        const ahead = this.peek();
        if (ahead.tok === ')') {
          values.push('');
          return values;
        }
        if (ahead.tok === ',') {
          this.next();
          values.push('');
        }
        continue;
      }
      throw new Error(`found '${item.lit}', expected: ',', or identifier`);
    }
  }

  private exactValue(): string[] {
    const ahead = this.peek();
    if (ahead.tok === 'end' || ahead.tok === ',') return [''];
    const item = this.next();
    if (item.tok === 'id') return [item.lit];
    throw new Error(`found '${item.lit}', expected: identifier`);
  }
}

/** Parses `a=b,c!=d,e in (f,g),h notin (i),j,!k`; throws SelectorParseError with kube's message. */
export function parseSelector(text: string): Selector {
  return Selector.of(new Parser(lex(text)).parse());
}

/** labels.SelectorFromSet: every key must equal its value; an empty set selects everything. */
export function selectorFromSet(set: Record<string, string> | undefined | null): Selector {
  return Selector.of(Object.entries(set ?? {}).map(([key, value]) => ({ key, operator: '=' as const, values: [value] })));
}

const EXPRESSION_OPERATORS: Record<string, Operator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

/**
 * metav1.LabelSelectorAsSelector: a missing selector selects nothing, an empty one everything.
 * Throws SelectorParseError for invalid content (validation reports it properly first).
 */
export function selectorFromLabelSelector(ls: LabelSelector | undefined | null): Selector {
  if (ls == null) return Selector.nothing();
  const requirements: Requirement[] = [];
  for (const [k, v] of Object.entries(ls.matchLabels ?? {})) requirements.push(newRequirement(k, '=', [v]));
  for (const expr of ls.matchExpressions ?? []) {
    const op = EXPRESSION_OPERATORS[expr.operator];
    if (!op) throw new SelectorParseError(`${JSON.stringify(expr.operator)} is not a valid label selector operator`);
    requirements.push(newRequirement(expr.key, op, [...(expr.values ?? [])]));
  }
  return Selector.of(requirements);
}

/** metav1.FormatLabelSelector, as printers show selectors: `<none>` when empty, `<error>` when invalid. */
export function formatLabelSelector(ls: LabelSelector | undefined | null): string {
  try {
    return selectorFromLabelSelector(ls).toString() || '<none>';
  } catch {
    return '<error>';
  }
}

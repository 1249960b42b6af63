// field.Error constructors (k8s.io/apimachinery/pkg/util/validation/field), so every message reads
// exactly as kube-apiserver's: `Invalid value: "x": detail`, `Unsupported value: "a": supported
// values: "b", "c"`. Values are printed as Go's %q / %v / %#v would print them.

import type { FieldError } from '../errors.js';

/** Field paths as field.Path prints them: `spec.containers[0].name`, `metadata.labels[app]`. */
export function child(path: string, ...names: string[]): string {
  // Hot in validation of every object: plain concatenation, no intermediate arrays.
  let out = path;
  for (const n of names) if (n !== '') out = out === '' ? n : `${out}.${n}`;
  return out;
}
export function index(path: string, i: number): string {
  return `${path}[${i}]`;
}
export function key(path: string, k: string): string {
  return `${path}[${k}]`;
}

/** A Go value as %#v shows it; JSON values carry no Go type, so callers name composite types. */
export class GoValue {
  constructor(readonly text: string) {}
}

/** Go's %q for a string: double quotes, escapes as strconv.Quote would. */
export function goQuote(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** %#v of map[string]string: keys sorted, `map[string]string(nil)` for an absent map. */
export function goStringMap(m: Record<string, string> | undefined | null): GoValue {
  if (m == null) return new GoValue('map[string]string(nil)');
  const entries = Object.keys(m)
    .sort()
    .map((k) => `${goQuote(k)}:${goQuote(String(m[k]))}`);
  return new GoValue(`map[string]string{${entries.join(', ')}}`);
}

/** %#v of []string. */
export function goStringSlice(values: readonly string[] | undefined | null): GoValue {
  if (values == null) return new GoValue('[]string(nil)');
  return new GoValue(`[]string{${values.map(goQuote).join(', ')}}`);
}

function body(value: unknown): string {
  if (value instanceof GoValue) return value.text;
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return goQuote(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  // A JSON composite without a Go type name: show it as JSON, which is what a user recognises.
  return JSON.stringify(value);
}

function withDetail(text: string, detail?: string): string {
  return detail ? `${text}: ${detail}` : text;
}

export function required(field: string, detail = ''): FieldError {
  return { type: 'FieldValueRequired', field, message: withDetail('Required value', detail) };
}

export function invalidValue(field: string, value: unknown, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field, message: withDetail(`Invalid value: ${body(value)}`, detail) };
}

export function notSupported(field: string, value: unknown, valid: readonly string[]): FieldError {
  const supported = valid.length ? `supported values: ${valid.map(goQuote).join(', ')}` : '';
  return { type: 'FieldValueNotSupported', field, message: withDetail(`Unsupported value: ${body(value)}`, supported) };
}

export function duplicate(field: string, value: unknown): FieldError {
  return { type: 'FieldValueDuplicate', field, message: `Duplicate value: ${body(value)}` };
}

export function notFound(field: string, value: unknown): FieldError {
  return { type: 'FieldValueNotFound', field, message: `Not found: ${body(value)}` };
}

export function forbidden(field: string, detail: string): FieldError {
  return { type: 'FieldValueForbidden', field, message: withDetail('Forbidden', detail) };
}

export function tooLong(field: string, maxLength: number): FieldError {
  return { type: 'FieldValueTooLong', field, message: `Too long: may not be more than ${maxLength} ${maxLength === 1 ? 'byte' : 'bytes'}` };
}

export const FIELD_IMMUTABLE = 'field is immutable';

/** One error alone, several as `[a, b]`: utilerrors.Aggregate's Error(), duplicates removed. */
export function aggregateMessage(errors: readonly FieldError[]): string {
  const messages = [...new Set(errors.map((e) => `${e.field}: ${e.message}`))];
  return messages.length === 1 ? messages[0]! : `[${messages.join(', ')}]`;
}

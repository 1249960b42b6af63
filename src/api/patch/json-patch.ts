// RFC 6902 JSON Patch (application/json-patch+json) with the behaviour of the library kube-apiserver
// uses (evanphx/json-patch v4): negative array indices count from the end, "replace" of a missing
// object key adds it, a "test" of a missing key against null passes. kube-apiserver reports a
// malformed patch as 400 and any operation that does not apply as a bare 422 whose message does not
// say which operation failed (handlers/patch.go applyJSPatch); skiff answers the same so kubectl
// prints the same text.

import { StatusError, badRequest } from '../errors.js';
import { clone, deepEqual, isObject, jsonKind, type Json, type JsonObject } from './json.js';

export interface JsonPatchOperation {
  op: string;
  path: string;
  from?: string;
  value?: Json;
}

/** kube-apiserver's cap on the number of operations in one JSON patch. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

/** The 422 kube-apiserver answers for a JSON patch operation that does not apply. */
export function patchDoesNotApply(): StatusError {
  return new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
}

class OperationFailed extends Error {}

/** Checks the shape Go's decoder insists on: an array of objects. null is an empty patch. */
function decodeOperations(ops: unknown): Record<string, unknown>[] {
  if (ops === null || ops === undefined) return [];
  if (!Array.isArray(ops)) throw badRequest(`json: cannot unmarshal ${jsonKind(ops)} into Go value of type jsonpatch.Patch`);
  for (const op of ops) {
    if (op !== null && !isObject(op)) throw badRequest(`json: cannot unmarshal ${jsonKind(op)} into Go value of type jsonpatch.Operation`);
  }
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new StatusError(413, 'RequestEntityTooLarge', `Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`);
  }
  return ops.map((op) => (op ?? {}) as Record<string, unknown>);
}

type Container = JsonObject | Json[];

function unescapeToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

function parseIndex(key: string): number | undefined {
  return /^[+-]?\d+$/.test(key) ? Number(key) : undefined;
}

/**
 * The container holding the last token of `path` and that token. Like the reference library the
 * first segment is dropped unread, and a missing or null intermediate fails.
 */
function locate(root: Container, path: string): { con: Container; key: string } {
  const parts = path.split('/');
  if (parts.length < 2) throw new OperationFailed(`doc is missing path: "${path}"`);
  let con: Json = root;
  for (const part of parts.slice(1, -1)) {
    const next: Json | undefined = getChild(con as Container, unescapeToken(part));
    if (next === undefined || next === null || typeof next !== 'object') throw new OperationFailed(`doc is missing path: "${path}"`);
    con = next;
  }
  return { con: con as Container, key: unescapeToken(parts[parts.length - 1]) };
}

function getChild(con: Container, key: string): Json | undefined {
  if (!Array.isArray(con)) return Object.hasOwn(con, key) ? con[key] : undefined;
  const i = parseIndex(key);
  if (i === undefined || i >= con.length || i < -con.length) return undefined;
  return con[i < 0 ? i + con.length : i];
}

function arrayIndex(con: Json[], key: string, size: number): number {
  const i = parseIndex(key);
  if (i === undefined || i >= size || i < -size) throw new OperationFailed(`Unable to access invalid index: ${key}`);
  return i < 0 ? i + size : i;
}

function add(con: Container, key: string, value: Json): void {
  if (!Array.isArray(con)) {
    con[key] = value;
  } else if (key === '-') {
    con.push(value);
  } else {
    con.splice(arrayIndex(con, key, con.length + 1), 0, value);
  }
}

function remove(con: Container, key: string): Json {
  if (!Array.isArray(con)) {
    if (!Object.hasOwn(con, key)) throw new OperationFailed(`Unable to remove nonexistent key: ${key}`);
    const old = con[key];
    delete con[key];
    return old;
  }
  return con.splice(arrayIndex(con, key, con.length), 1)[0];
}

function stringField(op: Record<string, unknown>, name: 'path' | 'from'): string {
  const v = op[name];
  if (typeof v !== 'string') throw new OperationFailed(`operation missing ${name} field`);
  return v;
}

/** Applies one operation; returns the new root (only "replace" of "" changes it). */
function applyOperation(root: Container, op: Record<string, unknown>): Container {
  const value = (op.value === undefined ? null : op.value) as Json;
  switch (op.op) {
    case 'add': {
      const { con, key } = locate(root, stringField(op, 'path'));
      add(con, key, clone(value));
      return root;
    }
    case 'remove': {
      const { con, key } = locate(root, stringField(op, 'path'));
      remove(con, key);
      return root;
    }
    case 'replace': {
      const path = stringField(op, 'path');
      if (path === '') {
        if (typeof value !== 'object' || value === null) throw new OperationFailed('replace operation value must be object or array');
        return clone(value as Container);
      }
      const { con, key } = locate(root, path);
      if (Array.isArray(con)) con[arrayIndex(con, key, con.length)] = clone(value);
      else con[key] = clone(value);
      return root;
    }
    case 'move': {
      const from = locate(root, stringField(op, 'from'));
      const moved = remove(from.con, from.key);
      const to = locate(root, stringField(op, 'path'));
      add(to.con, to.key, moved);
      return root;
    }
    case 'copy': {
      const from = locate(root, stringField(op, 'from'));
      const copied = Array.isArray(from.con) ? from.con[arrayIndex(from.con, from.key, from.con.length)] : (from.con[from.key] ?? null);
      const to = locate(root, stringField(op, 'path'));
      add(to.con, to.key, clone(copied));
      return root;
    }
    case 'test': {
      const path = stringField(op, 'path');
      if (path === '') {
        if (!deepEqual(root, value)) throw new OperationFailed(`testing value ${path} failed`);
        return root;
      }
      const { con, key } = locate(root, path);
      const actual = Array.isArray(con) ? con[arrayIndex(con, key, con.length)] : con[key];
      const same = actual === undefined || actual === null ? value === null : deepEqual(actual, value);
      if (!same) throw new OperationFailed(`testing value ${path} failed`);
      return root;
    }
    default:
      throw new OperationFailed(`Unexpected kind: ${String(op.op ?? 'unknown')}`);
  }
}

/**
 * Applies `ops` (the parsed request body) to a copy of `doc` and returns the result; `doc` itself
 * is not modified. Throws StatusError 400 for a malformed patch, 413 for too many operations and
 * kube-apiserver's 422 when an operation does not apply.
 */
export function applyJsonPatch<T extends Json = JsonObject>(doc: T, ops: unknown): T {
  const operations = decodeOperations(ops);
  let root = clone(doc) as unknown as Container;
  try {
    for (const op of operations) root = applyOperation(root, op);
  } catch (err) {
    if (err instanceof OperationFailed) throw patchDoesNotApply();
    throw err;
  }
  return root as unknown as T;
}

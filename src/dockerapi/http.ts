// The HTTP edges of the Docker Engine API: docker's error body ({"message": …}) and status codes, JSON
// bodies, and the query conventions the docker CLI and dockerode use (1/true booleans, JSON filters).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EngineError } from '../engine/index.js';

/** An error with the HTTP status docker's daemon answers for it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const badRequest = (message: string): ApiError => new ApiError(400, message);
export const notFound = (message: string): ApiError => new ApiError(404, message);
export const conflict = (message: string): ApiError => new ApiError(409, message);

const ENGINE_STATUS: Record<EngineError['kind'], number> = { NotFound: 404, Conflict: 409, InvalidArgument: 400, NotRunning: 409, Runtime: 500 };

/** The status docker's daemon uses for an error (its errdefs classes); anything unknown is a 500. */
export function statusOf(err: unknown): number {
  if (err instanceof ApiError) return err.status;
  if (err instanceof EngineError) return ENGINE_STATUS[err.kind];
  return 500;
}

export function errorBody(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return JSON.stringify({ message });
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status = 204): void {
  res.writeHead(status);
  res.end();
}

export function sendError(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    // The stream has begun (logs, pull progress): docker ends it; the client sees a truncated body.
    res.destroy();
    return;
  }
  const text = errorBody(err);
  res.writeHead(statusOf(err), { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export async function readBody(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** A JSON request body; an empty body is `{}` (docker's clients omit bodies of all-default options). */
export async function readJson<T>(req: IncomingMessage): Promise<T> {
  return parseJson<T>(await readBody(req));
}

export function parseJson<T>(body: Buffer): T {
  if (!body.length) return {} as T;
  try {
    return JSON.parse(body.toString('utf8')) as T;
  } catch (err) {
    throw badRequest(`invalid JSON: ${(err as Error).message}`);
  }
}

/** Times in list bodies are unix seconds. */
export function unixSeconds(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000);
}

/** docker's boolean query values: 1/true/True are true, 0/false/empty are false. */
export function boolParam(q: URLSearchParams, name: string, fallback = false): boolean {
  const v = q.get(name);
  if (v === null) return fallback;
  return /^(1|true)$/i.test(v.trim());
}

export function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw badRequest(`invalid value for ${name}: ${v}`);
  return Number(v);
}

/**
 * The `filters` query parameter: `{"key":{"value":true}}` (what docker's clients send) or the older
 * `{"key":["value"]}`, as a map from key to values.
 */
export function parseFilters(q: URLSearchParams): Map<string, string[]> {
  const raw = q.get('filters');
  const out = new Map<string, string[]>();
  if (!raw) return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw badRequest(`invalid filter: ${raw}`);
  }
  if (!parsed || typeof parsed !== 'object') throw badRequest(`invalid filter: ${raw}`);
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (Array.isArray(value)) out.set(key, value.map(String));
    else if (value && typeof value === 'object') out.set(key, Object.entries(value).filter(([, on]) => on).map(([v]) => v));
    else throw badRequest(`invalid filter '${key}'`);
  }
  return out;
}

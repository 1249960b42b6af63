// Reading request bodies and writing responses: JSON or YAML, Status errors, warnings.
import type { IncomingMessage, ServerResponse } from 'node:http';
import YAML from 'yaml';
import { StatusError, type Status } from '../api/index.js';
import { UnavailableError } from '../storage/index.js';

/** kube-apiserver's MaxRequestBodyBytes. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export function tooLarge(): StatusError {
  return new StatusError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${MAX_BODY_BYTES}`);
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      req.resume();
      reject(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        failed = true;
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (err) => {
      if (!failed) reject(err);
    });
  });
}

/** Adds `Warning: 299 - "text"` headers (kubectl prints each as `Warning: text`). */
export function addWarnings(res: ServerResponse, warnings: string[]): void {
  if (warnings.length === 0 || res.headersSent) return;
  const existing = res.getHeader('Warning');
  const list = existing === undefined ? [] : Array.isArray(existing) ? existing.map(String) : [String(existing)];
  for (const w of warnings) list.push(`299 - ${JSON.stringify(w)}`);
  res.setHeader('Warning', list);
}

export function sendText(res: ServerResponse, code: number, contentType: string, body: string | Buffer, extraHeaders: Record<string, string> = {}): void {
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': String(buf.length), ...extraHeaders });
  res.end(res.req?.method === 'HEAD' ? undefined : buf);
}

export function sendJson(res: ServerResponse, code: number, body: unknown, encoding: 'json' | 'yaml' = 'json'): void {
  if (encoding === 'yaml') sendText(res, code, 'application/yaml', YAML.stringify(body));
  else sendText(res, code, 'application/json', typeof body === 'string' ? body : JSON.stringify(body));
}

export function statusOf(err: unknown): Status {
  if (err instanceof StatusError) return err.toStatus();
  // The store (etcd) is down or slow: the client should retry, as with kube-apiserver's 503s.
  if (err instanceof UnavailableError) return new StatusError(503, 'ServiceUnavailable', `storage is unavailable: ${err.message}`).toStatus();
  const message = err instanceof Error ? err.message : String(err);
  return new StatusError(500, 'InternalError', `Internal error occurred: ${message}`).toStatus();
}

export function sendError(res: ServerResponse, err: unknown): void {
  const status = statusOf(err);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, status.code, status);
}

export function successStatus(details?: Status['details']): Record<string, unknown> {
  const s: Record<string, unknown> = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' };
  if (details) s.details = details;
  return s;
}

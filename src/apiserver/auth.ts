// Authentication and authorization chains. Each is an ordered list of plugins; the first
// authenticator that recognises the request names the user, and the first authorizer with an opinion
// decides. Add a plugin by adding it to the list `startServer` builds (one place for each chain).
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { RequestInfo } from './request-info.js';

export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
}

/** undefined = not my kind of credential, try the next one; an Error = credential present but bad. */
export type Authenticator = (req: IncomingMessage) => UserInfo | undefined | Error;

export type Decision = 'allow' | 'deny' | 'no-opinion';
export type Authorizer = (user: UserInfo, info: RequestInfo) => { decision: Decision; reason?: string };

export const ANONYMOUS: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'] };

/** Users of verified client certificates, per TLS connection: the certificate cannot change on a socket. */
const certUsers = new WeakMap<TLSSocket, UserInfo | Error | undefined>();

function userOfCertificate(socket: TLSSocket): UserInfo | Error | undefined {
  const cert = socket.getPeerCertificate();
  if (!cert || !cert.subject) return undefined;
  if (!socket.authorized) return new Error('x509: certificate signed by unknown authority');
  const org = cert.subject.O as string | string[] | undefined;
  const groups = org === undefined ? [] : Array.isArray(org) ? org : [org];
  const cn = cert.subject.CN as string | string[];
  return { name: Array.isArray(cn) ? cn[0] : cn, groups: [...groups, 'system:authenticated'] };
}

/** Verified client certificate → CN is the user, O the groups (as kube-apiserver's x509 authenticator). */
export const clientCertAuthenticator: Authenticator = (req) => {
  const socket = req.socket as TLSSocket;
  if (typeof socket.getPeerCertificate !== 'function') return undefined;
  if (!certUsers.has(socket)) certUsers.set(socket, userOfCertificate(socket));
  return certUsers.get(socket);
};

/** Static bearer tokens, from a kube-style token file: `token,user,uid,"group1,group2"`. */
export function tokenAuthenticator(tokens: Map<string, UserInfo>): Authenticator {
  return (req) => {
    const header = req.headers.authorization;
    if (!header || !/^bearer /i.test(header)) return undefined;
    const token = header.slice(7).trim();
    const user = tokens.get(token);
    return user ?? new Error('invalid bearer token');
  };
}

export function parseTokenFile(text: string): Map<string, UserInfo> {
  const tokens = new Map<string, UserInfo>();
  for (const line of text.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const fields = line.match(/("[^"]*"|[^,]*)(,|$)/g)?.map((f) => f.replace(/,$/, '').replace(/^"|"$/g, '')) ?? [];
    const [token, name, uid, groups] = fields;
    if (!token || !name) continue;
    tokens.set(token, { name, uid, groups: [...(groups ? groups.split(',').filter(Boolean) : []), 'system:authenticated'] });
  }
  return tokens;
}

export interface ServerTokens {
  /** The join token agents present (`<data-dir>/server/token`). */
  joinToken: string;
  tokens: Map<string, UserInfo>;
}

/**
 * The join token (given with --token, else made once) and the static token file beside it; the join
 * token authenticates agents as a node.
 */
export function ensureTokens(serverDir: string, given?: string): ServerTokens {
  fs.mkdirSync(serverDir, { recursive: true, mode: 0o700 });
  const tokenPath = path.join(serverDir, 'token');
  let joinToken = given;
  if (!joinToken) joinToken = fs.existsSync(tokenPath) ? fs.readFileSync(tokenPath, 'utf8').trim() : crypto.randomBytes(24).toString('hex');
  fs.writeFileSync(tokenPath, joinToken + '\n', { mode: 0o600 });
  const tokenFile = path.join(serverDir, 'tokens.csv');
  if (!fs.existsSync(tokenFile)) fs.writeFileSync(tokenFile, '# token,user,uid,"groups"\n', { mode: 0o600 });
  const tokens = parseTokenFile(fs.readFileSync(tokenFile, 'utf8'));
  tokens.set(joinToken, { name: 'system:skiff:agent', uid: 'skiff-agent', groups: ['system:nodes', 'system:authenticated'] });
  return { joinToken, tokens };
}

/** Runs the chain: a user, or an Error (bad credential → 401), or ANONYMOUS when nobody claimed it. */
export function authenticate(chain: Authenticator[], req: IncomingMessage): UserInfo | Error {
  for (const a of chain) {
    const result = a(req);
    if (result) return result;
  }
  return ANONYMOUS;
}

/** Until RBAC lands every authenticated user may do everything. */
export const allowAuthenticated: Authorizer = (user) =>
  user.groups.includes('system:authenticated') ? { decision: 'allow' } : { decision: 'no-opinion' };

export function authorize(chain: Authorizer[], user: UserInfo, info: RequestInfo): { allowed: boolean; reason?: string } {
  for (const a of chain) {
    const { decision, reason } = a(user, info);
    if (decision === 'allow') return { allowed: true };
    if (decision === 'deny') return { allowed: false, reason };
  }
  return { allowed: false };
}

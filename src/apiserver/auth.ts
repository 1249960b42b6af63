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
  /** The join token agents present, k3s-shaped: `K10<sha256 of the CA>::server:<secret>`. */
  joinToken: string;
  tokens: Map<string, UserInfo>;
}

const TOKEN_SEPARATOR = '::server:';

/** The secret of a join token given in full (K10…::server:secret) or short form. */
function tokenSecret(token: string): string {
  const at = token.indexOf(TOKEN_SEPARATOR);
  return at >= 0 ? token.slice(at + TOKEN_SEPARATOR.length) : token;
}

/**
 * The join token (from --token, else made once) written to `<server>/token` in k3s's full form, so
 * an agent can check the CA it fetches from /cacerts against the hash; both forms authenticate agents
 * as nodes. Static tokens come from `<server>/tokens.csv` (kube's token file format).
 */
export function ensureTokens(serverDir: string, caCert: string, given?: string): ServerTokens {
  fs.mkdirSync(serverDir, { recursive: true, mode: 0o700 });
  const tokenPath = path.join(serverDir, 'token');
  const existing = fs.existsSync(tokenPath) ? fs.readFileSync(tokenPath, 'utf8').trim() : '';
  const secret = tokenSecret(given || existing || crypto.randomBytes(24).toString('hex'));
  const joinToken = `K10${crypto.createHash('sha256').update(caCert).digest('hex')}${TOKEN_SEPARATOR}${secret}`;
  fs.writeFileSync(tokenPath, joinToken + '\n', { mode: 0o600 });
  const tokenFile = path.join(serverDir, 'tokens.csv');
  if (!fs.existsSync(tokenFile)) fs.writeFileSync(tokenFile, '# token,user,uid,"groups"\n', { mode: 0o600 });
  const tokens = parseTokenFile(fs.readFileSync(tokenFile, 'utf8'));
  const agent: UserInfo = { name: 'system:skiff:agent', uid: 'skiff-agent', groups: ['system:nodes', 'system:authenticated'] };
  tokens.set(joinToken, agent);
  tokens.set(secret, agent);
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

// Service account tokens as kube-apiserver issues them: TokenRequest (serviceaccounts/token, what
// `kubectl create token` and the kubelet's projected kube-api-access volumes ask for) returns an ES256
// JWT signed with the server's service-account key, and the authenticator accepts such a bearer token
// as system:serviceaccount:<ns>:<name>. Tokens are bound by expiry and audience, not by a lookup: the
// authenticator chain is synchronous.
import crypto from 'node:crypto';
import { badRequest, lookupResource, methodNotAllowed, type KubeObject } from '../api/index.js';
import type { Authenticator, UserInfo } from './auth.js';
import type { ResourceContext } from './context.js';
import { decodeObject } from './decode.js';
import { readBody } from './http-util.js';
import { nowTimestamp } from './objects.js';
import { negotiateOrFail, sendObject } from './rest-read.js';
import type { Connector } from './router.js';

export const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
const DEFAULT_EXPIRATION_SECONDS = 3600;
const MIN_EXPIRATION_SECONDS = 600;

interface Claims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  'kubernetes.io': { namespace: string; serviceaccount: { name: string; uid: string }; pod?: { name: string; uid: string } };
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export class ServiceAccountTokens {
  private readonly privateKey: crypto.KeyObject;
  private readonly publicKey: crypto.KeyObject;
  private readonly kid: string;

  constructor(keys: { privateKey: string; publicKey: string }, readonly issuer = SERVICE_ACCOUNT_ISSUER) {
    this.privateKey = crypto.createPrivateKey(keys.privateKey);
    this.publicKey = crypto.createPublicKey(keys.publicKey);
    this.kid = b64url(crypto.createHash('sha256').update(this.publicKey.export({ type: 'spki', format: 'der' })).digest());
  }

  sign(claims: Claims): string {
    const head = b64url(JSON.stringify({ alg: 'ES256', kid: this.kid }));
    const body = b64url(JSON.stringify(claims));
    const signature = crypto.sign('sha256', Buffer.from(`${head}.${body}`), { key: this.privateKey, dsaEncoding: 'ieee-p1363' });
    return `${head}.${body}.${b64url(signature)}`;
  }

  /** The claims of a token this server signed and that is valid now, else undefined. */
  verify(token: string, nowSeconds = Math.floor(Date.now() / 1000)): Claims | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    try {
      const ok = crypto.verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), { key: this.publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(parts[2], 'base64url'));
      if (!ok) return undefined;
      const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString()) as Claims;
      if (claims.iss !== this.issuer || claims.exp < nowSeconds || claims.nbf > nowSeconds + 60) return undefined;
      return claims;
    } catch {
      return undefined;
    }
  }
}

export function userOf(claims: Claims): UserInfo {
  const { namespace, serviceaccount } = claims['kubernetes.io'];
  return {
    name: `system:serviceaccount:${namespace}:${serviceaccount.name}`,
    uid: serviceaccount.uid,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
  };
}

/** Bearer JWTs signed by this server; other bearer tokens are left to the next authenticator. */
export function serviceAccountAuthenticator(tokens: ServiceAccountTokens): Authenticator {
  return (req) => {
    const header = req.headers.authorization;
    if (!header || !/^bearer /i.test(header)) return undefined;
    const claims = tokens.verify(header.slice(7).trim());
    return claims ? userOf(claims) : undefined;
  };
}

interface TokenRequest extends KubeObject {
  spec?: { audiences?: string[]; expirationSeconds?: number; boundObjectRef?: { kind?: string; apiVersion?: string; name?: string; uid?: string } };
}

/** POST serviceaccounts/<name>/token → a TokenRequest with status.token, as kube answers it. */
export function tokenRequestConnector(tokens: ServiceAccountTokens): Connector {
  return async (ctx: ResourceContext) => {
    if (ctx.ri.verb !== 'create') throw methodNotAllowed();
    const out = negotiateOrFail(ctx, false);
    const request = decodeObject(ctx, await readBody(ctx.req), { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' }) as TokenRequest;
    const account = await ctx.core.objects.get(ctx.info, ctx.ri.namespace, ctx.ri.name);
    const spec = request.spec ?? {};
    const expirationSeconds = spec.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS;
    if (expirationSeconds < MIN_EXPIRATION_SECONDS) throw badRequest(`spec.expirationSeconds: Invalid value: ${expirationSeconds}: may not specify a duration less than 10 minutes`);
    const audiences = spec.audiences?.length ? spec.audiences : [tokens.issuer];
    const now = Math.floor(Date.now() / 1000);
    const binding: Claims['kubernetes.io'] = { namespace: ctx.ri.namespace, serviceaccount: { name: ctx.ri.name, uid: account.metadata.uid ?? '' } };
    const bound = spec.boundObjectRef;
    if (bound?.kind === 'Pod' && bound.name) {
      const pods = lookupResource('', 'v1', 'pods');
      const pod = pods ? await ctx.core.objects.get(pods, ctx.ri.namespace, bound.name) : undefined;
      binding.pod = { name: bound.name, uid: pod?.metadata.uid ?? '' };
    }
    const token = tokens.sign({ iss: tokens.issuer, sub: `system:serviceaccount:${ctx.ri.namespace}:${ctx.ri.name}`, aud: audiences, iat: now, nbf: now, exp: now + expirationSeconds, 'kubernetes.io': binding });
    const answer: TokenRequest = {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      metadata: { name: ctx.ri.name, namespace: ctx.ri.namespace, creationTimestamp: nowTimestamp() },
      spec: { ...spec, audiences, expirationSeconds, boundObjectRef: bound ?? null } as TokenRequest['spec'],
      status: { token, expirationTimestamp: new Date((now + expirationSeconds) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') },
    };
    sendObject(ctx, 201, answer, out);
  };
}

// Where a client connects and how it proves who it is: read from a kubeconfig file (the YAML kubectl
// reads) or from the service-account files a pod gets (in-cluster), as client-go's clientcmd and
// rest.InClusterConfig do.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

export interface ClientConfig {
  /** https://127.0.0.1:6443 (http:// is accepted for tests). */
  server: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  token?: string;
  username?: string;
  password?: string;
  insecureSkipTLSVerify?: boolean;
  /** TLS server name to verify instead of the URL's host. */
  tlsServerName?: string;
  /** The context's namespace (kubectl's default namespace), "default" when unset. */
  namespace: string;
  userAgent?: string;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

interface KubeconfigCluster {
  server?: string;
  'certificate-authority'?: string;
  'certificate-authority-data'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'tls-server-name'?: string;
}

interface KubeconfigUser {
  'client-certificate'?: string;
  'client-certificate-data'?: string;
  'client-key'?: string;
  'client-key-data'?: string;
  token?: string;
  tokenFile?: string;
  username?: string;
  password?: string;
}

interface KubeconfigContext {
  cluster?: string;
  user?: string;
  namespace?: string;
}

interface Kubeconfig {
  'current-context'?: string;
  clusters?: Array<{ name: string; cluster?: KubeconfigCluster }>;
  users?: Array<{ name: string; user?: KubeconfigUser }>;
  contexts?: Array<{ name: string; context?: KubeconfigContext }>;
}

export interface LoadOptions {
  /** Context to use instead of current-context (kubectl --context). */
  context?: string;
}

/** Reads a kubeconfig file; relative certificate paths are resolved against the file's directory. */
export function loadKubeconfig(file: string, options: LoadOptions = {}): ClientConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read kubeconfig ${file}: ${(err as Error).message}`);
  }
  return parseKubeconfig(text, path.dirname(path.resolve(file)), options);
}

/** Parses kubeconfig YAML text; `baseDir` anchors relative file references. */
export function parseKubeconfig(text: string, baseDir: string, options: LoadOptions = {}): ClientConfig {
  let doc: Kubeconfig;
  try {
    doc = (YAML.parse(text) ?? {}) as Kubeconfig;
  } catch (err) {
    throw new ConfigError(`invalid kubeconfig: ${(err as Error).message}`);
  }
  const contextName = options.context ?? doc['current-context'];
  if (!contextName) throw new ConfigError('invalid kubeconfig: no current-context is set');
  const context = doc.contexts?.find((c) => c.name === contextName)?.context;
  if (!context) throw new ConfigError(`invalid kubeconfig: context "${contextName}" does not exist`);
  const cluster = doc.clusters?.find((c) => c.name === context.cluster)?.cluster;
  if (!cluster?.server) throw new ConfigError(`invalid kubeconfig: cluster "${context.cluster ?? ''}" has no server`);
  const user = doc.users?.find((u) => u.name === context.user)?.user ?? {};
  const readRef = (data: string | undefined, file: string | undefined): Buffer | undefined => {
    if (data) return Buffer.from(data, 'base64');
    if (file) return readFileOrThrow(path.resolve(baseDir, file));
    return undefined;
  };
  const config: ClientConfig = {
    server: cluster.server.replace(/\/+$/, ''),
    ca: readRef(cluster['certificate-authority-data'], cluster['certificate-authority']),
    cert: readRef(user['client-certificate-data'], user['client-certificate']),
    key: readRef(user['client-key-data'], user['client-key']),
    token: user.token ?? (user.tokenFile ? readFileOrThrow(path.resolve(baseDir, user.tokenFile)).toString('utf8').trim() : undefined),
    username: user.username,
    password: user.password,
    insecureSkipTLSVerify: cluster['insecure-skip-tls-verify'] === true,
    tlsServerName: cluster['tls-server-name'],
    namespace: context.namespace || 'default',
  };
  return config;
}

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** The config of a process running in a pod: KUBERNETES_SERVICE_HOST/PORT plus the mounted token and CA. */
export function inClusterConfig(dir = SERVICE_ACCOUNT_DIR, env: NodeJS.ProcessEnv = process.env): ClientConfig {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) throw new ConfigError('unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined');
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const namespaceFile = path.join(dir, 'namespace');
  return {
    server: `https://${hostPart}:${port}`,
    token: readFileOrThrow(path.join(dir, 'token')).toString('utf8').trim(),
    ca: readFileOrThrow(path.join(dir, 'ca.crt')),
    namespace: fs.existsSync(namespaceFile) ? fs.readFileSync(namespaceFile, 'utf8').trim() || 'default' : 'default',
  };
}

function readFileOrThrow(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new ConfigError(`cannot read ${file}: ${(err as Error).message}`);
  }
}

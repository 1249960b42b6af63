// The cluster's certificates, made once on first start under <data-dir>/server/tls/ with the openssl
// CLI (always installed by scripts/setup): a CA, the API server's serving certificate, the admin
// client certificate (CN=system:admin, O=system:masters) that goes into the kubeconfig, and the key
// pair service account tokens are signed with. Later starts reuse them, except that the serving
// certificate is re-issued when the names it must cover change.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';

export interface Pki {
  dir: string;
  caCert: string;
  caKey: string;
  servingCert: string;
  servingKey: string;
  adminCert: string;
  adminKey: string;
  /** PEM (PKCS#8, EC P-256): signs service account tokens (ES256). */
  serviceAccountKey: string;
  /** PEM (SPKI): verifies them. */
  serviceAccountPublicKey: string;
}

export interface PkiOptions {
  nodeName: string;
  /** Extra IPs and DNS names for the serving certificate (bind address, service IP…). */
  extraIps?: string[];
  extraNames?: string[];
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function newKey(file: string, cwd: string): void {
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file], cwd);
  fs.chmodSync(path.join(cwd, file), 0o600);
}

function serial(): string {
  return '0x' + crypto.randomBytes(12).toString('hex');
}

/** Issues `name`.crt signed by the CA, with the given subject and extensions. */
function issue(cwd: string, name: string, subject: string, extensions: string[]): void {
  newKey(`${name}.key`, cwd);
  openssl(['req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`], cwd);
  fs.writeFileSync(path.join(cwd, `${name}.ext`), extensions.join('\n') + '\n');
  openssl(
    ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-set_serial', serial(), '-days', '3650', '-sha256', '-extfile', `${name}.ext`, '-out', `${name}.crt`],
    cwd,
  );
  fs.rmSync(path.join(cwd, `${name}.csr`));
}

function hostIps(): string[] {
  const ips = new Set<string>(['127.0.0.1']);
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4') ips.add(a.address);
  }
  return [...ips];
}

function servingNames(options: PkiOptions): { dns: string[]; ips: string[] } {
  const dns = new Set(['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', options.nodeName, ...(options.extraNames ?? [])]);
  const ips = new Set([...hostIps(), '10.43.0.1', ...(options.extraIps ?? []).filter((ip) => ip && ip !== '0.0.0.0')]);
  return { dns: [...dns].filter(Boolean).sort(), ips: [...ips].sort() };
}

function read(dir: string, file: string): string {
  return fs.readFileSync(path.join(dir, file), 'utf8');
}

export function ensurePki(dir: string, options: PkiOptions): Pki {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!fs.existsSync(path.join(dir, 'ca.crt'))) {
    newKey('ca.key', dir);
    openssl(
      ['req', '-x509', '-new', '-key', 'ca.key', '-subj', `/CN=skiff-ca@${Math.floor(Date.now() / 1000)}`, '-days', '3650', '-sha256', '-set_serial', serial(),
        '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature', '-out', 'ca.crt'],
      dir,
    );
  }
  const names = servingNames(options);
  const sanLine = 'subjectAltName=' + [...names.dns.map((d) => `DNS:${d}`), ...names.ips.map((ip) => `IP:${ip}`)].join(',');
  const sanFile = path.join(dir, 'serving.san');
  if (!fs.existsSync(path.join(dir, 'serving.crt')) || !fs.existsSync(sanFile) || fs.readFileSync(sanFile, 'utf8') !== sanLine) {
    issue(dir, 'serving', '/CN=kube-apiserver', ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment', 'extendedKeyUsage=serverAuth', sanLine]);
    fs.writeFileSync(sanFile, sanLine);
  }
  if (!fs.existsSync(path.join(dir, 'admin.crt'))) {
    issue(dir, 'admin', '/O=system:masters/CN=system:admin', ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment', 'extendedKeyUsage=clientAuth']);
  }
  if (!fs.existsSync(path.join(dir, 'service-account.pub'))) {
    newKey('service-account.key', dir);
    openssl(['pkey', '-in', 'service-account.key', '-pubout', '-out', 'service-account.pub'], dir);
  }
  return {
    dir,
    serviceAccountKey: read(dir, 'service-account.key'),
    serviceAccountPublicKey: read(dir, 'service-account.pub'),
    caCert: read(dir, 'ca.crt'),
    caKey: read(dir, 'ca.key'),
    servingCert: read(dir, 'serving.crt'),
    servingKey: read(dir, 'serving.key'),
    adminCert: read(dir, 'admin.crt'),
    adminKey: read(dir, 'admin.key'),
  };
}

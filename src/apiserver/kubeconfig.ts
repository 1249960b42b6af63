// The admin kubeconfig, written like k3s writes /etc/rancher/k3s/k3s.yaml: cluster, user and context
// all named "default", credentials inline, mode 0600.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

export interface KubeconfigCredentials {
  server: string;
  caCert: string;
  clientCert: string;
  clientKey: string;
}

export function kubeconfigYaml(c: KubeconfigCredentials): string {
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  return YAML.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'default', cluster: { server: c.server, 'certificate-authority-data': b64(c.caCert) } }],
    users: [{ name: 'default', user: { 'client-certificate-data': b64(c.clientCert), 'client-key-data': b64(c.clientKey) } }],
    contexts: [{ name: 'default', context: { cluster: 'default', user: 'default' } }],
    'current-context': 'default',
    preferences: {},
  });
}

export function writeKubeconfig(file: string, c: KubeconfigCredentials): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, kubeconfigYaml(c), { mode: 0o600 });
  fs.renameSync(tmp, file);
  fs.chmodSync(file, 0o600);
}

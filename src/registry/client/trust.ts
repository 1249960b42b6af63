// Extra certificate authorities for registry connections, read when a connection first needs them.
// NODE_EXTRA_CA_CERTS makes Node parse its whole file at every process start, before any code runs
// (~30 ms with a system bundle such as /etc/ssl/certs/ca-certificates.crt): a cost every `skiff run`
// paid for connections it never makes. bin/skiff hands the variable over as SKIFF_EXTRA_CA_CERTS, and
// registry connections, the ones verified against the public trust, add these authorities to Node's own
// roots as Node itself would have. (Kubernetes clients verify against their kubeconfig's CA.)
import fs from 'node:fs';
import tls from 'node:tls';

let loaded: string[] | undefined;
let done = false;

/** Node's root CAs plus the extra ones, or undefined (Node's defaults) when none are configured. */
export function defaultTrust(): string[] | undefined {
  if (done) return loaded;
  done = true;
  const file = process.env.SKIFF_EXTRA_CA_CERTS;
  if (!file) return undefined;
  try {
    loaded = [...tls.rootCertificates, fs.readFileSync(file, 'utf8')];
  } catch (err) {
    // Node's own words for an unreadable NODE_EXTRA_CA_CERTS; the defaults still apply.
    process.emitWarning(`Ignoring extra certs from \`${file}\`, load failed: ${(err as Error).message}`);
  }
  return loaded;
}

// Default classes at admission, with the real kubectl: an Ingress or a PVC created without a class gets
// the newest class annotated as the default (DefaultIngressClass / DefaultStorageClass), so `kubectl get
// ingress` shows its CLASS; an explicit class, the legacy ingress annotation or an explicit "" are kept.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { kubectlOk, startTestServer, type TestServer } from '../lib/index.js';

let server: TestServer;
const k = (args: string[], input?: string): Promise<string> => kubectlOk('1.33', server.kubeconfig, args, { input });

before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server?.stop();
});

const ingressClass = (name: string, isDefault: boolean): string => `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: ${name}
  annotations: {ingressclass.kubernetes.io/is-default-class: "${isDefault}"}
spec: {controller: example.com/${name}}
`;

const ingress = (name: string, extra = '', annotations = '{}'): string => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ${name}, annotations: ${annotations}}
spec:
${extra}  defaultBackend: {service: {name: web, port: {number: 80}}}
`;

test('an Ingress without a class gets the newest default IngressClass; explicit choices are kept', async () => {
  await k(['create', '-f', '-'], ingressClass('older', true));
  await new Promise((r) => setTimeout(r, 1100)); // creationTimestamp has one-second resolution
  await k(['create', '-f', '-'], ingressClass('newer', true) + '---\n' + ingressClass('plain', false));
  await k(['create', '-f', '-'], ingress('bare') + '---\n' + ingress('named', '  ingressClassName: plain\n') + '---\n' + ingress('legacy', '', '{kubernetes.io/ingress.class: plain}'));
  const classOf = (name: string): Promise<string> => k(['get', 'ingress', name, '-o', 'jsonpath={.spec.ingressClassName}']);
  assert.equal(await classOf('bare'), 'newer');
  assert.equal(await classOf('named'), 'plain');
  assert.equal(await classOf('legacy'), '');
  assert.match(await k(['get', 'ingress', 'bare']), /^NAME\s+CLASS\s+HOSTS\s+ADDRESS\s+PORTS\s+AGE\nbare\s+newer\s+\*/);
  // Only creation defaults: an update never sets the class.
  await k(['annotate', 'ingress', 'legacy', 'kubernetes.io/ingress.class-']);
  assert.equal(await classOf('legacy'), '');
});

test('a PVC without storageClassName gets the default StorageClass; "" means none', async () => {
  await k(['create', '-f', '-'], `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: fast, annotations: {storageclass.kubernetes.io/is-default-class: "true"}}
provisioner: example.com/fast
`);
  const pvc = (name: string, extra = ''): string => `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: ${name}}
spec:
${extra}  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
`;
  await k(['create', '-f', '-'], pvc('auto') + '---\n' + pvc('none', '  storageClassName: ""\n'));
  assert.equal(await k(['get', 'pvc', 'auto', '-o', 'jsonpath={.spec.storageClassName}']), 'fast');
  assert.equal(await k(['get', 'pvc', 'none', '-o', 'jsonpath={.spec.storageClassName}']), '');
});

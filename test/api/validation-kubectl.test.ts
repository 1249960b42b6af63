// What the real kubectl 1.27 and 1.33 print when skiff's object model refuses an object: the
// validation messages, field paths and error shapes of kube-apiserver, end to end through a real
// `skiff server` (defaults → strategy → validation → metav1.Status → kubectl's rendering).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { kubectl, kubectlOk, KUBECTL_VERSIONS, startTestServer, type KubectlVersion, type TestServer } from '../lib/index.js';

let server: TestServer;

before(async () => {
  server = await startTestServer();
});

after(async () => {
  await server?.stop();
});

const yaml = (lines: string[]): string => `${lines.join('\n')}\n`;

function deployment(ns: string, name: string, selector: string[], labels: string): string {
  return yaml([
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${name}`,
    `  namespace: ${ns}`,
    'spec:',
    ...selector,
    '  template:',
    '    metadata:',
    `      labels: {app: ${labels}}`,
    '    spec:',
    '      containers:',
    '      - {name: web, image: nginx}',
  ]);
}

describe('validation errors as kubectl prints them', { concurrency: true }, () => {
  for (const v of KUBECTL_VERSIONS) {
    const ns = `val-${v.replace('.', '')}`;
    const run = (args: string[], input?: string) => kubectl(v as KubectlVersion, server.kubeconfig, [...args, '-n', ns], { input });
    const create = (input: string) => run(['create', '-f', '-'], input);

    it(`kubectl ${v}: invalid objects are refused with kube-apiserver's messages`, async () => {
      await kubectlOk(v, server.kubeconfig, ['create', 'namespace', ns]);

      const badName = await create(yaml(['apiVersion: v1', 'kind: Pod', 'metadata: {name: Bad_Name}', 'spec:', '  containers: [{name: c, image: nginx}]']));
      assert.equal(badName.code, 1);
      assert.equal(
        badName.stderr.trim(),
        `The Pod "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
      );

      const noSelector = await create(deployment(ns, 'web', [], 'web'));
      assert.equal(
        noSelector.stderr.trim(),
        [
          'The Deployment "web" is invalid: ',
          '* spec.selector: Required value',
          '* spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
        ].join('\n'),
      );

      const job = await create(
        yaml(['apiVersion: batch/v1', 'kind: Job', 'metadata: {name: pi}', 'spec:', '  template:', '    spec:', '      restartPolicy: Always', '      containers: [{name: pi, image: perl}]']),
      );
      assert.equal(job.stderr.trim(), 'The Job "pi" is invalid: spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"');

      const cron = await create(
        yaml([
          'apiVersion: batch/v1',
          'kind: CronJob',
          'metadata: {name: every}',
          'spec:',
          '  schedule: "61 * * * *"',
          '  jobTemplate:',
          '    spec:',
          '      template:',
          '        spec:',
          '          restartPolicy: OnFailure',
          '          containers: [{name: c, image: busybox}]',
        ]),
      );
      assert.equal(cron.stderr.trim(), 'The CronJob "every" is invalid: spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61');

      const svc = await create(yaml(['apiVersion: v1', 'kind: Service', 'metadata: {name: two}', 'spec:', '  ports: [{port: 80}, {port: 443}]']));
      assert.equal(svc.stderr.trim(), ['The Service "two" is invalid: ', '* spec.ports[0].name: Required value', '* spec.ports[1].name: Required value'].join('\n'));
    });

    it(`kubectl ${v}: immutable fields and pod updates`, async () => {
      const uns = `${ns}-u`;
      await kubectlOk(v, server.kubeconfig, ['create', 'namespace', uns]);
      const sel = (app: string) => ['  selector:', `    matchLabels: {app: ${app}}`];
      await kubectlOk(v, server.kubeconfig, ['create', '-f', '-'], { input: deployment(uns, 'web', sel('web'), 'web') });
      const replaced = await kubectl(v, server.kubeconfig, ['replace', '-f', '-'], { input: deployment(uns, 'web', sel('web2'), 'web2') });
      assert.equal(
        replaced.stderr.trim(),
        'The Deployment "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
      );

      await kubectlOk(v, server.kubeconfig, ['run', 'p', '--image=nginx:1.25', '--restart=Never', '-n', uns]);
      assert.equal(await kubectlOk(v, server.kubeconfig, ['set', 'image', 'pod/p', 'p=nginx:1.26', '-n', uns]), 'pod/p image updated\n');
      const patched = await kubectl(v, server.kubeconfig, ['patch', 'pod', 'p', '-n', uns, '-p', '{"spec":{"restartPolicy":"Always"}}']);
      assert.equal(patched.code, 1);
      assert.match(
        patched.stderr,
        /^The Pod "p" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers\[\*\].image`,`spec.initContainers\[\*\].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` \(only additions to existing tolerations\),`spec.terminationGracePeriodSeconds` \(allow it to be set to 1 if it was previously negative\)/,
      );
      const pod = JSON.parse(await kubectlOk(v, server.kubeconfig, ['get', 'pod', 'p', '-n', uns, '-o', 'json'])) as { metadata: { generation?: number }; spec: Record<string, unknown>; status: Record<string, unknown> };
      assert.equal(pod.spec.restartPolicy, 'Never');
      assert.equal(pod.spec.dnsPolicy, 'ClusterFirst');
      assert.equal(pod.spec.schedulerName, 'default-scheduler');
      assert.equal(pod.status.qosClass, 'BestEffort');
      assert.equal(pod.metadata.generation, 2);
    });

    it(`kubectl ${v}: selectors that kube-apiserver refuses`, async () => {
      const badLabel = await kubectl(v, server.kubeconfig, ['get', 'pods', '-A', '-l', 'app in web']);
      assert.equal(badLabel.code, 1);
      assert.match(badLabel.stderr, /unable to parse requirement: found 'web' expected: '\('/);
      const badField = await kubectl(v, server.kubeconfig, ['get', 'pods', '-A', '--field-selector', 'spec.color=blue']);
      assert.equal(badField.code, 1);
      assert.match(badField.stderr, /field label not supported: spec\.color/);
      assert.equal(await kubectlOk(v, server.kubeconfig, ['get', 'ns', '--field-selector', 'status.phase=Active', '-l', 'kubernetes.io/metadata.name in (default,none)', '-o', 'name']), 'namespace/default\n');
    });
  }
});

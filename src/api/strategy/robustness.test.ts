import { test } from 'node:test';
import assert from 'node:assert/strict';
import { strategyFor } from './index.js';
import { applyDefaults } from '../defaults/index.js';
import { convertForStorage, convertFromStorage } from '../convert/index.js';
import { allResources } from '../registry.js';
import type { KubeObject } from '../object.js';

// Bodies of the wrong shape reach the model when fieldValidation is Ignore or a patch breaks an object;
// every step must answer with field errors, never throw.
const junkValues: unknown[] = [null, 'x', 7, true, [], [1, 'a', null], { a: { b: [] } }];
const fields = ['spec', 'status', 'data', 'template', 'rules', 'subjects', 'roleRef', 'involvedObject', 'regarding', 'subsets', 'ports', 'endpoints', 'type', 'value'];
const nested = ['containers', 'initContainers', 'volumes', 'selector', 'template', 'ports', 'strategy', 'updateStrategy', 'jobTemplate', 'metrics', 'rules', 'tls', 'resources', 'accessModes', 'capacity', 'schedule', 'replicas', 'tolerations', 'finalizers', 'hard', 'limits'];

function* junkObjects(): Generator<Record<string, unknown>> {
  for (const v of junkValues) {
    yield { metadata: { name: 'x', namespace: 'default', labels: v, annotations: v, finalizers: v, ownerReferences: v } };
    for (const f of fields) yield { metadata: { name: 'x', namespace: 'default' }, [f]: v };
    for (const n of nested) {
      yield { metadata: { name: 'x', namespace: 'default' }, spec: { [n]: v } };
      yield { metadata: { name: 'x', namespace: 'default' }, spec: { template: { metadata: { labels: v }, spec: { [n]: v, containers: [{ name: 'a', image: 'x', [n]: v }] } } } };
    }
  }
}

test('malformed objects produce field errors, never exceptions', () => {
  for (const info of allResources()) {
    const s = strategyFor(info);
    for (const junk of junkObjects()) {
      const obj = { apiVersion: info.group ? `${info.group}/${info.version}` : info.version, kind: info.kind, ...structuredClone(junk) } as KubeObject;
      const label = `${info.group}/${info.version}/${info.resource} ${JSON.stringify(junk)}`;
      assert.doesNotThrow(() => {
        applyDefaults(info, obj);
        obj.metadata.uid = 'u';
        s.prepareForCreate(obj);
        s.validate(obj);
        const next = structuredClone(obj);
        s.prepareForUpdate(next, obj, '');
        s.validateUpdate(next, obj, '');
        s.prepareForUpdate(next, obj, 'status');
        s.validateUpdate(next, obj, 'status');
        convertFromStorage(info, convertForStorage(info, obj));
      }, label);
    }
  }
});

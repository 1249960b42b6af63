import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EngineError } from './errors.js';
import { anyValue, checkFilterKeys, filtersFromFlags, labelsMatch } from './filters.js';

test('--filter flags become the API filter map; values of one key gather, a value keeps its own =', () => {
  assert.deepEqual([...filtersFromFlags(['name=a', 'label=k=v=w', 'name=b'])], [['name', ['a', 'b']], ['label', ['k=v=w']]]);
  assert.throws(() => filtersFromFlags(['name']), (e: unknown) => e instanceof EngineError && e.kind === 'InvalidArgument' && e.message === "invalid filter 'name'");
});

test('unknown keys are refused with docker\'s message', () => {
  assert.doesNotThrow(() => checkFilterKeys(new Map([['id', ['x']]]), ['id', 'name']));
  assert.throws(() => checkFilterKeys(new Map([['colour', ['red']]]), ['id']), /^EngineError: invalid filter 'colour'$/);
});

test('values of a key are alternatives; an absent key passes', () => {
  const f = new Map([['name', ['a', 'b']]]);
  assert.equal(anyValue(f, 'name', (v) => v === 'b'), true);
  assert.equal(anyValue(f, 'name', () => false), false);
  assert.equal(anyValue(f, 'id', () => false), true);
});

test('label filters: every key present, every key=value equal', () => {
  const labels = { tier: 'web', k: 'a=b' };
  assert.equal(labelsMatch(labels, ['tier', 'k=a=b']), true);
  assert.equal(labelsMatch(labels, ['tier=db']), false);
  assert.equal(labelsMatch(labels, ['missing']), false);
  assert.equal(labelsMatch(labels, undefined), true);
});

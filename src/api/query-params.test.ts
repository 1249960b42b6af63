import assert from 'node:assert/strict';
import { test } from 'node:test';
import { queryBool } from './query-params.js';

test('boolean query parameters follow Kubernetes conversion', () => {
  const q = new URLSearchParams('a=true&b=True&c=1&d=&e=false&f=False&g=0&h=yes');
  assert.deepEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'missing'].map((n) => queryBool(q, n)), [true, true, true, true, false, false, false, true, false]);
});

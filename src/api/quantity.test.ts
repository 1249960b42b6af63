import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuantity, Quantity, QuantityError, quantityOf } from './quantity.js';

test('quantities print in canonical form as Kubernetes does', () => {
  const cases: [string, string][] = [
    ['100m', '100m'],
    ['1000m', '1'],
    ['0.5', '500m'],
    ['1.5', '1500m'],
    ['1500', '1500'],
    ['1000', '1k'],
    ['2k', '2k'],
    ['1Gi', '1Gi'],
    ['1024Mi', '1Gi'],
    ['1536Mi', '1536Mi'],
    ['0.5Gi', '512Mi'],
    ['512', '512'],
    ['1e3', '1e3'],
    ['1E6', '1e6'],
    ['128974848', '128974848'],
    ['129e6', '129e6'],
    ['123Mi', '123Mi'],
    ['0', '0'],
    ['0Gi', '0'],
    ['-1', '-1'],
    ['0.1m', '100u'],
    ['1n', '1n'],
    ['0.1n', '1n'],
    ['+5', '5'],
    ['10M', '10M'],
    ['1.0', '1'],
    ['100Ki', '100Ki'],
    ['1Ki', '1Ki'],
  ];
  for (const [input, want] of cases) assert.equal(parseQuantity(input).toString(), want, input);
});

test('comparison and integer views', () => {
  assert.equal(parseQuantity('1').cmp(parseQuantity('1000m')), 0);
  assert.equal(parseQuantity('1Gi').cmp(parseQuantity('1G')), 1);
  assert.equal(parseQuantity('100m').value(), 1);
  assert.equal(parseQuantity('1.5').milliValue(), 1500);
  assert.equal(parseQuantity('64Mi').value(), 67108864);
  assert.equal(parseQuantity('250m').add(parseQuantity('750m')).toString(), '1');
  assert.equal(quantityOf(2).toString(), '2');
  assert.equal(Quantity.fromMilli(1500).toString(), '1500m');
});

test('malformed quantities fail with Kubernetes messages', () => {
  const regex = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
  for (const bad of ['', 'abc', '1.5.5', '1 Gi', '5x', '1Gb']) assert.throws(() => parseQuantity(bad), (e: unknown) => e instanceof QuantityError && e.message === regex, bad);
  assert.throws(() => parseQuantity('1KM'), /unable to parse quantity's suffix/);
  assert.throws(() => parseQuantity('1ki'), /unable to parse quantity's suffix/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLabelSelector, parseSelector, selectorFromLabelSelector, selectorFromSet, Selector, SelectorParseError } from './labels.js';

const pod = { app: 'web', tier: 'frontend', env: 'prod' };

test('every selector form of kubectl -l matches as Kubernetes does', () => {
  const cases: [string, boolean][] = [
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['app!=db', true],
    ['missing!=x', true],
    ['app in (web,db)', true],
    ['app in (db)', false],
    ['app notin (db,cache)', true],
    ['missing notin (x)', true],
    ['app', true],
    ['missing', false],
    ['!missing', true],
    ['!app', false],
    ['app=web,tier=frontend', true],
    ['app=web,tier=backend', false],
    ['  app = web , env in ( prod , dev ) ', true],
    ['', true],
  ];
  for (const [text, want] of cases) assert.equal(parseSelector(text).matches(pod), want, text);
  assert.equal(parseSelector('app').matches(undefined), false);
  assert.equal(parseSelector('!app').matches(undefined), true);
});

test('selectors print in canonical order as kube-apiserver prints them', () => {
  assert.equal(parseSelector('z=1,a in (c,b),!m,k').toString(), 'a in (b,c),k,!m,z=1');
  assert.equal(parseSelector('x in (in),y notin (notin)').toString(), 'x in (in),y notin (notin)');
  assert.equal(parseSelector('a=').toString(), 'a=');
  assert.equal(parseSelector('a in (,b)').toString(), 'a in (,b)');
  assert.equal(parseSelector('a in ()').matches({ a: '' }), true);
});

test('syntax errors carry Kubernetes messages', () => {
  const cases: [string, string][] = [
    ['a in b', "unable to parse requirement: found 'b' expected: '('"],
    ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    ['a=b c', "found 'c', expected: ',' or 'end of string'"],
    ['a=b,', "found '', expected: identifier after ','"],
    ['=a', "found '=', expected: !, identifier, or 'end of string'"],
    ['a in (b c)', "unable to parse requirement: found 'c', expected: ',' or ')'"],
    ['a=b=c', "found '=', expected: ',' or 'end of string'"],
    [
      'a/b/c',
      `unable to parse requirement: <nil>: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ],
    [
      'a=b_',
      `unable to parse requirement: values[0][a]: Invalid value: "b_": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    ],
  ];
  for (const [text, message] of cases) assert.throws(() => parseSelector(text), (e: unknown) => e instanceof SelectorParseError && e.message === message, text);
});

test('gt and lt compare integers', () => {
  assert.equal(parseSelector('n>5').matches({ n: '6' }), true);
  assert.equal(parseSelector('n<5').matches({ n: '6' }), false);
  assert.equal(parseSelector('n>5').matches({ n: 'x' }), false);
});

test('LabelSelector objects: nil selects nothing, empty everything, expressions as in specs', () => {
  assert.equal(selectorFromLabelSelector(undefined).matches(pod), false);
  assert.equal(selectorFromLabelSelector({}).matches(pod), true);
  assert.equal(selectorFromLabelSelector({}).empty(), true);
  const sel = selectorFromLabelSelector({
    matchLabels: { app: 'web' },
    matchExpressions: [
      { key: 'tier', operator: 'In', values: ['frontend', 'edge'] },
      { key: 'env', operator: 'NotIn', values: ['dev'] },
      { key: 'env', operator: 'Exists' },
      { key: 'canary', operator: 'DoesNotExist' },
    ],
  });
  assert.equal(sel.matches(pod), true);
  assert.equal(sel.matches({ ...pod, canary: 'yes' }), false);
  assert.equal(sel.toString(), 'app=web,!canary,env notin (dev),env,tier in (edge,frontend)');
  assert.throws(() => selectorFromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Equals' }] }), /"Equals" is not a valid label selector operator/);
  assert.equal(formatLabelSelector({ matchLabels: { app: 'web' } }), 'app=web');
  assert.equal(formatLabelSelector({}), '<none>');
  assert.equal(selectorFromSet({ b: '2', a: '1' }).toString(), 'a=1,b=2');
  assert.equal(selectorFromSet({ a: '1' }).requiresExactMatch('a'), '1');
  assert.equal(Selector.nothing().matches({}), false);
});

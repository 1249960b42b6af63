import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compile } from './template.js';

const data = {
  Id: 'abc',
  State: { Status: 'running', Pid: 42, Running: true },
  Config: { Cmd: ['sh', '-c', 'x'], Labels: { b: '2', a: '1' }, Env: [] as string[] },
  NetworkSettings: { Networks: { bridge: { IPAddress: '10.0.0.2' }, other: { IPAddress: '10.1.0.2' } } },
};
const run = (src: string, d: unknown = data): string => compile(src).execute(d);

test('fields, nested fields and missing keys', () => {
  assert.equal(run('{{.Id}} {{.State.Status}} {{.State.Pid}}'), 'abc running 42');
  assert.equal(run('{{.Nope}}'), '<no value>');
});

test('json, range over maps (sorted keys) and slices, with else', () => {
  assert.equal(run('{{json .Config.Cmd}}'), '["sh","-c","x"]');
  assert.equal(run('{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}'), '10.0.0.2 10.1.0.2 ');
  assert.equal(run('{{range .Config.Env}}x{{else}}empty{{end}}'), 'empty');
  assert.equal(run('{{range $.Config.Cmd}}[{{.}}]{{end}}'), '[sh][-c][x]');
});

test('if/else if, comparison and boolean functions, pipelines', () => {
  assert.equal(run('{{if .State.Running}}up{{else}}down{{end}}'), 'up');
  assert.equal(run('{{if eq .State.Status "exited"}}e{{else if eq .State.Status "running"}}r{{end}}'), 'r');
  assert.equal(run('{{if and .State.Running (gt .State.Pid 1)}}ok{{end}}'), 'ok');
  assert.equal(run('{{.Id | upper}}'), 'ABC');
  assert.equal(run('{{.Config.Cmd | json}}'), '["sh","-c","x"]');
});

test('docker\'s functions and Go builtins', () => {
  assert.equal(run('{{join .Config.Cmd " "}}'), 'sh -c x');
  assert.equal(run('{{index .Config.Labels "a"}}'), '1');
  assert.equal(run('{{len .Config.Cmd}}'), '3');
  assert.equal(run('{{printf "%s=%d" .Id .State.Pid}}'), 'abc=42');
  assert.equal(run('{{printf "%-5s|" .Id}}'), 'abc  |');
  assert.equal(run('{{.Config.Labels}}'), 'map[a:1 b:2]');
  assert.equal(run('{{split "a,b" ","}}'), '[a b]');
  assert.equal(run('{{with .State}}{{.Pid}}{{end}}'), '42');
});

test('whitespace trim markers and errors', () => {
  assert.equal(run('a  {{- .Id -}}  b'), 'aabcb');
  assert.throws(() => run('{{nosuch .Id}}'), /function "nosuch" not defined/);
  assert.throws(() => compile('{{if .Id}}x'), /unexpected EOF/);
});

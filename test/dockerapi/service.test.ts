// `skiff system service` itself: podman's shapes (positional unix:// URI, --time), a socket that is in
// use is not taken over, TCP is refused, and the socket file goes away on exit.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { destroyRoot, makeRoot, SKIFF } from '../engine/helpers.js';

let root: string;
const pids: number[] = [];

before(async () => {
  root = await makeRoot('dapi-svc');
});

after(async () => {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await destroyRoot(root);
});

function service(args: string[]): { exited: Promise<{ code: number; output: string }>; pid: number } {
  const child = spawn(SKIFF, ['--root', root, 'system', 'service', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  pids.push(child.pid!);
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return { pid: child.pid!, exited: new Promise((resolve) => child.on('close', (code) => resolve({ code: code ?? -1, output }))) };
}

async function waitFor(file: string): Promise<void> {
  for (let i = 0; i < 300 && !fs.existsSync(file); i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(fs.existsSync(file), `${file} never appeared`);
}

test('a unix:// URI with --time 1 serves, then stops by itself when idle and removes its socket', async () => {
  const socket = path.join(root, 'idle.sock');
  const s = service([`unix://${socket}`, '--time', '1']);
  await waitFor(socket);
  const second = service(['--socket', socket]);
  const refused = await second.exited;
  assert.notEqual(refused.code, 0);
  assert.equal(refused.output.trim(), `skiff system service: ${socket} is in use by a running service`);
  const done = await s.exited;
  assert.equal(done.code, 0, done.output);
  assert.equal(fs.existsSync(socket), false);
});

test('TCP addresses are refused: the API has no authentication', async () => {
  const r = await service(['tcp://127.0.0.1:2375']).exited;
  assert.equal(r.code, 125);
  assert.match(r.output, /only unix:\/\/ addresses are served/);
});

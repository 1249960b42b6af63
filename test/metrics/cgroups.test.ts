// The cgroup figures the Summary API is built from (the engine's readCgroupStats), read from a real
// cgroup of the running kernel (v1 per controller here, or the v2 unified tree): a child process moved
// into a cgroup of this test's own burns CPU and fills memory, and the figures follow. The cgroup is
// removed, and the child killed by its pid, even when the test fails.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { after, test } from 'node:test';
import { cgroupDir, isCgroupV2, readCgroupStats } from '../../src/engine/index.js';

const CGROUP = `/skiff-metrics-test-${process.pid}`;
const CONTROLLERS = ['cpuacct', 'memory', 'pids'];
const dirs = [...new Set(CONTROLLERS.map((c) => cgroupDir(CGROUP, c)))];
let child: ChildProcess | undefined;

after(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const gone = new Promise((r) => child!.once('exit', r));
    child.kill('SIGKILL');
    await gone;
  }
  for (const d of dirs) if (fs.existsSync(d)) fs.rmdirSync(d);
});

function waitFor(what: string, fn: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      if (fn()) return resolve();
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 100);
    };
    tick();
  });
}

test(`${isCgroupV2() ? 'cgroup v2' : 'cgroup v1'}: CPU time, memory usage and working set, pids of a process in the cgroup`, async () => {
  for (const d of dirs) fs.mkdirSync(d, { recursive: true });
  const empty = readCgroupStats(CGROUP);
  assert.equal(empty.pids, 0);
  // The child waits for a line on stdin, so it is in the cgroup before it spends or allocates anything; it
  // spins until it has used 0.3 s of CPU (counted in CPU time, not wall time: the machine may be busy).
  child = spawn('sh', ['-c', `read go; exec ${process.execPath} -e "const b = Buffer.alloc(48 << 20, 1); while (process.cpuUsage().user < 300000); setInterval(() => b[0]++, 1000)"`], { stdio: ['pipe', 'ignore', 'inherit'] });
  for (const d of dirs) fs.writeFileSync(`${d}/cgroup.procs`, String(child.pid));
  child.stdin!.end('go\n');
  await waitFor('48 MiB charged to the cgroup', () => readCgroupStats(CGROUP).memoryUsage >= 48 << 20);
  await waitFor('CPU time accounted', () => readCgroupStats(CGROUP).cpuNanos >= 200_000_000);
  const s = readCgroupStats(CGROUP);
  assert.ok(s.pids >= 1, `its tasks (the threads of node) are counted: ${s.pids}`);
  assert.ok(s.memoryWorkingSet >= 48 << 20, `anonymous memory is in the working set: ${s.memoryWorkingSet}`);
  assert.ok(s.memoryWorkingSet <= s.memoryUsage);
  assert.equal(s.memoryLimit, undefined, 'no limit set');
  assert.ok(s.cpuNanos < 60e9, `CPU time in nanoseconds: ${s.cpuNanos}`);
});

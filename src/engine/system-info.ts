// What `docker version` and `docker info` report about skiff and this host — one answer for the CLI
// verbs, the Engine API and the CRI runtime.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isCgroupV2 } from './containers/cgroups.js';
import type { Engine } from './engine.js';

/** Set by scripts/build.mjs in bundles; the sources (tsx) read package.json instead. */
declare const __SKIFF_VERSION__: string | undefined;

let version: string | undefined;

/** skiff's own version: package.json's, built into bundles or found above this module in src/. */
export function skiffVersion(): string {
  if (version) return version;
  if (typeof __SKIFF_VERSION__ === 'string') return (version = __SKIFF_VERSION__);
  version = 'unknown';
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'skiff' && pkg.version) {
        version = pkg.version;
        break;
      }
    } catch {
      // no package.json of ours here: keep walking up
    }
  }
  return version;
}

/** The host's distribution name (os-release's PRETTY_NAME), as docker info's Operating System. */
export function osName(): string {
  try {
    return /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(fs.readFileSync('/etc/os-release', 'utf8'))?.[1] ?? 'Linux';
  } catch {
    return 'Linux';
  }
}

const GOARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386' };

/** The architecture in Go's spelling (`amd64`), as docker version's OS/Arch. */
export function goArch(): string {
  return GOARCH[os.arch()] ?? os.arch();
}

/** docker info's fields that describe this engine root and host (the Engine API adds its constant ones). */
export function engineInfo(engine: Engine) {
  const list = engine.containers.list().filter((c) => !c.Extras.sandbox);
  const running = list.filter((c) => c.State.Running && !c.State.Paused).length;
  const paused = list.filter((c) => c.State.Paused).length;
  return {
    Containers: list.length,
    ContainersRunning: running,
    ContainersPaused: paused,
    ContainersStopped: list.length - running - paused,
    Images: engine.images.list().length,
    Driver: 'overlay2',
    LoggingDriver: 'json-file',
    CgroupDriver: 'cgroupfs',
    CgroupVersion: isCgroupV2() ? '2' : '1',
    DefaultRuntime: 'runc',
    KernelVersion: os.release(),
    OperatingSystem: osName(),
    OSType: 'linux',
    // docker info reports the kernel's name for it (uname -m), unlike docker version.
    Architecture: os.arch() === 'x64' ? 'x86_64' : os.arch(),
    NCPU: os.cpus().length,
    MemTotal: os.totalmem(),
    DockerRootDir: engine.paths.root,
    Name: os.hostname(),
    ServerVersion: skiffVersion(),
  };
}

// Docker's default OCI runtime spec (moby oci/defaults.go, daemon/oci_linux.go) built from a container
// record, adjusted to what this host allows: capabilities are intersected with our bounding set and
// rlimits clamped to our hard limits, since runc fails on either otherwise.
import type { HostDevice } from './devices.js';
import type { Container } from './types.js';

export const DEFAULT_CAPS = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

/** Capability names by bit number (linux/capability.h). */
export const ALL_CAPS = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN',
  'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ',
  'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

const MASKED_PATHS = [
  '/proc/asound', '/proc/acpi', '/proc/interrupts', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap',
];
const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

export interface HostLimits {
  /** Our capability bounding set (CapBnd of /proc/self/status). */
  capBnd: bigint;
  /** Hard rlimits of this process, by OCI name (RLIMIT_NOFILE …); Infinity when unlimited. */
  hardLimits: Record<string, number>;
}

export interface ProcessUser {
  uid: number;
  gid: number;
  additionalGids: number[];
}

export interface SpecInput {
  container: Container;
  rootfs: string;
  args: string[];
  env: string[];
  cwd: string;
  user: ProcessUser;
  cgroupsPath: string;
  /** Files bind-mounted over /etc/hosts, /etc/hostname, /etc/resolv.conf. */
  etcFiles: { hosts: string; hostname: string; resolvConf: string };
  /** 'new' = private netns, 'host' = share the host's, otherwise a netns path to join. */
  network: 'new' | 'host' | string;
  /** Host path of the init binary for --init, mounted at /sbin/docker-init. */
  initPath?: string;
  host: HostLimits;
  /** The host's device nodes, given to privileged containers. */
  hostDevices?: HostDevice[];
}

export function normalizeCap(name: string): string {
  const upper = name.toUpperCase();
  return upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
}

/** Docker's TweakCapabilities: defaults (or all with --privileged), plus adds, minus drops, "ALL" allowed. */
export function capabilities(c: Container, capBnd: bigint): string[] {
  const allowed = ALL_CAPS.filter((_, bit) => (capBnd >> BigInt(bit)) & 1n);
  if (c.HostConfig.Privileged) return allowed;
  const add = (c.HostConfig.CapAdd ?? []).map(normalizeCap);
  const drop = (c.HostConfig.CapDrop ?? []).map(normalizeCap);
  let caps = drop.includes('CAP_ALL') ? [] : [...DEFAULT_CAPS];
  caps = caps.filter((cap) => !drop.includes(cap));
  if (add.includes('CAP_ALL')) caps = [...ALL_CAPS];
  else for (const cap of add) if (!caps.includes(cap)) caps.push(cap);
  return caps.filter((cap) => allowed.includes(cap));
}

function clampRlimit(value: number, hard: number | undefined): number {
  return hard === undefined ? value : Math.min(value, hard);
}

export function buildSpec(input: SpecInput): Record<string, unknown> {
  const c = input.container;
  const hc = c.HostConfig;
  const caps = capabilities(c, input.host.capBnd);
  const ro = hc.ReadonlyRootfs;
  const mounts: Array<Record<string, unknown>> = [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', hc.Privileged ? 'rw' : 'ro'] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', hc.Privileged ? 'rw' : 'ro'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
  ];
  if (!c.Extras.namespaces?.ipc) {
    mounts.push({ destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${hc.ShmSize || 67108864}`] });
  }
  const etcOpts = ['rbind', 'rprivate', ...(ro ? ['ro'] : [])];
  mounts.push(
    { destination: '/etc/resolv.conf', type: 'bind', source: input.etcFiles.resolvConf, options: etcOpts },
    { destination: '/etc/hostname', type: 'bind', source: input.etcFiles.hostname, options: etcOpts },
    { destination: '/etc/hosts', type: 'bind', source: input.etcFiles.hosts, options: etcOpts },
  );
  for (const m of c.Mounts) {
    if (m.Type === 'tmpfs') {
      mounts.push({ destination: m.Destination, type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'noexec', ...(m.Options ?? []), m.RW ? 'rw' : 'ro'] });
    } else {
      mounts.push({ destination: m.Destination, type: 'bind', source: m.Source, options: ['rbind', m.Propagation ?? 'rprivate', ...(m.Options ?? []), m.RW ? 'rw' : 'ro'] });
    }
  }
  let args = input.args;
  if (hc.Init && input.initPath) {
    mounts.push({ destination: '/sbin/docker-init', type: 'bind', source: input.initPath, options: ['rbind', 'ro'] });
    args = ['/sbin/docker-init', '--', ...args];
  }

  const ns = c.Extras.namespaces ?? {};
  const namespaces: Array<Record<string, string>> = [{ type: 'mount' }];
  namespaces.push(ns.pid ? { type: 'pid', path: ns.pid } : { type: 'pid' });
  namespaces.push(ns.ipc ? { type: 'ipc', path: ns.ipc } : { type: 'ipc' });
  if (ns.uts) namespaces.push({ type: 'uts', path: ns.uts });
  else if (input.network !== 'host') namespaces.push({ type: 'uts' });
  if (input.network === 'new') namespaces.push({ type: 'network' });
  else if (input.network !== 'host') namespaces.push({ type: 'network', path: input.network });

  const rlimits = (hc.Ulimits ?? []).map((u) => {
    const type = `RLIMIT_${u.Name.toUpperCase()}`;
    const hardMax = input.host.hardLimits[type];
    return { type, hard: clampRlimit(u.Hard, hardMax), soft: clampRlimit(u.Soft, hardMax) };
  });

  const resources: Record<string, unknown> = {
    devices: [
      { allow: false, access: 'rwm' },
      ...(hc.Privileged
        ? [{ allow: true, access: 'rwm' }]
        : [
            { allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' },
            { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' },
            { allow: true, type: 'c', major: 1, minor: 9, access: 'rwm' },
            { allow: true, type: 'c', major: 1, minor: 8, access: 'rwm' },
            { allow: true, type: 'c', major: 5, minor: 0, access: 'rwm' },
            { allow: true, type: 'c', major: 5, minor: 1, access: 'rwm' },
            { allow: false, type: 'c', major: 10, minor: 229, access: 'rwm' },
          ]),
    ],
  };
  if (hc.Memory > 0) resources.memory = { limit: hc.Memory, ...(hc.MemorySwap > 0 ? { swap: hc.MemorySwap } : {}) };
  const cpu: Record<string, number> = {};
  if (hc.CpuShares > 0) cpu.shares = hc.CpuShares;
  if (hc.NanoCpus > 0) {
    cpu.period = 100000;
    cpu.quota = Math.round((hc.NanoCpus * 100000) / 1e9);
  } else if (hc.CpuQuota > 0) {
    cpu.period = hc.CpuPeriod || 100000;
    cpu.quota = hc.CpuQuota;
  }
  if (Object.keys(cpu).length) resources.cpu = cpu;
  if (hc.PidsLimit && hc.PidsLimit > 0) resources.pids = { limit: hc.PidsLimit };

  const sysctl: Record<string, string> = { ...hc.Sysctls };
  if (input.network !== 'host' && !ns.network) {
    sysctl['net.ipv4.ip_unprivileged_port_start'] ??= '0';
    sysctl['net.ipv4.ping_group_range'] ??= '0 2147483647';
  }

  return {
    ociVersion: '1.0.2-dev',
    process: {
      terminal: c.Config.Tty,
      user: { uid: input.user.uid, gid: input.user.gid, ...(input.user.additionalGids.length ? { additionalGids: input.user.additionalGids } : {}) },
      args,
      env: input.env,
      cwd: input.cwd || '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      ...(rlimits.length ? { rlimits } : {}),
      noNewPrivileges: c.Extras.noNewPrivileges ?? (hc.SecurityOpt ?? []).includes('no-new-privileges'),
      ...(hc.OomScoreAdj > 0 ? { oomScoreAdj: hc.OomScoreAdj } : {}),
    },
    root: { path: input.rootfs, readonly: ro },
    hostname: ns.uts || input.network === 'host' ? undefined : c.Config.Hostname,
    mounts,
    annotations: c.Extras.annotations ?? {},
    linux: {
      sysctl,
      resources,
      cgroupsPath: input.cgroupsPath,
      namespaces,
      ...(hc.Privileged ? { devices: input.hostDevices ?? [] } : { maskedPaths: MASKED_PATHS, readonlyPaths: READONLY_PATHS }),
    },
  };
}

/** The capability bounding set of this process, read once per call site. */
export function parseCapBnd(status: string): bigint {
  const m = /^CapBnd:\s*([0-9a-f]+)$/m.exec(status);
  return m ? BigInt(`0x${m[1]}`) : 0n;
}

/** Hard limits from /proc/self/limits, by OCI rlimit name. */
export function parseHardLimits(limits: string): Record<string, number> {
  const names: Record<string, string> = {
    'Max open files': 'RLIMIT_NOFILE', 'Max processes': 'RLIMIT_NPROC', 'Max core file size': 'RLIMIT_CORE',
    'Max locked memory': 'RLIMIT_MEMLOCK', 'Max stack size': 'RLIMIT_STACK', 'Max file size': 'RLIMIT_FSIZE',
    'Max cpu time': 'RLIMIT_CPU', 'Max data size': 'RLIMIT_DATA', 'Max address space': 'RLIMIT_AS',
    'Max msgqueue size': 'RLIMIT_MSGQUEUE', 'Max nice priority': 'RLIMIT_NICE', 'Max realtime priority': 'RLIMIT_RTPRIO',
    'Max pending signals': 'RLIMIT_SIGPENDING',
  };
  const out: Record<string, number> = {};
  for (const line of limits.split('\n')) {
    for (const [label, name] of Object.entries(names)) {
      if (!line.startsWith(label)) continue;
      const hard = line.slice(label.length).trim().split(/\s+/)[1];
      out[name] = hard === 'unlimited' ? Infinity : Number(hard);
    }
  }
  return out;
}

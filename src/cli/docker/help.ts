// docker's help texts for the verbs skiff implements: `skiff container --help` lists the container
// commands as seed 004 shows them, `skiff VERB --help` prints the verb's usage line and summary.

/** verb → [usage after the verb, one-line description]. */
export const HELP: Record<string, [string, string]> = {
  attach: ['[OPTIONS] CONTAINER', 'Attach local standard input, output, and error streams to a running container'],
  commit: ['[OPTIONS] CONTAINER [REPOSITORY[:TAG]]', "Create a new image from a container's changes"],
  cp: ['[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tskiff cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH', 'Copy files/folders between a container and the local filesystem'],
  create: ['[OPTIONS] IMAGE [COMMAND] [ARG...]', 'Create a new container'],
  diff: ['CONTAINER', "Inspect changes to files or directories on a container's filesystem"],
  events: ['[OPTIONS]', 'Get real time events from the server'],
  exec: ['[OPTIONS] CONTAINER COMMAND [ARG...]', 'Run a command in a running container'],
  export: ['[OPTIONS] CONTAINER', "Export a container's filesystem as a tar archive"],
  history: ['[OPTIONS] IMAGE', 'Show the history of an image'],
  images: ['[OPTIONS] [REPOSITORY[:TAG]]', 'List images'],
  import: ['[OPTIONS] file|URL|- [REPOSITORY[:TAG]]', 'Import the contents from a tarball to create a filesystem image'],
  info: ['[OPTIONS]', 'Display system-wide information'],
  inspect: ['[OPTIONS] NAME|ID [NAME|ID...]', 'Display detailed information on one or more containers'],
  kill: ['[OPTIONS] CONTAINER [CONTAINER...]', 'Kill one or more running containers'],
  logs: ['[OPTIONS] CONTAINER', 'Fetch the logs of a container'],
  ls: ['[OPTIONS]', 'List containers'],
  pause: ['CONTAINER [CONTAINER...]', 'Pause all processes within one or more containers'],
  port: ['CONTAINER [PRIVATE_PORT[/PROTO]]', 'List port mappings or a specific mapping for the container'],
  prune: ['[OPTIONS]', 'Remove all stopped containers'],
  ps: ['[OPTIONS]', 'List containers'],
  rename: ['CONTAINER NEW_NAME', 'Rename a container'],
  restart: ['[OPTIONS] CONTAINER [CONTAINER...]', 'Restart one or more containers'],
  rm: ['[OPTIONS] CONTAINER [CONTAINER...]', 'Remove one or more containers'],
  rmi: ['[OPTIONS] IMAGE [IMAGE...]', 'Remove one or more images'],
  run: ['[OPTIONS] IMAGE [COMMAND] [ARG...]', 'Run a command in a new container'],
  start: ['[OPTIONS] CONTAINER [CONTAINER...]', 'Start one or more stopped containers'],
  stats: ['[OPTIONS] [CONTAINER...]', 'Display a live stream of container(s) resource usage statistics'],
  stop: ['[OPTIONS] CONTAINER [CONTAINER...]', 'Stop one or more running containers'],
  tag: ['SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]', 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE'],
  top: ['CONTAINER [ps OPTIONS]', 'Display the running processes of a container'],
  unpause: ['CONTAINER [CONTAINER...]', 'Unpause all processes within one or more containers'],
  update: ['[OPTIONS] CONTAINER [CONTAINER...]', 'Update configuration of one or more containers'],
  version: ['[OPTIONS]', 'Show the Docker version information'],
  wait: ['CONTAINER [CONTAINER...]', 'Block until one or more containers stop, then print their exit codes'],
};

/** The subcommands of each management command, as `docker <group> --help` lists them. */
export const GROUPS: Record<string, { title: string; commands: string[] }> = {
  container: {
    title: 'Manage containers',
    commands: ['attach', 'commit', 'cp', 'create', 'diff', 'exec', 'export', 'inspect', 'kill', 'logs', 'ls', 'pause', 'port', 'prune', 'rename', 'restart', 'rm', 'run', 'start', 'stats', 'stop', 'top', 'unpause', 'update', 'wait'],
  },
  image: { title: 'Manage images', commands: ['history', 'import', 'inspect', 'ls', 'prune', 'rm', 'tag'] },
  system: { title: 'Manage Docker', commands: ['df', 'events', 'info', 'prune', 'restore', 'service'] },
};

const GROUP_HELP: Record<string, string> = {
  'image inspect': 'Display detailed information on one or more images',
  'image ls': 'List images',
  'image prune': 'Remove unused images',
  'image rm': 'Remove one or more images',
  'system df': 'Show docker disk usage',
  'system prune': 'Remove unused data',
  'system restore': 'Start again the containers whose restart policy asks for it (after a host restart)',
  'system service': 'Serve the Docker Engine API on a unix socket (for the docker CLI and SDKs)',
};

export function groupHelp(group: string): string {
  const g = GROUPS[group];
  const lines = g.commands.map((c) => `  ${c.padEnd(12)}${GROUP_HELP[`${group} ${c}`] ?? HELP[c]?.[1] ?? ''}`);
  return `\nUsage:  skiff ${group} COMMAND\n\n${g.title}\n\nCommands:\n${lines.join('\n')}\n\nRun 'skiff ${group} COMMAND --help' for more information on a command.\n`;
}

export function verbHelp(shown: string): string | undefined {
  const last = shown.split(' ').pop()!;
  const entry = HELP[last];
  if (!entry) return undefined;
  return `\nUsage:  skiff ${shown} ${entry[0]}\n\n${GROUP_HELP[shown] ?? entry[1]}\n`;
}

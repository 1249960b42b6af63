// `skiff server`: the control plane. Wiring lands with the API server (issue 2).
import type { CommandModule } from './command.js';

export const run: CommandModule['run'] = async () => {
  process.stderr.write('skiff server: the control plane is not built yet\n');
  return 1;
};

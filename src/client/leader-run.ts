// Run a component only while this process holds its Lease (kube-controller-manager's and
// kube-scheduler's --leader-elect): a fresh instance per term, stopped when the term ends, so among
// several servers exactly one does the work at a time.
import { LeaderElector, type LeaderElectionOptions } from './leader-election.js';
import { logError } from './log.js';

export interface Stoppable {
  stop(): Promise<void>;
}

export interface LeaderRun {
  isLeader(): boolean;
  stop(): Promise<void>;
}

export function runWhileLeading(options: Omit<LeaderElectionOptions, 'onStartedLeading' | 'onStoppedLeading'>, start: () => Promise<Stoppable>): LeaderRun {
  let current: Promise<Stoppable | undefined> = Promise.resolve(undefined);
  const stopCurrent = (): Promise<void> => {
    const previous = current;
    current = previous.then(async (instance) => {
      await instance?.stop();
      return undefined;
    });
    return current.then(() => undefined);
  };
  const elector = new LeaderElector({
    ...options,
    onStartedLeading: () => {
      current = current.then(async (instance) => {
        await instance?.stop();
        try {
          return await start();
        } catch (err) {
          logError(`leader ${options.name}`, 'could not start while leading', err);
          return undefined;
        }
      });
    },
    onStoppedLeading: () => void stopCurrent(),
  });
  elector.start();
  return {
    isLeader: () => elector.isLeader(),
    stop: async () => {
      await elector.stop();
      await stopCurrent();
    },
  };
}

// Attaching a hijacked connection to a container's stdio through conmon's attach socket. docker's CLI
// attaches *before* it starts the container (`docker run` must not miss the first byte of output), but
// conmon's socket exists only once the container is being started: such attaches wait here until the
// start handler connects them between `runc create` and `runc start`.
import { attachSocket, type AttachSession, type Container, type Engine } from '../engine/index.js';
import { outputWriters, type Hijacked } from './stream.js';

export interface AttachRequest {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
}

/** Connects a waiting attach (`started`), or lets it go when the start failed. */
type Connect = (started: boolean) => Promise<void>;

export class AttachHub {
  private readonly pending = new Map<string, Set<Connect>>();

  /** The attaches waiting for this container's start; each connects when called. */
  take(id: string): Connect[] {
    const list = [...(this.pending.get(id) ?? [])];
    this.pending.delete(id);
    return list;
  }

  /**
   * Streams a container's stdio over `h` until the container's process ends or the client goes away.
   * A container that is not running yet is connected by its next start.
   */
  async attach(engine: Engine, c: Container, h: Hijacked, want: AttachRequest): Promise<void> {
    const out = outputWriters(h.output, c.Config.Tty);
    const streams = { stdout: want.stdout ? out.stdout : undefined, stderr: want.stderr ? out.stderr : undefined };
    let session: AttachSession | undefined;
    const bundle = engine.containers.dir(c.Id);
    const connect = async (): Promise<void> => {
      session = await attachSocket(bundle, streams);
      if (want.stdin && c.Config.OpenStdin) pipeInput(h.input, session, c.Config.Tty);
    };
    try {
      if (engine.containers.find(c.Id)?.State.Running) {
        await connect();
      } else {
        const started = new Promise<void>((resolve) => {
          const set = this.pending.get(c.Id) ?? new Set<Connect>();
          const entry: Connect = async (ok) => {
            try {
              if (ok) await connect();
            } finally {
              resolve();
            }
          };
          set.add(entry);
          this.pending.set(c.Id, set);
          void h.closed.then(() => {
            set.delete(entry);
            resolve();
          });
        });
        await started;
      }
      if (session) await Promise.race([session.done, h.closed]);
    } finally {
      session?.close();
      h.end();
    }
  }
}

/** Feeds a client's stdin to a session; its EOF closes the process's stdin unless that is a TTY. */
export function pipeInput(input: NodeJS.ReadableStream, session: AttachSession, tty: boolean): void {
  input.on('data', (d: Buffer) => session.write(d));
  // A terminal's input ending is not the process's stdin ending (docker keeps a TTY's stdin open).
  if (!tty) input.on('end', () => session.closeStdin());
}

// The builder's backend on skiff's engine: RUN in a real container (runc via conmon, host network)
// whose output is streamed from the attach socket; COPY/WORKDIR write into a created container's mounted
// rootfs; a commit turns the container's overlay upper dir into a layer tar in the content store and
// stores a new image whose parent is the step's base. FROM scratch steps use a plain directory.
import fs from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { attachSocket, familiarName, normalize, type Engine, type Image } from '../../engine/index.js';
import { layerBlobs } from '../../registry/engine-images.js';
import type { BuildBackend, BuilderImage, ImageDoc, RunRequest, Workspace } from './backend.js';

/** Images the builder commits carry this source, so only they serve as cache (docker's "built locally"). */
export const BUILD_SOURCE = 'build';

/** Files runc creates as bind-mount targets when the image lacks them; never part of a RUN's layer. */
const MOUNT_TARGETS = ['etc/hosts', 'etc/hostname', 'etc/resolv.conf'];

interface EngineWorkspace extends Workspace {
  /** A FROM scratch workspace: a plain directory (`dir`), committed whole. */
  scratch: boolean;
  dir: string;
}

function toBuilderImage(img: Image): BuilderImage {
  return { id: img.id, created: img.created, doc: img.config as unknown as ImageDoc };
}

export class EngineBuildBackend implements BuildBackend {
  constructor(
    private readonly engine: Engine,
    /** Pulls a missing base image into the engine, printing docker's pull lines to `out`. */
    private readonly pull: (name: string, out: Writable) => Promise<void>,
  ) {}

  async baseImage(name: string, out: Writable): Promise<BuilderImage> {
    let image = this.engine.images.lookup(name);
    if (!image) {
      try {
        image = await this.engine.images.resolve(name);
      } catch {
        await this.pull(name, out);
        image = await this.engine.images.resolve(name);
      }
    }
    return toBuilderImage(image);
  }

  children(parentId: string): BuilderImage[] {
    return this.engine.images.list().filter((i) => i.parent === parentId && i.source === BUILD_SOURCE).map(toBuilderImage);
  }

  private async createContainer(parentId: string, req?: RunRequest): Promise<string> {
    const c = await this.engine.containers.create({
      image: parentId,
      config: req
        ? { Cmd: req.cmd, Entrypoint: null, Env: req.env, WorkingDir: req.workingDir, User: req.user, Labels: { 'skiff.build': 'true' } }
        : // Never started: the engine only needs some command to accept the container.
          { Cmd: ['/bin/sh'], Entrypoint: null, Labels: { 'skiff.build': 'true' } },
      hostConfig: { NetworkMode: req?.network ?? 'none', LogConfig: { Type: 'none', Config: {} } },
    });
    return c.Id;
  }

  private scratchDir(): string {
    fs.mkdirSync(this.engine.paths.tmp, { recursive: true });
    return fs.mkdtempSync(path.join(this.engine.paths.tmp, 'build-scratch-'));
  }

  async workspace(parentId: string, fill: (rootfs: string) => void): Promise<Workspace> {
    const ws: EngineWorkspace = parentId
      ? { id: await this.createContainer(parentId), scratch: false, dir: '' }
      : { id: '', scratch: true, dir: this.scratchDir() };
    try {
      if (ws.scratch) fill(ws.dir);
      else await this.engine.containers.withRootfs(this.engine.containers.get(ws.id), (rootfs) => fill(rootfs));
    } catch (err) {
      await this.removeWorkspace(ws);
      throw err;
    }
    return ws;
  }

  async run(parentId: string, req: RunRequest, out: Writable): Promise<{ workspace: Workspace; exitCode: number }> {
    const id = await this.createContainer(parentId, req);
    const workspace: EngineWorkspace = { id, scratch: false, dir: '' };
    req.onStart(id);
    let session: Awaited<ReturnType<typeof attachSocket>> | undefined;
    await this.engine.containers.start(id, async () => {
      session = await attachSocket(this.engine.containers.dir(id), { stdout: out, stderr: out });
    });
    await session?.done;
    const exitCode = await this.engine.containers.wait(id);
    await this.engine.containers.cleanup(id);
    return { workspace, exitCode };
  }

  async withRootfs<T>(imageId: string, fn: (dir: string) => Promise<T>): Promise<T> {
    const id = await this.createContainer(imageId);
    try {
      return await this.engine.containers.withRootfs(this.engine.containers.get(id), fn);
    } finally {
      await this.engine.containers.remove(id, { force: true });
    }
  }

  /** The layer a workspace adds, or undefined when it changed nothing. */
  private diff(ws: EngineWorkspace): string | undefined {
    const { content, snapshots } = this.engine;
    if (ws.scratch) {
      if (fs.readdirSync(ws.dir).length === 0) return undefined;
      const tmp = content.tempPath();
      const { diffId } = snapshots.writeTree(ws.dir, tmp);
      content.adopt(tmp, diffId);
      return diffId;
    }
    const upper = path.join(this.engine.containers.dir(ws.id), 'upper');
    const lowers = this.engine.containers.lowerDirs(this.engine.containers.get(ws.id));
    for (const rel of MOUNT_TARGETS) {
      const file = path.join(upper, rel);
      const created = fs.existsSync(file) && fs.statSync(file).size === 0 && !lowers.some((l) => fs.existsSync(path.join(l, rel)));
      if (created) fs.rmSync(file);
    }
    // Their directory was only copied up to hold them: drop it again when nothing else changed in it.
    const etc = path.join(upper, 'etc');
    if (fs.existsSync(etc) && fs.readdirSync(etc).length === 0 && lowers.some((l) => fs.existsSync(path.join(l, 'etc')))) fs.rmdirSync(etc);
    if (fs.readdirSync(upper).length === 0) return undefined;
    const tmp = content.tempPath();
    const { diffId } = snapshots.writeDiff(upper, tmp);
    content.adopt(tmp, diffId);
    return diffId;
  }

  async commit(parentId: string, workspace: Workspace | undefined, makeDoc: (diffId: string | undefined) => ImageDoc): Promise<string> {
    const diffId = workspace ? this.diff(workspace as EngineWorkspace) : undefined;
    const doc = makeDoc(diffId);
    const parent = parentId ? this.engine.images.get(parentId) : undefined;
    const blobs = parent ? layerBlobs(this.engine, parent) : [];
    if (diffId) blobs.push(diffId);
    const image = await this.engine.images.add(Buffer.from(JSON.stringify(doc)), blobs, { parent: parentId, source: BUILD_SOURCE });
    return image.id;
  }

  async removeWorkspace(workspace: Workspace): Promise<void> {
    const ws = workspace as EngineWorkspace;
    if (ws.scratch) fs.rmSync(ws.dir, { recursive: true, force: true });
    else await this.engine.containers.remove(ws.id, { force: true });
  }

  tag(imageId: string, name: string): string {
    this.engine.images.tag(imageId, name);
    return familiarName(normalize(name));
  }
}


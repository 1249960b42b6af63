// docker images / rmi / tag / history.
import { filtersFromFlags, humanDuration, listedNames, listImages, splitName, familiarRepository, type Filters, type Image } from '../../engine/index.js';
import type { GlobalOptions } from '../command.js';
import { flagBool, flagList, flagString, parseFlags } from '../flags.js';
import { CliError, humanSize, renderFormat, shortId, withEngine } from './common.js';

const IMAGE_HEADERS: Record<string, string> = {
  Repository: 'REPOSITORY', Tag: 'TAG', ID: 'IMAGE ID', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT', Size: 'SIZE', Digest: 'DIGEST',
};

function imageRows(images: Image[], trunc: boolean, filters: Filters): Array<Record<string, string>> {
  const rows: Array<Record<string, string>> = [];
  for (const img of images) {
    const names = listedNames(img, filters);
    const base = {
      ID: trunc ? shortId(img.id) : img.id,
      CreatedSince: `${humanDuration(Date.now() - Date.parse(img.created))} ago`,
      CreatedAt: img.created,
      Size: humanSize(img.size),
      Digest: '<none>',
    };
    if (!names.length) rows.push({ Repository: '<none>', Tag: '<none>', ...base });
    for (const n of names) {
      const [repo, tag] = splitName(n);
      rows.push({ Repository: familiarRepository(repo), Tag: tag, ...base });
    }
  }
  return rows;
}

export async function images(argv: string[], globals: GlobalOptions): Promise<number> {
  const flags = parseFlags(argv, [
    { name: 'all', short: 'a', kind: 'bool' },
    { name: 'quiet', short: 'q', kind: 'bool' },
    { name: 'format', kind: 'string' },
    { name: 'no-trunc', kind: 'bool' },
    { name: 'filter', short: 'f', kind: 'list' },
    { name: 'digests', kind: 'bool' },
  ]);
  return withEngine(globals, async (engine) => {
    await engine.images.ensureBusybox();
    const filters = filtersFromFlags(flagList(flags, 'filter'));
    const list = listImages(engine, { all: flagBool(flags, 'all'), filters });
    const [repoFilter] = flags.positionals;
    const trunc = !flagBool(flags, 'no-trunc');
    let rows = imageRows(list, trunc, filters);
    if (repoFilter) rows = rows.filter((r) => r.Repository === repoFilter || `${r.Repository}:${r.Tag}` === repoFilter);
    if (flagBool(flags, 'quiet')) {
      process.stdout.write([...new Set(rows.map((r) => r.ID))].map((id) => `${id}\n`).join(''));
      return 0;
    }
    const format = flagString(flags, 'format') ?? 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}';
    process.stdout.write(renderFormat(format, IMAGE_HEADERS, rows));
    return 0;
  });
}

export async function rmi(argv: string[], globals: GlobalOptions): Promise<number> {
  const flags = parseFlags(argv, [
    { name: 'force', short: 'f', kind: 'bool' },
    { name: 'no-prune', kind: 'bool' },
  ]);
  if (!flags.positionals.length) throw new CliError(`skiff: 'rmi' requires at least 1 argument.\nSee 'skiff rmi --help'.`, 1);
  return withEngine(globals, async (engine) => {
    let failed = false;
    for (const ref of flags.positionals) {
      try {
        const lines = engine.images.remove(ref, flagBool(flags, 'force'), (id) => engine.containers.usersOf(id));
        process.stdout.write(lines.map((l) => `${l}\n`).join(''));
      } catch (err) {
        process.stderr.write(`Error response from daemon: ${(err as Error).message}\n`);
        failed = true;
      }
    }
    return failed ? 1 : 0;
  });
}

export async function tag(argv: string[], globals: GlobalOptions): Promise<number> {
  const flags = parseFlags(argv, []);
  if (flags.positionals.length !== 2) throw new CliError(`skiff: 'tag' requires 2 arguments.\nSee 'skiff tag --help'.`, 1);
  return withEngine(globals, async (engine) => {
    await engine.images.resolve(flags.positionals[0]);
    engine.images.tag(flags.positionals[0], flags.positionals[1]);
    return 0;
  });
}

const HISTORY_HEADERS: Record<string, string> = { ID: 'IMAGE', CreatedSince: 'CREATED', CreatedBy: 'CREATED BY', Size: 'SIZE', Comment: 'COMMENT', CreatedAt: 'CREATED AT' };

export async function history(argv: string[], globals: GlobalOptions): Promise<number> {
  const flags = parseFlags(argv, [
    { name: 'no-trunc', kind: 'bool' },
    { name: 'quiet', short: 'q', kind: 'bool' },
    { name: 'human', short: 'H', kind: 'bool' },
    { name: 'format', kind: 'string' },
  ]);
  if (flags.positionals.length !== 1) throw new CliError(`skiff: 'history' requires exactly 1 argument.\nSee 'skiff history --help'.`, 1);
  return withEngine(globals, async (engine) => {
    const image = await engine.images.resolve(flags.positionals[0]);
    const trunc = !flagBool(flags, 'no-trunc');
    const hist = image.config.history ?? [];
    let layer = image.chain.length - 1;
    const rows = [...hist].reverse().map((h, i) => {
      let size = 0;
      if (!h.empty_layer && layer >= 0) {
        size = engine.db.getLayer(image.chain[layer])?.size ?? 0;
        layer--;
      }
      const createdBy = (h.created_by ?? '').replace(/\s+/g, ' ');
      const chars = [...createdBy];
      return {
        ID: i === 0 ? (trunc ? shortId(image.id) : image.id) : '<missing>',
        CreatedSince: h.created ? `${humanDuration(Date.now() - Date.parse(h.created))} ago` : '',
        CreatedAt: h.created ?? '',
        CreatedBy: trunc && chars.length > 45 ? `${chars.slice(0, 44).join('')}…` : createdBy,
        Size: humanSize(size),
        Comment: h.comment ?? '',
      };
    });
    if (flagBool(flags, 'quiet')) {
      process.stdout.write(rows.map((r) => `${r.ID}\n`).join(''));
      return 0;
    }
    const format = flagString(flags, 'format') ?? 'table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}';
    process.stdout.write(renderFormat(format, HISTORY_HEADERS, rows));
    return 0;
  });
}

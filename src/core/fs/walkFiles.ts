import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import picomatch from 'picomatch';
import { BrightRunError, fsError, throwIfAborted, type ErrorInfo } from '../errors';

export interface WalkedFile {
  file: string;
  /** Path relative to the walked folder, with '/'. */
  relative: string;
  size: number;
  mtimeMs: number;
}

/**
 * Order of paths in listings: by UTF-16 code unit, the same on every machine (localeCompare follows the user's
 * ICU locale, and its first call costs ~8 ms of collator set-up, which a CLI run pays before its first file).
 */
export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Glob filters relative to a walked folder: taken when included and not excluded. */
export function globFilter(include: readonly string[], exclude: readonly string[]): { included: (rel: string) => boolean; excluded: (rel: string) => boolean } {
  return { included: picomatch([...include], { dot: true, nocase: true }), excluded: picomatch([...exclude], { dot: true }) };
}

/**
 * Lists the regular files below `root` that pass the filter, sorted by relative path. Excluded folders are not
 * entered ("**\/node_modules/**" prunes the folder), symbolic links are not followed (they could loop or leave
 * the folder), unreadable sub-folders are skipped like a file manager would.
 */
export async function walkFiles(root: string, filter: ReturnType<typeof globFilter>, signal?: AbortSignal, skipDirNames: readonly string[] = []): Promise<WalkedFile[]> {
  const out: WalkedFile[] = [];
  const walk = async (dir: string) => {
    throwIfAborted(signal);
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      const relative = path.relative(root, full).split(path.sep).join('/');
      if (entry.isDirectory()) {
        if (!filter.excluded(`${relative}/x`) && !skipDirNames.includes(entry.name)) await walk(full);
      } else if (entry.isFile() && filter.included(relative) && !filter.excluded(relative)) {
        const stat = await fs.stat(full).catch(() => undefined);
        if (stat) out.push({ file: full, relative, size: stat.size, mtimeMs: stat.mtimeMs });
      }
    }
  };
  await walk(root);
  return out.sort((a, b) => comparePaths(a.relative, b.relative));
}

/**
 * Expands files and folders given by a user into files: folders are walked with the filter, files are taken
 * as they are (their `relative` is the path from `cwd`, or the name when outside it). Inputs that are missing,
 * unreadable, refused by `refuse`, or neither file nor folder become problems; the rest goes on.
 */
export async function expandInputs(
  paths: readonly string[],
  cwd: string,
  filter: ReturnType<typeof globFilter>,
  options: { verb: string; signal?: AbortSignal; skipDirNames?: readonly string[]; refuse?: (abs: string) => ErrorInfo | undefined } = { verb: 'read' },
): Promise<{ files: WalkedFile[]; problems: ErrorInfo[] }> {
  const files: WalkedFile[] = [];
  const problems: ErrorInfo[] = [];
  for (const p of paths) {
    throwIfAborted(options.signal);
    const abs = path.resolve(cwd, p);
    let stat;
    try {
      stat = await fs.stat(abs);
    } catch (err) {
      problems.push(fsError(err, abs, options.verb).toJSON());
      continue;
    }
    const refused = options.refuse?.(abs);
    if (refused) {
      problems.push(refused);
    } else if (stat.isDirectory()) {
      files.push(...(await walkFiles(abs, filter, options.signal, options.skipDirNames)));
    } else if (stat.isFile()) {
      const rel = path.relative(cwd, abs);
      files.push({ file: abs, relative: !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : path.basename(abs), size: stat.size, mtimeMs: stat.mtimeMs });
    } else {
      problems.push(new BrightRunError({ code: 'UNSUPPORTED_FILE', file: abs, message: `${abs} is not a regular file or folder.`, remedy: 'Add regular files or folders only.' }).toJSON());
    }
  }
  return { files, problems };
}

import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import picomatch from 'picomatch';
import { throwIfAborted } from '../errors';

export interface WalkedFile {
  file: string;
  /** Path relative to the walked folder, with '/'. */
  relative: string;
  size: number;
  mtimeMs: number;
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
  return out.sort((a, b) => a.relative.localeCompare(b.relative));
}

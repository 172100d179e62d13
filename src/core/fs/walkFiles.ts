import { promises as fs, type Dirent, type Stats } from 'node:fs';
import * as path from 'node:path';
import picomatch from 'picomatch';
import { BrightRunError, fsError, throwIfAborted, type ErrorInfo } from '../errors';
import { invalidNameProblem, isValidUtf8, undecodableArgument } from './fileNames';

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

/** What a walk found: the files, the entries refused with a reason, and notices (a link taken as its target). */
export interface WalkResult {
  files: WalkedFile[];
  problems: ErrorInfo[];
  notices: string[];
  /**
   * Files in walked folders left out because the include globs do not take them (not the excluded ones, like
   * node_modules or lock files): their count by extension (".xlsx", or "" for none), so none goes unreported.
   */
  skipped: Record<string, number>;
}

/** "3: .xlsx 2, .rtf 1" — the skipped files' count, then by extension (most first); undefined when none. */
export function describeSkipped(skipped: Record<string, number>): string | undefined {
  const entries = Object.entries(skipped).filter(([, n]) => n > 0);
  if (!entries.length) return undefined;
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  entries.sort((a, b) => b[1] - a[1] || comparePaths(a[0], b[0]));
  return `${total}: ${entries.map(([ext, n]) => `${ext || '(no extension)'} ${n}`).join(', ')}`;
}

function countSkipped(skipped: Record<string, number>, name: string): void {
  const ext = path.extname(name).toLowerCase();
  skipped[ext] = (skipped[ext] ?? 0) + 1;
}

/**
 * Lists the regular files below `root` that pass the filter, sorted by relative path. Excluded folders are not
 * entered ("**\/node_modules/**" prunes the folder), unreadable sub-folders are skipped like a file manager
 * would. Symbolic links are never followed out of the walked folder: a link to a file inside it is taken as
 * its target (named by the target's path, with a notice), a link to a folder inside it adds nothing (its files
 * are met where they are, and loops are impossible), and a link leading outside (or nowhere) is refused with
 * its reason. Names that are not valid UTF-8 are refused by name (see fileNames.ts), never skipped silently;
 * files the include globs leave out are counted by extension (`skipped`), so the caller can say so.
 */
export async function walkFiles(root: string, filter: ReturnType<typeof globFilter>, signal?: AbortSignal, skipDirNames: readonly string[] = []): Promise<WalkResult> {
  const result: WalkResult = { files: [], problems: [], notices: [], skipped: {} };
  const realRoot = await fs.realpath(root).catch(() => root);
  const taken = new Set<string>();
  const take = (file: string, relative: string, size: number, mtimeMs: number) => {
    if (taken.has(file)) return;
    taken.add(file);
    result.files.push({ file, relative, size, mtimeMs });
  };
  const walk = async (dir: string) => {
    throwIfAborted(signal);
    let entries: Dirent<Buffer>[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true, encoding: 'buffer' });
    } catch {
      return;
    }
    for (const entry of entries) {
      const name = entry.name.toString('utf8');
      const full = path.join(dir, name);
      const relative = path.relative(root, full).split(path.sep).join('/');
      const folderWanted = !filter.excluded(`${relative}/x`) && !skipDirNames.includes(name);
      const fileWanted = filter.included(relative) && !filter.excluded(relative);
      if (entry.isSymbolicLink()) {
        // Judged by what it points at (a link to a folder is wanted like a folder), after its name is checked.
        if (!isValidUtf8(entry.name)) {
          if (fileWanted || folderWanted) result.problems.push(invalidNameProblem(dir, entry.name, false));
        } else {
          await linkInWalk(full, root, realRoot, { folderWanted, fileWanted }, result, (target, inside, stat) => take(target, inside, stat.size, stat.mtimeMs));
        }
        continue;
      }
      if (!(entry.isDirectory() ? folderWanted : fileWanted)) {
        if (entry.isFile() && !filter.excluded(relative)) countSkipped(result.skipped, name);
        continue;
      }
      if (!isValidUtf8(entry.name)) {
        if (entry.isDirectory() || entry.isFile()) result.problems.push(invalidNameProblem(dir, entry.name, entry.isDirectory()));
      } else if (entry.isDirectory()) {
        await walk(full);
      } else if (entry.isFile()) {
        const stat = await fs.stat(full).catch(() => undefined);
        if (stat) take(full, relative, stat.size, stat.mtimeMs);
      } else {
        // A FIFO, socket or device named like a document: reading it could block or never end. Said, not skipped silently.
        const kind = entry.isFIFO() ? 'a named pipe (FIFO)' : entry.isSocket() ? 'a socket' : 'a device';
        result.problems.push(new BrightRunError({ code: 'UNSUPPORTED_FILE', file: full, message: `${full} is ${kind}, not a regular file.`, remedy: 'Add regular files only; copy the data into a file first.' }).toJSON());
      }
    }
  };
  await walk(root);
  result.files.sort((a, b) => comparePaths(a.relative, b.relative));
  return result;
}

/**
 * A link met in a walk, judged by what it points at: a file inside the walked folder is taken as its target, a
 * folder inside adds nothing (walked where it is), and one leading outside (or nowhere) is refused with its
 * reason — each only when the filters want it (a link to a folder as a folder, to anything else as a file).
 */
async function linkInWalk(
  link: string,
  root: string,
  realRoot: string,
  wanted: { folderWanted: boolean; fileWanted: boolean },
  result: WalkResult,
  take: (target: string, inside: string, stat: Stats) => void,
): Promise<void> {
  let real: string;
  let stat: Stats;
  try {
    real = await fs.realpath(link);
    stat = await fs.stat(real);
  } catch {
    if (!wanted.fileWanted) return;
    const target = await fs.readlink(link).catch(() => '?');
    result.problems.push(new BrightRunError({ code: 'SOURCE_NOT_FOUND', file: link, message: `${link} is a symbolic link to ${target}, which does not exist.`, remedy: 'Remove the link, or restore what it points to.' }).toJSON());
    return;
  }
  if (!(stat.isDirectory() ? wanted.folderWanted : wanted.fileWanted)) return;
  const inside = path.relative(realRoot, real);
  if (inside.startsWith('..') || path.isAbsolute(inside)) {
    result.problems.push(
      new BrightRunError({
        code: 'UNSUPPORTED_FILE',
        file: link,
        message: `${link} is a symbolic link to ${real}, outside the folder being added; links are not followed out of it.`,
        remedy: 'Add the target itself if you want it.',
      }).toJSON(),
    );
    return;
  }
  if (!stat.isFile()) return; // a folder inside (or the walked folder itself): walked where it is
  const target = path.join(root, inside);
  result.notices.push(`${link} is a symbolic link; its target ${target} is taken instead.`);
  take(target, inside.split(path.sep).join('/'), stat);
}

/**
 * Expands files and folders given by a user into files: folders are walked with the filter, files are taken
 * as they are (their `relative` is the path from `cwd`, or the name when outside it). A link named here is the
 * user's choice: it is taken as its target's real path (fs.realpath), with a notice, never silently; `relative`
 * stays the name given. Inputs that are missing, unreadable, refused by `refuse`, or neither file nor folder
 * become problems; the rest goes on. A file reached twice (a link and its target) is listed once.
 */
export async function expandInputs(
  paths: readonly string[],
  cwd: string,
  filter: ReturnType<typeof globFilter>,
  options: { verb: string; signal?: AbortSignal; skipDirNames?: readonly string[]; refuse?: (abs: string) => ErrorInfo | undefined } = { verb: 'read' },
): Promise<WalkResult> {
  const out: WalkResult = { files: [], problems: [], notices: [], skipped: {} };
  const seen = new Set<string>();
  const take = (f: WalkedFile) => {
    if (seen.has(f.file)) return;
    seen.add(f.file);
    out.files.push(f);
  };
  for (const p of paths) {
    throwIfAborted(options.signal);
    const given = path.resolve(cwd, p);
    let abs = given;
    let stat;
    try {
      stat = await fs.lstat(given);
    } catch (err) {
      out.problems.push(((err as NodeJS.ErrnoException).code === 'ENOENT' && undecodableArgument(given)) || fsError(err, given, options.verb).toJSON());
      continue;
    }
    if (stat.isSymbolicLink()) {
      try {
        abs = await fs.realpath(given);
        stat = await fs.stat(abs);
      } catch (err) {
        const target = await fs.readlink(given).catch(() => '?');
        out.problems.push(new BrightRunError({ code: 'SOURCE_NOT_FOUND', file: given, message: `${given} is a symbolic link to ${target}, which cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}).`, remedy: 'Remove the link, or restore what it points to.' }).toJSON());
        continue;
      }
      out.notices.push(`${given} is a symbolic link; its target ${abs} is taken instead.`);
    }
    const refused = options.refuse?.(abs);
    if (refused) {
      out.problems.push(refused);
    } else if (stat.isDirectory()) {
      const walked = await walkFiles(abs, filter, options.signal, options.skipDirNames);
      walked.files.forEach(take);
      out.problems.push(...walked.problems);
      out.notices.push(...walked.notices);
      for (const [ext, n] of Object.entries(walked.skipped)) out.skipped[ext] = (out.skipped[ext] ?? 0) + n;
    } else if (stat.isFile()) {
      const rel = path.relative(cwd, given);
      take({ file: abs, relative: !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : path.basename(given), size: stat.size, mtimeMs: stat.mtimeMs });
    } else {
      out.problems.push(new BrightRunError({ code: 'UNSUPPORTED_FILE', file: abs, message: `${abs} is not a regular file or folder.`, remedy: 'Add regular files or folders only.' }).toJSON());
    }
  }
  return out;
}

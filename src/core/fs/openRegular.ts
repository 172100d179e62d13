import { closeSync, constants, fstatSync, lstatSync, openSync, promises as fs, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { BrightRunError, fsError } from '../errors';

/** An open source file and what its open handle says about it (size, times): the file actually being read. */
export interface OpenedRegular {
  handle: FileHandle;
  stat: Stats;
}

/**
 * Flags for reading a source: `O_NOFOLLOW` makes the open itself fail on a symbolic link (Linux, macOS; the
 * constant is undefined on Windows, where the lstat/fstat comparison below does the job), and `O_NONBLOCK`
 * keeps a FIFO swapped in after the lstat from blocking the open forever (no effect on regular files).
 */
const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/**
 * Opens `file` for reading only if it is a regular file and not a symbolic link — the file the user chose, not
 * something a link points at. Sources are named by path, and the path is read long after it was added: a file
 * replaced by a link meanwhile (to ~/.ssh/id_rsa, say) must not have its target's text stored as the source's.
 *
 * lstat refuses a link; the open refuses one swapped in right after (O_NOFOLLOW where defined); the open
 * handle's fstat must then show the same file as the lstat did (same device and inode), which closes the race
 * where the file is replaced between the two. On Windows, where the inode may read 0 on some file systems,
 * the comparison falls back to device, type, size and times. The caller closes the handle.
 */
export async function openRegular(file: string): Promise<OpenedRegular> {
  let before: Stats;
  try {
    before = await fs.lstat(file);
  } catch (err) {
    throw fsError(err, file, 'read');
  }
  if (before.isSymbolicLink()) throw nowALink(file);
  if (!before.isFile()) throw notRegular(file);
  let handle: FileHandle;
  try {
    handle = await fs.open(file, READ_FLAGS);
  } catch (err) {
    // ELOOP: Linux and macOS refusing the link under O_NOFOLLOW; EMLINK: FreeBSD's way of saying the same.
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'EMLINK') throw nowALink(file, err);
    throw fsError(err, file, 'read');
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw notRegular(file);
    if (!sameFile(before, stat)) throw replaced(file);
    return { handle, stat };
  } catch (err) {
    await handle.close().catch(() => undefined);
    throw err instanceof BrightRunError ? err : fsError(err, file, 'read');
  }
}

/**
 * openRegular in blocking calls, for a process that reads one file at a time (a pool process): the same checks,
 * without a thread-pool round trip per call. Returns the file descriptor (the caller closes it) and its stat.
 */
export function openRegularSync(file: string): { fd: number; stat: Stats } {
  let before: Stats;
  try {
    before = lstatSync(file);
  } catch (err) {
    throw fsError(err, file, 'read');
  }
  if (before.isSymbolicLink()) throw nowALink(file);
  if (!before.isFile()) throw notRegular(file);
  let fd: number;
  try {
    fd = openSync(file, READ_FLAGS);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'EMLINK') throw nowALink(file, err);
    throw fsError(err, file, 'read');
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw notRegular(file);
    if (!sameFile(before, stat)) throw replaced(file);
    return { fd, stat };
  } catch (err) {
    closeSync(fd);
    throw err instanceof BrightRunError ? err : fsError(err, file, 'read');
  }
}

/** Whether two stats describe the same file: device + inode, or where the inode is not reliable (0), its type, size and times. */
export function sameFile(a: Stats, b: Stats): boolean {
  if (a.dev !== b.dev) return false;
  if (a.ino !== 0 && b.ino !== 0) return a.ino === b.ino;
  return a.isFile() === b.isFile() && a.size === b.size && a.mtimeMs === b.mtimeMs && a.birthtimeMs === b.birthtimeMs;
}

function nowALink(file: string, cause?: unknown): BrightRunError {
  return new BrightRunError(
    {
      code: 'SOURCE_CHANGED',
      file,
      message: `${file} is now a symbolic link; Bright Run does not read through links it was not given, so nothing was read.`,
      remedy: 'If the link is intended, add its target itself; otherwise restore the original file and extract again.',
    },
    cause !== undefined ? { cause } : undefined,
  );
}

function replaced(file: string): BrightRunError {
  return new BrightRunError({
    code: 'SOURCE_CHANGED',
    file,
    message: `${file} was replaced by another file while it was being opened; nothing was read.`,
    remedy: 'Wait until whatever replaces it has finished, then extract it again.',
  });
}

function notRegular(file: string): BrightRunError {
  return new BrightRunError({ code: 'UNSUPPORTED_FILE', file, message: `${file} is not a regular file.`, remedy: 'Add regular files only.' });
}

import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/** Text is written in pieces of this many UTF-16 units, so a 100 MB string is never encoded into one 100 MB buffer. */
const PIECE = 1 << 20;

/** The parts in order, long strings cut into PIECE-sized slices (never between the halves of a surrogate pair). */
function* pieces(parts: readonly (string | Uint8Array)[]): Generator<string | Uint8Array> {
  for (const part of parts) {
    if (typeof part !== 'string' || part.length <= PIECE) {
      yield part;
      continue;
    }
    for (let i = 0; i < part.length; ) {
      let end = Math.min(part.length, i + PIECE);
      const last = part.charCodeAt(end - 1);
      if (end < part.length && last >= 0xd800 && last <= 0xdbff) end--;
      yield part.slice(i, end);
      i = end;
    }
  }
}

/**
 * Writes a file so that readers only ever see the old or the new content, never a mix:
 * write a temp file beside it, fsync it, rename it over the target, fsync the folder.
 * `data` may be given in parts (written one after the other, e.g. [text, '\n']), so that a large text is not
 * copied just to append to it.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array | readonly (string | Uint8Array)[]): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await fs.open(tmp, 'wx', 0o644);
  try {
    for (const piece of pieces(typeof data === 'string' || data instanceof Uint8Array ? [data] : data)) {
      const bytes = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
      for (let at = 0; at < bytes.length; ) at += (await handle.write(bytes, at, bytes.length - at)).bytesWritten;
    }
    await handle.sync();
  } catch (err) {
    await handle.close().catch(() => undefined);
    await fs.rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  try {
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
  await syncDirectory(dir);
}

export function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  return writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n');
}

async function syncDirectory(dir: string): Promise<void> {
  // Makes the rename itself durable. Not every platform lets a directory be opened (Windows): skip there.
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    // best effort
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

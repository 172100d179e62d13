import { createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync, promises as fs, renameSync, rmSync, writeSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isProcessAlive } from './processAlive';

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
export async function writeFileAtomic(file: string, data: string | Uint8Array | readonly (string | Uint8Array)[], options: { durable?: boolean } = {}): Promise<void> {
  const writer = await AtomicFileWriter.open(file, options);
  try {
    for (const piece of pieces(typeof data === 'string' || data instanceof Uint8Array ? [data] : data)) await writer.writeNow(piece);
  } catch (err) {
    await writer.abort();
    throw err;
  }
  await writer.commit();
}

/** Text written through AtomicFileWriter.write is gathered into pieces of about this many UTF-16 units. */
const GATHER = 256 * 1024;

/**
 * writeFileAtomic for content produced a little at a time (a list written entry by entry, never held whole):
 * `write` gathers text into pieces of ~256 KB; `commit` makes the file durable (unless `durable: false`) and
 * renames it over the target; `abort` removes the temp file; `restart` empties it to write again from the
 * start. Until `commit`, readers of the target see its old content.
 */
export class AtomicFileWriter {
  private gathered: string[] = [];
  private gatheredLength = 0;
  private position = 0;

  private constructor(
    private readonly file: string,
    private readonly tmp: string,
    private readonly handle: fs.FileHandle,
    private readonly durable: boolean,
  ) {}

  static async open(file: string, options: { durable?: boolean } = {}): Promise<AtomicFileWriter> {
    const dir = path.dirname(file);
    let tmp = path.join(dir, tempNameFor(path.basename(file)));
    for (let attempt = 1; ; attempt++) {
      try {
        return new AtomicFileWriter(file, tmp, await fs.open(tmp, 'wx', 0o644), options.durable ?? true);
      } catch (err) {
        // Two bases cut to the same prefix differ only by their random part; a clash (EEXIST) draws another.
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt === 3) throw err;
        tmp = path.join(dir, tempNameFor(path.basename(file)));
      }
    }
  }

  /** Adds text; it reaches the temp file once ~256 KB are gathered (awaiting this keeps memory bounded). */
  async write(text: string): Promise<void> {
    this.gathered.push(text);
    this.gatheredLength += text.length;
    if (this.gatheredLength >= GATHER) await this.drain();
  }

  /** Writes a piece at once (after what was gathered). */
  async writeNow(piece: string | Uint8Array): Promise<void> {
    await this.drain();
    await this.put(typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece);
  }

  /** Forgets everything written so far (the content is produced again from its start). */
  async restart(): Promise<void> {
    this.gathered = [];
    this.gatheredLength = 0;
    this.position = 0;
    await this.handle.truncate(0);
  }

  async commit(): Promise<void> {
    try {
      await this.drain();
      if (this.durable) await this.handle.sync();
    } catch (err) {
      await this.abort();
      throw err;
    }
    await this.handle.close();
    try {
      await fs.rename(this.tmp, this.file);
    } catch (err) {
      await fs.rm(this.tmp, { force: true });
      throw err;
    }
    if (this.durable) await syncDirectory(path.dirname(this.file));
  }

  async abort(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await fs.rm(this.tmp, { force: true });
  }

  private async drain(): Promise<void> {
    if (this.gatheredLength === 0) return;
    const text = this.gathered.join('');
    this.gathered = [];
    this.gatheredLength = 0;
    await this.put(Buffer.from(text, 'utf8'));
  }

  private async put(bytes: Uint8Array): Promise<void> {
    for (let at = 0; at < bytes.length; ) {
      const { bytesWritten } = await this.handle.write(bytes, at, bytes.length - at, this.position);
      at += bytesWritten;
      this.position += bytesWritten;
    }
  }
}

/**
 * writeFileAtomic without its fsyncs, in blocking calls: for a process that does one thing at a time (a pool
 * process), where each asynchronous call would cost a round trip through the thread pool. Readers see the old
 * content or the new, never a mix; the file is durable once `syncFiles` has run over it.
 */
export function writeFileAtomicSync(file: string, data: string | Uint8Array | readonly (string | Uint8Array)[]): void {
  const dir = path.dirname(file);
  let tmp = path.join(dir, tempNameFor(path.basename(file)));
  let fd: number;
  for (let attempt = 1; ; attempt++) {
    try {
      fd = openSync(tmp, 'wx', 0o644);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt === 3) throw err;
      tmp = path.join(dir, tempNameFor(path.basename(file)));
    }
  }
  let open = true;
  try {
    for (const piece of pieces(typeof data === 'string' || data instanceof Uint8Array ? [data] : data)) {
      const bytes = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
      for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
    }
    open = false;
    closeSync(fd);
    renameSync(tmp, file);
  } catch (err) {
    if (open) closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Makes files written with `{ durable: false }` durable, together: their data (fsyncs run side by side, which the
 * file system commits as a group), then their folder (the renames). After this returns they survive a power
 * loss, as if each had been written durably; a process kill never loses them in the first place (the kernel
 * has them). One call per batch replaces one fsync pair per tiny file.
 */
export async function syncFiles(files: readonly string[], dir: string, parallel = 16): Promise<void> {
  for (let at = 0; at < files.length; at += parallel) {
    await Promise.all(
      files.slice(at, at + parallel).map(async (file) => {
        const handle = await fs.open(file, 'r').catch(() => undefined); // gone since (re-extract): nothing to keep
        try {
          await handle?.sync();
        } finally {
          await handle?.close().catch(() => undefined);
        }
      }),
    );
  }
  if (files.length) await syncDirectory(dir);
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

/**
 * 12 hex digits unique within this process: a random half drawn once, then a counter (a temp name per document
 * drew 6 random bytes each time, issue #13). Across processes the pid in the name differs, and `wx` opens
 * refuse a clash anyway.
 */
const SUFFIX_BASE = randomBytes(3).toString('hex');
let suffixCount = randomBytes(3).readUIntBE(0, 3);
function uniqueSuffix(): string {
  suffixCount = (suffixCount + 1) % 0x1000000;
  return SUFFIX_BASE + suffixCount.toString(16).padStart(6, '0');
}

/** Longest file name, in UTF-8 bytes (Linux, macOS) and in UTF-16 units (Windows): 255 on all three. */
const NAME_MAX = 255;

/** Which machine wrote a temp file: a few hex digits of its host name, so that only this host judges its pids. */
const HOST_TAG = createHash('sha256').update(os.hostname()).digest('hex').slice(0, 6);

/**
 * The temp file's name beside `base`: `.<base>.<host>-<pid>.<random>.tmp`, with `base` cut (at a character
 * boundary) so the whole name fits in 255 UTF-8 bytes and 255 UTF-16 units — a 240-byte output name must not
 * fail for want of room for its temp name. The random part keeps cut names unique.
 */
export function tempNameFor(base: string, random = uniqueSuffix()): string {
  const tail = `.${HOST_TAG}-${process.pid}.${random}.tmp`; // ASCII: bytes = units
  return `.${cutToFit(base, NAME_MAX - 1 - tail.length)}${tail}`;
}

/** The longest prefix of `s` of at most `max` UTF-8 bytes and `max` UTF-16 units, never splitting a character. */
function cutToFit(s: string, max: number): string {
  if (s.length <= max && Buffer.byteLength(s, 'utf8') <= max) return s;
  let bytes = 0;
  let end = 0;
  for (const ch of s) {
    const b = Buffer.byteLength(ch, 'utf8');
    if (bytes + b > max || end + ch.length > max) break;
    bytes += b;
    end += ch.length;
  }
  return s.slice(0, end);
}

/** Temp names of writeFileAtomic: `.<base>.<host>-<pid>.<12 hex>.tmp`, and the older `.<base>.<pid>.<12 hex>.tmp`. */
const TEMP_NAME = /^\..*\.(?:([0-9a-f]{6})-)?(\d+)\.[0-9a-f]{12}\.tmp$/s;

/**
 * Removes the temp files that killed writers left in `dir` (not below it): a name of writeFileAtomic's pattern
 * whose writer is a dead process on this host, or untouched for `maxAgeMs` (a live writer writes continuously
 * and renames at once, so a minute without a change means it is gone, or on another host). Returns how many
 * were removed. Best effort: a folder that cannot be read is left alone.
 */
export async function removeStaleTemps(dir: string, maxAgeMs = 60_000): Promise<number> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (!m) continue;
    const [, host, pidText] = m;
    const pid = Number(pidText);
    const file = path.join(dir, name);
    const deadHere = host === HOST_TAG && pid !== process.pid && !isProcessAlive(pid);
    let stale = deadHere;
    if (!stale) {
      const stat = await fs.lstat(file).catch(() => undefined);
      stale = !!stat?.isFile() && Date.now() - stat.mtimeMs > maxAgeMs && !(host === HOST_TAG && pid === process.pid);
    }
    if (stale && (await fs.rm(file, { force: true }).then(() => true, () => false))) removed++;
  }
  return removed;
}


import { createHash, type Hash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { createGunzip, createGzip, type Gzip } from 'node:zlib';
import { BrightRunError, throwIfAborted } from '../../errors';
import type { SplitName } from '../../records/types';
import type { ExportFormat, ExportProgress, StreamCompression, WrittenFile } from '../types';

export interface FileSinkOptions {
  /** gzip the bytes on their way to disk (level 6; no name and mtime 0 in the header, so the same input gives the same file). */
  compression?: StreamCompression;
  /** Checked at every flush: an aborted run stops writing with CANCELLED. */
  signal?: AbortSignal;
  /** Bytes collected before one write (default 1 MB): big enough to amortise the calls, small next to memory. */
  bufferBytes?: number;
}

/**
 * The one output file of every export writer: written asynchronously through a file handle (the thread never
 * blocks on the disk), optionally gzip-compressed, hashed and counted as the bytes land, so the manifest's sha256
 * and size need no second read. Memory is bounded by `bufferBytes` plus, when compressed, the gzip stream's
 * buffers: a write waits while the disk falls behind (back-pressure). Errors are OUTPUT_UNWRITABLE naming the file.
 */
export class FileSink {
  private readonly hash: Hash = createHash('sha256');
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private readonly gzip: Gzip | undefined;
  /** Writes the gzip stream's output to the file (compressed sinks); rejects with the first write error. */
  private readonly pumping: Promise<void> | undefined;
  private failure: unknown;
  /** Bytes in the file so far: as handed in (uncompressed, buffered ones included) or as compressed so far. */
  bytes = 0;
  /** Uncompressed bytes handed to the sink so far (for progress). */
  rawBytes = 0;

  private constructor(
    readonly file: string,
    private readonly handle: fs.FileHandle,
    private readonly options: FileSinkOptions,
  ) {
    if (options.compression === 'gzip') {
      const gzip = createGzip({ level: 6 });
      this.gzip = gzip;
      this.pumping = (async () => {
        for await (const chunk of gzip as AsyncIterable<Buffer>) {
          this.count(chunk);
          await this.writeAll(chunk);
        }
      })();
      this.pumping.catch((err) => (this.failure ??= err));
    }
  }

  /** Creates (or truncates) `file`, making its folder. */
  static async open(file: string, options: FileSinkOptions = {}): Promise<FileSink> {
    try {
      await fs.mkdir(path.dirname(file), { recursive: true });
      return new FileSink(file, await fs.open(file, 'w', 0o644), options);
    } catch (err) {
      throw new BrightRunError({ code: 'OUTPUT_UNWRITABLE', file, message: `Cannot create ${file}: ${(err as Error).message}.`, remedy: 'Check that the export folder is writable and the disk has room.' }, { cause: err });
    }
  }

  /** The file name with `.gz` appended when compressed. */
  static fileName(base: string, compression: StreamCompression | undefined): string {
    return compression === 'gzip' ? `${base}.gz` : base;
  }

  /** Appends text (UTF-8) or bytes. The bytes may be reused by the caller once the promise settles. */
  async write(data: string | Uint8Array): Promise<void> {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    if (bytes.length === 0) return;
    this.rawBytes += bytes.length;
    if (!this.gzip) {
      this.count(bytes);
      if (bytes.length >= this.bufferSize) {
        await this.flush();
        throwIfAborted(this.options.signal);
        await this.writeAll(bytes);
        return;
      }
    }
    // Copied: the caller may reuse its buffer (the Parquet writer does) before the flush.
    this.pending.push(typeof data === 'string' ? bytes : Buffer.from(bytes));
    this.pendingBytes += bytes.length;
    if (this.pendingBytes >= this.bufferSize) await this.flush();
  }

  /** Writes what is buffered (compressed sinks: hands it to gzip, waiting while the disk falls behind). */
  async flush(): Promise<void> {
    if (this.failure) throw this.failure;
    throwIfAborted(this.options.signal);
    if (this.pendingBytes === 0) return;
    const joined = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    if (!this.gzip) return this.writeAll(joined);
    if (!this.gzip.write(joined)) await Promise.race([once(this.gzip, 'drain'), this.pumping]);
    if (this.failure) throw this.failure;
  }

  /** Flushes, closes and returns the size and sha256 (hex) of the bytes as written (after compression). */
  async close(): Promise<{ bytes: number; sha256: string }> {
    try {
      await this.flush();
      if (this.gzip) {
        this.gzip.end();
        await this.pumping;
      }
    } finally {
      await this.handle.close();
    }
    return { bytes: this.bytes, sha256: this.hash.digest('hex') };
  }

  /** Closes and removes the file (a failed or cancelled write). Never throws. */
  async discard(): Promise<void> {
    this.gzip?.destroy();
    await this.pumping?.catch(() => undefined);
    await this.handle.close().catch(() => undefined);
    await fs.rm(this.file, { force: true }).catch(() => undefined);
  }

  private get bufferSize(): number {
    return this.options.bufferBytes ?? 1 << 20;
  }

  private count(chunk: Uint8Array): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
  }

  private async writeAll(bytes: Buffer): Promise<void> {
    try {
      for (let at = 0; at < bytes.length; ) at += (await this.handle.write(bytes, at, bytes.length - at)).bytesWritten;
    } catch (err) {
      throw new BrightRunError({ code: 'OUTPUT_UNWRITABLE', file: this.file, message: `Writing ${this.file} failed: ${(err as Error).message}.`, remedy: 'Check that the disk has room and the export folder is writable.' }, { cause: err });
    }
  }
}

/** Writes `text` to `file` through a sink and returns its manifest entry (`rel` is the path inside the version folder). */
export async function writeSmallFile(dir: string, rel: string, text: string, format: ExportFormat): Promise<WrittenFile> {
  const sink = await FileSink.open(path.join(dir, rel));
  await sink.write(text);
  const { bytes, sha256 } = await sink.close();
  return { path: rel, format, bytes, sha256 };
}

/** Cumulative progress of one writer's run: records and bytes, reported at most every `everyRecords` records. */
export class ProgressCounter {
  private records = 0;
  private bytes = 0;
  private sinceReport = 0;

  constructor(private readonly onProgress?: (progress: ExportProgress) => void, private readonly everyRecords = 1000) {}

  record(bytes: number): void {
    this.records++;
    this.bytes += bytes;
    if (++this.sinceReport >= this.everyRecords) this.report();
  }

  report(): void {
    this.sinceReport = 0;
    this.onProgress?.({ records: this.records, bytes: this.bytes });
  }
}

/** A manifest entry for a finished data file. */
export function dataFile(rel: string, format: ExportFormat, written: { bytes: number; sha256: string }, records: number, split: SplitName): WrittenFile {
  return { path: rel, format, bytes: written.bytes, sha256: written.sha256, records, split };
}

/** The bytes of a written file, decompressed when it ends in `.gz`, in chunks. */
export async function* readDataChunks(file: string, signal?: AbortSignal): AsyncGenerator<Buffer> {
  const input = createReadStream(file, { highWaterMark: 1 << 20 });
  const stream = path.extname(file) === '.gz' ? input.pipe(createGunzip()) : input;
  input.on('error', (err) => stream.destroy(err));
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      throwIfAborted(signal);
      yield chunk;
    }
  } finally {
    input.destroy();
    stream.destroy();
  }
}

/** Lines of a UTF-8 text file (decompressed when `.gz`), without their line breaks; a last empty line is not yielded. */
export async function* readDataLines(file: string, signal?: AbortSignal): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let rest = '';
  for await (const chunk of readDataChunks(file, signal)) {
    const text = rest + decoder.decode(chunk, { stream: true });
    const lines = text.split('\n');
    rest = lines.pop()!;
    for (const line of lines) yield line;
  }
  rest += decoder.decode();
  if (rest) yield rest;
}

/** sha256 and size of a file as stored, streamed. */
export async function hashStoredFile(file: string, signal?: AbortSignal): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    throwIfAborted(signal);
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { bytes, sha256: hash.digest('hex') };
}

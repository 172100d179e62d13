import { createHash, type Hash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { BrightRunError } from '../../errors';
import type { ExportFormat, ExportProgress, WrittenFile } from '../types';
import type { SplitName } from '../../records/types';

/**
 * An output file written asynchronously (the extension host's thread never blocks on the disk), hashed and
 * counted as it is written, so the manifest's sha256 and size need no second read. Text is buffered up to
 * `bufferBytes` (1 MB) and written in one call; a write larger than the buffer goes straight through.
 */
export class FileSink {
  private readonly hash: Hash = createHash('sha256');
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes handed to the sink so far (written or buffered). */
  bytes = 0;

  private constructor(
    readonly file: string,
    private readonly handle: fs.FileHandle,
    private readonly bufferBytes: number,
  ) {}

  /** Creates (or truncates) `file`, making its folder. */
  static async open(file: string, bufferBytes = 1 << 20): Promise<FileSink> {
    await fs.mkdir(path.dirname(file), { recursive: true });
    try {
      return new FileSink(file, await fs.open(file, 'w', 0o644), bufferBytes);
    } catch (err) {
      throw new BrightRunError({ code: 'OUTPUT_UNWRITABLE', file, message: `Cannot create ${file}: ${(err as Error).message}.`, remedy: 'Check that the export folder is writable and the disk has room.' }, { cause: err });
    }
  }

  /** Appends text (UTF-8) or bytes. The bytes may be reused by the caller once the promise settles. */
  async write(data: string | Uint8Array): Promise<void> {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    if (bytes.length === 0) return;
    this.hash.update(bytes);
    this.bytes += bytes.length;
    if (bytes.length >= this.bufferBytes) {
      await this.flush();
      await this.writeAll(bytes);
      return;
    }
    // Copied: the caller may reuse its buffer (the Parquet writer does) before the flush.
    this.pending.push(typeof data === 'string' ? bytes : Buffer.from(bytes));
    this.pendingBytes += bytes.length;
    if (this.pendingBytes >= this.bufferBytes) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const joined = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    await this.writeAll(joined);
  }

  /** Flushes, closes and returns the size and sha256 (hex) of what was written. */
  async close(): Promise<{ bytes: number; sha256: string }> {
    try {
      await this.flush();
    } finally {
      await this.handle.close();
    }
    return { bytes: this.bytes, sha256: this.hash.digest('hex') };
  }

  /** Closes and removes the file (a failed or cancelled write). Never throws. */
  async discard(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await fs.rm(this.file, { force: true }).catch(() => undefined);
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

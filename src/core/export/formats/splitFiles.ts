import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { throwIfAborted } from '../../errors';
import type { SplitName, TrainingRecord } from '../../records/types';
import { FileSink } from './fileSink';
import type { ExportContext, ExportFormat, VerifyFinding, WrittenFile } from '../types';

/** How one file per split is framed: an optional header and footer, and each record's bytes. */
export interface SplitFileEncoder {
  /** Extension without the compression suffix, e.g. "jsonl". */
  extension: string;
  /** Bytes before the first record (a CSV header, a JSON array's "["). */
  header?(split: SplitName): string | Uint8Array;
  /** One record's bytes, given its index within the file. */
  encode(record: TrainingRecord, index: number): string | Uint8Array;
  footer?(split: SplitName, count: number): string | Uint8Array;
}

/** `<format>/<split>.<extension>[.gz]`, relative to the version folder, with '/'. */
export function splitFilePath(format: ExportFormat, split: SplitName, extension: string, ctx: Pick<ExportContext, 'compression'>): string {
  return `${format}/${FileSink.fileName(`${split}.${extension}`, ctx.compression)}`;
}

/**
 * Writes one file per split by streaming the split's records through `encoder`, with progress (records and
 * bytes written, cumulative over the splits) and cancellation between records.
 */
export async function writeSplitFiles(ctx: ExportContext, format: ExportFormat, encoder: SplitFileEncoder): Promise<WrittenFile[]> {
  const written: WrittenFile[] = [];
  let records = 0;
  let bytesBefore = 0;
  await fs.mkdir(path.join(ctx.dir, format), { recursive: true });
  for (const split of ctx.splits) {
    const rel = splitFilePath(format, split, encoder.extension, ctx);
    const sink = await FileSink.open(path.join(ctx.dir, ...rel.split('/')), { compression: ctx.compression, signal: ctx.signal });
    let count = 0;
    try {
      if (encoder.header) await sink.write(encoder.header(split));
      for await (const record of ctx.records(split)) {
        throwIfAborted(ctx.signal);
        await sink.write(encoder.encode(record, count));
        count++;
        records++;
        if ((records & 1023) === 0) ctx.onProgress?.({ records, bytes: bytesBefore + sink.bytes });
      }
      if (encoder.footer) await sink.write(encoder.footer(split, count));
      const { bytes, sha256 } = await sink.close();
      bytesBefore += bytes;
      written.push({ path: rel, format, bytes, sha256, records: count, split });
      ctx.onProgress?.({ records, bytes: bytesBefore });
    } catch (err) {
      await sink.discard();
      throw err;
    }
  }
  return written;
}

/** A finding helper: an error about `file`. */
export function problem(file: string, message: string): VerifyFinding {
  return { severity: 'error', file, message };
}

/** Checks that a file's re-read record count matches the count written. */
export function countFinding(file: WrittenFile, found: number): VerifyFinding[] {
  return file.records !== undefined && file.records !== found ? [problem(file.path, `holds ${found} record(s); ${file.records} were written`)] : [];
}

/** The absolute path of a written file inside `dir`. */
export function fileIn(dir: string, file: WrittenFile): string {
  return path.join(dir, ...file.path.split('/'));
}

import * as path from 'node:path';
import { throwIfAborted } from '../../errors';
import type { SplitName } from '../../records/types';
import type { ExportContext, FormatWriter, VerifyFinding, WrittenFile } from '../types';
import { ProgressCounter, dataFile } from './fileSink';
import { choiceOption, intOption } from './options';
import { DEFAULT_PARQUET_SETTINGS, ParquetFileStream, parquetColumns, parquetRow, type ParquetSettings } from './parquetFile';
import { verifyParquetFile } from './parquetVerify';

/** Folder of the plain Parquet export inside a version folder: `parquet/{split}.parquet`. */
export const PARQUET_DIR = 'parquet';

/**
 * Parquet settings from format options: `codec` (snappy | gzip | brotli | zstd | uncompressed, default snappy),
 * `rowGroupRows` (default 10,000) and `rowGroupChars` (default 64 Mi UTF-16 units of text per row group).
 */
export function parquetSettings(options: Readonly<Record<string, unknown>>): ParquetSettings {
  return {
    codec: choiceOption(options, 'codec', ['snappy', 'gzip', 'brotli', 'zstd', 'uncompressed'] as const, DEFAULT_PARQUET_SETTINGS.codec),
    rowGroupRows: intOption(options, 'rowGroupRows', DEFAULT_PARQUET_SETTINGS.rowGroupRows, 1, 10_000_000),
    rowGroupChars: intOption(options, 'rowGroupChars', DEFAULT_PARQUET_SETTINGS.rowGroupChars, 1024),
  };
}

/**
 * Streams one split's records into one Parquet file; removes the file on failure or cancellation.
 * Returns the manifest entry (`rel`: path inside the version folder) and the uncompressed size.
 */
export async function writeParquetSplit(ctx: ExportContext, split: SplitName, rel: string, settings: ParquetSettings, progress: ProgressCounter): Promise<{ file: WrittenFile; uncompressedBytes: number }> {
  const columns = parquetColumns(ctx.kind, ctx.lineageColumns);
  const stream = await ParquetFileStream.open(path.join(ctx.dir, rel), columns, settings, { 'brightrun.kind': ctx.kind, 'brightrun.split': split });
  try {
    for await (const record of ctx.records(split)) {
      throwIfAborted(ctx.signal);
      const before = stream.bytes;
      const writing = stream.add(parquetRow(record, columns, ctx.lineageColumns));
      if (writing) await writing;
      progress.record(stream.bytes - before);
    }
  } catch (err) {
    await stream.discard();
    throw err;
  }
  const written = await stream.close();
  return { file: dataFile(rel, 'parquet', written, stream.rows, split), uncompressedBytes: written.uncompressedBytes };
}

/** The `parquet` format: one file per split with an explicit schema (parquetFile.ts), re-read by hyparquet to verify. */
export const parquetFormat: FormatWriter = {
  format: 'parquet',
  async write(ctx) {
    const settings = parquetSettings(ctx.options);
    const progress = new ProgressCounter(ctx.onProgress);
    const files: WrittenFile[] = [];
    for (const split of ctx.splits) {
      files.push((await writeParquetSplit(ctx, split, `${PARQUET_DIR}/${split}.parquet`, settings, progress)).file);
    }
    progress.report();
    return files;
  },
  async verify(dir, files, signal) {
    const findings: VerifyFinding[] = [];
    for (const file of files) if (file.path.endsWith('.parquet')) findings.push(...(await verifyParquetFile(dir, file, undefined, signal)));
    return findings;
  },
};

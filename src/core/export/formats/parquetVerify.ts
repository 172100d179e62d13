import * as path from 'node:path';
import { throwIfAborted } from '../../errors';
import { importModule } from '../../extract/esmImport';
import type { VerifyFinding, WrittenFile } from '../types';
import { parquetDecompressors } from './parquetFile';

type Hyparquet = typeof import('hyparquet', { with: { 'resolution-mode': 'import' } });

let readerModule: Promise<Hyparquet> | undefined;
function loadParquetReader(): Promise<Hyparquet> {
  readerModule ??= importModule<Hyparquet>('hyparquet');
  return readerModule;
}

/**
 * Re-reads a Parquet file with `hyparquet` (a reader independent of the writer's encoder): the footer's row count
 * against the manifest's, the top-level columns against `columns`, then every row group decoded, one at a time
 * (memory: one row group), its rows counted and each `messages` value checked to be a list of {role, content}
 * strings. Decoding failures (a codec the runtime lacks, a corrupt page) become error findings.
 */
export async function verifyParquetFile(dir: string, file: WrittenFile, columns: readonly string[] | undefined, signal?: AbortSignal): Promise<VerifyFinding[]> {
  const findings: VerifyFinding[] = [];
  const fail = (message: string) => findings.push({ severity: 'error', file: file.path, message });
  try {
    const { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } = await loadParquetReader();
    const buffer = await asyncBufferFromFile(path.join(dir, file.path));
    if (buffer.byteLength !== file.bytes) fail(`is ${buffer.byteLength} bytes, the manifest says ${file.bytes}`);
    const metadata = await parquetMetadataAsync(buffer);
    const rows = Number(metadata.num_rows);
    if (file.records !== undefined && rows !== file.records) fail(`holds ${rows} rows, the manifest says ${file.records}`);
    const root = metadata.schema[0];
    const top = topLevelNames(metadata.schema);
    if (columns && top.join(',') !== columns.join(',')) fail(`has columns [${top.join(', ')}], expected [${columns.join(', ')}] (root ${root.name})`);
    let read = 0;
    let start = 0;
    for (const group of metadata.row_groups) {
      throwIfAborted(signal);
      const end = start + Number(group.num_rows);
      const objects = await parquetReadObjects({ file: buffer, metadata, rowStart: start, rowEnd: end, compressors: parquetDecompressors() as never });
      read += objects.length;
      if (top.includes('messages')) {
        const bad = objects.findIndex((o) => !isMessageList(o.messages));
        if (bad >= 0) fail(`row ${start + bad}: messages is not a list of {role, content} strings`);
      }
      start = end;
    }
    if (read !== rows) fail(`decoded ${read} rows of the ${rows} its footer declares`);
  } catch (err) {
    if (signal?.aborted) throw err;
    fail(`cannot be read as Parquet: ${(err as Error).message}`);
  }
  return findings;
}

function topLevelNames(schema: readonly { name: string; num_children?: number }[]): string[] {
  const names: string[] = [];
  // Walk the flattened tree: each element's children follow it, depth-first.
  let i = 1;
  const skip = (): void => {
    const children = schema[i].num_children ?? 0;
    i++;
    for (let c = 0; c < children; c++) skip();
  };
  for (let c = 0; c < (schema[0].num_children ?? 0); c++) {
    names.push(schema[i].name);
    skip();
  }
  return names;
}

function isMessageList(value: unknown): boolean {
  return Array.isArray(value) && value.every((m) => m !== null && typeof m === 'object' && typeof (m as { role: unknown }).role === 'string' && typeof (m as { content: unknown }).content === 'string');
}

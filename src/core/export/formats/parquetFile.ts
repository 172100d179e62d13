import * as zlib from 'node:zlib';
import { BrightRunError } from '../../errors';
import { importModule } from '../../extract/esmImport';
import type { RecordKind, TrainingRecord } from '../../records/types';
import { KIND_COLUMNS, LINEAGE_COLUMNS, naturalRow } from '../rows';
import type { ParquetCodec } from '../types';
import { FileSink } from './fileSink';
import { snappyCompress } from './snappy';
import { RowGroupColumns } from './parquetRowGroup';

type HyparquetWriter = typeof import('hyparquet-writer', { with: { 'resolution-mode': 'import' } });
/** The writer's own SchemaElement (it depends on its own copy of hyparquet's types). */
type SchemaElement = ConstructorParameters<HyparquetWriter['ParquetWriter']>[0]['schema'][number];

/**
 * Parquet files written row group by row group through an asynchronous sink (issue #11). `hyparquet-writer`
 * encodes each row group into its in-memory ByteWriter; its Node `fileWriter` would then write with
 * `fs.writeFileSync` (/work/shared/api D4), so here the writer's `flush` (called after every row group) and
 * `finish` hand the bytes to a FileSink instead. Memory is one row group (rows + its encoded bytes).
 */

/** Row-group and codec settings (brightrun.json `export.parquet` / `export.hf`). */
export interface ParquetSettings {
  codec: ParquetCodec;
  /** Rows per row group (default 10,000). */
  rowGroupRows: number;
  /** A row group is also closed once its text reaches this many UTF-16 units (default 64 Mi): very long records keep memory bounded. */
  rowGroupChars: number;
}

export const DEFAULT_PARQUET_SETTINGS: ParquetSettings = { codec: 'snappy', rowGroupRows: 10_000, rowGroupChars: 64 * 1024 * 1024 };

/** `created_by` in every file: fixed (no timestamp, no machine), so unchanged records give byte-identical files. */
export const PARQUET_CREATED_BY = 'Bright Run (hyparquet-writer 0.17.0)';

/** A dataset's columns: the kind's natural row, plus lineage columns when asked. 'mixed' writes the union of every kind's columns and a `kind` column. */
export function parquetColumns(kind: RecordKind | 'mixed', lineage: boolean): string[] {
  const base = kind === 'mixed' ? ['id', 'kind', 'text', 'instruction', 'input', 'output', 'messages'] : [...KIND_COLUMNS[kind]];
  return lineage ? [...base, ...LINEAGE_COLUMNS] : base;
}

const STRING = (name: string): SchemaElement => ({ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' });
const INT32 = (name: string): SchemaElement => ({ name, type: 'INT32', repetition_type: 'REQUIRED' });

/**
 * The explicit schema: every column REQUIRED (rows hold no nulls, rows.ts); strings are UTF8 byte arrays,
 * lineage numbers INT32; `messages` is the three-level LIST of the Parquet spec (LogicalTypes.md, "Lists"):
 * `messages (LIST) → repeated group list → required group element {role, content}`, which Arrow, DuckDB and
 * `datasets` read as `list<struct<role: string, content: string>>`.
 */
export function parquetSchema(columns: readonly string[]): SchemaElement[] {
  const schema: SchemaElement[] = [{ name: 'schema', num_children: columns.length }];
  for (const c of columns) {
    if (c === 'messages') {
      schema.push(
        { name: 'messages', repetition_type: 'REQUIRED', converted_type: 'LIST', num_children: 1 },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        { name: 'element', repetition_type: 'REQUIRED', num_children: 2 },
        STRING('role'),
        STRING('content'),
      );
    } else schema.push(c === 'page' || c === 'span_start' || c === 'span_end' ? INT32(c) : STRING(c));
  }
  return schema;
}

/** A record as a Parquet row of `columns` (mixed datasets fill the columns a kind lacks with '' or []). */
export function parquetRow(record: TrainingRecord, columns: readonly string[], lineage: boolean): Record<string, unknown> {
  const natural = naturalRow(record, lineage) as unknown as Record<string, unknown>;
  if (!columns.includes('kind')) return natural;
  const row: Record<string, unknown> = { kind: record.kind };
  for (const c of columns) if (c !== 'kind') row[c] = natural[c] ?? (c === 'messages' ? [] : '');
  return row;
}

type Compressor = (input: Uint8Array) => Uint8Array;

/** Brotli quality 5 (of 11): ~4× faster than the default 11 for a few percent more bytes on text. */
const BROTLI_QUALITY = 5;

/**
 * Compressors for a codec: Snappy is `snappy.ts` (the library's algorithm, ~3× faster); GZIP and Brotli come from Node's zlib; ZSTD
 * from `zlib.zstdCompressSync`, which Node has from 22.15 / 23.8. Throws UNSUPPORTED_FORMAT naming the codec
 * and the fix where the runtime lacks it.
 */
export function parquetCompressors(codec: ParquetCodec): { codec: string; compressors: Record<string, Compressor> } {
  switch (codec) {
    case 'snappy':
      return { codec: 'SNAPPY', compressors: { SNAPPY: snappyCompress } };
    case 'uncompressed':
      return { codec: 'UNCOMPRESSED', compressors: {} };
    case 'gzip':
      return { codec: 'GZIP', compressors: { GZIP: (b) => zlib.gzipSync(b) } };
    case 'brotli':
      return { codec: 'BROTLI', compressors: { BROTLI: (b) => zlib.brotliCompressSync(b, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY } }) } };
    case 'zstd': {
      const zstd = (zlib as unknown as { zstdCompressSync?: (b: Uint8Array) => Buffer }).zstdCompressSync;
      if (typeof zstd !== 'function') throw zstdMissing();
      return { codec: 'ZSTD', compressors: { ZSTD: (b) => zstd(b) } };
    }
    default:
      throw new BrightRunError({ code: 'INVALID_ARGUMENT', message: `Unknown Parquet codec "${String(codec)}".`, remedy: 'Use one of snappy, gzip, brotli, zstd, uncompressed.' });
  }
}

/** Decompressors hyparquet needs to re-read a file (it decodes Snappy itself). */
export function parquetDecompressors(): Record<string, (input: Uint8Array, outputLength: number) => Uint8Array> {
  const z = zlib as unknown as { zstdDecompressSync?: (b: Uint8Array) => Buffer };
  return {
    GZIP: (b) => zlib.gunzipSync(b),
    BROTLI: (b) => zlib.brotliDecompressSync(b),
    ZSTD: (b) => {
      if (!z.zstdDecompressSync) throw zstdMissing();
      return z.zstdDecompressSync(b);
    },
  };
}

function zstdMissing(): BrightRunError {
  return new BrightRunError({
    code: 'UNSUPPORTED_FORMAT',
    message: `Parquet codec "zstd" needs Node.js 22.15 or later (zlib.zstdCompressSync); this runtime is Node.js ${process.versions.node}.`,
    remedy: 'Choose the snappy (default), gzip or brotli codec, or run the brightrun CLI with Node.js 22.15 or later.',
  });
}

let writerModule: Promise<HyparquetWriter> | undefined;
/** hyparquet-writer is an ES module: loaded on first use (import() also works inside the extraction worker's vm.Script). */
export function loadParquetWriter(): Promise<HyparquetWriter> {
  writerModule ??= importModule<HyparquetWriter>('hyparquet-writer');
  return writerModule;
}

/** One Parquet file being written: rows are added one at a time; a row group is encoded and written when full. */
export class ParquetFileStream {
  /** Rows added so far. */
  rows = 0;
  private readonly group: RowGroupColumns;

  private constructor(
    private readonly sink: FileSink,
    private readonly writer: InstanceType<HyparquetWriter['ParquetWriter']>,
    columns: readonly string[],
    private readonly settings: ParquetSettings,
  ) {
    this.group = new RowGroupColumns(columns);
  }

  /** Creates `file` and writes its magic bytes. `kv` is stored as the file's key-value metadata. */
  static async open(file: string, columns: readonly string[], settings: ParquetSettings, kv: Record<string, string> = {}): Promise<ParquetFileStream> {
    const { codec, compressors } = parquetCompressors(settings.codec);
    const { ByteWriter, ParquetWriter } = await loadParquetWriter();
    const sink = await FileSink.open(file);
    const bytes: InstanceType<typeof ByteWriter> & { flush?: () => Promise<void> } = new ByteWriter(1 << 16);
    // The library calls flush() after each row group and finish() at the end; both may return a promise it awaits.
    bytes.flush = async () => {
      const chunk = new Uint8Array(bytes.buffer, 0, bytes.index);
      await sink.write(chunk);
      bytes.index = 0;
    };
    bytes.finish = () => bytes.flush!();
    const writer = new ParquetWriter({
      writer: bytes,
      schema: parquetSchema(columns),
      codec: codec as 'SNAPPY',
      compressors,
      createdBy: PARQUET_CREATED_BY,
      kvMetadata: Object.entries(kv).map(([key, value]) => ({ key, value })),
    });
    return new ParquetFileStream(sink, writer, columns, settings);
  }

  /** Bytes in the file so far (row groups written; the rows of the open group are not counted yet). */
  get bytes(): number {
    return this.sink.bytes;
  }

  /**
   * Adds a row (as parquetRow makes it); when that fills the row group, writes it and returns the write's
   * promise, else undefined — so the caller awaits once per row group, not once per row.
   */
  add(row: Record<string, unknown>): Promise<void> | undefined {
    this.group.add(row);
    this.rows++;
    return this.group.rows >= this.settings.rowGroupRows || this.group.chars >= this.settings.rowGroupChars ? this.writeGroup() : undefined;
  }

  /** Writes the open row group, the footer, and closes the file. `uncompressedBytes` is the sum of the row groups' uncompressed sizes. */
  async close(): Promise<{ bytes: number; sha256: string; uncompressedBytes: number }> {
    try {
      if (this.group.rows) await this.writeGroup();
      await this.writer.finish();
    } catch (err) {
      await this.sink.discard();
      throw err;
    }
    const uncompressedBytes = this.writer.row_groups.reduce((sum, g) => sum + Number(g.total_byte_size), 0);
    return { ...(await this.sink.close()), uncompressedBytes };
  }

  async discard(): Promise<void> {
    await this.sink.discard();
  }

  private async writeGroup(): Promise<void> {
    const rowGroupSize = Math.max(1, this.group.rows);
    await this.writer.write({ columnData: this.group.take() as never, rowGroupSize });
  }
}

import * as zlib from 'node:zlib';
import { BrightRunError } from '../../errors';
import { importModule } from '../../extract/esmImport';
import type { RecordKind, TrainingRecord } from '../../records/types';
import { KIND_COLUMNS, LINEAGE_COLUMNS, lineageColumns, naturalRow } from '../rows';
import type { ParquetCodec } from '../types';
import { FileSink } from './fileSink';
import { ChunkEncoder, type LibraryByteWriter, type PageCompressor, type PageLibrary } from './parquetPages';
import { RowGroupColumns, columnSpecs } from './parquetRowGroup';
import { snappyCompressInto, snappyMaxLength } from './snappy';

/** The parts of hyparquet-writer 0.17.0 the encoder reuses (its package exports `./src/*.js`). */
interface WriterLibrary {
  ByteWriter: new (initialSize?: number) => LibraryByteWriter & { getBytes(): Uint8Array };
  writePageHeader: PageLibrary['writePageHeader'];
  writeMetadata(writer: LibraryByteWriter, metadata: object): void;
}

/**
 * Parquet files written row group by row group through an asynchronous sink (issue #11). The export's schema is
 * fixed (strings, INT32 lineage numbers, the `messages` list), so the encoder is our own for the hot path — rows
 * go straight into page layout (parquetRowGroup.ts, parquetLeaves.ts), pages are written from there
 * (parquetPages.ts) and compressed by snappy.ts or zlib — while hyparquet-writer's Thrift compact serialiser
 * writes the page headers and the footer. Memory: one row group (its values once, in page layout) plus its
 * encoded bytes; the buffers are reused from one row group to the next.
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
export const PARQUET_CREATED_BY = 'Bright Run (own page encoder, hyparquet-writer 0.17.0 Thrift)';

/** A dataset's columns: the kind's natural row, plus lineage columns when asked. 'mixed' writes the union of every kind's columns and a `kind` column. */
export function parquetColumns(kind: RecordKind | 'mixed', lineage: boolean): string[] {
  const base = kind === 'mixed' ? ['id', 'kind', 'text', 'instruction', 'input', 'output', 'messages'] : [...KIND_COLUMNS[kind]];
  return lineage ? [...base, ...LINEAGE_COLUMNS] : base;
}

/** A Parquet schema element (hyparquet's SchemaElement fields). */
export interface SchemaElement {
  name: string;
  type?: 'BYTE_ARRAY' | 'INT32';
  converted_type?: 'UTF8' | 'LIST';
  repetition_type?: 'REQUIRED' | 'OPTIONAL' | 'REPEATED';
  num_children?: number;
}

const STRING = (name: string, optional = false): SchemaElement => ({ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: optional ? 'OPTIONAL' : 'REQUIRED' });
const INT32 = (name: string, optional = false): SchemaElement => ({ name, type: 'INT32', repetition_type: optional ? 'OPTIONAL' : 'REQUIRED' });

/**
 * The explicit schema: every column REQUIRED (rows hold no nulls, rows.ts) unless named in `optional`; strings are UTF8 byte arrays,
 * lineage numbers INT32; `messages` is the three-level LIST of the Parquet spec (LogicalTypes.md, "Lists"):
 * `messages (LIST) → repeated group list → required group element {role, content}`, which Arrow, DuckDB and
 * `datasets` read as `list<struct<role: string, content: string>>`.
 */
export function parquetSchema(columns: readonly string[], optional: readonly string[] = []): SchemaElement[] {
  const schema: SchemaElement[] = [{ name: 'schema', num_children: columns.length }];
  for (const spec of columnSpecs(columns, optional)) {
    const c = spec.name;
    if (spec.shape === 'messages') {
      schema.push(
        { name: 'messages', repetition_type: 'REQUIRED', converted_type: 'LIST', num_children: 1 },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        { name: 'element', repetition_type: 'REQUIRED', num_children: 2 },
        STRING('role'),
        STRING('content'),
      );
    } else schema.push(spec.shape === 'int32' ? INT32(c, spec.optional) : STRING(c, spec.optional));
  }
  return schema;
}

/**
 * A record as a Parquet row of `columns`: its natural row (rows.ts) — but chat messages are passed as they are,
 * not copied (the encoder reads only `role` and `content`). Mixed datasets fill the columns a kind lacks with ''
 * or [] and add `kind`.
 */
export function parquetRow(record: TrainingRecord, columns: readonly string[], lineage: boolean): Record<string, unknown> {
  const row: Record<string, unknown> =
    record.kind === 'chat' ? { id: record.id, messages: record.messages } : (naturalRow(record, false) as unknown as Record<string, unknown>);
  if (lineage) Object.assign(row, lineageColumns(record));
  if (!columns.includes('kind')) return row;
  row.kind = record.kind;
  for (const c of columns) if (row[c] === undefined) row[c] = c === 'messages' ? [] : '';
  return row;
}

/** Brotli quality 5 (of 11): ~4× faster than the default 11 for a few percent more bytes on text. */
const BROTLI_QUALITY = 5;

/**
 * The compressor for a codec: Snappy is `snappy.ts` (written into the page buffer); GZIP and Brotli come from
 * Node's zlib; ZSTD from `zlib.zstdCompressSync`, which Node has from 22.15 / 23.8. Throws UNSUPPORTED_FORMAT
 * naming the codec and the fix where the runtime lacks it, INVALID_ARGUMENT for an unknown codec.
 */
export function parquetCompressor(codec: ParquetCodec): { codec: string; compress?: PageCompressor } {
  const append = (f: (b: Uint8Array) => Uint8Array): PageCompressor => (input, out) => out.bytes(f(input));
  switch (codec) {
    case 'snappy':
      return {
        codec: 'SNAPPY',
        compress: (input, out) => {
          out.ensure(snappyMaxLength(input.length));
          out.pos = snappyCompressInto(input, out.buf, out.pos);
        },
      };
    case 'uncompressed':
      return { codec: 'UNCOMPRESSED' };
    case 'gzip':
      return { codec: 'GZIP', compress: append((b) => zlib.gzipSync(b)) };
    case 'brotli':
      return { codec: 'BROTLI', compress: append((b) => zlib.brotliCompressSync(b, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY } })) };
    case 'zstd': {
      const zstd = (zlib as unknown as { zstdCompressSync?: (b: Uint8Array) => Buffer }).zstdCompressSync;
      if (typeof zstd !== 'function') throw zstdMissing();
      return { codec: 'ZSTD', compress: append((b) => zstd(b)) };
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

let writerModule: Promise<WriterLibrary> | undefined;
/** hyparquet-writer's ByteWriter, page header and footer serialisers: ES modules, loaded on first use (import() also works inside the extraction worker's vm.Script). */
export function loadParquetWriter(): Promise<WriterLibrary> {
  writerModule ??= Promise.all([
    importModule<Pick<WriterLibrary, 'ByteWriter'>>('hyparquet-writer/src/bytewriter.js'),
    importModule<Pick<WriterLibrary, 'writePageHeader'>>('hyparquet-writer/src/datapage.js'),
    importModule<Pick<WriterLibrary, 'writeMetadata'>>('hyparquet-writer/src/metadata.js'),
  ]).then(([b, d, m]) => ({ ByteWriter: b.ByteWriter, writePageHeader: d.writePageHeader, writeMetadata: m.writeMetadata }));
  return writerModule;
}

/** Parquet's magic number, "PAR1", at the start and the end of a file. */
const MAGIC = Buffer.from('PAR1', 'latin1');

/** Options of `ParquetFileStream.open` beyond the columns and settings. */
export interface ParquetOpenOptions {
  /** Columns (not `messages`) written OPTIONAL: their values may be null or undefined. The export's are all REQUIRED. */
  optional?: readonly string[];
}

/** One Parquet file being written: rows are added one at a time; a row group is encoded and written when full. */
export class ParquetFileStream {
  /** Rows added so far. */
  rows = 0;
  private readonly rowGroups: object[] = [];
  private uncompressedBytes = 0;
  private writing: Promise<void> | undefined;

  private constructor(
    private readonly sink: FileSink,
    private readonly lib: WriterLibrary,
    private readonly group: RowGroupColumns,
    private readonly encoder: ChunkEncoder,
    private readonly schema: SchemaElement[],
    private readonly kv: Record<string, string>,
    private readonly settings: ParquetSettings,
  ) {}

  /** Creates `file` and writes its magic bytes. `kv` is stored as the file's key-value metadata. */
  static async open(file: string, columns: readonly string[], settings: ParquetSettings, kv: Record<string, string> = {}, options: ParquetOpenOptions = {}): Promise<ParquetFileStream> {
    const { codec, compress } = parquetCompressor(settings.codec);
    const lib = await loadParquetWriter();
    const sink = await FileSink.open(file);
    await sink.write(MAGIC);
    const encoder = new ChunkEncoder(codec, compress, { headerWriter: new lib.ByteWriter(256), writePageHeader: lib.writePageHeader });
    const group = new RowGroupColumns(columnSpecs(columns, options.optional), compress);
    return new ParquetFileStream(sink, lib, group, encoder, parquetSchema(columns, options.optional), kv, settings);
  }

  /** Bytes in the file so far (row groups written; the rows of the open group are not counted yet). */
  get bytes(): number {
    return this.sink.bytes;
  }

  /**
   * Adds a row (as parquetRow makes it); when that fills the row group, writes it and returns the write's
   * promise, else undefined — so the caller awaits once per row group, not once per row.
   */
  add(row: Readonly<Record<string, unknown>>): Promise<void> | undefined {
    this.group.add(row);
    this.rows++;
    return this.group.rows >= this.settings.rowGroupRows || this.group.chars >= this.settings.rowGroupChars ? this.writeGroup() : undefined;
  }

  /** Writes the open row group, the footer, and closes the file. `uncompressedBytes` is the sum of the row groups' uncompressed sizes. */
  async close(): Promise<{ bytes: number; sha256: string; uncompressedBytes: number }> {
    try {
      if (this.group.rows) await this.writeGroup();
      await this.writing;
      const footer = new this.lib.ByteWriter(1 << 12);
      this.lib.writeMetadata(footer, {
        version: 2,
        created_by: PARQUET_CREATED_BY,
        schema: this.schema,
        num_rows: BigInt(this.rows),
        row_groups: this.rowGroups,
        key_value_metadata: Object.entries(this.kv).map(([key, value]) => ({ key, value })),
      });
      await this.sink.write(footer.getBytes());
      await this.sink.write(MAGIC);
    } catch (err) {
      await this.sink.discard();
      throw err;
    } finally {
      this.group.release();
    }
    return { ...(await this.sink.close()), uncompressedBytes: this.uncompressedBytes };
  }

  async discard(): Promise<void> {
    this.group.release();
    await this.sink.discard();
  }

  /** Encodes the open group into the encoder's buffer (synchronously), empties it, then writes the bytes. */
  private async writeGroup(): Promise<void> {
    await this.writing; // the encoder's buffer is free once the previous group is written
    const fileOffset = this.sink.bytes;
    const out = this.encoder.out;
    out.pos = 0;
    const columns = this.group.leaves().map(({ leaf, statistics }) => this.encoder.writeChunk(leaf, fileOffset, statistics));
    let total = 0n;
    for (const c of columns) total += c.meta_data.total_uncompressed_size;
    this.uncompressedBytes += Number(total);
    this.rowGroups.push({ columns, total_byte_size: total, num_rows: BigInt(this.group.rows), file_offset: BigInt(fileOffset), total_compressed_size: BigInt(out.pos) });
    this.group.reset();
    this.writing = this.sink.write(out.view());
    await this.writing;
  }
}

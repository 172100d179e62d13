import { ByteBuf, bitWidthOf, writeHybrid } from './parquetBytes';
import { DictLeaf, Int32Leaf, type Leaf, type PageCompressor, type PageSpan, TextLeaf } from './parquetLeaves';

/**
 * Column chunks of a row group as bytes (issue #11 performance): each leaf's pages — a dictionary page first for
 * dictionary leaves, then DATA_PAGE_V2 pages (as hyparquet-writer 0.17.0 wrote them) whose repetition and
 * definition levels precede the values uncompressed (RLE / bit-packed hybrid, parquetBytes.ts) and whose values
 * are compressed on their own — text pages already are, by their leaf as they filled (parquetLeaves.ts). Page headers
 * are serialised by hyparquet-writer's own `writePageHeader` (Thrift compact protocol); the footer by its
 * `writeMetadata` (parquetFile.ts). The returned chunk metadata uses hyparquet's field names and types.
 */

export type { PageCompressor } from './parquetLeaves';

type PageHeader = { type: string; dictionary_page_header?: object; data_page_header_v2?: object };

/** hyparquet-writer's ByteWriter (bytewriter.js), as far as the page header writer uses it. */
export interface LibraryByteWriter {
  offset: number;
  index: number;
  getBytes(): Uint8Array;
}

/** The library functions the encoder reuses (loaded with the ES module, parquetFile.ts). */
export interface PageLibrary {
  headerWriter: LibraryByteWriter;
  writePageHeader(writer: LibraryByteWriter, header: object): void;
}

/** ColumnChunk metadata in hyparquet's shape (what the library's `writeMetadata` serialises). */
export interface ChunkMeta {
  file_offset: bigint;
  meta_data: {
    type: 'BYTE_ARRAY' | 'INT32';
    encodings: string[];
    path_in_schema: string[];
    codec: string;
    num_values: bigint;
    total_uncompressed_size: bigint;
    total_compressed_size: bigint;
    data_page_offset: bigint;
    dictionary_page_offset?: bigint;
    statistics?: { min_value: Uint8Array; max_value: Uint8Array; null_count: bigint };
    encoding_stats?: { page_type: string; encoding: string; count: number }[];
  };
}

/** Encodes the column chunks of a row group into one reused output buffer. */
export class ChunkEncoder {
  /** The row group's bytes, in file order. */
  readonly out = new ByteBuf(1 << 20);
  private readonly levels = new ByteBuf();
  private readonly values = new ByteBuf();
  private readonly compressed = new ByteBuf(1 << 20);

  constructor(
    private readonly codec: string,
    private readonly compress: PageCompressor | undefined,
    private readonly lib: PageLibrary,
  ) {}

  /**
   * Appends `leaf`'s column chunk to `out`; `fileOffset` is where `out` starts in the file. `statistics`:
   * min/max (byte order) and null count of a TextLeaf.
   */
  writeChunk(leaf: Leaf, fileOffset: number, statistics: boolean): ChunkMeta {
    const chunkStart = this.out.pos;
    let uncompressed = 0;
    let dictionaryOffset: number | undefined;
    const dictionary = leaf instanceof DictLeaf;
    if (dictionary) {
      dictionaryOffset = fileOffset + this.out.pos;
      this.values.pos = 0;
      leaf.dictionaryBytes(this.values);
      uncompressed += this.page({ type: 'DICTIONARY_PAGE', dictionary_page_header: { num_values: leaf.dictionary.length, encoding: 'PLAIN' } }, undefined, this.values.view());
    }
    const dataOffset = fileOffset + this.out.pos;
    const encoding = dictionary ? 'RLE_DICTIONARY' : 'PLAIN';
    const spans = leaf.pages();
    let numValues = 0;
    let nulls = 0;
    for (const span of spans) {
      const levels = this.pageLevels(leaf, span);
      numValues += levels.numValues;
      nulls += levels.nulls;
      const header = {
        type: 'DATA_PAGE_V2',
        data_page_header_v2: {
          num_values: levels.numValues,
          num_nulls: levels.nulls,
          num_rows: span.rowTo - span.rowFrom,
          encoding,
          definition_levels_byte_length: levels.defBytes,
          repetition_levels_byte_length: levels.repBytes,
          is_compressed: this.compress !== undefined,
        },
      };
      uncompressed +=
        leaf instanceof TextLeaf && span.sealed
          ? this.writePage(header, levels.bytes, span.sealed.uncompressed, leaf.store.buf.subarray(span.sealed.from, span.sealed.to))
          : this.page(header, levels.bytes, this.pageValues(leaf as Int32Leaf | DictLeaf, span));
    }
    const encodings = leaf.levels.kind === 'required' ? [] : ['RLE'];
    encodings.push(...(dictionary ? ['PLAIN', 'RLE_DICTIONARY'] : ['PLAIN']));
    const minMax = statistics && leaf instanceof TextLeaf ? leaf.minMax() : undefined;
    const stats = statistics
      ? {
          ...(minMax ? { min_value: minMax.min, max_value: minMax.max } : {}),
          null_count: BigInt(nulls),
        }
      : undefined;
    return {
      file_offset: BigInt(fileOffset + chunkStart),
      meta_data: {
        type: leaf instanceof Int32Leaf ? 'INT32' : 'BYTE_ARRAY',
        encodings,
        path_in_schema: [...leaf.path],
        codec: this.codec,
        num_values: BigInt(numValues),
        total_uncompressed_size: BigInt(uncompressed),
        total_compressed_size: BigInt(this.out.pos - chunkStart),
        data_page_offset: BigInt(dataOffset),
        ...(dictionaryOffset !== undefined ? { dictionary_page_offset: BigInt(dictionaryOffset) } : {}),
        ...(stats ? { statistics: stats as NonNullable<ChunkMeta['meta_data']['statistics']> } : {}),
        ...(statistics ? { encoding_stats: [...(dictionary ? [{ page_type: 'DICTIONARY_PAGE', encoding: 'PLAIN', count: 1 }] : []), { page_type: 'DATA_PAGE_V2', encoding, count: spans.length }] } : {}),
      },
    };
  }

  /** Writes one page, compressing its values (unless UNCOMPRESSED); returns its uncompressed size with header. */
  private page(header: PageHeader, levels: Uint8Array | undefined, values: Uint8Array): number {
    let body: Uint8Array = values;
    if (this.compress) {
      this.compressed.pos = 0;
      this.compress(values, this.compressed);
      body = this.compressed.view();
    }
    return this.writePage(header, levels, values.length, body);
  }

  /** Writes a page's header, levels and (compressed) values `body` of `valueBytes` uncompressed bytes; returns its uncompressed size with header. */
  private writePage(header: PageHeader, levels: Uint8Array | undefined, valueBytes: number, body: Uint8Array): number {
    const levelBytes = levels?.length ?? 0;
    const w = this.lib.headerWriter;
    w.offset = 0;
    w.index = 0;
    this.lib.writePageHeader(w, { ...header, uncompressed_page_size: levelBytes + valueBytes, compressed_page_size: levelBytes + body.length });
    const headerBytes = w.getBytes();
    this.out.bytes(headerBytes);
    if (levels) this.out.bytes(levels);
    this.out.bytes(body);
    return headerBytes.length + levelBytes + valueBytes;
  }

  /** A page's values in its encoding: INT32 bytes, or bit width + dictionary indices (text pages come sealed from their leaf). */
  private pageValues(leaf: Int32Leaf | DictLeaf, span: PageSpan): Uint8Array {
    if (leaf instanceof Int32Leaf) return leaf.plain(span.valueFrom, span.valueTo);
    const dict = leaf;
    const width = bitWidthOf(Math.max(0, dict.dictionary.length - 1));
    this.values.pos = 0;
    this.values.byte(width);
    writeHybrid(this.values, dict.indices, span.valueFrom, span.valueTo, width);
    return this.values.view();
  }

  /**
   * A page's repetition then definition levels (bit width 1: max levels are 1 for OPTIONAL leaves and for the
   * elements of the `messages` list). A list row of n > 0 elements is rep 0, 1 × (n − 1) and def 1 × n; an empty
   * list is rep 0, def 0 (a level without a value, counted in num_nulls as the spec's DataPageHeaderV2 does).
   */
  private pageLevels(leaf: Leaf, span: PageSpan): { bytes?: Uint8Array; repBytes: number; defBytes: number; numValues: number; nulls: number } {
    const rows = span.rowTo - span.rowFrom;
    if (leaf.levels.kind === 'required') return { repBytes: 0, defBytes: 0, numValues: rows, nulls: 0 };
    this.levels.pos = 0;
    if (leaf.levels.kind === 'optional') {
      let nulls = 0;
      for (let r = span.rowFrom; r < span.rowTo; r++) nulls += 1 - leaf.defs[r];
      const defBytes = writeHybrid(this.levels, leaf.defs, span.rowFrom, span.rowTo, 1);
      return { bytes: this.levels.view(), repBytes: 0, defBytes, numValues: rows, nulls };
    }
    // List levels straight from the row lengths: repetition levels as one bit-packed run (a bitmap of the
    // elements that continue a list), definition levels as one RLE run of 1s when no list is empty, else a bitmap.
    const counts = leaf.levels.list.counts;
    let n = 0;
    let nulls = 0;
    for (let r = span.rowFrom; r < span.rowTo; r++) {
      const c = counts[r];
      if (c === 0) nulls++;
      n += c === 0 ? 1 : c;
    }
    const bitmapBytes = Math.ceil(n / 8);
    const out = this.levels;
    out.varint(Math.ceil(n / 8) * 2 + 1);
    out.ensure(bitmapBytes);
    const rep = out.buf;
    const repAt = out.pos;
    rep.fill(0, repAt, repAt + bitmapBytes);
    let k = 0;
    for (let r = span.rowFrom; r < span.rowTo; r++) {
      const c = counts[r];
      for (let j = 1; j < c; j++) rep[repAt + ((k + j) >>> 3)] |= 1 << ((k + j) & 7);
      k += c === 0 ? 1 : c;
    }
    out.pos += bitmapBytes;
    const repBytes = out.pos;
    if (nulls === 0) {
      out.varint(n * 2);
      out.byte(1);
    } else {
      out.varint(Math.ceil(n / 8) * 2 + 1);
      out.ensure(bitmapBytes);
      const def = out.buf;
      const defAt = out.pos;
      def.fill(0, defAt, defAt + bitmapBytes);
      k = 0;
      for (let r = span.rowFrom; r < span.rowTo; r++) {
        const c = counts[r];
        for (let j = 0; j < c; j++) def[defAt + ((k + j) >>> 3)] |= 1 << ((k + j) & 7);
        k += c === 0 ? 1 : c;
      }
      out.pos += bitmapBytes;
    }
    const defBytes = out.pos - repBytes;
    return { bytes: this.levels.view(), repBytes, defBytes, numValues: n, nulls };
  }
}

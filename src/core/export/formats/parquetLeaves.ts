import { ByteBuf } from './parquetBytes';
import { compareUtf8, writeUtf8 } from './utf8Block';

/**
 * The leaf columns of an open Parquet row group, each kept in the form its pages are written in (issue #11
 * performance): values go straight from the row into the page bytes, with no per-value object in between.
 *
 * - `TextLeaf` (BYTE_ARRAY, UTF8): PLAIN layout as the value arrives — a 4-byte little-endian length, then the
 *   UTF-8 bytes (utf8Block.ts: U+FFFD for a lone surrogate, as TextEncoder writes it) — each page compressed
 *   from the block as soon as it is full.
 * - `DictLeaf` (BYTE_ARRAY, UTF8, few distinct values: roles, `kind`, source paths): a dictionary of the row
 *   group's distinct strings and one index per value (RLE_DICTIONARY pages).
 * - `Int32Leaf`: PLAIN little-endian INT32.
 *
 * A leaf is REQUIRED, OPTIONAL (a definition level per row: 0 for null, 1 for a value) or an element of the
 * `messages` list (levels from the rows' list lengths, `ListLevels`). Pages end at row boundaries (a row never
 * spans pages, as data page v2 requires) once a page holds PAGE_BYTES of values. The buffers are reused from one
 * row group to the next: `reset()` empties them without giving their memory back.
 */

/** Data page size: a page is closed at the first row end past this many bytes of values (hyparquet-writer's and Arrow's default, 1 MiB). */
export const PAGE_BYTES = 1 << 20;

/** Where the levels of a leaf come from. */
export type Levels = { kind: 'required' } | { kind: 'optional' } | { kind: 'list'; list: ListLevels };

/** The lengths of one list column's values, row by row (shared by the list's leaves). */
export class ListLevels {
  counts = new Int32Array(1024);
  rows = 0;

  push(n: number): void {
    if (this.rows === this.counts.length) {
      const grown = new Int32Array(this.counts.length * 2);
      grown.set(this.counts);
      this.counts = grown;
    }
    this.counts[this.rows++] = n;
  }

  reset(): void {
    this.rows = 0;
  }
}

/**
 * One data page of a leaf: rows [rowFrom, rowTo), non-null values [valueFrom, valueTo), value bytes [byteFrom,
 * byteTo) of the leaf's layout — or, for a TextLeaf, `sealed`: the page's values already compressed.
 */
export interface PageSpan {
  rowFrom: number;
  rowTo: number;
  valueFrom: number;
  valueTo: number;
  byteFrom: number;
  byteTo: number;
  sealed?: SealedPage;
}

/** A TextLeaf page compressed when it filled: `uncompressed` bytes of PLAIN values, compressed into `store[from, to)`. */
export interface SealedPage {
  uncompressed: number;
  from: number;
  to: number;
}

/** A codec's compressor: appends the compressed form of `input` to `out`. Absent for UNCOMPRESSED. */
export type PageCompressor = (input: Uint8Array, out: ByteBuf) => void;

export abstract class Leaf {
  /** Rows ended so far in the open group. */
  rows = 0;
  /** Non-null values so far. */
  values = 0;
  /** Definition levels per row (OPTIONAL leaves only). */
  defs = new Uint8Array(0);
  private cuts: number[] = []; // rowTo, valueTo, byteTo of each closed page
  private pageBytesFrom = 0;

  constructor(
    readonly path: readonly string[],
    readonly levels: Levels,
  ) {
    if (levels.kind === 'optional') this.defs = new Uint8Array(1024);
  }

  /** Bytes of values so far (in the leaf's own layout). */
  abstract get byteSize(): number;

  /** Ends a row (after its values); closes the page when it is full. */
  endRow(): void {
    this.rows++;
    if (this.byteSize - this.pageBytesFrom >= PAGE_BYTES) {
      this.cuts.push(this.rows, this.values, this.byteSize);
      this.pageBytesFrom = this.byteSize;
    }
  }

  /** Records a null for the row (OPTIONAL leaves) and ends it. */
  pushNull(): void {
    this.def(0);
    this.endRow();
  }

  protected def(level: number): void {
    if (this.levels.kind !== 'optional') return;
    if (this.rows === this.defs.length) {
      const grown = new Uint8Array(this.defs.length * 2);
      grown.set(this.defs);
      this.defs = grown;
    }
    this.defs[this.rows] = level;
  }

  /** The pages of the open group, the last one closed here. */
  pages(): PageSpan[] {
    const spans: PageSpan[] = [];
    let rowFrom = 0;
    let valueFrom = 0;
    let byteFrom = 0;
    const cuts = [...this.cuts];
    if (this.rows > rowFrom && (cuts.length === 0 || cuts[cuts.length - 3] < this.rows)) cuts.push(this.rows, this.values, this.byteSize);
    for (let i = 0; i < cuts.length; i += 3) {
      spans.push({ rowFrom, rowTo: cuts[i], valueFrom, valueTo: cuts[i + 1], byteFrom, byteTo: cuts[i + 2] });
      rowFrom = cuts[i];
      valueFrom = cuts[i + 1];
      byteFrom = cuts[i + 2];
    }
    return spans;
  }

  reset(): void {
    this.rows = 0;
    this.values = 0;
    this.cuts = [];
    this.pageBytesFrom = 0;
  }
}

const EMPTY = Buffer.alloc(0);

/**
 * A UTF8 BYTE_ARRAY leaf kept in PLAIN layout (length-prefixed UTF-8). A page is compressed ("sealed") as soon as
 * it fills, while its bytes are still in the CPU's cache, into `store`; the block then starts over — so the block
 * holds one page (plus one value) and the row group's text is held compressed.
 */
export class TextLeaf extends Leaf {
  /** The open page's values. */
  block: Buffer = EMPTY;
  used = 0;
  /** The sealed pages' bodies (compressed, or copied for UNCOMPRESSED). */
  readonly store = new ByteBuf(1 << 16);
  private sealed: PageSpan[] = [];
  private sealedRows = 0;
  private sealedValues = 0;
  private min: string | undefined;
  private max: string | undefined;

  /**
   * `statistics`: keep the group's min and max value (compared as strings when pushed, cheaper than as bytes
   * later). `compress`: the codec's page compressor (none: UNCOMPRESSED).
   */
  constructor(
    path: readonly string[],
    levels: Levels,
    private readonly statistics = false,
    private readonly compress?: PageCompressor,
  ) {
    super(path, levels);
  }

  /** Ends a row; seals the page once it holds PAGE_BYTES of values. */
  override endRow(): void {
    this.rows++;
    if (this.used >= PAGE_BYTES) this.seal();
  }

  /** The group's pages, the open one sealed here. */
  override pages(): PageSpan[] {
    this.seal();
    return this.sealed;
  }

  /** Compresses the open page (if it has rows) into `store` and starts a new one. */
  private seal(): void {
    if (this.rows === this.sealedRows) return;
    const values = this.block.subarray(0, this.used);
    const from = this.store.pos;
    if (this.compress) this.compress(values, this.store);
    else this.store.bytes(values);
    this.sealed.push({ rowFrom: this.sealedRows, rowTo: this.rows, valueFrom: this.sealedValues, valueTo: this.values, byteFrom: 0, byteTo: this.used, sealed: { uncompressed: this.used, from, to: this.store.pos } });
    this.sealedRows = this.rows;
    this.sealedValues = this.values;
    this.used = 0;
  }

  get byteSize(): number {
    return this.used;
  }

  /** Appends a value (not ending the row: list leaves take several per row); returns its length in UTF-16 units. */
  append(value: string): number {
    const worst = 4 + value.length * 3; // UTF-8 bytes per UTF-16 unit: at most 3
    if (this.used + worst > this.block.length) this.grow(worst);
    const block = this.block;
    const at = this.used;
    const n = value.length === 0 ? 0 : writeUtf8(block, value, at + 4);
    block[at] = n;
    block[at + 1] = n >>> 8;
    block[at + 2] = n >>> 16;
    block[at + 3] = n >>> 24;
    this.used = at + 4 + n;
    this.values++;
    return value.length;
  }

  /** Appends a row's one value (REQUIRED or OPTIONAL leaves) and ends the row. */
  push(value: string): number {
    this.def(1);
    if (this.statistics) {
      if (this.min === undefined || this.max === undefined) this.min = this.max = value;
      else if (compareUtf8(value, this.min) < 0) this.min = value;
      else if (compareUtf8(value, this.max) > 0) this.max = value;
    }
    const n = this.append(value);
    this.endRow();
    return n;
  }

  override reset(): void {
    super.reset();
    this.min = this.max = undefined;
    this.used = 0;
    this.store.pos = 0;
    this.sealed = [];
    this.sealedRows = 0;
    this.sealedValues = 0;
  }

  /** Lets the buffers go (a closed file's leaves hold no memory). */
  release(): void {
    this.block = EMPTY;
    this.store.release();
  }

  private grow(worst: number): void {
    const grown = Buffer.allocUnsafe(Math.max(this.block.length * 2, this.used + worst, 1 << 16));
    this.block.copy(grown, 0, 0, this.used);
    this.block = grown;
  }

  /** Smallest and largest value of the open group in UTF-8 byte order (the order Parquet specifies for UTF8); only with `statistics`. */
  minMax(): { min: Uint8Array; max: Uint8Array } | undefined {
    if (this.min === undefined || this.max === undefined) return undefined;
    return { min: Buffer.from(this.min, 'utf8'), max: Buffer.from(this.max, 'utf8') };
  }
}

/** A UTF8 BYTE_ARRAY leaf of few distinct values, dictionary-encoded. */
export class DictLeaf extends Leaf {
  /** The distinct values in order of first appearance. */
  dictionary: string[] = [];
  indices = new Int32Array(1024);
  private ids = new Map<string, number>();

  get byteSize(): number {
    return this.values;
  }

  append(value: string): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.dictionary.length;
      this.ids.set(value, id);
      this.dictionary.push(value);
    }
    if (this.values === this.indices.length) {
      const grown = new Int32Array(this.indices.length * 2);
      grown.set(this.indices);
      this.indices = grown;
    }
    this.indices[this.values++] = id;
    return value.length;
  }

  push(value: string): number {
    this.def(1);
    const n = this.append(value);
    this.endRow();
    return n;
  }

  /** The dictionary page's values: PLAIN (length-prefixed UTF-8). */
  dictionaryBytes(out: ByteBuf): void {
    for (const value of this.dictionary) {
      out.ensure(4 + value.length * 3);
      const n = out.buf.write(value, out.pos + 4, 'utf8');
      out.buf.writeUInt32LE(n, out.pos);
      out.pos += 4 + n;
    }
  }

  override reset(): void {
    super.reset();
    this.dictionary = [];
    this.ids = new Map();
  }
}

/** An INT32 leaf, PLAIN. */
export class Int32Leaf extends Leaf {
  data = new Int32Array(1024);

  get byteSize(): number {
    return this.values * 4;
  }

  push(value: number): void {
    this.def(1);
    if (this.values === this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.values++] = value;
    this.endRow();
  }

  /** Values [from, to) as PLAIN bytes (little-endian; a view of the array on little-endian hosts). */
  plain(from: number, to: number): Uint8Array {
    const view = new Uint8Array(this.data.buffer, from * 4, (to - from) * 4);
    if (LITTLE_ENDIAN) return view;
    const copy = new Uint8Array(view.length);
    const dv = new DataView(copy.buffer);
    for (let i = from; i < to; i++) dv.setInt32((i - from) * 4, this.data[i], true);
    return copy;
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

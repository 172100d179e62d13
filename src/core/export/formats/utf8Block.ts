const EMPTY = Buffer.alloc(0);

/**
 * UTF-8 encoding of a row group's text values into one block (issue #11 Parquet performance).
 *
 * hyparquet-writer 0.17.0 encodes each string value of a UTF8 column with its own `TextEncoder.encode` call
 * (`unconvert.js`), one new ArrayBuffer per value; on chat records that per-value encoding and its garbage were
 * a large share of the writer's CPU time (bench/parquet.mjs under `node --cpu-prof`). The library passes
 * Uint8Array values of a BYTE_ARRAY column through unchanged, so text is encoded here instead: every value into
 * one growing Buffer (native `Buffer.write`: UTF-8 with U+FFFD for lone surrogates, as TextEncoder does), each
 * value then a Uint8Array view of its bytes. Encoding as rows arrive also lets the row objects and their strings
 * die young instead of being held (and copied by the garbage collector) until the row group is written.
 * Memory: at most twice the row group's UTF-8 text plus 3 bytes per UTF-16 unit of the largest value.
 */
export class Utf8Builder {
  private block = EMPTY;
  private used = 0;
  /** Size of the next block's first allocation: the last group's bytes (at least 64 KiB, at most 64 MiB). */
  private firstSize = 1 << 16;
  private ends: number[] = [];

  /** Appends `value`'s UTF-8 bytes; returns its length in UTF-16 units (the row-group budget's unit). */
  push(value: string): number {
    const worst = value.length * 3; // UTF-8 bytes per UTF-16 unit: at most 3
    if (this.used + worst > this.block.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.block.length * 2, this.used + worst, this.firstSize));
      this.block.copy(grown, 0, 0, this.used);
      this.block = grown;
    }
    this.used += this.block.write(value, this.used, 'utf8');
    this.ends.push(this.used);
    return value.length;
  }

  /** The values pushed so far as views into one block (in order); the builder starts a new block afterwards. */
  take(): Uint8Array[] {
    const { block, ends } = this;
    const views = new Array<Uint8Array>(ends.length);
    let start = 0;
    for (let i = 0; i < ends.length; i++) {
      views[i] = new Uint8Array(block.buffer, block.byteOffset + start, ends[i] - start);
      start = ends[i];
    }
    // The views (and min/max statistics the writer keeps until the footer) still point into this block.
    this.firstSize = Math.max(1 << 16, Math.min(this.used, 1 << 26));
    this.block = EMPTY; // allocated on the next push: a closed file's builders hold nothing
    this.used = 0;
    this.ends = [];
    return views;
  }
}

/** UTF-8 bytes of each of `values`, as views into one shared block (same order, same length). */
export function utf8Views(values: readonly string[]): Uint8Array[] {
  const builder = new Utf8Builder();
  for (const v of values) builder.push(v);
  return builder.take();
}

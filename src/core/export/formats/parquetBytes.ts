/**
 * Byte-level helpers of the Parquet encoder (parquetPages.ts): a growable output buffer and the
 * RLE / bit-packed hybrid encoding of the Parquet spec (Encodings.md, "Run Length Encoding / Bit-Packing Hybrid
 * (RLE = 3)"), used for repetition and definition levels and for dictionary indices.
 */

/** A growable byte buffer written from `pos`; reused from one row group to the next (cleared, not reallocated). */
export class ByteBuf {
  buf: Buffer;
  pos = 0;

  constructor(size = 1 << 16) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** Makes room for `n` more bytes after `pos` (doubling; the bytes before `pos` are kept). */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** Unsigned LEB128 varint (`n` < 2^53). */
  varint(n: number): void {
    this.ensure(8);
    while (n > 0x7f) {
      this.buf[this.pos++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 128);
    }
    this.buf[this.pos++] = n;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Gives the memory back (a later write allocates again). */
  release(): void {
    this.buf = Buffer.alloc(0);
    this.pos = 0;
  }

  /** The bytes written so far (a view, valid until the next write). */
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

/**
 * Appends `values[from, to)` (unsigned integers below 2^bitWidth) to `out` in the RLE / bit-packed hybrid: a
 * run of 8 or more equal values becomes one RLE run (varint header `count << 1`, then the value in
 * ceil(bitWidth / 8) little-endian bytes); anything else goes in bit-packed groups of 8 values (header
 * `groups << 1 | 1`, then each group in `bitWidth` bytes, values packed from the least significant bit), the
 * last group padded with zeros (readers stop at the page's value count). Returns the bytes appended.
 * `bitWidth` is 1..24 (levels, and dictionary indices of at most 2^24 distinct values in a row group: hyparquet's
 * decoder, among others, reads bit-packed values through 32-bit integers); a wider one throws a RangeError.
 */
export function writeHybrid(out: ByteBuf, values: ArrayLike<number>, from: number, to: number, bitWidth: number): number {
  if (!(bitWidth >= 1 && bitWidth <= 24)) throw new RangeError(`RLE / bit-packed hybrid: bit width ${bitWidth} is outside 1..24.`);
  const start = out.pos;
  let packedFrom = -1; // start of the pending bit-packed groups
  let i = from;
  while (i < to) {
    const v = values[i];
    let run = 1;
    while (i + run < to && values[i + run] === v) run++;
    if (run >= 8) {
      if (packedFrom >= 0) writePacked(out, values, packedFrom, i, to, bitWidth);
      packedFrom = -1;
      out.varint(run * 2);
      for (let b = 0, x = v; b < bitWidth; b += 8, x = Math.floor(x / 256)) out.byte(x & 0xff);
      i += run;
    } else {
      if (packedFrom < 0) packedFrom = i;
      i += 8;
    }
  }
  if (packedFrom >= 0) writePacked(out, values, packedFrom, Math.min(i, to), to, bitWidth);
  return out.pos - start;
}

/** Bit-packed groups of values[from, until) (a multiple of 8 values, or up to `to` padded to a multiple of 8). */
function writePacked(out: ByteBuf, values: ArrayLike<number>, from: number, until: number, to: number, bitWidth: number): void {
  const groups = Math.ceil((until - from) / 8);
  out.varint(groups * 2 + 1);
  out.ensure(groups * bitWidth);
  const buf = out.buf;
  let pos = out.pos;
  if (bitWidth === 1) {
    // The levels of a list or optional column: one byte per group of 8.
    for (let g = 0; g < groups; g++) {
      const base = from + g * 8;
      let byte = 0;
      for (let k = 0; k < 8; k++) if (base + k < to && values[base + k]) byte |= 1 << k;
      buf[pos++] = byte;
    }
  } else {
    // Dictionary indices: bits gathered in a 32-bit integer (at most 7 pending + 24 new).
    let acc = 0;
    let bits = 0;
    const end = from + groups * 8;
    for (let j = from; j < end; j++) {
      acc |= (j < to ? values[j] : 0) << bits;
      bits += bitWidth;
      while (bits >= 8) {
        buf[pos++] = acc & 0xff;
        acc >>>= 8;
        bits -= 8;
      }
    }
  }
  out.pos = pos;
}

/** Bits needed to store values up to `max` (at least 1). */
export function bitWidthOf(max: number): number {
  let w = 1;
  while (max >= 2 ** w) w++;
  return w;
}

/**
 * Snappy compression (the block format of github.com/google/snappy, format_description.txt) for Parquet pages.
 *
 * The compressor of the C++ library (snappy.cc `CompressFragment`), written for V8: the input is cut into
 * fragments of 64 KiB (snappy.cc kBlockSize), each compressed alone with a hash table of 16-bit positions over
 * its 4-byte sequences (up to 2^14 entries, kMaxHashTableBits), so every match lies within the fragment and its
 * offset fits a 2-byte copy without a distance check. Misses are skipped faster and faster (`skip >> 5` bytes
 * after 32 misses in a row, snappy.cc's heuristic for incompressible data); a match is extended 4 bytes at a
 * time through a DataView (one unaligned load each in optimised code), and literals and copies are emitted into
 * one output buffer sized up front to Snappy's worst case (32 + n + n/6 bytes, MaxCompressedLength), nothing
 * grows or is allocated per match. The output is a valid Snappy stream that every decoder reads (the unit tests
 * check it against hyparquet's independent decoder); it is not byte-for-byte the C++ library's output.
 */

/** snappy.cc kBlockSize: the input is compressed in independent fragments of this many bytes. */
const FRAGMENT = 1 << 16;
const MAX_HASH_TABLE_BITS = 14;
/** Bytes kept clear of a fragment's end by the match finder (snappy.cc kInputMarginBytes). */
const INPUT_MARGIN = 15;
const HASH_MUL = 0x1e35a7bd;
const hashTable = new Uint16Array(1 << MAX_HASH_TABLE_BITS);

/** Worst-case compressed size of `n` input bytes, including the varint length prefix (snappy.cc MaxCompressedLength). */
export function snappyMaxLength(n: number): number {
  return 32 + n + Math.floor(n / 6);
}

/** Compresses `input` into a new Uint8Array (a view of the exact compressed length). */
export function snappyCompress(input: Uint8Array): Uint8Array {
  const out = new Uint8Array(snappyMaxLength(input.length));
  return out.subarray(0, snappyCompressInto(input, out, 0));
}

/**
 * Compresses `input` into `out` from `at` (which must have `snappyMaxLength(input.length)` bytes free there);
 * returns the end of the compressed bytes. `out` must not overlap `input`.
 */
export function snappyCompressInto(input: Uint8Array, out: Uint8Array, at: number): number {
  // Preamble: the uncompressed length as a little-endian base-128 varint.
  let op = at;
  let n = input.length;
  while (n > 0x7f) {
    out[op++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  out[op++] = n;
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  for (let start = 0; start < input.length; start += FRAGMENT) {
    op = compressFragment(input, view, start, Math.min(input.length, start + FRAGMENT), out, op);
  }
  return op;
}

function emitLiteral(out: Uint8Array, op: number, input: Uint8Array, ip: number, len: number): number {
  if (len <= 60) {
    out[op++] = (len - 1) << 2;
  } else {
    const value = len - 1;
    const bytes = value < 0x100 ? 1 : value < 0x10000 ? 2 : value < 0x1000000 ? 3 : 4;
    out[op++] = (59 + bytes) << 2;
    for (let i = 0; i < bytes; i++) out[op++] = value >>> (i * 8);
  }
  if (len < 24) for (let i = 0; i < len; i++) out[op + i] = input[ip + i];
  else out.set(input.subarray(ip, ip + len), op);
  return op + len;
}

/** A copy of `len` (4..64) bytes at `offset` (< 65536): 2 bytes when len < 12 and offset < 2048, else 3. */
/** Compresses input[start, end) (at most 64 KiB) into out from op; returns the new op. */
function compressFragment(input: Uint8Array, view: DataView, start: number, end: number, out: Uint8Array, op: number): number {
  const size = end - start;
  let nextEmit = start;
  if (size >= INPUT_MARGIN) {
    let bits = 8;
    while (bits < MAX_HASH_TABLE_BITS && 1 << bits < size) bits++;
    const shift = 32 - bits;
    const table = hashTable;
    table.fill(0, 0, 1 << bits);
    const ipLimit = end - INPUT_MARGIN;
    const last4 = end - 4;
    let ip = start + 1;
    outer: for (;;) {
      // Find a 4-byte match, hashing every byte for the first 32 misses, then skipping more and more.
      let skip = 32;
      let candidate: number;
      let word = view.getUint32(ip, true);
      for (;;) {
        const hash = Math.imul(word, HASH_MUL) >>> shift;
        candidate = start + table[hash];
        table[hash] = ip - start;
        if (word === view.getUint32(candidate, true)) break;
        ip += skip++ >>> 5;
        if (ip > ipLimit) break outer;
        word = view.getUint32(ip, true);
      }
      if (ip > nextEmit) op = emitLiteral(out, op, input, nextEmit, ip - nextEmit);
      // Emit copies while the position after each still matches.
      for (;;) {
        // Extend the match 4 bytes at a time; the first differing byte is the lowest set byte of the XOR.
        let a = ip + 4;
        let b = candidate + 4;
        for (;;) {
          if (a > last4) {
            while (a < end && input[a] === input[b]) {
              a++;
              b++;
            }
            break;
          }
          const x = view.getUint32(a, true) ^ view.getUint32(b, true);
          if (x !== 0) {
            a += (31 - Math.clz32(x & -x)) >>> 3;
            break;
          }
          a += 4;
          b += 4;
        }
        // The copies (snappy.cc EmitCopy, inlined: a call here costs a third of the throughput): 64-byte pieces
        // while 68 or more bytes remain (so the last is at least 4), then one of 2 bytes (len < 12 and offset <
        // 2048) or 3 bytes.
        const offset = ip - candidate;
        let len = a - ip;
        ip = a;
        while (len >= 68) {
          out[op] = 2 + (63 << 2);
          out[op + 1] = offset & 0xff;
          out[op + 2] = offset >>> 8;
          op += 3;
          len -= 64;
        }
        if (len > 64) {
          out[op] = 2 + (59 << 2);
          out[op + 1] = offset & 0xff;
          out[op + 2] = offset >>> 8;
          op += 3;
          len -= 60;
        }
        if (len < 12 && offset < 2048) {
          out[op] = 1 + ((len - 4) << 2) + ((offset >>> 8) << 5);
          out[op + 1] = offset & 0xff;
          op += 2;
        } else {
          out[op] = 2 + ((len - 1) << 2);
          out[op + 1] = offset & 0xff;
          out[op + 2] = offset >>> 8;
          op += 3;
        }
        nextEmit = ip;
        if (ip >= ipLimit) break outer;
        table[Math.imul(view.getUint32(ip - 1, true), HASH_MUL) >>> shift] = ip - 1 - start;
        word = view.getUint32(ip, true);
        const hash = Math.imul(word, HASH_MUL) >>> shift;
        candidate = start + table[hash];
        table[hash] = ip - start;
        if (word !== view.getUint32(candidate, true)) break;
      }
      ip++;
      if (ip > ipLimit) break;
    }
  }
  if (nextEmit < end) op = emitLiteral(out, op, input, nextEmit, end - nextEmit);
  return op;
}

/**
 * Snappy compression (the block format of github.com/google/snappy, format_description.txt) for Parquet pages.
 *
 * The same algorithm, hash function and emit rules as hyparquet-writer 0.17.0's `snappy.js` (itself snappyjs,
 * MIT, Copyright (c) 2016 Zhipeng Jia), so a page compresses to the same bytes; but it writes into one output
 * buffer sized up front to Snappy's worst case (32 + n + n/6 bytes, `MaxCompressedLength` in snappy.cc) with
 * plain index stores, where the library appends byte by byte through a growing ByteWriter (a bounds check, a
 * DataView call and repeated buffer doubling per page). On 1 MiB text pages it is 1.1–1.5× faster than the
 * library's (CPU time, a micro-benchmark on the dev VM); the match finder, the bulk of the time, is unchanged
 * (docs/export-formats.md, Benchmark).
 */

const MAX_HASH_TABLE_BITS = 14;
const MAX_OFFSET = 0xffff;
/** Bytes kept clear of the input's end by the match finder (snappy.cc kInputMarginBytes). */
const INPUT_MARGIN = 15;
const hashTables: (Uint32Array | undefined)[] = new Array(MAX_HASH_TABLE_BITS + 1);

/** Worst-case compressed size of `n` input bytes, including the varint length prefix (snappy.cc MaxCompressedLength). */
export function snappyMaxLength(n: number): number {
  return 32 + n + Math.floor(n / 6);
}

/** Compresses `input` into a new Uint8Array (a view of the exact compressed length). */
export function snappyCompress(input: Uint8Array): Uint8Array {
  const out = new Uint8Array(snappyMaxLength(input.length));
  // Preamble: the uncompressed length as a little-endian base-128 varint.
  let op = 0;
  let n = input.length;
  while (n > 0x7f) {
    out[op++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  out[op++] = n;
  op = compressInput(input, out, op);
  return out.subarray(0, op);
}

function load32(a: Uint8Array, p: number): number {
  return a[p] | (a[p + 1] << 8) | (a[p + 2] << 16) | (a[p + 3] << 24);
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
  if (len < 16) for (let i = 0; i < len; i++) out[op + i] = input[ip + i];
  else out.set(input.subarray(ip, ip + len), op);
  return op + len;
}

function emitCopyLessThan64(out: Uint8Array, op: number, offset: number, len: number): number {
  if (len < 12 && offset < 2048) {
    out[op++] = 1 + ((len - 4) << 2) + ((offset >>> 8) << 5);
    out[op++] = offset & 0xff;
  } else {
    out[op++] = 2 + ((len - 1) << 2);
    out[op++] = offset & 0xff;
    out[op++] = offset >>> 8;
  }
  return op;
}

function emitCopy(out: Uint8Array, op: number, offset: number, len: number): number {
  while (len >= 68) {
    op = emitCopyLessThan64(out, op, offset, 64);
    len -= 64;
  }
  if (len > 64) {
    op = emitCopyLessThan64(out, op, offset, 60);
    len -= 60;
  }
  return emitCopyLessThan64(out, op, offset, len);
}

function compressInput(input: Uint8Array, out: Uint8Array, op: number): number {
  const inputSize = input.length;
  let hashTableBits = 1;
  while (1 << hashTableBits <= inputSize && hashTableBits <= MAX_HASH_TABLE_BITS) hashTableBits++;
  hashTableBits--;
  const shift = 32 - hashTableBits;
  const table = (hashTables[hashTableBits] ??= new Uint32Array(1 << hashTableBits));
  table.fill(0);

  let nextEmit = 0;
  if (inputSize >= INPUT_MARGIN) {
    const ipLimit = inputSize - INPUT_MARGIN;
    let ip = 1;
    let nextHash = Math.imul(load32(input, ip), 0x1e35a7bd) >>> shift;
    outer: for (;;) {
      let skip = 32;
      let nextIp = ip;
      let candidate: number;
      do {
        ip = nextIp;
        const hash = nextHash;
        nextIp = ip + (skip++ >>> 5);
        if (ip > ipLimit) break outer;
        nextHash = Math.imul(load32(input, nextIp), 0x1e35a7bd) >>> shift;
        candidate = table[hash];
        table[hash] = ip;
      } while (ip - candidate > MAX_OFFSET || load32(input, ip) !== load32(input, candidate));

      op = emitLiteral(out, op, input, nextEmit, ip - nextEmit);
      do {
        const base = ip;
        let matched = 4;
        while (ip + matched < inputSize && input[ip + matched] === input[candidate + matched]) matched++;
        ip += matched;
        op = emitCopy(out, op, base - candidate, matched);
        nextEmit = ip;
        if (ip >= ipLimit) break outer;
        table[Math.imul(load32(input, ip - 1), 0x1e35a7bd) >>> shift] = ip - 1;
        const cur = Math.imul(load32(input, ip), 0x1e35a7bd) >>> shift;
        candidate = table[cur];
        table[cur] = ip;
      } while (ip - candidate <= MAX_OFFSET && load32(input, ip) === load32(input, candidate));
      ip++;
      nextHash = Math.imul(load32(input, ip), 0x1e35a7bd) >>> shift;
    }
  }
  if (nextEmit < inputSize) op = emitLiteral(out, op, input, nextEmit, inputSize - nextEmit);
  return op;
}

/** UTF-8 helpers of the Parquet encoder's text leaves (parquetLeaves.ts): writing into a block, and byte order. */

type Utf8Write = (this: Buffer, value: string, offset: number) => number;
const nativeUtf8Write = (Buffer.prototype as unknown as { utf8Write?: Utf8Write }).utf8Write;

/** Strings up to this many UTF-16 units are encoded in JavaScript: below it a native call costs more than the loop. */
const SHORT_STRING = 64;

/**
 * Writes `value` as UTF-8 into `block` at `offset` (room checked by the caller); returns the bytes written.
 * Lone surrogates become U+FFFD, as TextEncoder and `Buffer.write` write them. Short strings (ids, roles, the
 * system prompt) are encoded by a loop here: a call into C++ costs ≈ 100–150 ns, more than the loop for them.
 * Longer ones go to `Buffer.prototype.utf8Write`, the native method `buf.write(value, offset, 'utf8')` ends in
 * (Node's lib/buffer.js, there since Node 0.x), called directly to skip `write`'s argument parsing; where a
 * runtime lacks it, `write` does the same.
 */
export function writeUtf8(block: Buffer, value: string, offset: number): number {
  const n = value.length;
  if (n > SHORT_STRING) return nativeUtf8Write ? nativeUtf8Write.call(block, value, offset) : block.write(value, offset, 'utf8');
  let p = offset;
  for (let i = 0; i < n; i++) {
    let c = value.charCodeAt(i);
    if (c < 0x80) {
      block[p++] = c;
    } else if (c < 0x800) {
      block[p++] = 0xc0 | (c >> 6);
      block[p++] = 0x80 | (c & 0x3f);
    } else {
      if (c >= 0xd800 && c <= 0xdfff) {
        const d = i + 1 < n ? value.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
          block[p++] = 0xf0 | (c >> 18);
          block[p++] = 0x80 | ((c >> 12) & 0x3f);
          block[p++] = 0x80 | ((c >> 6) & 0x3f);
          block[p++] = 0x80 | (c & 0x3f);
          continue;
        }
        c = 0xfffd;
      }
      block[p++] = 0xe0 | (c >> 12);
      block[p++] = 0x80 | ((c >> 6) & 0x3f);
      block[p++] = 0x80 | (c & 0x3f);
    }
  }
  return p - offset;
}

/**
 * Compares strings in the order of their UTF-8 bytes (= code point order): UTF-16 code units compared one by one
 * give the same order except where a surrogate meets another unit at the first difference — those (rare) pairs
 * are compared as the UTF-8 bytes written (a lone surrogate as U+FFFD).
 */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return a.length - b.length;
  const x = a.charCodeAt(i);
  const y = b.charCodeAt(i);
  if ((x & 0xf800) === 0xd800 || (y & 0xf800) === 0xd800) return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
  return x - y;
}

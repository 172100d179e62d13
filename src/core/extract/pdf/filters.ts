/**
 * Decoders for PDF stream filters (PDF 32000-1:2008 §7.4): FlateDecode, LZWDecode, ASCII85Decode,
 * ASCIIHexDecode and RunLengthDecode, plus the /DecodeParms predictors (TIFF 2 and PNG). Written from the spec;
 * the decoders are lenient where real-world PDFs are sloppy (truncated streams, missing EOD markers).
 */
import * as zlib from 'node:zlib';

/** Thrown when encoded data is malformed beyond recovery. */
export class PdfFilterError extends Error {
  override name = 'PdfFilterError';
}

/**
 * Thrown when a stream would decode to more than the caller's budget (bytes): a decompression bomb. Not a
 * malformed stream, and not something another reader should be given: the caller fails the file with
 * RESOURCE_LIMIT (limits.ts).
 */
export class PdfBudgetError extends Error {
  override name = 'PdfBudgetError';
  constructor(
    /** The budget that was exceeded, in bytes. */
    readonly limit: number,
    /** What went over, e.g. "a stream", "the content of page 3". */
    readonly what = 'a stream',
  ) {
    super(`${what} decodes to more than ${Math.round(limit / 1048576)} MB`);
  }
}

/** Default budget of one decoded stream, in bytes (ExtractOptions.maxUncompressedBytes overrides it). */
export const DEFAULT_DECODE_LIMIT = 1024 * 1024 * 1024;

/** A growable byte buffer, so decoders never push numbers into huge JS arrays; never grows past `limit` bytes. */
class ByteSink {
  buf: Uint8Array;
  len = 0;
  constructor(
    capacity: number,
    private readonly limit: number,
  ) {
    this.buf = new Uint8Array(Math.max(16, Math.min(capacity, limit)));
  }
  ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    if (this.len + extra > this.limit) throw new PdfBudgetError(this.limit);
    const next = new Uint8Array(Math.min(this.limit, Math.max(this.buf.length * 2, this.len + extra)));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
  push(b: number): void {
    if (this.len === this.buf.length) this.ensure(1);
    this.buf[this.len++] = b;
  }
  fill(b: number, n: number): void {
    this.ensure(n);
    this.buf.fill(b, this.len, (this.len += n));
  }
  append(chunk: Uint8Array): void {
    this.ensure(chunk.length);
    this.buf.set(chunk, this.len);
    this.len += chunk.length;
  }
  result(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

const isTooLarge = (err: unknown) => (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError;

/** Tries one inflater: whole stream, then tolerant of truncation, then the longest prefix that still decodes. */
function tryInflate(data: Uint8Array, fn: (d: Uint8Array, o?: zlib.ZlibOptions) => Buffer, limit: number): Uint8Array | undefined {
  const whole = { maxOutputLength: limit };
  const sync = { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: limit };
  for (const options of [whole, sync]) {
    try {
      return fn(data, options);
    } catch (err) {
      if (isTooLarge(err)) throw new PdfBudgetError(limit);
    }
  }
  // Corrupt in the middle (or bad checksum): binary-search the longest prefix that inflates without error.
  let lo = 0;
  let hi = data.length;
  let best: Uint8Array | undefined;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    try {
      best = fn(data.subarray(0, mid), sync);
      lo = mid;
    } catch (err) {
      if (isTooLarge(err)) throw new PdfBudgetError(limit);
      hi = mid;
    }
  }
  return best && best.length > 0 ? best : undefined;
}

/**
 * FlateDecode. Corrupt or truncated data yields whatever prefix can be recovered; throws PdfFilterError only if
 * nothing can, PdfBudgetError past `limit` decoded bytes.
 */
export function inflate(data: Uint8Array, limit = DEFAULT_DECODE_LIMIT): Uint8Array {
  if (data.length === 0) return new Uint8Array(0);
  const hasZlibHeader = data.length >= 2 && (data[0] & 0x0f) === 8 && (data[0] >> 4) <= 7 && ((data[0] << 8) | data[1]) % 31 === 0;
  const out = (hasZlibHeader ? tryInflate(data, zlib.inflateSync, limit) : undefined) ?? tryInflate(data, zlib.inflateRawSync, limit);
  if (!out) throw new PdfFilterError('FlateDecode: data could not be inflated');
  return out;
}

/** LZWDecode (§7.4.4): 9..12-bit codes, 256 = clear table, 257 = EOD. Stops quietly at end of data or an invalid code. */
export function decodeLzw(data: Uint8Array, earlyChange = 1, limit = DEFAULT_DECODE_LIMIT): Uint8Array {
  // A first pass only adds up lengths (no output): a bomb is refused before anything is allocated, in a fraction
  // of the decode time (1 MB expanding to 2.5 GB: ~0.1 s), and a good stream's output is allocated once.
  const size = lzw(data, earlyChange, undefined, limit);
  const out = new ByteSink(size, limit);
  lzw(data, earlyChange, out, limit);
  return out.result();
}

/** Runs LZW over `data`, writing into `out` when given; returns the decoded length (PdfBudgetError past `limit`). */
function lzw(data: Uint8Array, earlyChange: number, out: ByteSink | undefined, limit: number): number {
  let total = 0;
  const prefix = new Int16Array(4096);
  const suffix = new Uint8Array(4096);
  const first = new Uint8Array(4096);
  const length = new Uint16Array(4096);
  for (let i = 0; i < 256; i++) {
    suffix[i] = first[i] = i;
    length[i] = 1;
  }
  let next = 258;
  let width = 9;
  let prev = -1;
  let acc = 0;
  let bits = 0;
  let pos = 0;
  const write = (code: number): void => {
    const len = length[code];
    total += len;
    if (!out) {
      if (total > limit) throw new PdfBudgetError(limit);
      return;
    }
    out.ensure(len);
    for (let i = out.len + len - 1, c = code; i >= out.len; i--, c = prefix[c]) out.buf[i] = suffix[c];
    out.len += len;
  };
  const add = (from: number, byte: number): void => {
    if (next >= 4096) return;
    prefix[next] = from;
    suffix[next] = byte;
    first[next] = first[from];
    length[next] = length[from] + 1;
    next++;
    width = next + earlyChange >= 2048 ? 12 : next + earlyChange >= 1024 ? 11 : next + earlyChange >= 512 ? 10 : 9;
  };
  for (;;) {
    while (bits < width && pos < data.length) {
      acc = ((acc << 8) | data[pos++]) & 0xfffff;
      bits += 8;
    }
    if (bits < width) break; // missing EOD: tolerated
    const code = (acc >>> (bits - width)) & ((1 << width) - 1);
    bits -= width;
    if (code === 257) break;
    if (code === 256) {
      next = 258;
      width = 9;
      prev = -1;
      continue;
    }
    if (code > next || (prev < 0 && code > 255)) break; // invalid code: keep what was decoded so far
    if (prev < 0) {
      write(code);
    } else if (code < next) {
      write(code);
      add(prev, first[code]);
    } else { // code === next: the entry being defined is prev + first byte of prev
      const f = first[prev];
      write(prev);
      total++;
      if (out) out.push(f);
      else if (total > limit) throw new PdfBudgetError(limit);
      add(prev, f);
    }
    prev = code;
  }
  return total;
}

const isWhite = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x0c || c === 0x00;

/** ASCII85Decode (§7.4.3). Whitespace ignored, 'z' = four zero bytes, '~>' ends, optional leading '<~'. */
export function decodeAscii85(data: Uint8Array, limit = DEFAULT_DECODE_LIMIT): Uint8Array {
  const out = new ByteSink(Math.ceil(data.length * 0.8) + 4, limit);
  let i = 0;
  while (i < data.length && isWhite(data[i])) i++;
  if (data[i] === 0x3c && data[i + 1] === 0x7e) i += 2; // '<~'
  let value = 0;
  let count = 0;
  for (; i < data.length; i++) {
    const c = data[i];
    if (c === 0x7e) break; // '~' of '~>'
    if (isWhite(c)) continue;
    if (c === 0x7a && count === 0) { // 'z'
      out.fill(0, 4);
      continue;
    }
    if (c < 0x21 || c > 0x75) throw new PdfFilterError(`ASCII85Decode: invalid character 0x${c.toString(16)}`);
    value = value * 85 + (c - 0x21);
    if (++count === 5) {
      out.ensure(4);
      for (let s = 24; s >= 0; s -= 8) out.buf[out.len++] = (value >>> s) & 0xff;
      value = 0;
      count = 0;
    }
  }
  if (count > 1) { // final partial group: pad with 'u' (84), keep count - 1 bytes
    for (let k = count; k < 5; k++) value = value * 85 + 84;
    for (let k = 0; k < count - 1; k++) out.push(Math.floor(value / 2 ** (24 - 8 * k)) & 0xff);
  }
  return out.result();
}

/** ASCIIHexDecode (§7.4.2). Whitespace ignored, '>' ends, an odd final digit is padded with 0. */
export function decodeAsciiHex(data: Uint8Array): Uint8Array {
  const out = new Uint8Array((data.length >> 1) + 1);
  let n = 0;
  let hi = -1;
  for (let i = 0; i < data.length; i++) {
    const c = data[i];
    if (c === 0x3e) break; // '>'
    if (isWhite(c)) continue;
    const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : (c | 0x20) >= 0x61 && (c | 0x20) <= 0x66 ? (c | 0x20) - 0x57 : -1;
    if (d < 0) throw new PdfFilterError(`ASCIIHexDecode: invalid character 0x${c.toString(16)}`);
    if (hi < 0) {
      hi = d;
    } else {
      out[n++] = (hi << 4) | d;
      hi = -1;
    }
  }
  if (hi >= 0) out[n++] = hi << 4;
  return out.subarray(0, n);
}

/** RunLengthDecode (§7.4.5). A truncated run is decoded as far as the data goes. */
export function decodeRunLength(data: Uint8Array, limit = DEFAULT_DECODE_LIMIT): Uint8Array {
  const out = new ByteSink(data.length * 2, limit);
  let i = 0;
  while (i < data.length) {
    const len = data[i++];
    if (len === 128) break;
    if (len < 128) {
      out.append(data.subarray(i, i + len + 1));
      i += len + 1;
    } else if (i < data.length) {
      out.fill(data[i++], 257 - len);
    }
  }
  return out.result();
}

/** Undoes a /Predictor (§7.4.4.4): 1 = none, 2 = TIFF predictor 2, >= 10 = PNG (per-row filter byte). */
export function applyPredictor(data: Uint8Array, p: { predictor: number; colors: number; bitsPerComponent: number; columns: number }): Uint8Array {
  const { predictor, colors, bitsPerComponent: bpc, columns } = p;
  if (predictor <= 1) return data;
  if (![1, 2, 4, 8, 16].includes(bpc) || !(colors >= 1) || !(columns >= 1)) {
    throw new PdfFilterError(`Predictor: bad parameters (Colors ${colors}, BitsPerComponent ${bpc}, Columns ${columns})`);
  }
  const rowBytes = Math.ceil((colors * bpc * columns) / 8);
  if (predictor === 2) return tiffPredictor(Uint8Array.from(data), rowBytes, colors, bpc, columns);
  if (predictor < 10) throw new PdfFilterError(`Predictor: unsupported value ${predictor}`);
  const bpp = Math.max(1, Math.ceil((colors * bpc) / 8));
  const out = new Uint8Array(Math.ceil(data.length / (rowBytes + 1)) * rowBytes);
  let n = 0;
  let prior = -1; // start of previous decoded row in out; -1 = row of zeros
  for (let r = 0; r < data.length; r += rowBytes + 1) {
    const type = data[r];
    const src = r + 1;
    const len = Math.min(rowBytes, data.length - src);
    for (let i = 0; i < len; i++) {
      const x = data[src + i];
      const a = i >= bpp ? out[n + i - bpp] : 0;
      const b = prior >= 0 ? out[prior + i] : 0;
      let v: number;
      if (type === 1) v = x + a;
      else if (type === 2) v = x + b;
      else if (type === 3) v = x + ((a + b) >> 1);
      else if (type === 4) {
        const c = prior >= 0 && i >= bpp ? out[prior + i - bpp] : 0;
        const pa = Math.abs(b - c);
        const pb = Math.abs(a - c);
        const pc = Math.abs(a + b - 2 * c);
        v = x + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
      } else v = x; // 0 = None; unknown types are treated as None
      out[n + i] = v;
    }
    prior = n;
    n += Math.max(0, len);
  }
  return out.subarray(0, n);
}

function tiffPredictor(out: Uint8Array, rowBytes: number, colors: number, bpc: number, columns: number): Uint8Array {
  const mask = (1 << bpc) - 1;
  const prev = new Uint16Array(colors);
  for (let r = 0; r < out.length; r += rowBytes) {
    const end = Math.min(r + rowBytes, out.length);
    if (bpc === 8) {
      for (let i = r + colors; i < end; i++) out[i] = out[i] + out[i - colors];
    } else if (bpc === 16) {
      const step = 2 * colors;
      for (let i = r + step; i + 1 < end; i += 2) {
        const v = ((out[i] << 8) | out[i + 1]) + ((out[i - step] << 8) | out[i - step + 1]);
        out[i] = (v >> 8) & 0xff;
        out[i + 1] = v & 0xff;
      }
    } else {
      prev.fill(0);
      for (let s = 0, total = colors * columns; s < total; s++) {
        const bit = s * bpc;
        const at = r + (bit >> 3);
        if (at >= end) break;
        const shift = 8 - bpc - (bit & 7);
        const c = s % colors;
        const v = (((out[at] >> shift) & mask) + prev[c]) & mask;
        prev[c] = v;
        out[at] = (out[at] & ~(mask << shift)) | (v << shift);
      }
    }
  }
  return out;
}

/**
 * PDF syntax (PDF 32000-1 §7.2–7.3): a byte-level lexer/parser shared by the file structure and content streams.
 * `next()` returns one object (arrays and dictionaries whole, `n g R` folded into a reference inside them) or an
 * operator/keyword, and `undefined` at the end. It never throws on malformed bytes: it recovers and goes on.
 */
import { PdfDict, PdfName, PdfOp, PdfRef, type PdfObject } from './objects';

const WS = 1;
const DELIM = 2;
const CLASS = new Uint8Array(256);
for (const c of [0, 9, 10, 12, 13, 32]) CLASS[c] = WS;
for (const c of '()<>[]{}/%') CLASS[c.charCodeAt(0)] = DELIM;

const OP_R = PdfOp.of('R');
const OP_ARRAY_END = PdfOp.of(']');
const OP_DICT_END = PdfOp.of('>>');
export const OP_ID = PdfOp.of('ID');
const MAX_DEPTH = 256;

const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) HEX[65 + i] = HEX[97 + i] = 10 + i;

/** Keywords of up to 3 bytes by their bytes (operators: Tj, BT, cm, BDC…), capped: garbage has many. */
const shortOps = new Map<number, PdfOp>();
/** Names of up to 6 bytes by their bytes (most names in content streams: /F1, /GS0, /Im3, /Span…), capped. */
const shortNames = new Map<number, PdfName>();
const SHORT_CACHE_CAP = 8192;

/** Bytes as Latin-1 text, natively (no spread, no intermediate array). */
export const latin1 = (buf: Uint8Array, start: number, end: number): string => (Buffer.prototype as unknown as { latin1Slice: (this: Uint8Array, s: number, e: number) => string }).latin1Slice.call(buf, start, end);

export class PdfLexer {
  pos: number;
  /** The bytes, as a plain Uint8Array view: strings are sub-arrays of it, which a Buffer would make through a slower JS constructor. */
  readonly buf: Uint8Array;
  readonly end: number;
  constructor(buf: Uint8Array, pos = 0, end = buf.length) {
    this.buf = buf.constructor === Uint8Array ? buf : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = pos;
    this.end = end;
  }

  skipSpace(): void {
    const { buf, end } = this;
    let p = this.pos;
    while (p < end) {
      const c = buf[p]!;
      if (CLASS[c] === WS) p++;
      else if (c === 0x25 /* % */) {
        while (p < end && buf[p] !== 10 && buf[p] !== 13) p++;
      } else break;
    }
    this.pos = p;
  }

  /** The next object or operator; undefined at the end. */
  next(depth = 0): PdfObject | PdfOp | undefined {
    this.skipSpace();
    const { buf, end } = this;
    if (this.pos >= end) return undefined;
    const c = buf[this.pos]!;
    switch (c) {
      case 0x2f /* / */:
        return this.readName();
      case 0x28 /* ( */:
        return this.readLiteralString();
      case 0x3c /* < */:
        if (buf[this.pos + 1] === 0x3c) {
          this.pos += 2;
          return this.readDict(depth);
        }
        return this.readHexString();
      case 0x3e /* > */:
        this.pos += buf[this.pos + 1] === 0x3e ? 2 : 1;
        return OP_DICT_END;
      case 0x5b /* [ */:
        this.pos++;
        return this.readArray(depth);
      case 0x5d /* ] */:
        this.pos++;
        return OP_ARRAY_END;
      case 0x7b /* { */:
      case 0x7d /* } */:
      case 0x29 /* ) */:
        this.pos++;
        return PdfOp.of(String.fromCharCode(c));
    }
    if ((c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e) return this.readNumber();
    return this.readKeyword();
  }

  private readNumber(): number | PdfOp {
    const { buf, end } = this;
    let p = this.pos;
    let sign = 1;
    while (p < end && (buf[p] === 0x2d || buf[p] === 0x2b)) {
      if (buf[p] === 0x2d) sign = -sign;
      p++;
    }
    let value = 0;
    let digits = 0;
    while (p < end && buf[p]! >= 0x30 && buf[p]! <= 0x39) {
      value = value * 10 + (buf[p]! - 0x30);
      p++;
      digits++;
    }
    if (p < end && buf[p] === 0x2e) {
      p++;
      let scale = 0.1;
      while (p < end && buf[p]! >= 0x30 && buf[p]! <= 0x39) {
        value += (buf[p]! - 0x30) * scale;
        scale /= 10;
        p++;
        digits++;
      }
    }
    // Junk glued to a number ("4.-3", "12abc") is skipped as part of it, as viewers do.
    while (p < end && CLASS[buf[p]!] === 0) p++;
    this.pos = p;
    if (!digits) return 0;
    return sign * value;
  }

  private readKeyword(): PdfObject | PdfOp {
    const { buf, end } = this;
    const start = this.pos;
    let p = start;
    while (p < end && CLASS[buf[p]!] === 0) p++;
    if (p === start) p++; // a stray delimiter byte
    this.pos = p;
    const len = p - start;
    if (len <= 3) {
      // Keyword bytes are never 0 (whitespace), so the packed bytes identify it.
      const key = buf[start]! | (len > 1 ? buf[start + 1]! << 8 : 0) | (len > 2 ? buf[start + 2]! << 16 : 0);
      let op = shortOps.get(key);
      if (!op) {
        op = PdfOp.of(latin1(buf, start, p));
        if (shortOps.size < SHORT_CACHE_CAP) shortOps.set(key, op);
      }
      if (op === OP_ID) this.skipInlineImage();
      return op;
    }
    const word = latin1(buf, start, Math.min(p, start + 64));
    if (word === 'true') return true;
    if (word === 'false') return false;
    if (word === 'null') return null;
    return PdfOp.of(word);
  }

  /** After `ID`: skip the image bytes up to a whitespace-delimited `EI`. */
  private skipInlineImage(): void {
    const { buf, end } = this;
    let p = this.pos + 1;
    while (p + 1 < end) {
      if (buf[p] === 0x45 && buf[p + 1] === 0x49 && CLASS[buf[p - 1]!] === WS && (p + 2 >= end || CLASS[buf[p + 2]!] !== 0)) {
        this.pos = p + 2;
        return;
      }
      p++;
    }
    this.pos = end;
  }

  private readName(): PdfName {
    const { buf, end } = this;
    let p = this.pos + 1;
    const start = p;
    let escaped = false;
    while (p < end && CLASS[buf[p]!] === 0) {
      if (buf[p] === 0x23) escaped = true;
      p++;
    }
    this.pos = p;
    const len = p - start;
    if (!escaped && len <= 6) {
      let key = len;
      for (let i = start; i < p; i++) key = key * 256 + buf[i]!;
      let name = shortNames.get(key);
      if (!name) {
        name = PdfName.of(latin1(buf, start, p));
        if (shortNames.size < SHORT_CACHE_CAP) shortNames.set(key, name);
      }
      return name;
    }
    let name = latin1(buf, start, Math.min(p, start + 256));
    if (escaped) name = name.replace(/#([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    return PdfName.of(name);
  }

  private readLiteralString(): Uint8Array {
    const { buf, end } = this;
    let p = this.pos + 1;
    // Fast path: no escapes and no nested parentheses.
    let q = p;
    while (q < end && buf[q] !== 0x29 && buf[q] !== 0x5c && buf[q] !== 0x28 && buf[q] !== 0x0d) q++;
    if (q < end && buf[q] === 0x29) {
      this.pos = q + 1;
      return buf.subarray(p, q);
    }
    const out: number[] = [];
    let depth = 1;
    while (p < end) {
      const c = buf[p++]!;
      if (c === 0x28) depth++;
      else if (c === 0x29) {
        if (--depth === 0) break;
      } else if (c === 0x5c) {
        const e = buf[p++];
        if (e === undefined) break;
        switch (e) {
          case 0x6e: out.push(10); continue;
          case 0x72: out.push(13); continue;
          case 0x74: out.push(9); continue;
          case 0x62: out.push(8); continue;
          case 0x66: out.push(12); continue;
          case 0x0d:
            if (buf[p] === 0x0a) p++;
            continue;
          case 0x0a:
            continue;
        }
        if (e >= 0x30 && e <= 0x37) {
          let v = e - 0x30;
          for (let k = 0; k < 2 && p < end && buf[p]! >= 0x30 && buf[p]! <= 0x37; k++) v = v * 8 + (buf[p++]! - 0x30);
          out.push(v & 0xff);
          continue;
        }
        out.push(e);
        continue;
      } else if (c === 0x0d) {
        if (buf[p] === 0x0a) p++;
        out.push(10);
        continue;
      }
      out.push(c);
    }
    this.pos = p;
    return Uint8Array.from(out);
  }

  private readHexString(): Uint8Array {
    const { buf, end } = this;
    let p = this.pos + 1;
    const out: number[] = [];
    let hi = -1;
    while (p < end) {
      const c = buf[p++]!;
      if (c === 0x3e) break;
      const v = HEX[c]!;
      if (v < 0) continue;
      if (hi < 0) hi = v;
      else {
        out.push((hi << 4) | v);
        hi = -1;
      }
    }
    if (hi >= 0) out.push(hi << 4);
    this.pos = p;
    return Uint8Array.from(out);
  }

  /**
   * The objects up to `close` (consumed), with `n g R` folded into references. No keyword belongs inside an array
   * or a dictionary: one means it is unterminated, and the keyword is left to start what follows.
   */
  private readItems(depth: number, close: PdfOp): PdfObject[] {
    const items: PdfObject[] = [];
    if (depth > MAX_DEPTH) return items;
    for (;;) {
      const save = this.pos;
      const item = this.next(depth + 1);
      if (item === undefined || item === close) break;
      if (item === OP_R) foldRef(items);
      else if (item instanceof PdfOp) {
        this.pos = save;
        break;
      } else items.push(item);
    }
    return items;
  }

  private readArray(depth: number): PdfObject[] {
    return this.readItems(depth, OP_ARRAY_END);
  }

  private readDict(depth: number): PdfDict {
    const dict = new PdfDict();
    const items = this.readItems(depth, OP_DICT_END);
    for (let i = 0; i + 1 < items.length; i += 2) {
      const key = items[i];
      if (key instanceof PdfName) dict.map.set(key.name, items[i + 1]!);
      else i--; // skip a stray value and resynchronise on the next name
    }
    return dict;
  }
}

function foldRef(items: PdfObject[]): void {
  const gen = items[items.length - 1];
  const num = items[items.length - 2];
  if (typeof gen === 'number' && typeof num === 'number' && Number.isInteger(num) && Number.isInteger(gen)) {
    items.length -= 2;
    items.push(new PdfRef(num, gen));
  }
}

const asBuffer = (buf: Uint8Array): Buffer => (Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength));

/** Position of `needle` (ASCII) in `buf` at or after `from` and ending before `to`, or -1. */
export function indexOfAscii(buf: Uint8Array, needle: string, from = 0, to = buf.length): number {
  const i = asBuffer(buf).indexOf(needle, Math.max(0, from), 'latin1');
  return i >= 0 && i + needle.length <= to ? i : -1;
}

/** Last position of `needle` (ASCII) in `buf` starting before `to`, or -1. */
export function lastIndexOfAscii(buf: Uint8Array, needle: string, to = buf.length): number {
  return to <= 0 ? -1 : asBuffer(buf).lastIndexOf(needle, to - 1, 'latin1');
}

/**
 * Reader for the predefined CMaps of PDF 32000-1 §9.7.5.2 ('H', 'V', '90ms-RKSJ-H', 'UniJIS-UCS2-H', …) and the
 * CID→Unicode maps ('Adobe-Japan1-UCS2', …) shipped by pdfjs-dist in cmaps/*.bcmap: Adobe's BSD-licensed CMap data
 * (see the LICENSE file there) in pdf.js's compact binary form. Written from our reading of that format:
 * - Byte 0 is a header; its low bit is the writing mode (1 = vertical).
 * - Then records. A record byte's top 3 bits are its type. Type 7 is a string record (low bits 0 = comment,
 *   1 = usecmap name; other values carry no payload). Types 0–5 have a "sequential" flag (0x10) and, in the low
 *   nibble, the byte width minus one; a varint count of entries follows.
 * - Varints are big-endian groups of 7 bits, the high bit of a byte meaning "more follows". Signed varints put the
 *   sign in the low bit (zigzag). A string is a varint length followed by one varint per character.
 * - Types: 0 codespace ranges, 1 notdef ranges (skipped), 2 code→CID singles, 3 code→CID ranges,
 *   4 CID→UTF-16BE singles, 5 CID→UTF-16BE ranges (in 4 and 5 the source is always 2 bytes, the width is the
 *   destination's). A record's first source code is raw bytes; each later one is the code after the previous entry
 *   plus a varint gap (no gap in sequential records of types 2–5). Range ends are stored as lengths (end − start).
 *   Destinations: range CIDs and strings are absolute; single CIDs and strings are previous + 1 + a signed delta.
 * Decisions:
 * - Malformed or truncated data never throws: parsing stops and what was read is kept. Unknown record types and
 *   codes wider than 4 bytes stop parsing too (CMap codes are at most 4 bytes).
 * - loadPredefinedCMap applies a usecmap chain root first, so the child's entries (and its wmode) win. When the
 *   chain resolves fully the result's useCMap is undefined; otherwise it names the first parent that failed to load.
 * - 'Identity-H' / 'Identity-V' have no file here: use identityCMap from ./cmap for them.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pdfjsAssets } from '../assets';
import { CMap } from './cmap';

class Stop extends Error {} // end of data or malformed varint: decoding stops, keeping what was read

class Reader {
  pos = 0;
  constructor(private readonly d: Uint8Array) {}

  get done(): boolean { return this.pos >= this.d.length; }

  byte(): number {
    if (this.pos >= this.d.length) throw new Stop();
    return this.d[this.pos++];
  }

  /** Unsigned varint; more than 7 groups (49 bits, beyond any code or CID) is malformed. */
  uint(): number {
    let n = 0;
    let b: number;
    let groups = 0;
    do {
      if (++groups > 7) throw new Stop();
      b = this.byte();
      n = n * 128 + (b & 0x7f);
    } while (b & 0x80);
    return n;
  }

  /** Zigzag-signed varint. */
  int(): number {
    const n = this.uint();
    const half = Math.floor(n / 2);
    return n % 2 ? -half - 1 : half;
  }

  /** Big-endian unsigned integer of `width` raw bytes (width ≤ 4). */
  raw(width: number): number {
    let n = 0;
    for (let i = 0; i < width; i++) n = n * 256 + this.byte();
    return n;
  }

  /** `width` raw bytes as a big-endian bigint (destination strings). */
  rawBig(width: number): bigint {
    let n = 0n;
    for (let i = 0; i < width; i++) n = (n << 8n) | BigInt(this.byte());
    return n;
  }

  /** Zigzag-signed varint as a bigint: deltas between multi-character destinations exceed 2^53. */
  bigInt(): bigint {
    let n = 0n;
    let b: number;
    let groups = 0;
    do {
      if (++groups > 19) throw new Stop(); // 16 bytes at most
      b = this.byte();
      n = (n << 7n) | BigInt(b & 0x7f);
    } while (b & 0x80);
    return n & 1n ? -(n >> 1n) - 1n : n >> 1n;
  }

  str(): string {
    const len = this.uint();
    let s = '';
    for (let i = 0; i < len; i++) s += String.fromCharCode(this.uint() & 0xffff);
    return s;
  }
}

/** A `width`-byte UTF-16BE value as text; a 1-byte value is one code unit, an odd trailing byte is dropped. */
function utf16(v: bigint, width: number): string {
  if (width === 1) return String.fromCharCode(Number(v));
  let s = '';
  for (let k = width - 2; k >= 0; k -= 2) s += String.fromCharCode(Number((v >> BigInt(8 * k)) & 0xffffn));
  return s;
}

function utf16Small(v: number, width: number): string {
  if (width <= 2) return String.fromCharCode(v);
  if (width === 3) return String.fromCharCode(Math.floor(v / 0x100)); // an odd trailing byte is dropped, as in utf16()
  return String.fromCharCode(Math.floor(v / 0x10000), v & 0xffff);
}

/** Where decoded CID→Unicode entries (types 4 and 5) go: a CMap, or a dense table (loadCidToUnicode). */
interface UnicodeSink {
  /** A single whose destination fits a number (width ≤ 4 bytes). */
  one(cid: number, dst: number, width: number): void;
  /** A single with a longer destination. */
  oneBig(cid: number, dst: bigint, width: number): void;
  range(lo: number, hi: number, dst: string): void;
}

interface RecordHandlers {
  wmode?(mode: number): void;
  useCMap(name: string): void;
  /** Types 0–3; returns false to stop decoding. */
  codes(r: Reader, type: number, seq: boolean, width: number, count: number): boolean;
  unicode: UnicodeSink;
}

/** Walks one file's records; returns normally even when the data is cut short. */
function decodeRecords(data: Uint8Array, h: RecordHandlers): void {
  const r = new Reader(data);
  try {
    const mode = r.byte() & 1;
    h.wmode?.(mode);
    while (!r.done) {
      const head = r.byte();
      const type = head >> 5;
      if (type === 7) {
        const sub = head & 0x1f;
        if (sub === 0) r.str();
        else if (sub === 1) h.useCMap(r.str());
        continue;
      }
      const seq = (head & 0x10) !== 0;
      const width = (head & 0x0f) + 1;
      const count = r.uint();
      if (type === 4 || type === 5) decodeUnicode(h.unicode, r, type, seq, width, count);
      else if (type > 3 || width > 4 || !h.codes(r, type, seq, width, count)) return;
    }
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
  }
}

/** Decodes one file into `cmap`, on top of what it holds; returns normally even when the data is cut short. */
function decodeInto(cmap: CMap, data: Uint8Array): void {
  cmap.useCMap = undefined;
  decodeRecords(data, {
    wmode: (mode) => (cmap.wmode = mode),
    useCMap: (name) => (cmap.useCMap = name),
    codes: (r, type, seq, width, count) => (decodeCodes(cmap, r, type, seq, width, count), true),
    unicode: {
      one: (cid, dst, width) => cmap.addUnicode(cid, utf16Small(dst, width), 2),
      oneBig: (cid, dst, width) => cmap.addUnicode(cid, utf16(dst, width), 2),
      range: (lo, hi, dst) => cmap.addUnicodeRange(lo, hi, dst, 2),
    },
  });
}

/** Types 0–3: codespace, notdef, code→CID singles and ranges, all keyed by `width`-byte codes. */
function decodeCodes(cmap: CMap, r: Reader, type: number, seq: boolean, width: number, count: number): void {
  const mod = 256 ** width;
  const add = (a: number, b: number): number => (a + b) % mod;
  if (type === 2) {
    let code = r.raw(width);
    let cid = r.uint();
    cmap.addCid(code, cid, width);
    for (let i = 1; i < count; i++) {
      code = add(code, seq ? 1 : 1 + r.uint());
      cid += 1 + r.int();
      cmap.addCid(code, cid, width);
    }
    return;
  }
  let lo = 0;
  let hi = -1;
  for (let i = 0; i < count; i++) {
    if (i === 0) lo = r.raw(width);
    else lo = add(hi, type === 3 && seq ? 1 : 1 + r.uint());
    hi = add(lo, r.uint());
    if (type === 0) {
      if (lo <= hi) cmap.codespace.push({ bytes: width, low: lo, high: hi });
    } else if (type === 1) {
      r.uint(); // notdef CID: CMap keeps no notdef mappings
    } else {
      const cid = r.uint();
      if (lo <= hi) cmap.addCidRange(lo, hi, cid, width);
    }
  }
}

/** Types 4–5: CID (2 bytes) → UTF-16BE destination of `width` bytes. */
function decodeUnicode(sink: UnicodeSink, r: Reader, type: number, seq: boolean, width: number, count: number): void {
  const MOD_CID = 0x10000;
  if (type === 4 && width <= 4) {
    // Destinations of one or two UTF-16 units (nearly all of them): plain numbers are exact and much faster.
    const modulus = 2 ** (8 * width);
    let cid = r.raw(2);
    let dst = r.raw(width);
    sink.one(cid, dst, width);
    for (let i = 1; i < count; i++) {
      cid = (cid + (seq ? 1 : 1 + r.uint())) % MOD_CID;
      dst = (((dst + 1 + r.int()) % modulus) + modulus) % modulus;
      sink.one(cid, dst, width);
    }
    return;
  }
  if (type === 4) {
    const mask = (1n << BigInt(8 * width)) - 1n;
    let cid = r.raw(2);
    let dst = r.rawBig(width);
    sink.oneBig(cid, dst, width);
    for (let i = 1; i < count; i++) {
      cid = (cid + (seq ? 1 : 1 + r.uint())) % MOD_CID;
      dst = (dst + 1n + r.bigInt()) & mask;
      sink.oneBig(cid, dst, width);
    }
    return;
  }
  let lo = 0;
  let hi = -1;
  for (let i = 0; i < count; i++) {
    lo = i === 0 ? r.raw(2) : (hi + (seq ? 1 : 1 + r.uint())) % MOD_CID;
    hi = (lo + r.uint()) % MOD_CID;
    const dst = width <= 4 ? utf16Small(r.raw(width), width) : utf16(r.rawBig(width), width);
    if (lo <= hi && dst) sink.range(lo, hi, dst);
  }
}

/**
 * A CID→Unicode map (Adobe's UCS2 maps) held as one 32-bit number per CID: one UTF-16 unit, or two packed as
 * (first << 16 | second) with a non-zero first unit; 0 is "no mapping". Longer destinations, and those that
 * start with U+0000 (rare), go to a Map.
 * The texts are made on lookup: a document uses a few hundred of the ~20,000 CIDs.
 */
export class CidToUnicode {
  readonly units = new Uint32Array(0x10000);
  readonly long = new Map<number, string>();

  unicode(cid: number): string | undefined {
    if (this.long.size && this.long.has(cid)) return this.long.get(cid);
    const v = cid >= 0 && cid < 0x10000 ? this.units[cid] : 0;
    if (!v) return undefined;
    return v > 0xffff ? String.fromCharCode(v >>> 16, v & 0xffff) : String.fromCharCode(v);
  }

  /** @internal */ set(cid: number, text: string): void {
    const a = text.charCodeAt(0);
    // A leading U+0000 cannot be packed (0 is "no mapping"; a 0 first unit means one unit): such texts go long.
    if ((text.length === 1 || text.length === 2) && a !== 0) {
      this.long.delete(cid);
      this.units[cid] = text.length === 1 ? a : ((a << 16) | text.charCodeAt(1)) >>> 0;
    } else {
      this.units[cid] = 0;
      this.long.set(cid, text);
    }
  }

  /** @internal */ setRange(lo: number, hi: number, dst: string): void {
    // The last unit counts up along the range (as CMap ranges do); a one-unit prefix packs beside it.
    const prefix = dst.slice(0, -1);
    const last = dst.charCodeAt(dst.length - 1);
    const head = prefix.length === 1 ? prefix.charCodeAt(0) : prefix.length === 0 ? 0 : -1;
    for (let cid = lo; cid <= hi; cid++) {
      const unit = (last + cid - lo) & 0xffff;
      if (head < 0 || (head === 0 && prefix.length === 1) || (unit === 0 && !head)) this.set(cid, prefix + String.fromCharCode(unit));
      else {
        if (this.long.size) this.long.delete(cid);
        this.units[cid] = head ? ((head << 16) | unit) >>> 0 : unit;
      }
    }
  }

  /** @internal */ setUnits(cid: number, dst: number, width: number): void {
    // width 1–2: one unit; 3: the odd trailing byte is dropped (as utf16Small); 4: two units.
    const v = width <= 2 ? dst : width === 3 ? Math.floor(dst / 0x100) : dst;
    if (v < 0x10000 && (width === 4 || v === 0)) return this.set(cid, utf16Small(dst, width)); // a U+0000 unit
    if (this.long.size) this.long.delete(cid);
    this.units[cid] = v;
  }
}

/** Parses one .bcmap file's bytes into a CMap (its usecmap name, if any, is left in cmap.useCMap). */
export function parseBinaryCMap(data: Uint8Array): CMap {
  const cmap = new CMap();
  decodeInto(cmap, data);
  return cmap;
}

const MAX_DEPTH = 8;
const NAME_RE = /^[A-Za-z0-9_-]{1,64}$/;
const cache = new Map<string, CMap | undefined>();

/** The file's bytes, or undefined for a missing file or a name that is not a plain [A-Za-z0-9_-] word. */
function readCMapFile(dir: string, name: string): Uint8Array | undefined {
  try { return NAME_RE.test(name) ? readFileSync(path.join(dir, name + '.bcmap')) : undefined; } catch { return undefined; }
}

/**
 * Loads a predefined CMap by name from the cmaps directory (default pdfjsAssets().cmaps), following usecmap chains
 * (depth ≤ 8), cached per directory and name. Returns undefined when the name is unsafe or has no file.
 */
export function loadPredefinedCMap(name: string, dir?: string): CMap | undefined {
  const base = dir ?? pdfjsAssets().cmaps;
  const key = base + '\0' + name;
  if (cache.has(key)) return cache.get(key);
  let result: CMap | undefined;
  const first = readCMapFile(base, name);
  if (first) {
    result = parseBinaryCMap(first);
    if (result.useCMap !== undefined) {
      // Built on others: collect the chain child → root, then apply it root first so the child's entries win.
      const chain: Uint8Array[] = [first];
      let parent: string | undefined = result.useCMap;
      while (parent !== undefined && chain.length <= MAX_DEPTH) {
        const data = readCMapFile(base, parent);
        if (!data) break;
        chain.push(data);
        parent = parseBinaryCMap(data).useCMap;
      }
      result = new CMap();
      for (let i = chain.length - 1; i >= 0; i--) decodeInto(result, chain[i]);
      result.useCMap = parent;
    }
  }
  cache.set(key, result);
  return result;
}

const ucs2Cache = new Map<string, CidToUnicode | undefined>();

/**
 * Adobe's CID→Unicode map of a character collection ('Japan1', 'GB1', 'CNS1', 'Korea1'), e.g.
 * Adobe-Japan1-UCS2.bcmap, as a CidToUnicode table; cached. Undefined when the file is missing or is not a plain
 * CID→Unicode map (it then should be read with loadPredefinedCMap).
 */
export function loadCidToUnicode(ordering: string, dir?: string): CidToUnicode | undefined {
  const base = dir ?? pdfjsAssets().cmaps;
  const key = base + '\0' + ordering;
  if (ucs2Cache.has(key)) return ucs2Cache.get(key);
  const data = readCMapFile(base, `Adobe-${ordering}-UCS2`);
  let table: CidToUnicode | undefined;
  if (data) {
    const t = new CidToUnicode();
    let plain = true;
    decodeRecords(data, {
      useCMap: () => (plain = false),
      // A codespace (the whole 2-byte range) is read past; CID mappings would make it more than a CID→Unicode map.
      codes: (r, type, seq, width, count) => (type === 0 ? (decodeCodes(new CMap(), r, type, seq, width, count), true) : (plain = false)),
      unicode: {
        one: (cid, dst, width) => t.setUnits(cid, dst, width),
        oneBig: (cid, dst, width) => t.set(cid, utf16(dst, width)),
        range: (lo, hi, dst) => t.setRange(lo, hi, dst),
      },
    });
    table = plain ? t : undefined;
  }
  ucs2Cache.set(key, table);
  return table;
}

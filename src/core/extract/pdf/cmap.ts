/**
 * PDF CMap parser, written from PDF 32000-1 §9.7.5 / §9.10.3 and Adobe Technical Notes #5014 / #5099.
 * Reads ToUnicode CMaps (bfchar / bfrange) and embedded encoding CMaps (codespacerange, cidchar / cidrange, usecmap,
 * WMode) from the decoded stream bytes. The PostScript-like program is tokenised, never executed.
 * Decisions:
 * - Later definitions override earlier ones for the same code (bfchar vs bfrange included).
 * - bfrange / cidrange are kept as sorted, non-overlapping ranges; bfrange strings are built on lookup. A bfrange
 *   longer than 65536 codes is clamped to 65536; hi < lo is skipped.
 * - Destination names map only when trivial: /space, single ASCII letters/digits, /uniXXXX[XXXX...], /uXXXX[XX].
 * - Codespace matching compares the n-byte big-endian value against each n-byte range's low..high.
 * - Without codespace ranges, readCode uses the longest source-code length seen in the mappings (1 if none).
 * - Malformed input is parsed as far as possible; parseCMap never throws.
 */

import { PdfName, PdfOp, type PdfObject } from './objects';
import { PdfLexer } from './syntax';

export interface CodespaceRange { bytes: number; low: number; high: number }

interface Seg<R> { lo: number; hi: number; base: number; v: R; seq: number }

/** Single-code entries plus sorted, non-overlapping ranges; a later range paints over what it overlaps. */
class Table<S, R> {
  readonly single = new Map<number, { v: S; seq: number }>();
  readonly segs: Seg<R>[] = [];

  addRange(lo: number, hi: number, v: R, seq: number): void {
    const segs = this.segs;
    const seg: Seg<R> = { lo, hi, base: lo, v, seq };
    if (segs.length === 0 || segs[segs.length - 1].hi < lo) { segs.push(seg); return; }
    let a = 0;
    let b = segs.length;
    while (a < b) { const m = (a + b) >>> 1; if (segs[m].hi < lo) a = m + 1; else b = m; }
    const repl: Seg<R>[] = [];
    if (a < segs.length && segs[a].lo < lo) repl.push({ ...segs[a], hi: lo - 1 });
    let j = a;
    while (j < segs.length && segs[j].lo <= hi) j++;
    repl.push(seg);
    if (j > a && segs[j - 1].hi > hi) repl.push({ ...segs[j - 1], lo: hi + 1 });
    segs.splice(a, j - a, ...repl);
  }

  find(code: number): Seg<R> | undefined {
    const segs = this.segs;
    for (let a = 0, b = segs.length - 1; a <= b;) {
      const m = (a + b) >>> 1;
      if (code < segs[m].lo) b = m - 1;
      else if (code > segs[m].hi) a = m + 1;
      else return segs[m];
    }
    return undefined;
  }
}

interface UniRange { prefix: string; last: number }

export class CMap {
  /** codespacerange entries; empty when the CMap declares none. */
  readonly codespace: CodespaceRange[] = [];
  /** Name given by `usecmap` (e.g. 'Adobe-Japan1-UCS2'), if any; the caller decides what to do with it. */
  useCMap: string | undefined = undefined;
  /** WMode from the CMap (/WMode 1 = vertical), default 0. */
  wmode = 0;

  private readonly uni = new Table<string, UniRange>();
  private readonly cids = new Table<number, number>();
  private seq = 0;
  private srcBytes = 0;
  private count = -1;

  // Builders used by parseCMap / identityCMap; srcBytes is the byte length of the source code as written.
  /** @internal */ addUnicode(code: number, str: string, srcBytes: number): void {
    this.uni.single.set(code, { v: str, seq: this.next(srcBytes) });
  }
  /** @internal */ addUnicodeRange(lo: number, hi: number, dst: string, srcBytes: number): void {
    this.uni.addRange(lo, hi, { prefix: dst.slice(0, -1), last: dst.charCodeAt(dst.length - 1) }, this.next(srcBytes));
  }
  /** @internal */ addCid(code: number, cid: number, srcBytes: number): void {
    this.cids.single.set(code, { v: cid, seq: this.next(srcBytes) });
  }
  /** @internal */ addCidRange(lo: number, hi: number, cid: number, srcBytes: number): void {
    this.cids.addRange(lo, hi, cid, this.next(srcBytes));
  }
  private next(srcBytes: number): number {
    this.count = -1;
    this.srcBytes = Math.max(this.srcBytes, Math.min(4, srcBytes));
    return this.seq++;
  }

  /**
   * Reads one character code at `offset` into `out` (no allocation). The first n (1..4) whose n-byte big-endian value
   * lies in an n-byte codespace range wins; otherwise the shortest range whose first byte matches (else the shortest
   * range) gives the length, clamped to the bytes left. Without codespace ranges the source-code width of the mappings
   * is used (1 if none). At or past the end, length is 0.
   */
  readCode(bytes: Uint8Array, offset: number, out: { code: number; length: number }): void {
    const left = bytes.length - offset;
    if (left <= 0 || offset < 0) { out.code = 0; out.length = 0; return; }
    const cs = this.codespace;
    let n = cs.length === 0 ? Math.max(1, this.srcBytes) : 0;
    if (n === 0) {
      let code = 0;
      for (let k = 1; k <= 4 && k <= left; k++) {
        code = code * 256 + bytes[offset + k - 1];
        for (let i = 0; i < cs.length; i++) {
          if (cs[i].bytes === k && code >= cs[i].low && code <= cs[i].high) { out.code = code; out.length = k; return; }
        }
      }
      let shortest = 4;
      for (let i = 0; i < cs.length; i++) {
        const len = Math.min(4, Math.max(1, cs[i].bytes | 0));
        const div = 256 ** (len - 1);
        const b0 = bytes[offset];
        if (b0 >= Math.floor(cs[i].low / div) && b0 <= Math.floor(cs[i].high / div) && (n === 0 || len < n)) n = len;
        shortest = Math.min(shortest, len);
      }
      if (n === 0) n = shortest;
    }
    if (n > left) n = left;
    let code = 0;
    for (let k = 0; k < n; k++) code = code * 256 + bytes[offset + k];
    out.code = code;
    out.length = n;
  }

  /** Unicode string for a code from bfchar / bfrange (ToUnicode), or undefined. */
  unicode(code: number): string | undefined {
    const e = this.uni.single.get(code);
    const s = this.uni.find(code);
    if (e && (!s || e.seq > s.seq)) return e.v;
    return s ? s.v.prefix + String.fromCharCode((s.v.last + code - s.base) & 0xffff) : undefined;
  }

  /** CID for a code from cidchar / cidrange (encoding CMaps), or undefined. */
  cid(code: number): number | undefined {
    const e = this.cids.single.get(code);
    const s = this.cids.find(code);
    if (e && (!s || e.seq > s.seq)) return e.v;
    return s ? s.v + code - s.base : undefined;
  }

  /** Number of codes with a unicode mapping. */
  get unicodeCount(): number {
    if (this.count < 0) {
      let n = 0;
      for (const s of this.uni.segs) n += s.hi - s.lo + 1;
      for (const code of this.uni.single.keys()) if (!this.uni.find(code)) n++;
      this.count = n;
    }
    return this.count;
  }
}

type Operand = Uint8Array | PdfName | number;

function codeOf(bytes: Uint8Array): number {
  let v = 0;
  for (const b of bytes) v = v * 256 + b;
  return v;
}

const isSrc = (t: PdfObject | undefined): t is Uint8Array => t instanceof Uint8Array && t.length >= 1 && t.length <= 4;

function nameToUnicode(name: string): string | undefined {
  if (name === 'space') return ' ';
  if (/^[A-Za-z0-9]$/.test(name)) return name;
  let m = /^uni((?:[0-9A-F]{4})+)$/.exec(name);
  if (m) return m[1]!.replace(/[0-9A-F]{4}/g, (h) => String.fromCharCode(parseInt(h, 16)));
  m = /^u([0-9A-F]{4,6})$/.exec(name);
  const cp = m ? parseInt(m[1]!, 16) : -1;
  return cp >= 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : undefined;
}

/** Destination string: UTF-16BE hex string (a single byte is one code unit) or a trivially mappable name. */
function destString(t: PdfObject | undefined): string | undefined {
  if (t instanceof PdfName) return nameToUnicode(t.name);
  if (!(t instanceof Uint8Array) || t.length === 0) return undefined;
  if (t.length === 1) return String.fromCharCode(t[0]!);
  let s = '';
  for (let i = 0; i + 1 < t.length; i += 2) s += String.fromCharCode(t[i]! * 256 + t[i + 1]!);
  return s;
}

const SECTIONS: Record<string, number> = { codespacerange: 2, bfchar: 2, bfrange: 3, cidchar: 2, cidrange: 3 };
const MAX_RANGE = 65536;

function apply(cmap: CMap, section: string, ops: Operand[]): void {
  const [a, b, c] = ops;
  if (!isSrc(a)) return;
  const lo = codeOf(a);
  const len = a.length;
  if (section === 'bfchar') {
    const s = destString(b);
    if (s) cmap.addUnicode(lo, s, len);
    return;
  }
  if (section === 'cidchar') {
    if (typeof b === 'number' && b >= 0 && Number.isFinite(b)) cmap.addCid(lo, Math.trunc(b), len);
    return;
  }
  if (!isSrc(b)) return;
  let hi = codeOf(b);
  if (section === 'codespacerange') {
    if (lo <= hi) cmap.codespace.push({ bytes: len, low: lo, high: hi });
    return;
  }
  if (hi < lo) return;
  if (section === 'cidrange') {
    if (typeof c === 'number' && c >= 0 && Number.isFinite(c)) cmap.addCidRange(lo, hi, Math.trunc(c), len);
    return;
  }
  if (hi - lo >= MAX_RANGE) hi = lo + MAX_RANGE - 1;
  const s = destString(c);
  if (s) cmap.addUnicodeRange(lo, hi, s, len);
}

/** bfrange with an array of destinations, one per code. */
function applyArray(cmap: CMap, ops: Operand[], arr: PdfObject[]): void {
  const [a, b] = ops;
  if (!isSrc(a) || !isSrc(b)) return;
  const lo = codeOf(a);
  let hi = codeOf(b);
  if (hi < lo) return;
  if (hi - lo >= MAX_RANGE) hi = lo + MAX_RANGE - 1;
  for (let i = 0; i < arr.length && lo + i <= hi; i++) {
    const s = destString(arr[i]);
    if (s) cmap.addUnicode(lo + i, s, a.length);
  }
}

/** Runs over the CMap's tokens (the PDF lexer: same syntax) and applies each mapping section's entries. */
function parseInto(cmap: CMap, data: Uint8Array): void {
  const lexer = new PdfLexer(data);
  const ops: Operand[] = [];
  let section = '';
  let prev: PdfObject | PdfOp | undefined;
  for (let t = lexer.next(); t !== undefined; prev = t, t = lexer.next()) {
    if (t instanceof PdfOp) {
      const op = t.op;
      if (op.startsWith('begin') && SECTIONS[op.slice(5)] !== undefined) {
        section = op.slice(5);
        ops.length = 0;
      } else if (section && op.startsWith('end')) section = '';
      else if (section) ops.length = 0; // unexpected keyword: resynchronise
      else if (op === 'usecmap' && prev instanceof PdfName) cmap.useCMap = prev.name;
      continue;
    }
    if (section) {
      if (Array.isArray(t)) {
        if (section === 'bfrange' && ops.length === 2) applyArray(cmap, ops, t);
        ops.length = 0;
      } else if (t instanceof Uint8Array || t instanceof PdfName || typeof t === 'number') {
        ops.push(t);
        if (ops.length === SECTIONS[section]) {
          apply(cmap, section, ops);
          ops.length = 0;
        }
      } else ops.length = 0;
    } else if (typeof t === 'number' && prev instanceof PdfName && prev.name === 'WMode') {
      cmap.wmode = t === 1 ? 1 : 0;
    }
  }
}

export function parseCMap(data: Uint8Array): CMap {
  const cmap = new CMap();
  try {
    parseInto(cmap, data);
  } catch {
    // Never throw on malformed input: keep whatever was parsed.
  }
  return cmap;
}

/** The predefined Identity-H / Identity-V CMap: 2-byte codespace <0000>-<FFFF>, CID = code. */
export function identityCMap(vertical?: boolean): CMap {
  const cmap = new CMap();
  cmap.codespace.push({ bytes: 2, low: 0, high: 0xffff });
  cmap.addCidRange(0, 0xffff, 0, 2);
  cmap.wmode = vertical ? 1 : 0;
  return cmap;
}

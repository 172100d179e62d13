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

export interface CodespaceRange { bytes: number; low: number; high: number }

type Kind = 'bytes' | 'name' | 'num' | 'kw' | '[' | ']' | 'eof';
interface Tok { k: Kind; s: string; n: number; b: number[] }

const EMPTY: number[] = [];
const NUM_RE = /^[+-]?(\d+\.?\d*|\.\d+)$/;
/** Byte classes: 1 whitespace, 2 delimiter, 0 regular. */
const CLS = new Uint8Array(256);
for (const c of [0, 9, 10, 12, 13, 32]) CLS[c] = 1;
for (const c of '()<>[]{}/%') CLS[c.charCodeAt(0)] = 2;

function tok(k: Kind, s = '', n = 0, b: number[] = EMPTY): Tok {
  return { k, s, n, b };
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  return l >= 97 && l <= 102 ? l - 87 : -1;
}

class Lexer {
  private pos = 0;
  constructor(private readonly d: Uint8Array) {}

  next(): Tok {
    const d = this.d;
    while (this.pos < d.length) {
      const c = d[this.pos];
      if (CLS[c] === 1) this.pos++;
      else if (c === 0x25) while (this.pos < d.length && d[this.pos] !== 10 && d[this.pos] !== 13) this.pos++;
      else break;
    }
    if (this.pos >= d.length) return tok('eof');
    const c = d[this.pos++];
    switch (c) {
      case 0x5b: return tok('[');
      case 0x5d: return tok(']');
      case 0x3c:
        if (d[this.pos] === 0x3c) { this.pos++; return tok('kw', '<<'); }
        return this.hex();
      case 0x3e:
        if (d[this.pos] === 0x3e) this.pos++;
        return tok('kw', '>>');
      case 0x28: return this.literal();
      case 0x2f: return tok('name', this.regular().replace(/#([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))));
      case 0x29: case 0x7b: case 0x7d: return tok('kw', String.fromCharCode(c));
    }
    this.pos--;
    const s = this.regular(); // c is a regular byte, so at least one byte is consumed
    return NUM_RE.test(s) ? tok('num', s, Number(s)) : tok('kw', s);
  }

  private regular(): string {
    const d = this.d;
    const start = this.pos;
    while (this.pos < d.length && CLS[d[this.pos]] === 0) this.pos++;
    return Buffer.from(d.buffer, d.byteOffset + start, this.pos - start).toString('latin1');
  }

  private hex(): Tok {
    const d = this.d;
    const out: number[] = [];
    let hi = -1;
    while (this.pos < d.length) {
      const c = d[this.pos++];
      if (c === 0x3e) break;
      const v = hexVal(c);
      if (v < 0) continue;
      if (hi < 0) hi = v;
      else { out.push(hi * 16 + v); hi = -1; }
    }
    if (hi >= 0) out.push(hi * 16); // odd digit count: final digit is followed by an implied 0
    return tok('bytes', '', 0, out);
  }

  private literal(): Tok {
    const d = this.d;
    const out: number[] = [];
    let depth = 1;
    while (this.pos < d.length) {
      let c = d[this.pos++];
      if (c === 0x28) depth++;
      else if (c === 0x29) { if (--depth === 0) break; }
      else if (c === 0x5c && this.pos < d.length) {
        c = d[this.pos++];
        if (c >= 0x30 && c <= 0x37) {
          let v = c - 0x30;
          for (let i = 0; i < 2 && d[this.pos] >= 0x30 && d[this.pos] <= 0x37; i++) v = v * 8 + d[this.pos++] - 0x30;
          c = v & 0xff;
        } else if (c === 13 || c === 10) { // line continuation
          if (c === 13 && d[this.pos] === 10) this.pos++;
          continue;
        } else c = c === 0x6e ? 10 : c === 0x72 ? 13 : c === 0x74 ? 9 : c === 0x62 ? 8 : c === 0x66 ? 12 : c;
      }
      out.push(c);
    }
    return tok('bytes', '', 0, out);
  }
}

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

function codeOf(t: Tok): number {
  let v = 0;
  for (const b of t.b) v = v * 256 + b;
  return v;
}

function isSrc(t: Tok): boolean {
  return t.k === 'bytes' && t.b.length >= 1 && t.b.length <= 4;
}

function nameToUnicode(name: string): string | undefined {
  if (name === 'space') return ' ';
  if (/^[A-Za-z0-9]$/.test(name)) return name;
  let m = /^uni((?:[0-9A-F]{4})+)$/.exec(name);
  if (m) return m[1].replace(/[0-9A-F]{4}/g, (h) => String.fromCharCode(parseInt(h, 16)));
  m = /^u([0-9A-F]{4,6})$/.exec(name);
  const cp = m ? parseInt(m[1], 16) : -1;
  return cp >= 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : undefined;
}

/** Destination string: UTF-16BE hex string (a single byte is one code unit) or a trivially mappable name. */
function destString(t: Tok): string | undefined {
  if (t.k === 'name') return nameToUnicode(t.s);
  if (t.k !== 'bytes' || t.b.length === 0) return undefined;
  const b = t.b;
  if (b.length === 1) return String.fromCharCode(b[0]);
  let s = '';
  for (let i = 0; i + 1 < b.length; i += 2) s += String.fromCharCode(b[i] * 256 + b[i + 1]);
  return s;
}

const SECTIONS: Record<string, number> = { codespacerange: 2, bfchar: 2, bfrange: 3, cidchar: 2, cidrange: 3 };
const MAX_RANGE = 65536;

function apply(cmap: CMap, section: string, ops: Tok[], arr: Tok[] | undefined): void {
  const [a, b, c] = ops;
  if (!isSrc(a)) return;
  const lo = codeOf(a);
  const len = a.b.length;
  if (section === 'bfchar') {
    const s = destString(b);
    if (s) cmap.addUnicode(lo, s, len);
    return;
  }
  if (section === 'cidchar') {
    if (b.k === 'num' && b.n >= 0 && Number.isFinite(b.n)) cmap.addCid(lo, Math.trunc(b.n), len);
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
    if (c.k === 'num' && c.n >= 0 && Number.isFinite(c.n)) cmap.addCidRange(lo, hi, Math.trunc(c.n), len);
    return;
  }
  if (hi - lo >= MAX_RANGE) hi = lo + MAX_RANGE - 1;
  if (arr) {
    for (let i = 0; i < arr.length && lo + i <= hi; i++) {
      const s = destString(arr[i]);
      if (s) cmap.addUnicode(lo + i, s, len);
    }
    return;
  }
  const s = destString(c);
  if (s) cmap.addUnicodeRange(lo, hi, s, len);
}

function parseInto(cmap: CMap, data: Uint8Array): void {
  const lex = new Lexer(data);
  const ops: Tok[] = [];
  let section = '';
  let arr: Tok[] | undefined, prev: Tok | undefined;
  for (let t = lex.next(); t.k !== 'eof'; prev = t, t = lex.next()) {
    if (t.k === 'kw' && t.s.startsWith('begin') && SECTIONS[t.s.slice(5)] !== undefined) {
      section = t.s.slice(5);
      ops.length = 0;
      arr = undefined;
    } else if (section && t.k === 'kw' && t.s.startsWith('end')) {
      section = '';
    } else if (section) {
      if (arr) {
        if (t.k === ']') { apply(cmap, section, ops, arr); ops.length = 0; arr = undefined; }
        else if (t.k === 'bytes' || t.k === 'name') arr.push(t);
      } else if (t.k === '[' && section === 'bfrange' && ops.length === 2) {
        arr = [];
      } else if (t.k === 'bytes' || t.k === 'name' || t.k === 'num') {
        ops.push(t);
        if (ops.length === SECTIONS[section]) { apply(cmap, section, ops, undefined); ops.length = 0; }
      } else {
        ops.length = 0; // unexpected token: resynchronise
      }
    } else if (t.k === 'kw' && t.s === 'usecmap' && prev?.k === 'name') {
      cmap.useCMap = prev.s;
    } else if (t.k === 'num' && prev?.k === 'name' && prev.s === 'WMode') {
      cmap.wmode = t.n === 1 ? 1 : 0;
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

/**
 * Fonts as the text layer needs them (PDF 32000-1 §9.6–9.10): how to cut a string into character codes, the
 * Unicode text of each code (ToUnicode first, then the font's encoding and glyph names), and each glyph's width.
 * A font whose text cannot be known without reading its embedded program (a symbolic font with no ToUnicode, a
 * CID font with no ToUnicode, a predefined CMap other than Identity) raises PdfUnsupportedError, and the caller
 * reads the file with pdf.js instead.
 */
import { loadCidToUnicode, loadPredefinedCMap } from './binaryCMap';
import { CMap, identityCMap, parseCMap } from './cmap';
import { PdfBudgetError } from './filters';
import { UNDECODABLE, glyphText } from './glyphText';
import { glyphUnicodeFromTrueType } from './trueTypeCmap';
import { baseEncoding, dingbatToUnicode, glyphToUnicode, standardFont, type StandardFont } from './encodings';
import { PdfDict, PdfName, PdfStream, PdfUnsupportedError, nameOf, type PdfObject } from './objects';
import type { PdfFile } from './pdfFile';

export interface PdfFont {
  readonly name: string;
  /** 1 for simple fonts; CID fonts read codes through their CMap. */
  readCode(bytes: Uint8Array, offset: number, out: { code: number; length: number }): void;
  /**
   * Unicode text of a code (glyphText: never a control or noncharacter); UNDECODABLE when the font's mapping names
   * nothing that is text; undefined when the font does not say (the caller hands the file to pdf.js).
   */
  unicode(code: number): string | undefined;
  /** Whether a code's text is only whitespace (cached: asked for every glyph). */
  isSpace(code: number): boolean;
  /** Horizontal advance of a code in text space units per unit font size (glyph width × FontMatrix). */
  width(code: number): number;
  /** Vertical writing (WMode 1): glyphs advance downwards by verticalAdvance (negative, per unit font size). */
  readonly vertical: boolean;
  verticalAdvance(code: number): number;
}

const DEFAULT_WIDTH = 0.5;
/** Whether a glyph's text is only whitespace (JavaScript's \s), without a regular expression: asked for every code of every font. */
function isBlank(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0) continue;
    if (c < 0x1680 || !(c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff)) return false;
  }
  return true;
}

export function loadFont(file: PdfFile, dict: PdfDict): PdfFont {
  const subtype = nameOf(file.get(dict, 'Subtype'));
  if (subtype === 'Type0') return loadCidFont(file, dict);
  return loadSimpleFont(file, dict, subtype);
}

function toUnicodeOf(file: PdfFile, dict: PdfDict): CMap | undefined {
  const tu = file.get(dict, 'ToUnicode');
  if (!(tu instanceof PdfStream)) return undefined;
  try {
    const cmap = parseCMap(file.streamBytes(tu));
    return cmap.unicodeCount ? cmap : undefined;
  } catch (err) {
    if (err instanceof PdfBudgetError) throw err;
    return undefined;
  }
}

function numbers(file: PdfFile, obj: PdfObject | undefined): number[] | undefined {
  const arr = file.resolve(obj);
  if (!Array.isArray(arr)) return undefined;
  return arr.map((x) => {
    const v = file.resolve(x);
    return typeof v === 'number' ? v : 0;
  });
}

// ── simple fonts (Type1, MMType1, TrueType, Type3) ─────────────────────────────────

/** A one-byte font; its tables are read directly by the content reader's inner loop. */
export class SimpleFont implements PdfFont {
  readonly vertical = false;
  readonly unicodes: Array<string | undefined> = new Array(256);
  readonly spaces = new Uint8Array(256);
  readonly widths = new Float64Array(256);
  constructor(readonly name: string) {}
  readCode(bytes: Uint8Array, offset: number, out: { code: number; length: number }): void {
    out.code = bytes[offset]!;
    out.length = 1;
  }
  unicode(code: number): string | undefined {
    return this.unicodes[code];
  }
  isSpace(code: number): boolean {
    return this.spaces[code] === 1;
  }
  width(code: number): number {
    return this.widths[code]!;
  }
  verticalAdvance(): number {
    return 0;
  }
}

function loadSimpleFont(file: PdfFile, dict: PdfDict, subtype: string | undefined): PdfFont {
  const baseFont = nameOf(file.get(dict, 'BaseFont')) ?? '';
  const type3 = subtype === 'Type3';
  // A Type 3 font has no BaseFont, and its optional /Name (§9.6.5) is the only name it has.
  const font = new SimpleFont(baseFont || (type3 ? nameOf(file.get(dict, 'Name')) : undefined) || subtype || 'font');
  const descriptor = file.dictOf(dict.get('FontDescriptor'));
  const flags = (file.get(descriptor, 'Flags') as number | undefined) ?? 0;
  const program = ['FontFile', 'FontFile2', 'FontFile3'].map((k) => file.get(descriptor, k)).find((s) => s instanceof PdfStream) as PdfStream | undefined;
  const std = type3 ? undefined : standardFont(baseFont);
  const toUnicode = toUnicodeOf(file, dict);
  const names = encodingNames(file, dict, { std, program, flags, subtype });
  const dingbatFont = std?.name === 'ZapfDingbats';

  for (let code = 0; code < 256; code++) {
    // ToUnicode first (§9.10.2 step a); a mapping to nothing readable falls back to the glyph name. A name that
    // means nothing (/g12, /glyph42, /cid00012, a Type 3 font's /a1) is undecodable rather than a reason to ask
    // pdf.js, which would write such a code out as the character with that number.
    const fromCMap = glyphText(toUnicode?.unicode(code));
    const name = names?.[code];
    let text = fromCMap === UNDECODABLE ? undefined : fromCMap;
    if (text === undefined && name) text = glyphText(dingbatFont ? dingbatToUnicode(name) : glyphToUnicode(name)) ?? UNDECODABLE;
    if (text === undefined && (fromCMap !== undefined || type3)) text = UNDECODABLE;
    font.unicodes[code] = text;
    if (text !== undefined && isBlank(text)) font.spaces[code] = 1;
  }

  let scale = 0.001;
  if (type3) {
    const matrix = numbers(file, dict.get('FontMatrix'));
    scale = matrix && matrix[0] ? Math.abs(matrix[0]) : 0.001;
  }
  const widths = numbers(file, dict.get('Widths'));
  const firstChar = (file.get(dict, 'FirstChar') as number | undefined) ?? 0;
  const missing = (file.get(descriptor, 'MissingWidth') as number | undefined) ?? 0;
  if (widths?.length) {
    for (let code = 0; code < 256; code++) {
      const w = widths[code - firstChar];
      font.widths[code] = (w ?? missing) * scale;
    }
    return font;
  }
  if (program) throw new PdfUnsupportedError(`embedded font ${baseFont} has no /Widths`);
  // Not embedded and no widths: the standard font's metrics, or a standard font of the same style as a stand-in.
  const metrics = std ?? standardFont(flags & 2 ? 'Times-Roman' : 'Helvetica')!;
  for (let code = 0; code < 256; code++) {
    const name = names?.[code];
    const w = name ? metrics.width(name) : undefined;
    font.widths[code] = w !== undefined ? w / 1000 : DEFAULT_WIDTH;
  }
  return font;
}

/** code → glyph name: the /Encoding (base + Differences), or the built-in encoding when it can be known. */
function encodingNames(
  file: PdfFile,
  dict: PdfDict,
  f: { std: StandardFont | undefined; program: PdfStream | undefined; flags: number; subtype: string | undefined },
): Array<string | undefined> | undefined {
  const enc = file.resolve(dict.get('Encoding'));
  const symbolic = (f.flags & 4) !== 0 && (f.flags & 32) === 0;
  let base: ReadonlyArray<string | undefined> | undefined;
  let differences: PdfObject[] | undefined;
  if (enc instanceof PdfName) base = baseEncoding(enc.name);
  else if (enc instanceof PdfDict) {
    const b = nameOf(file.get(enc, 'BaseEncoding'));
    if (b) base = baseEncoding(b);
    const d = file.get(enc, 'Differences');
    if (Array.isArray(d)) differences = d;
  }
  if (!base) {
    if (f.std && (!f.program || f.std.symbolic)) base = f.std.builtinEncoding;
    else if (f.program && f.subtype !== 'TrueType' && nameOf(f.program.dict.get('Subtype')) === undefined) base = type1BuiltinEncoding(file, f.program);
    else if (!f.program && f.std === undefined && !symbolic) base = baseEncoding('StandardEncoding');
    else if (f.program && f.subtype === 'TrueType' && !symbolic) base = baseEncoding('StandardEncoding');
  }
  if (!base && !differences) return undefined;
  const names: Array<string | undefined> = base ? [...base] : new Array<string | undefined>(256);
  let code = 0;
  for (const item of differences ?? []) {
    const v = file.resolve(item);
    if (typeof v === 'number') code = v;
    else if (v instanceof PdfName) {
      if (code >= 0 && code < 256) names[code] = v.name;
      code++;
    }
  }
  return names;
}

/** The encoding written in the clear-text part of an embedded Type 1 font (FontFile): StandardEncoding or `dup n /name put`. */
function type1BuiltinEncoding(file: PdfFile, program: PdfStream): ReadonlyArray<string | undefined> | undefined {
  let bytes: Uint8Array;
  try {
    bytes = file.streamBytes(program);
  } catch (err) {
    if (err instanceof PdfBudgetError) throw err;
    return undefined;
  }
  const length1 = file.get(program.dict, 'Length1');
  const clear = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, typeof length1 === 'number' && length1 > 0 ? length1 : 65536)).toString('latin1');
  const at = clear.indexOf('/Encoding');
  if (at < 0) return undefined;
  const rest = clear.slice(at, at + 40);
  if (/^\/Encoding\s+StandardEncoding/.test(rest)) return baseEncoding('StandardEncoding');
  const names = new Array<string | undefined>(256);
  const re = /dup\s+(\d+)\s*\/(\S+?)\s+put/g;
  re.lastIndex = at;
  const stop = clear.indexOf('readonly def', at);
  let m: RegExpExecArray | null;
  let found = 0;
  while ((m = re.exec(clear)) && (stop < 0 || m.index < stop)) {
    const code = Number(m[1]);
    if (code < 256) names[code] = m[2];
    found++;
  }
  return found ? names : undefined;
}

// ── CID-keyed fonts (Type0) ────────────────────────────────────────────────────────

class CidFont implements PdfFont {
  private readonly cache = new Map<number, string | undefined>();
  private readonly spaces = new Set<number>();
  constructor(
    readonly name: string,
    private readonly encoding: CMap,
    /** code → text (the font's ToUnicode), or … */
    private readonly toUnicode: CMap | undefined,
    /** … CID → text (Adobe's UCS2 map for the font's character collection, or the embedded TrueType's cmap). */
    private readonly cidText: ((cid: number) => string | undefined) | undefined,
    private readonly metrics: CidMetrics,
    private readonly identity: boolean,
    readonly vertical: boolean,
  ) {}
  readCode(bytes: Uint8Array, offset: number, out: { code: number; length: number }): void {
    this.encoding.readCode(bytes, offset, out);
  }
  private cid(code: number): number {
    return this.identity ? code : (this.encoding.cid(code) ?? 0);
  }
  unicode(code: number): string | undefined {
    if (this.cache.has(code)) return this.cache.get(code);
    const u = glyphText(this.toUnicode ? this.toUnicode.unicode(code) : this.cidText?.(this.cid(code)));
    this.cache.set(code, u);
    if (u !== undefined && isBlank(u)) this.spaces.add(code);
    return u;
  }
  isSpace(code: number): boolean {
    return this.spaces.has(code);
  }
  width(code: number): number {
    return (this.metrics.widths.get(this.cid(code)) ?? this.metrics.defaultWidth) / 1000;
  }
  verticalAdvance(code: number): number {
    return (this.metrics.vertical.get(this.cid(code)) ?? this.metrics.defaultVertical) / 1000;
  }
}

interface CidMetrics {
  widths: Map<number, number>;
  defaultWidth: number;
  vertical: Map<number, number>;
  defaultVertical: number;
}

const CHARACTER_COLLECTIONS = new Set(['Japan1', 'GB1', 'CNS1', 'Korea1']);

function loadCidFont(file: PdfFile, dict: PdfDict): PdfFont {
  const baseFont = nameOf(file.get(dict, 'BaseFont')) ?? 'Type0';
  const enc = file.resolve(dict.get('Encoding'));
  let encoding: CMap | undefined;
  let identity = false;
  const predefined = (name: string) => {
    if (name === 'Identity-H' || name === 'Identity-V') {
      identity = true;
      return identityCMap(name === 'Identity-V');
    }
    return loadPredefinedCMap(name);
  };
  if (enc instanceof PdfName) encoding = predefined(enc.name);
  else if (enc instanceof PdfStream) {
    encoding = parseCMap(file.streamBytes(enc));
    // An embedded CMap built on a predefined one: only Identity can be combined without merging tables.
    if (encoding.useCMap && encoding.useCMap !== 'Identity-H') throw new PdfUnsupportedError(`CMap uses ${encoding.useCMap}`);
  }
  if (!encoding) throw new PdfUnsupportedError(`CMap ${nameOf(enc) ?? '?'} is not available`);
  const descendants = file.resolve(dict.get('DescendantFonts'));
  const cidFont = file.dictOf(Array.isArray(descendants) ? descendants[0] : undefined);
  const toUnicode = toUnicodeOf(file, dict);
  let cidText: ((cid: number) => string | undefined) | undefined;
  if (!toUnicode) {
    const info = file.dictOf(file.get(cidFont, 'CIDSystemInfo'));
    const text = (k: string) => {
      const v = file.get(info, k);
      return v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : undefined;
    };
    const ordering = text('Ordering');
    const adobe = text('Registry') === 'Adobe' && ordering && CHARACTER_COLLECTIONS.has(ordering) ? ordering : undefined;
    const ucs2 = adobe ? (loadCidToUnicode(adobe) ?? loadPredefinedCMap(`Adobe-${adobe}-UCS2`)) : undefined;
    cidText = ucs2 ? (cid) => ucs2.unicode(cid) : trueTypeCidText(file, cidFont);
    if (!cidText) throw new PdfUnsupportedError(`CID font ${baseFont} has no ToUnicode`);
  }
  return new CidFont(baseFont, encoding, toUnicode, cidText, cidMetrics(file, cidFont), identity, encoding.wmode === 1);
}

/** CID → text through an embedded TrueType program: CID → glyph (CIDToGIDMap) → Unicode (the font's cmap). */
function trueTypeCidText(file: PdfFile, cidFont: PdfDict | undefined): ((cid: number) => string | undefined) | undefined {
  if (nameOf(file.get(cidFont, 'Subtype')) !== 'CIDFontType2') return undefined;
  const program = file.get(file.dictOf(cidFont?.get('FontDescriptor')), 'FontFile2');
  if (!(program instanceof PdfStream)) return undefined;
  const glyphs = glyphUnicodeFromTrueType(file.streamBytes(program));
  if (!glyphs) return undefined;
  const map = file.get(cidFont, 'CIDToGIDMap');
  const table = map instanceof PdfStream ? file.streamBytes(map) : undefined;
  const gid = (cid: number) => (table ? ((table[cid * 2] ?? 0) << 8) | (table[cid * 2 + 1] ?? 0) : cid);
  return (cid) => glyphs.get(gid(cid));
}

/** /W and /DW (horizontal), /W2 and /DW2 (vertical advance) of a CIDFont, keyed by CID. */
function cidMetrics(file: PdfFile, cidFont: PdfDict | undefined): CidMetrics {
  const m: CidMetrics = { widths: new Map(), defaultWidth: 1000, vertical: new Map(), defaultVertical: -1000 };
  const dw = file.get(cidFont, 'DW');
  if (typeof dw === 'number') m.defaultWidth = dw;
  const dw2 = numbers(file, cidFont?.get('DW2'));
  if (dw2 && dw2.length >= 2) m.defaultVertical = dw2[1]!;
  readCidWidths(file, file.get(cidFont, 'W'), 1, (cid, v) => m.widths.set(cid, v[0]!));
  readCidWidths(file, file.get(cidFont, 'W2'), 3, (cid, v) => m.vertical.set(cid, v[0]!));
  return m;
}

/** Reads a /W-style array: `c [v v …]` or `cFirst cLast v…`, each entry `per` numbers wide. */
function readCidWidths(file: PdfFile, w: PdfObject | undefined, per: number, set: (cid: number, values: number[]) => void): void {
  if (!Array.isArray(w)) return;
  const num = (o: PdfObject | undefined) => {
    const v = file.resolve(o);
    return typeof v === 'number' ? v : undefined;
  };
  // At most 0x10000 CIDs per entry and a million in all, however the array repeats its ranges.
  let budget = 1_000_000;
  for (let i = 0; i < w.length && budget > 0; ) {
    const first = num(w[i]);
    const next = file.resolve(w[i + 1]);
    if (first === undefined) break;
    if (Array.isArray(next)) {
      for (let k = 0; k + per <= next.length; k += per) {
        const values = next.slice(k, k + per).map((x) => num(x) ?? 0);
        set(first + k / per, values);
      }
      i += 2;
    } else {
      const last = num(next);
      const values = w.slice(i + 2, i + 2 + per).map((x) => num(x) ?? 0);
      if (last === undefined || values.length < per) break;
      for (let c = first; c <= last && c - first < 0x10000 && budget-- > 0; c++) set(c, values);
      i += 2 + per;
    }
  }
}

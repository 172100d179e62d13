/**
 * Character encodings and glyph names for the PDF text extractor (PDF 32000-1 §9.6.6, §9.10.2 and Annex D).
 *
 * - {@link baseEncoding}: the predefined simple-font encodings as 256 glyph names each.
 * - {@link glyphToUnicode}: glyph name → text, by table (the names `@pdf-lib/standard-fonts` knows plus the
 *   hand-written table in `glyphNames.ts`) and by the Adobe Glyph List rules (`uniXXXX`, `uXXXX`, `.suffix`,
 *   `a_b` ligatures).
 * - {@link standardFont}: the standard-14 fonts (and the usual Arial / Times New Roman / Courier New aliases)
 *   with their AFM widths and built-in encodings.
 * - {@link decodePdfText}: PDF text strings (§7.9.2.2): UTF-16BE, UTF-8 or PDFDocEncoding.
 *
 * Everything is built lazily on first use and cached.
 */

import { afmEncodings, afmFont, type AfmFont, type UnicodeMappings } from './afm';
import { extraGlyphNames } from './glyphNames';

export type BaseEncodingName =
  | 'StandardEncoding'
  | 'WinAnsiEncoding'
  | 'MacRomanEncoding'
  | 'MacExpertEncoding'
  | 'PDFDocEncoding'
  | 'SymbolEncoding'
  | 'ZapfDingbatsEncoding';

type Glyphs = Array<string | undefined>;


// ---------------------------------------------------------------------------------------------------------------
// Glyph names → Unicode

let nameToText: Map<string, string> | undefined;
let textToName: Map<string, string> | undefined;

/**
 * name → text: WinAnsi and Symbol names (lowest code point wins), then the hand-written table. ZapfDingbats names
 * ('a1'…'a191') are not here: generic names like 'a97' (pdfTeX's bitmap fonts) would read as dingbats; they are
 * used only for the ZapfDingbats font itself (dingbatToUnicode).
 */
function nameTable(): Map<string, string> {
  if (nameToText) return nameToText;
  const map = new Map<string, string>();
  for (const encoding of [afmEncodings().win1252, afmEncodings().symbol]) {
    // Integer-like keys iterate in ascending order, so the lowest code point is seen first.
    for (const [cp, [, name]] of Object.entries(encoding)) {
      if (!map.has(name)) map.set(name, String.fromCodePoint(Number(cp)));
    }
  }
  for (const [name, text] of extraGlyphNames()) map.set(name, text);
  nameToText = map;
  return map;
}

let dingbats: Map<string, string> | undefined;
/** Text of a glyph of the ZapfDingbats font ('a1' → ✁), or undefined. */
export function dingbatToUnicode(name: string): string | undefined {
  if (!dingbats) {
    dingbats = new Map();
    for (const [cp, [, glyph]] of Object.entries(afmEncodings().zapfdingbats)) if (!dingbats.has(glyph)) dingbats.set(glyph, String.fromCodePoint(Number(cp)));
  }
  return dingbats.get(name) ?? glyphToUnicode(name);
}

/** text → the preferred glyph name that maps back to exactly that text (WinAnsi names first). */
function reverseTable(): Map<string, string> {
  if (textToName) return textToName;
  const map = new Map<string, string>();
  for (const [name, text] of nameTable()) if (!map.has(text)) map.set(text, name);
  textToName = map;
  return map;
}

let encodedNames: Map<string, string> | undefined;

/** text → the glyph the package's WinAnsi / Symbol / ZapfDingbats encodings show for it (U+00A0 → 'space'). */
function encodedGlyphName(text: string): string | undefined {
  if (!encodedNames) {
    encodedNames = new Map();
    for (const encoding of [afmEncodings().win1252, afmEncodings().symbol, afmEncodings().zapfdingbats]) {
      for (const [cp, [, name]] of Object.entries(encoding)) {
        const key = String.fromCodePoint(Number(cp));
        if (!encodedNames.has(key)) encodedNames.set(key, name);
      }
    }
  }
  return encodedNames.get(text);
}

/** Expert-set suffixes: 'dollaroldstyle' → '$', 'onefitted' → '1', 'asuperior' → 'a', 'Asmall' → 'a'. */
const EXPERT_SUFFIX = /^(.+?)(oldstyle|fitted|superior|inferior|small)$/;

function componentToUnicode(part: string, table: Map<string, string>): string | undefined {
  const direct = table.get(part);
  if (direct !== undefined) return direct;
  const uni = /^uni((?:[0-9A-Fa-f]{4})+)$/.exec(part);
  if (uni) {
    let out = '';
    for (let i = 0; i < uni[1].length; i += 4) {
      const unit = parseInt(uni[1].slice(i, i + 4), 16);
      if (unit >= 0xd800 && unit <= 0xdfff) return undefined;
      out += String.fromCharCode(unit);
    }
    return out;
  }
  const u = /^u([0-9A-Fa-f]{4,6})$/.exec(part);
  if (u) {
    const cp = parseInt(u[1], 16);
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return undefined;
    return String.fromCodePoint(cp);
  }
  const expert = EXPERT_SUFFIX.exec(part);
  if (expert) {
    const base = table.get(expert[1]);
    if (base !== undefined) return expert[2] === 'small' ? base.toLowerCase() : base;
  }
  return undefined;
}

/**
 * Unicode text for a glyph name, or undefined when the name carries no known character (e.g. 'g123', 'glyph5',
 * 'cid00012', '.notdef'). Follows the AGL rules: a '.suffix' is dropped, '_' joins components (all must be known),
 * each component is a known name, 'uniXXXX[XXXX…]' (no surrogates) or 'uXXXX'–'uXXXXXX'. Hex digits of either case
 * are accepted (the AGL asks for upper case; some producers write lower case).
 */
export function glyphToUnicode(name: string): string | undefined {
  const table = nameTable();
  const direct = table.get(name);
  if (direct !== undefined) return direct;
  const dot = name.indexOf('.');
  const base = dot >= 0 ? name.slice(0, dot) : name;
  if (!base) return undefined;
  // TeX's size variants of one character ('parenleftbig', 'summationdisplay', 'radicalBigg') read as the character.
  const sized = /^(.+?)(?:big|Big|bigg|Bigg|text|display)$/.exec(base);
  if (sized && table.has(sized[1]!)) return table.get(sized[1]!);
  let out = '';
  for (const part of base.split('_')) {
    const text = componentToUnicode(part, table);
    if (text === undefined) return undefined;
    out += text;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Base encodings

/** Puts space-separated names at consecutive codes from `start`; '-' leaves a code undefined. */
function fill(glyphs: Glyphs, start: number, names: string): void {
  names.split(' ').forEach((name, i) => {
    if (name !== '-') glyphs[start + i] = name;
  });
}

const UPPER = 'A B C D E F G H I J K L M N O P Q R S T U V W X Y Z';
const LOWER = UPPER.toLowerCase();

/** Adobe StandardEncoding (Annex D.2 "STD" column; the built-in encoding of the Latin standard-14 fonts). */
function buildStandard(): Glyphs {
  const g: Glyphs = new Array(256).fill(undefined);
  fill(g, 0x20, 'space exclam quotedbl numbersign dollar percent ampersand quoteright parenleft parenright asterisk plus comma'
    + ' hyphen period slash zero one two three four five six seven eight nine colon semicolon less equal greater question at');
  fill(g, 0x41, `${UPPER} bracketleft backslash bracketright asciicircum underscore quoteleft ${LOWER}`);
  fill(g, 0x7b, 'braceleft bar braceright asciitilde');
  fill(g, 0xa1, 'exclamdown cent sterling fraction yen florin section currency quotesingle quotedblleft guillemotleft'
    + ' guilsinglleft guilsinglright fi fl - endash dagger daggerdbl periodcentered - paragraph bullet quotesinglbase'
    + ' quotedblbase quotedblright guillemotright ellipsis perthousand - questiondown - grave acute circumflex tilde macron'
    + ' breve dotaccent dieresis - ring cedilla - hungarumlaut ogonek caron emdash');
  fill(g, 0xe1, 'AE - ordfeminine - - - - Lslash Oslash OE ordmasculine');
  fill(g, 0xf1, 'ae - - - dotlessi - - lslash oslash oe germandbls');
  return g;
}

/** WinAnsiEncoding (Windows-1252) with the Annex D notes: unused codes show a bullet; A0 is space, AD hyphen. */
function buildWinAnsi(): Glyphs {
  const g: Glyphs = new Array(256).fill(undefined);
  for (const [code, name] of Object.values(afmEncodings().win1252)) g[code] ??= name;
  for (const code of [0x7f, 0x81, 0x8d, 0x8f, 0x90, 0x9d]) g[code] = 'bullet';
  g[0xa0] = 'space';
  g[0xad] = 'hyphen';
  return g;
}

/**
 * MacRomanEncoding: Mac OS Roman as Node's 'macintosh' decoder gives it, named through the reverse glyph table,
 * except where PDF's table names a different glyph: 0xBD 'Omega', 0xCA 'space' (non-breaking duplicate) and
 * 0xDB 'currency' (PDF keeps the pre-Euro Mac character set).
 */
function buildMacRoman(): Glyphs {
  const g: Glyphs = new Array(256).fill(undefined);
  const overrides: Record<number, string> = { 0xbd: 'Omega', 0xca: 'space', 0xdb: 'currency' };
  let decoded: string;
  try {
    decoded = new TextDecoder('macintosh').decode(Uint8Array.from({ length: 256 }, (_, i) => i));
  } catch {
    // A Node without full ICU: keep the ASCII half, which needs no decoder.
    decoded = String.fromCharCode(...Array.from({ length: 128 }, (_, i) => i));
  }
  const reverse = reverseTable();
  for (let code = 0x20; code < decoded.length && code < 256; code++) {
    if (code === 0x7f) continue;
    g[code] = overrides[code] ?? reverse.get(decoded[code]);
  }
  return g;
}

/** PDFDocEncoding (Annex D.2): Latin-1 with the 0x18–0x1F accents, the 0x80–0x9E block and the Euro at 0xA0. */
function buildPdfDoc(): Glyphs {
  const win = encodingCache('WinAnsiEncoding');
  const g: Glyphs = new Array(256).fill(undefined);
  for (let code = 0x20; code < 0x7f; code++) g[code] = win[code];
  for (let code = 0xa1; code < 0x100; code++) g[code] = win[code];
  fill(g, 0x18, 'breve caron circumflex dotaccent hungarumlaut ogonek ring tilde');
  fill(g, 0x80, 'bullet dagger daggerdbl ellipsis emdash endash florin fraction guilsinglleft guilsinglright minus perthousand'
    + ' quotedblbase quotedblleft quotedblright quoteleft quoteright quotesinglbase trademark fi fl Lslash OE Scaron Ydieresis'
    + ' Zcaron dotlessi lslash oe scaron zcaron');
  g[0xa0] = 'Euro';
  g[0xad] = undefined;
  return g;
}

/** The built-in encoding of the Symbol or ZapfDingbats AFM (the package's code ↔ name pairs). */
function buildFromMappings(encoding: UnicodeMappings): Glyphs {
  const g: Glyphs = new Array(256).fill(undefined);
  for (const [code, name] of Object.values(encoding)) g[code] ??= name;
  return g;
}

const encodings = new Map<string, Glyphs>();

function encodingCache(name: Exclude<BaseEncodingName, 'MacExpertEncoding'>): Glyphs {
  let glyphs = encodings.get(name);
  if (!glyphs) {
    switch (name) {
      case 'StandardEncoding': glyphs = buildStandard(); break;
      case 'WinAnsiEncoding': glyphs = buildWinAnsi(); break;
      case 'MacRomanEncoding': glyphs = buildMacRoman(); break;
      case 'PDFDocEncoding': glyphs = buildPdfDoc(); break;
      case 'SymbolEncoding': glyphs = buildFromMappings(afmEncodings().symbol); break;
      case 'ZapfDingbatsEncoding': glyphs = buildFromMappings(afmEncodings().zapfdingbats); break;
    }
    encodings.set(name, glyphs);
  }
  return glyphs;
}

/**
 * 256 glyph names (undefined where the encoding has no character), or undefined for an unknown encoding name.
 * Cached. MacExpertEncoding is not provided (undefined): no reliable source for its table is at hand, and it only
 * matters for old Adobe Expert fonts, whose own built-in encoding the caller falls back to.
 */
export function baseEncoding(name: string): ReadonlyArray<string | undefined> | undefined {
  switch (name) {
    case 'StandardEncoding':
    case 'WinAnsiEncoding':
    case 'MacRomanEncoding':
    case 'PDFDocEncoding':
    case 'SymbolEncoding':
    case 'ZapfDingbatsEncoding':
      return encodingCache(name);
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Standard-14 fonts

export interface StandardFont {
  /** canonical standard-14 name, e.g. 'Helvetica-Bold' */
  name: string;
  /** width (1/1000 em) of a glyph by name, or undefined */
  width(glyph: string): number | undefined;
  /** the font's built-in encoding: code → glyph name (StandardEncoding for the Latin fonts; own encodings for Symbol and ZapfDingbats) */
  builtinEncoding: ReadonlyArray<string | undefined>;
  symbolic: boolean;
}

type Family = 'Helvetica' | 'Times' | 'Courier' | 'Symbol' | 'ZapfDingbats';

/** Lower-case family names (spaces and separators removed) → standard family; longest match first. */
const FAMILIES: Array<[string, Family]> = ([
  ['helvetica', 'Helvetica'], ['arial', 'Helvetica'],
  ['timesnewroman', 'Times'], ['timesroman', 'Times'], ['times', 'Times'],
  ['couriernew', 'Courier'], ['courier', 'Courier'],
  ['symbol', 'Symbol'], ['zapfdingbats', 'ZapfDingbats'],
] as Array<[string, Family]>).sort((a, b) => b[0].length - a[0].length);

const STYLE = /^(?:roman|regular|normal|book|medium|plain)?(bold)?(italic|oblique)?$/;

function canonicalName(baseFont: string): string | undefined {
  const flat = baseFont.replace(/^[A-Z]{6}\+/, '').replace(/[\s,_-]/g, '').toLowerCase();
  const entry = FAMILIES.find(([prefix]) => flat.startsWith(prefix));
  if (!entry) return undefined;
  const style = STYLE.exec(flat.slice(entry[0].length).replace(/^ps/, '').replace(/mt$/, ''));
  if (!style) return undefined;
  const family = entry[1];
  if (family === 'Symbol' || family === 'ZapfDingbats') return family;
  const bold = style[1] !== undefined;
  const italic = style[2] !== undefined;
  if (family === 'Times') return bold ? (italic ? 'Times-BoldItalic' : 'Times-Bold') : italic ? 'Times-Italic' : 'Times-Roman';
  if (!bold && !italic) return family;
  return `${family}-${bold ? 'Bold' : ''}${italic ? 'Oblique' : ''}`;
}

function makeStandardFont(name: string): StandardFont {
  let metrics: AfmFont | undefined;
  const symbolic = name === 'Symbol' || name === 'ZapfDingbats';
  const encodingName = name === 'Symbol' ? 'SymbolEncoding' : name === 'ZapfDingbats' ? 'ZapfDingbatsEncoding' : 'StandardEncoding';
  return {
    name,
    symbolic,
    get builtinEncoding() {
      return encodingCache(encodingName);
    },
    width(glyph: string): number | undefined {
      metrics ??= afmFont(name);
      const direct = metrics.widths.get(glyph);
      if (typeof direct === 'number') return direct;
      // An alias such as 'uni00E9' or 'nbspace': measure the font's own glyph for the same character.
      const text = glyphToUnicode(glyph);
      if (text === undefined) return undefined;
      for (const alias of [encodedGlyphName(text), reverseTable().get(text), reverseTable().get(text.normalize('NFKC'))]) {
        const width = alias === undefined || alias === glyph ? undefined : metrics.widths.get(alias);
        if (typeof width === 'number') return width;
      }
      return undefined;
    },
  };
}

const fontsByCanonical = new Map<string, StandardFont>();
const fontsByName = new Map<string, StandardFont | undefined>();

/**
 * The standard-14 font a BaseFont name refers to, or undefined. A subset prefix ('ABCDEF+') is stripped; the
 * Arial, Times New Roman and Courier New families (with ',Bold', '-BoldMT', 'PS-ItalicMT' … styles) map to
 * Helvetica, Times and Courier; any other style word (Narrow, Black, Light …) gives undefined because the widths
 * would be wrong. Cached; metrics are loaded on the first width() call.
 */
export function standardFont(baseFont: string): StandardFont | undefined {
  const key = baseFont.replace(/^[A-Z]{6}\+/, '');
  if (fontsByName.has(key)) return fontsByName.get(key);
  const canonical = canonicalName(key);
  let font: StandardFont | undefined;
  if (canonical) {
    font = fontsByCanonical.get(canonical);
    if (!font) fontsByCanonical.set(canonical, (font = makeStandardFont(canonical)));
  }
  if (fontsByName.size > 1000) fontsByName.clear();
  fontsByName.set(key, font);
  return font;
}

// ---------------------------------------------------------------------------------------------------------------
// PDF text strings

let pdfDocChars: string[] | undefined;

/** PDFDocEncoding byte → text; bytes the encoding leaves undefined (controls, 0x7F, 0x9F, 0xAD) pass through as Latin-1. */
function pdfDocTable(): string[] {
  if (pdfDocChars) return pdfDocChars;
  const glyphs = encodingCache('PDFDocEncoding');
  pdfDocChars = Array.from({ length: 256 }, (_, code) => {
    const name = glyphs[code];
    return (name !== undefined ? glyphToUnicode(name) : undefined) ?? String.fromCharCode(code);
  });
  return pdfDocChars;
}

/** UTF-16 code units → string; a trailing odd byte is dropped and lone surrogates become U+FFFD. */
function decodeUtf16(bytes: Uint8Array, start: number, bigEndian: boolean): string {
  const units: number[] = [];
  for (let i = start; i + 1 < bytes.length; i += 2) units.push(bigEndian ? (bytes[i] << 8) | bytes[i + 1] : bytes[i] | (bytes[i + 1] << 8));
  let out = '';
  for (let i = 0; i < units.length; i++) {
    const unit = units[i];
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < units.length && units[i + 1] >= 0xdc00 && units[i + 1] <= 0xdfff) {
      out += String.fromCharCode(unit, units[++i]);
    } else if (unit >= 0xd800 && unit <= 0xdfff) {
      out += '\ufffd';
    } else {
      out += String.fromCharCode(unit);
    }
  }
  return out;
}

/** PDF 2.0 language escapes (ESC lang [country] ESC) embedded in Unicode text strings carry no text. */
function stripLanguageEscapes(text: string): string {
  return text.replace(/\u001b[^\u001b]*\u001b/g, '');
}

/**
 * PDF text string → JS string: UTF-16BE when it starts with FE FF, UTF-8 when it starts with EF BB BF, else
 * PDFDocEncoding. Also accepts a UTF-16LE BOM (FF FE), which some producers write although the spec does not
 * allow it. The BOM never appears in the result; an odd trailing byte of UTF-16 is ignored.
 */
export function decodePdfText(bytes: Uint8Array): string {
  let text: string;
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    text = stripLanguageEscapes(decodeUtf16(bytes, 2, true));
  } else if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
    text = stripLanguageEscapes(decodeUtf16(bytes, 2, false));
  } else if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    text = stripLanguageEscapes(new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes.subarray(3)));
  } else {
    const table = pdfDocTable();
    text = '';
    for (const byte of bytes) text += table[byte];
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * What a glyph's Unicode may be before it reaches the text layer. A font's own mapping — its ToUnicode CMap
 * (ISO 32000-1 §9.10.3) or its glyph names (§9.10.2) — is data from the file, and a font with no usable mapping
 * (a Type 3 font whose glyphs are named /a1, a subset whose glyphs are /g12 or /cid00012, a ToUnicode CMap that
 * maps codes to control characters) would otherwise write its raw codes into the text: control characters and
 * punctuation salad. Such a glyph is UNDECODABLE: it draws something, but nothing of it is text. The page decides
 * from how many of its glyphs are undecodable whether it has a text layer at all (backends/pdfPageText.ts).
 */
import { cleanText } from '../cleanText';

/**
 * The text of a glyph that draws something no mapping can name. U+FFFD itself never comes out of glyphText, so a
 * glyph's text is this string only when it is undecodable (the reader compares by identity, per glyph).
 */
export const UNDECODABLE = '\uFFFD';

/**
 * The part of a mapped text that can be real text: C0/C1 controls (but TAB and LF), DEL, noncharacters, lone
 * surrogates and U+FFFD removed. Undefined stays undefined (no mapping); a mapping that held nothing but such
 * characters gives UNDECODABLE; the empty string (a glyph that maps to nothing, e.g. a ligature's second half)
 * stays empty.
 */
export function glyphText(raw: string | undefined): string | undefined {
  if (!raw) return raw;
  let text = cleanText(raw, 'remove').text;
  if (text.includes('\uFFFD')) text = text.replace(/\uFFFD/g, '');
  return text ? text : UNDECODABLE;
}

/**
 * Whether the UTF-16 unit `c` can be part of real text that a reader sees: not whitespace, not a control, not
 * a noncharacter, not U+FFFD, not a private-use character (it names a glyph only its font knows). A surrogate
 * counts (astral characters, CJK Extension B and emoji among them, are real text; lone ones never get this far).
 */
export function isReadableUnit(c: number): boolean {
  if (c <= 0x20) return false;
  if (c < 0x7f) return true;
  if (c <= 0xa0) return false;
  if (c >= 0xe000 && c <= 0xf8ff) return false;
  if (c >= 0xfdd0 && c <= 0xfdef) return false;
  if (c === 0xfffd || c === 0xfffe || c === 0xffff) return false;
  return !(c === 0x1680 || (c >= 0x2000 && c <= 0x200b) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff);
}

/** Readable characters of `text` (isReadableUnit; an astral character counts once), counting stops at `limit`. */
export function countReadable(text: string, limit = Infinity, from = 0): number {
  let n = from;
  for (let i = 0; i < text.length && n < limit; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff) continue;
    if (isReadableUnit(c)) n++;
  }
  return n;
}

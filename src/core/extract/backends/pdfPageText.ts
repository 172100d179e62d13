/**
 * Whose text a PDF page gets — its own text layer's or OCR's — decided per page from evidence: how much readable
 * text the layer holds, how much of it the fonts could not name (pdf/glyphText.ts), how much of the page pictures
 * cover, and, once OCR has read the page, whether OCR read the same text. The rule (docs/extraction.md):
 *
 * - a text layer of MIN_TEXT_LAYER_CHARS readable characters or more is the page's text (no OCR);
 * - a page whose glyphs are mostly undecodable has no text layer: OCR when it is on, else UNDECODABLE_TEXT;
 * - a short text layer (a title, a page number, two CJK characters) is kept without OCR, unless pictures cover
 *   SCAN_COVERAGE of the page or it draws outlines (a scan with a few characters of text on it); then OCR reads
 *   the page and replaces the layer only when it read the layer's own text too (`ocrAgrees`). OCR that disagrees —
 *   a low-confidence guess above all — never overwrites decodable text: the layer is kept, with OCR_DISAGREES.
 */
import { cleanText } from '../cleanText';
import type { Line, PositionedText } from '../pdf/layout';
import { countReadable, isReadableUnit } from '../pdf/glyphText';
import type { PageDrawing } from '../pdf/pageDrawing';
import type { ExtractionWarning } from '../types';
import { MIN_OCR_PATH_OPS } from './pdfPages';

/** A page whose text layer has fewer readable characters than this has a short one (see the rule above). */
export const MIN_TEXT_LAYER_CHARS = 8;
/** Share of the page that images must cover for a page with a short text layer to be OCR'd as well. */
export const SCAN_COVERAGE = 0.5;
/** Share of the text layer's characters OCR must have read for its text to replace the layer. */
const AGREEMENT = 0.8;

/** How many of a page's glyphs came out as text and how many could not be named, and the fonts of those. */
export interface GlyphCounts {
  text: number;
  undecodable: number;
  fonts: ReadonlySet<string>;
}

/**
 * - `text`: the text layer is the page's text;
 * - `short`: a short, decodable text layer on a page that pictures cover: OCR may add to it, never overwrite it;
 * - `undecodable`: mostly glyphs no font could name: no text layer (OCR, or UNDECODABLE_TEXT);
 * - `none`: no readable text at all.
 */
export type TextLayerVerdict = 'text' | 'short' | 'undecodable' | 'none';

export function judgeTextLayer(lines: readonly Line[], drawing: PageDrawing | undefined, glyphs: GlyphCounts | undefined): TextLayerVerdict {
  let chars = 0;
  for (const line of lines) if ((chars = countReadable(line.text, MIN_TEXT_LAYER_CHARS, chars)) >= MIN_TEXT_LAYER_CHARS) break;
  if (glyphs && glyphs.undecodable > glyphs.text) return 'undecodable';
  if (chars >= MIN_TEXT_LAYER_CHARS) return 'text';
  if (chars === 0) return 'none';
  if (!drawing) return 'short';
  const scanned = drawing.pageArea > 0 ? drawing.imageArea >= SCAN_COVERAGE * drawing.pageArea : drawing.images.size + drawing.inlineImages.length > 0;
  return scanned || drawing.paths >= MIN_OCR_PATH_OPS ? 'short' : 'text';
}

/** The glyph counts the own reader kept for a page. */
export const drawingGlyphs = (d: PageDrawing | undefined): GlyphCounts | undefined => (d && (d.textGlyphs || d.undecodable) ? { text: d.textGlyphs, undecodable: d.undecodable, fonts: d.undecodableFonts } : undefined);

/**
 * Whether OCR read the text layer's own text: at least AGREEMENT of the layer's readable characters (NFKC, case
 * folded, each counted as often as it occurs) are among OCR's. A page number in the layer agrees with OCR's
 * whole page; 𠮷 does not agree with "Oh".
 */
export function ocrAgrees(layer: string, ocr: string): boolean {
  const have = new Map<string, number>();
  for (const ch of fold(ocr)) have.set(ch, (have.get(ch) ?? 0) + 1);
  let total = 0;
  let found = 0;
  for (const ch of fold(layer)) {
    total++;
    const n = have.get(ch) ?? 0;
    if (n > 0) {
      found++;
      have.set(ch, n - 1);
    }
  }
  return total === 0 || found >= AGREEMENT * total;
}

function fold(s: string): string[] {
  return Array.from(s.normalize('NFKC').toLowerCase()).filter((ch) => isReadableUnit(ch.charCodeAt(0)));
}

/**
 * Glyphs of page `n` left out because their font names no text (pdf/glyphText.ts): which fonts, how many, and
 * what to do when that was most of the page.
 */
export function undecodableWarning(n: number, glyphs: GlyphCounts | undefined, ocr: 'off' | 'unavailable' | 'empty'): ExtractionWarning {
  const names = glyphs ? [...glyphs.fonts] : [];
  const fonts = names.length ? `font${names.length > 1 ? 's' : ''} ${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''}` : 'a font';
  const one = glyphs?.undecodable === 1;
  const what = glyphs?.undecodable ? `${glyphs.undecodable} glyph${one ? '' : 's'} on page ${n} drawn with ${fonts}` : `Text on page ${n} drawn with ${fonts}`;
  const mostly = !glyphs || glyphs.undecodable > glyphs.text;
  const then = !mostly ? '.' : { off: '; turn OCR on to read the page.', unavailable: '; OCR, which could read it, is not available here.', empty: '; OCR read nothing there either.' }[ocr];
  return { code: 'UNDECODABLE_TEXT', message: `${what} without a usable Unicode mapping (no ToUnicode, glyph names that mean nothing) ${one ? 'was' : 'were'} left out${then}`, page: n };
}

export function ocrDisagreesWarning(n: number, confidence: number): ExtractionWarning {
  return { code: 'OCR_DISAGREES', message: `OCR read page ${n} differently from its text layer (OCR confidence ${Math.round(confidence)}%); the text layer was kept.`, page: n };
}

/**
 * pdf.js's runs under the same rule as the own reader's glyphs. pdf.js writes a code its font cannot name as the
 * character with that number (a glyph /g12 becomes U+0012): a run holding controls or noncharacters for at least
 * a fifth of its characters is such raw codes, punctuation salad included, and is dropped and counted as
 * undecodable; stray ones in a run of real text are removed.
 */
export function cleanPdfjsRuns(items: PositionedText[]): { items: PositionedText[]; glyphs: GlyphCounts } {
  let text = 0;
  let undecodable = 0;
  const out: PositionedText[] = [];
  for (const item of items) {
    const { text: clean, removed } = cleanText(item.str, 'remove');
    const replaced = countChar(clean, 0xfffd);
    const readable = countReadable(clean);
    const bad = removed + replaced;
    if (bad > 0 && bad * 4 >= readable) {
      undecodable += bad + readable;
      const last = out[out.length - 1];
      if (last && !last.eol && adjoins(last, item)) {
        // the run before reaches over the dropped one, so "di" + (an ffi ligature pdf.js wrote as U+001F) + "culties" stays one word
        out[out.length - 1] = { ...last, width: item.x + item.width - last.x, eol: item.eol };
      } else if (item.eol) out.push({ ...item, str: '' });
      continue;
    }
    text += readable;
    out.push(bad ? { ...item, str: replaced ? clean.replace(/\uFFFD/g, '') : clean } : item);
  }
  return { items: out, glyphs: { text, undecodable, fonts: new Set() } };
}

/** Whether `next` continues `prev` on its line, left to right, with no gap a space would fill. */
function adjoins(prev: PositionedText, next: PositionedText): boolean {
  const size = Math.max(prev.size, next.size);
  const gap = next.x - (prev.x + prev.width);
  return !prev.rtl && Math.abs(prev.y - next.y) < 0.5 * size && gap > -0.5 * size && gap < 0.2 * size;
}

function countChar(s: string, c: number): number {
  let n = 0;
  for (let i = s.indexOf(String.fromCharCode(c)); i >= 0; i = s.indexOf(String.fromCharCode(c), i + 1)) n++;
  return n;
}

/**
 * What a page draws, counted while its content stream runs (contentText.ts): enough to tell a blank page from one
 * worth OCR, which images a renderer would decode, how much of the page pictures cover, and how much of the text
 * the fonts could name (glyphText.ts).
 */
import { PdfName, type PdfObject, type PdfStream } from './objects';

/**
 * What a page draws besides its text, counted while its content runs (forms included): enough to tell a blank
 * page from one worth OCR, and which images a renderer would decode.
 */
export interface PageDrawing {
  /** Glyphs shown (character codes in Tj/TJ/'/" strings), visible or not. */
  glyphs: number;
  /** Visible glyphs whose font names real text (neither whitespace nor undecodable); 0 when only drawing was counted. */
  textGlyphs: number;
  /** Visible glyphs whose font names nothing that is text (glyphText.ts UNDECODABLE). */
  undecodable: number;
  /** The fonts (BaseFont) of the undecodable glyphs. */
  undecodableFonts: Set<string>;
  /** Image XObjects drawn with Do (§8.9.5), directly or from a form. */
  images: Set<PdfStream>;
  /** Inline images (§8.9.7): their declared /W and /H, in pixels. */
  inlineImages: Array<{ width: number; height: number }>;
  /**
   * Area the images cover on the page, in square points: each image fills the unit square of its CTM (§8.3.4),
   * so its area is |det CTM|. Overlaps count twice; compare with `pageArea`.
   */
  imageArea: number;
  /** Area of the visible page (crop box within the media box), in square points; 0 when it is not known. */
  pageArea: number;
  /** Path construction operators (m l c v y h re, §8.5.2). */
  paths: number;
  /** Shadings painted with sh (§8.7.4.2). */
  shadings: number;
}

export function emptyDrawing(view: readonly [number, number, number, number] | undefined): PageDrawing {
  const pageArea = view ? (view[2] - view[0]) * (view[3] - view[1]) : 0;
  return { glyphs: 0, textGlyphs: 0, undecodable: 0, undecodableFonts: new Set(), images: new Set(), inlineImages: [], imageArea: 0, pageArea, paths: 0, shadings: 0 };
}

/** The area of the unit square under the matrix [a b c d e f]: |ad − bc|. */
export const matrixArea = (m: readonly number[]): number => Math.abs(m[0]! * m[3]! - m[1]! * m[2]!);

/** Bytes of the strings a show operator draws (one or two per glyph): a glyph count close enough to tell none from some. */
export function countShown(a: PdfObject[]): number {
  let n = 0;
  for (const x of a) {
    if (x instanceof Uint8Array) n += x.length;
    else if (Array.isArray(x)) for (const y of x) if (y instanceof Uint8Array) n += y.length;
  }
  return n;
}

/** /W (/Width) and /H (/Height) of an inline image, from the key–value operands collected before ID. */
export function inlineImageSize(a: PdfObject[]): { width: number; height: number } {
  let width = 0;
  let height = 0;
  for (let i = 0; i + 1 < a.length; i += 2) {
    const k = a[i];
    const v = a[i + 1];
    if (!(k instanceof PdfName) || typeof v !== 'number') continue;
    if (k.name === 'W' || k.name === 'Width') width = v;
    else if (k.name === 'H' || k.name === 'Height') height = v;
  }
  return { width, height };
}

/**
 * Keeps pdf.js within the same budgets as the own reader. pdf.js decodes streams with no size limit: a 1 MB LZW
 * bomb handed to it took 110 s and 5.5 GB. So before a file (text) or a page (rendering for OCR) goes to pdf.js,
 * every stream pdf.js would decode for that purpose is decoded here first, within the per-stream budget, and
 * dropped; images are checked against the pixel budget by their declared size (PDF 32000-1 §8.9.5.1 /Width,
 * /Height) and, for JPEG data, the size in the JPEG itself. Anything over a budget throws (PdfBudgetError,
 * PdfPixelError) and pdf.js never sees the file.
 */
import { imageSize } from '../imageHeader';
import { PdfFilterError } from './filters';
import { PdfDict, PdfStream, PdfUnsupportedError, isName, type PdfObject } from './objects';
import type { PdfTextDocument } from './textLayer';

/** An image a renderer would decode is over the pixel budget. */
export class PdfPixelError extends Error {
  override name = 'PdfPixelError';
  constructor(
    readonly width: number,
    readonly height: number,
    readonly page: number,
    /** The pixel budget, width × height. */
    readonly limit: number,
  ) {
    super(`an image on page ${page} is ${width} × ${height} pixels`);
  }
}

/**
 * Keys not followed from a page: the page tree (/Parent), annotations' links back to pages and other
 * documents' structure (/P, /Dest, /A, /StructParent…), article beads (/B), thumbnails, and for text
 * (getTextContent reads contents, fonts and forms only) annotations.
 */
const SKIP_KEYS = new Set(['Parent', 'P', 'Dest', 'D', 'A', 'PA', 'Next', 'Prev', 'First', 'Last', 'B', 'Thumb', 'StructParents', 'StructParent', 'Metadata', 'PieceInfo']);
/** No page leads to more objects than this: past it, a file is built to make the walk itself the attack. */
const MAX_OBJECTS_PER_PAGE = 200_000;

/** What pdf.js will do with the pages checked: read their text, or render them (images decoded too). */
export type PdfJsUse = 'text' | 'render';

export class PdfJsGuard {
  private readonly checked = new WeakSet<PdfStream>();
  private readonly checkedImages = new WeakSet<PdfStream>();

  constructor(
    private readonly doc: PdfTextDocument,
    /** The pixel budget (width × height) of one image. */
    private readonly maxPixels: number,
  ) {}

  /**
   * Decodes, within the budgets, every stream pdf.js would decode to read (`text`) or render (`render`) page `n`:
   * contents, forms, fonts, CMaps, Type 3 glyph procedures, patterns, soft masks, annotation appearances
   * (render), and images (render: pixels first, then their data up to the image codec). Streams this reader cannot
   * decode (an unknown filter, damaged data) are left alone: pdf.js fails on those as quickly as we would.
   */
  checkPage(n: number, use: PdfJsUse): void {
    const file = this.doc.file;
    const seen = new Set<PdfObject>();
    // The page, and the resources it inherits from the page tree (§7.7.3.4), which /Parent is not followed to.
    const inherited = this.doc.pageResources(n);
    const stack: PdfObject[] = inherited ? [this.doc.pageDict(n), inherited] : [this.doc.pageDict(n)];
    let visited = 0;
    while (stack.length) {
      const obj = file.resolve(stack.pop());
      if (obj === undefined || obj === null || typeof obj !== 'object' || obj instanceof Uint8Array || seen.has(obj)) continue;
      seen.add(obj);
      if (++visited > MAX_OBJECTS_PER_PAGE) throw new PdfUnsupportedError(`page ${n} refers to more than ${MAX_OBJECTS_PER_PAGE} objects`);
      if (Array.isArray(obj)) {
        for (const x of obj) if (typeof x === 'object' && x !== null && !(x instanceof Uint8Array)) stack.push(x);
        continue;
      }
      const dict = obj instanceof PdfStream ? obj.dict : obj instanceof PdfDict ? obj : undefined;
      if (!dict) continue;
      if (obj instanceof PdfStream) {
        if (isName(file.resolve(dict.get('Subtype')), 'Image')) {
          if (use === 'render') this.checkImage(obj, n);
        } else {
          this.measure(obj);
        }
      }
      for (const [key, value] of dict.map) {
        if (SKIP_KEYS.has(key) || (use === 'text' && key === 'Annots')) continue;
        if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array)) stack.push(value);
      }
    }
  }

  private measure(stream: PdfStream): void {
    if (this.checked.has(stream)) return;
    this.checked.add(stream);
    try {
      this.doc.file.measureStream(stream);
    } catch (err) {
      if (err instanceof PdfFilterError || err instanceof PdfUnsupportedError) return;
      throw err;
    }
  }

  private checkImage(stream: PdfStream, page: number): void {
    if (this.checkedImages.has(stream)) return;
    this.checkedImages.add(stream);
    const file = this.doc.file;
    const dim = (a: string, b: string) => {
      const v = file.resolve(stream.dict.get(a) ?? stream.dict.get(b));
      return typeof v === 'number' && v > 0 ? Math.floor(v) : 0;
    };
    const width = dim('Width', 'W');
    const height = dim('Height', 'H');
    if (width * height > this.maxPixels) throw new PdfPixelError(width, height, page, this.maxPixels);
    this.measure(stream);
    // A JPEG decodes to the size in its own frame header, whatever /Width and /Height say (§7.4.8).
    const filters = file.filtersOf(stream);
    if (filters.length === 1 && (filters[0] === 'DCTDecode' || filters[0] === 'DCT')) {
      const own = imageSize(file.rawBytes(stream), 'jpeg');
      if (own && own.width * own.height > this.maxPixels) throw new PdfPixelError(own.width, own.height, page, this.maxPixels);
    }
  }
}

/** Inline images (§8.9.7) a page draws, checked against the pixel budget by their declared size. */
export function checkInlineImages(images: ReadonlyArray<{ width: number; height: number }>, maxPixels: number, page: number): void {
  for (const { width, height } of images) if (width * height > maxPixels) throw new PdfPixelError(width, height, page, maxPixels);
}

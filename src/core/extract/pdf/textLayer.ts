/**
 * Bright Run's own reader for the text layer of a PDF: file structure → page tree → each page's content stream →
 * positioned text runs, plus the document information. It reads what it fully understands and raises
 * PdfUnsupportedError for the rest (encryption, glyphs whose text lives only in the font program, CMaps built on
 * other predefined CMaps), so the caller can hand those files to pdf.js. Written because pdf.js spends most of its
 * time building renderable fonts that text extraction does not need (docs/decisions.md).
 */
import { PageTextReader, type PageDrawing } from './contentText';
import { decodePdfText } from './encodings';
import { PdfBudgetError } from './filters';
import type { PdfFont } from './fonts';
import type { PositionedText } from './layout';
import { PdfDict, PdfStream, PdfUnsupportedError, nameOf, type PdfObject } from './objects';
import { PdfFile, type PdfFileOptions } from './pdfFile';

const MAX_TREE_DEPTH = 64;

type Box = [number, number, number, number];

interface PageEntry {
  dict: PdfDict;
  resources: PdfDict | undefined;
  view: Box | undefined;
}

interface Inherited {
  resources: PdfDict | undefined;
  mediaBox: Box | undefined;
  cropBox: Box | undefined;
}

export class PdfTextDocument {
  readonly file: PdfFile;
  private readonly pages: PageEntry[] = [];
  private readonly fonts = new Map<PdfDict, PdfFont>();

  /** Throws PdfUnsupportedError when the file is not one this reader handles. */
  constructor(data: Uint8Array, options: PdfFileOptions = {}) {
    this.file = new PdfFile(data, options);
    const root = this.file.dictOf(this.file.catalog.get('Pages'));
    if (!root) throw new PdfUnsupportedError('no page tree');
    this.collect(root, { resources: undefined, mediaBox: undefined, cropBox: undefined }, 0, new Set());
    if (!this.pages.length) throw new PdfUnsupportedError('no pages');
  }

  get numPages(): number {
    return this.pages.length;
  }

  /** True when the cross-reference was rebuilt because the file is damaged. */
  get repaired(): boolean {
    return this.file.repaired;
  }

  /** Text runs of page `n` (1-based), in content order. */
  pageText(n: number): PositionedText[] {
    return this.readPage(n).text;
  }

  /** Text runs of page `n` (1-based), in content order, and what else the page draws. */
  readPage(n: number): { text: PositionedText[]; drawing: PageDrawing } {
    const page = this.page(n);
    const reader = new PageTextReader(this.file, this.fonts, page.view);
    const text = reader.read(this.content(n, page), page.resources);
    return { text, drawing: reader.drawing };
  }

  /** What page `n` draws, without reading its text (no fonts are loaded): for pages another reader reads. */
  pageDrawing(n: number): PageDrawing {
    const page = this.page(n);
    const reader = new PageTextReader(this.file, this.fonts, page.view, true);
    reader.read(this.content(n, page), page.resources);
    return reader.drawing;
  }

  /** The page object of page `n` (1-based). */
  pageDict(n: number): PdfDict {
    return this.page(n).dict;
  }

  /** The resources page `n` uses, its own or inherited from the page tree. */
  pageResources(n: number): PdfDict | undefined {
    return this.page(n).resources;
  }

  private page(n: number): PageEntry {
    const page = this.pages[n - 1];
    if (!page) throw new RangeError(`page ${n} out of range`);
    return page;
  }

  /** A page's content streams joined (§7.8.2); together no larger than one stream's budget. */
  private content(n: number, page: PageEntry): Uint8Array {
    const contents = this.file.resolve(page.dict.get('Contents'));
    const parts = Array.isArray(contents) ? contents.map((c) => this.file.resolve(c)) : [contents];
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (const part of parts) {
      if (!(part instanceof PdfStream)) continue;
      const bytes = this.file.streamBytes(part);
      total += bytes.length;
      if (total > this.file.maxStreamBytes) throw new PdfBudgetError(this.file.maxStreamBytes, `the content of page ${n}`);
      chunks.push(bytes, SEPARATOR);
    }
    return chunks.length === 2 ? chunks[0]! : Buffer.concat(chunks);
  }

  /** Document information (Info dictionary, catalog /Lang) as text. */
  info(): Record<string, string | undefined> {
    const info = this.file.dictOf(this.file.trailer.get('Info'));
    const text = (obj: PdfObject | undefined) => {
      const v = this.file.resolve(obj);
      if (!(v instanceof Uint8Array)) return undefined;
      const s = decodePdfText(v).replace(/\0/g, '').trim();
      return s || undefined;
    };
    const out: Record<string, string | undefined> = {};
    for (const key of ['Title', 'Author', 'Subject', 'Keywords', 'Creator', 'Producer', 'CreationDate', 'ModDate']) out[key] = text(info?.get(key));
    out.Language = text(this.file.catalog.get('Lang')) ?? nameOf(this.file.resolve(this.file.catalog.get('Lang')));
    return out;
  }

  private collect(node: PdfDict, inherited: Inherited, depth: number, seen: Set<PdfDict>): void {
    if (depth > MAX_TREE_DEPTH || seen.has(node)) return;
    seen.add(node);
    const here: Inherited = {
      resources: this.file.dictOf(node.get('Resources')) ?? inherited.resources,
      mediaBox: this.box(node.get('MediaBox')) ?? inherited.mediaBox,
      cropBox: this.box(node.get('CropBox')) ?? inherited.cropBox,
    };
    const kids = this.file.resolve(node.get('Kids'));
    const type = nameOf(this.file.resolve(node.get('Type')));
    if (Array.isArray(kids) && type !== 'Page') {
      for (const kid of kids) {
        const dict = this.file.dictOf(kid);
        if (dict) this.collect(dict, here, depth + 1, seen);
      }
      return;
    }
    if (type === 'Page' || node.get('Contents') !== undefined || node.get('MediaBox') !== undefined) {
      this.pages.push({ dict: node, resources: here.resources, view: viewOf(here.mediaBox, here.cropBox) });
    }
  }

  private box(obj: PdfObject | undefined): Box | undefined {
    const arr = this.file.resolve(obj);
    if (!Array.isArray(arr) || arr.length < 4) return undefined;
    const v = arr.slice(0, 4).map((x) => this.file.resolve(x));
    if (!v.every((x): x is number => typeof x === 'number')) return undefined;
    return [Math.min(v[0]!, v[2]!), Math.min(v[1]!, v[3]!), Math.max(v[0]!, v[2]!), Math.max(v[1]!, v[3]!)];
  }
}

/** What a viewer shows: the crop box clipped to the media box (the media box alone when they do not overlap). */
function viewOf(media: Box | undefined, crop: Box | undefined): Box | undefined {
  if (!media) return crop;
  if (!crop) return media;
  const v: Box = [Math.max(media[0], crop[0]), Math.max(media[1], crop[1]), Math.min(media[2], crop[2]), Math.min(media[3], crop[3])];
  return v[0] < v[2] && v[1] < v[3] ? v : media;
}

const SEPARATOR = new Uint8Array([0x0a]);

/** Page count of a PDF this reader can open, or undefined. */
export function pdfPageCount(data: Uint8Array): number | undefined {
  try {
    return new PdfTextDocument(data).numPages;
  } catch {
    return undefined;
  }
}
